"""Answers that staff collected (入户走访, 电话回访, 座谈会), entered as one batch.

Each entry is checked against the questionnaire like a resident's answer; a 座谈会 entry
also says whose it is. The batch is kept whole or not at all, and audited with its count.
Each staff member enters at most `survey_entries_per_day` answers in a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg

from backend.accounts.rules import Principal
from backend.clock import city_today
from backend.db.types import Connection
from backend.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from backend.settings import Settings
from backend.surveys import queries, rules
from backend.surveys.schemas import EntriesIn, EntriesOut, QuestionIn
from backend.surveys.service import (
    UNKNOWN_SURVEY,
    audit_survey,
    questions_of,
    subtree_of,
)
from backend.throttle import service as throttle

_DAY = timedelta(days=1)
_ACCEPTANCE_ENTRANTS = frozenset({"supervisor", "admin"})


async def enter(
    conn: Connection,
    principal: Principal,
    *,
    survey_id: int,
    data: EntriesIn,
    settings: Settings,
    now: datetime,
) -> EntriesOut:
    """Answers collected by staff (入户走访, 电话回访, 座谈会) on one day, kept as one batch."""
    lo, hi = subtree_of(principal)
    today = city_today(settings.timezone, now)
    day = data.day or today
    async with conn.transaction():
        row = await queries.survey_in_scope(conn, survey_id=survey_id, lo=lo, hi=hi, lock=True)
        if row is None:
            raise UNKNOWN_SURVEY
        if data.batch_id is not None:
            sent = await queries.entry_batch(
                conn, entered_by=principal.user_id, batch_id=data.batch_id
            )
            if sent is not None:
                return _sent_before(sent, survey_id=survey_id)
        rules.refuse_answer(
            rules.answer_problem(
                state=row["state"],
                opens_on=row["opens_on"],
                closes_on=row["closes_on"],
                channels=row["channels"],
                channel=data.channel,
                today=today,
            )
        )
        _check_entrant(principal, purpose=row["purpose"], barred=row["barred_entrants"])
        _check_day(day, opens_on=row["opens_on"], today=today)
        kept = _checked_entries(questions_of(row), data)
        region_id = await _answer_region(conn, row, code=data.region_code, lo=lo, hi=hi)
        wait = await throttle.take_many(
            conn,
            scope="survey.entries",
            key=str(principal.user_id),
            hits=len(kept),
            limit=settings.survey_entries_per_day,
            window=_DAY,
            now=now,
        )
        if wait is not None:
            raise TooManyRequests(
                "surveys.entries_limited",
                f"每人每天最多录入 {settings.survey_entries_per_day} 份答卷，请稍后再试",
                f"At most {settings.survey_entries_per_day} answers may be entered per person "
                "a day; try again later",
                retry_after=wait,
            )
        entered = await queries.insert_answers(
            conn,
            survey_id=survey_id,
            region_id=region_id,
            channel=data.channel,
            rows=kept,
            entered_by=principal.user_id,
            day=day,
        )
        if data.batch_id is not None:
            await queries.insert_entry_batch(
                conn,
                entered_by=principal.user_id,
                batch_id=data.batch_id,
                survey_id=survey_id,
                region_id=row["region_id"],
                entered=entered,
                at=now,
            )
        await audit_survey(
            conn,
            principal.user_id,
            "surveys.enter",
            survey_id,
            row["region_id"],
            detail={"channel": data.channel, "entries": entered, "day": day.isoformat()},
        )
    return EntriesOut(survey_id=survey_id, entered=entered)


def _sent_before(sent: asyncpg.Record, *, survey_id: int) -> EntriesOut:
    """The answer to a batch sent again: what it entered the first time, nothing more."""
    if sent["survey_id"] != survey_id:
        raise Conflict(
            "surveys.batch_reused",
            "这批答卷已录入另一份问卷",
            "This batch was entered into another survey",
        )
    return EntriesOut(survey_id=survey_id, entered=sent["entered"])


async def _answer_region(
    conn: Connection, survey: asyncpg.Record, *, code: str | None, lo: str | None, hi: str | None
) -> int:
    """Where entered answers were taken: a region of the survey's subtree (default its own);
    404 for a region the caller cannot see, 422 for one outside the survey's subtree."""
    if code is None:
        region_id: int = survey["region_id"]
        return region_id
    region = await queries.region_in_scope(conn, code=code, lo=lo, hi=hi)
    if region is None:
        raise NotFound("regions.not_found", "找不到该区域", "No such region")
    if not region["path"].startswith(survey["region_path"]):
        raise Invalid(
            "surveys.region_outside",
            "该区域不在问卷的调查范围内",
            "That region lies outside the survey's scope",
            fields={"regionCode": "a region within the survey's region"},
        )
    found: int = region["id"]
    return found


def _check_entrant(principal: Principal, *, purpose: str, barred: Sequence[int]) -> None:
    """A key area's acceptance grades the work of those answerable for it: only supervisors
    and admins enter answers into it, and never one the survey names as answerable."""
    if purpose != "acceptance":
        return
    if principal.role not in _ACCEPTANCE_ENTRANTS:
        raise Forbidden(
            "surveys.acceptance_entrants",
            "验收问卷的答卷只能由督办或管理员录入",
            "Only supervisors and admins may enter answers into an acceptance survey",
        )
    if principal.user_id in barred:
        raise Forbidden(
            "surveys.entrant_answerable",
            "您是该重点地区整治的责任人，不能录入其验收答卷",
            "You are answerable for this key area's work and may not enter its acceptance answers",
        )


def _check_day(day: date, *, opens_on: date, today: date) -> None:
    if not opens_on <= day <= today:
        raise Invalid(
            "surveys.bad_day",
            "收集日期须在问卷开始之后、今天之前",
            "The day the answers were taken must lie between the survey's opening and today",
            fields={"day": "between opensOn and today"},
        )


def _checked_entries(
    questions: list[QuestionIn], data: EntriesIn
) -> list[tuple[str | None, dict[str, Any]]]:
    """Every entry checked; one 422 naming each mistake of every entry."""
    fields = rules.entry_problems(data.channel, [entry.group for entry in data.entries])
    kept: list[tuple[str | None, dict[str, Any]]] = []
    for index, entry in enumerate(data.entries):
        try:
            kept.append((entry.group, rules.check_answers(questions, entry.answers)))
        except Invalid as exc:
            fields.update({f"entries[{index}].{k}": v for k, v in exc.fields.items()})
    if fields:
        raise Invalid(
            "surveys.bad_answers",
            "录入的答卷有误，请检查后重新提交",
            "Some entered answers are not valid; see each field",
            fields=fields,
        )
    return kept
