"""Surveys on the staff side: create, open, close, and read with the tallies of the items.

One survey mechanism serves 安全感 surveys and a key area's 验收 (acceptance). Every staff
read and write is scoped in SQL by the survey's region path. The functions at the end are
what the key areas use: open the standard acceptance survey, read its satisfaction, close it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
import msgspec

from backend.accounts.rules import Principal
from backend.audit import service as audit
from backend.cases import service as cases
from backend.clock import city_today
from backend.db.types import Connection
from backend.errors import Forbidden, Invalid, NotFound
from backend.regions.paths import subtree_bounds
from backend.settings import Settings
from backend.surveys import batches, queries, questionnaire, rules, standard

# What the key areas read (满意、基本满意), re-exported as the service's own.
from backend.surveys.questionnaire import SATISFIED as SATISFIED
from backend.surveys.rules import SatisfactionTally as SatisfactionTally
from backend.surveys.schemas import (
    ChannelSatisfactionOut,
    ItemTallyOut,
    OptionCountOut,
    QuestionIn,
    SatisfactionOut,
    SurveyIn,
    SurveyOut,
)

Range = tuple[str | None, str | None]
ACCEPTANCE_DAYS = 30
# Surveys closed per run of the worker job; the next run takes the rest.
ENDED_BATCH = 100
# What residents read of an acceptance survey: it names no area, so that whoever is offered
# it learns nothing of which places are under acceptance.
ACCEPTANCE_TITLE = "您所在区域治理满意度调查"
ACCEPTANCE_TITLE_EN = "How satisfied are you with the work done where you live?"
UNKNOWN_SURVEY = NotFound("surveys.not_found", "找不到该问卷", "No such survey")
_NO_REGION_SCOPE = Forbidden(
    "surveys.no_region_scope",
    "问卷按辖区管理，部门账号没有辖区",
    "Surveys are kept by region; a department account has none",
)


def subtree_of(principal: Principal) -> Range:
    """The caller's region subtree as a path range; (None, None) for the whole city."""
    scope = cases.scope_for(principal)
    if scope.everything:
        return None, None
    if scope.path is None:
        raise _NO_REGION_SCOPE
    return subtree_bounds(scope.path)


def questions_of(row: asyncpg.Record) -> list[QuestionIn]:
    """A stored questionnaire, as its items."""
    return msgspec.convert(row["questions"], list[QuestionIn])


async def create(
    conn: Connection, principal: Principal, *, data: SurveyIn, settings: Settings, now: datetime
) -> SurveyOut:
    """A draft questionnaire for a region of the caller's subtree or a place within it."""
    questionnaire.check_questionnaire(data.questions)
    _check_period(data.opens_on, data.closes_on, today=city_today(settings.timezone, now))
    lo, hi = subtree_of(principal)
    region_id, region_path, place_id = await _scope(conn, data, lo=lo, hi=hi)
    async with conn.transaction():
        survey_id = await queries.insert_survey(
            conn,
            values={
                "purpose": data.purpose,
                "region_id": region_id,
                "region_path": region_path,
                "place_id": place_id,
                "title": data.title,
                "title_en": data.title_en,
                "questions": msgspec.to_builtins(data.questions),
                "channels": sorted(set(data.channels)),
                "opens_on": data.opens_on,
                "closes_on": data.closes_on,
                "created_by": principal.user_id,
                "created_at": now,
            },
        )
        await audit_survey(conn, principal.user_id, "surveys.create", survey_id, region_id)
    return await one(conn, principal, survey_id=survey_id)


def _check_period(opens_on: date, closes_on: date, *, today: date) -> None:
    if closes_on < opens_on:
        raise Invalid(
            "surveys.bad_period",
            "结束日期不能早于开始日期",
            "The survey cannot close before it opens",
            fields={"closesOn": "on or after opensOn"},
        )
    if closes_on < today:
        raise Invalid(
            "surveys.bad_period",
            "结束日期已过",
            "The survey would close in the past",
            fields={"closesOn": "today or later"},
        )


async def _scope(
    conn: Connection, data: SurveyIn, *, lo: str | None, hi: str | None
) -> tuple[int, str, int | None]:
    """(region id, region path, place id) of a new survey; 404 outside the caller's scope."""
    if (data.region_code is None) == (data.place_id is None):
        raise Invalid(
            "surveys.bad_scope",
            "请指定区域或重点地区之一",
            "Give either a region or a place",
            fields={"regionCode": "give this or placeId", "placeId": "give this or regionCode"},
        )
    if data.place_id is not None:
        place = await queries.place_in_scope(conn, place_id=data.place_id, lo=lo, hi=hi)
        if place is None:
            raise NotFound("places.not_found", "找不到该地点", "No such place")
        return place["region_id"], place["region_path"], place["id"]
    assert data.region_code is not None
    region = await queries.region_in_scope(conn, code=data.region_code, lo=lo, hi=hi)
    if region is None:
        raise NotFound("regions.not_found", "找不到该区域", "No such region")
    return region["id"], region["path"], None


async def move(
    conn: Connection,
    principal: Principal,
    *,
    survey_id: int,
    action: rules.Action,
    settings: Settings,
    now: datetime,
) -> SurveyOut:
    """Open (开始) or close (结束) a survey of the caller's subtree."""
    lo, hi = subtree_of(principal)
    async with conn.transaction():
        row = await queries.survey_in_scope(conn, survey_id=survey_id, lo=lo, hi=hi, lock=True)
        if row is None:
            raise UNKNOWN_SURVEY
        state = rules.next_state(row["state"], action)
        if action == "open":
            _check_period(
                row["opens_on"], row["closes_on"], today=city_today(settings.timezone, now)
            )
        await queries.set_state(conn, survey_id=survey_id, state=state, at=now)
        await audit_survey(
            conn, principal.user_id, f"surveys.{action}", survey_id, row["region_id"]
        )
    if action == "close":
        await batches.flush(conn, survey_id=survey_id, timezone=settings.timezone, now=now)
    return await one(conn, principal, survey_id=survey_id)


async def one(conn: Connection, principal: Principal, *, survey_id: int) -> SurveyOut:
    """One survey of the caller's subtree with the tally of every choice and scale item."""
    lo, hi = subtree_of(principal)
    row = await queries.survey_in_scope(conn, survey_id=survey_id, lo=lo, hi=hi)
    if row is None:
        raise UNKNOWN_SURVEY
    questions = questions_of(row)
    tallies = await _tallies(conn, survey_id=survey_id, questions=questions)
    measured = rules.satisfaction_of(tallies, questions)
    item = rules.standard_item(questions, "satisfaction")
    by_channel = {} if item is None else await _by_channel(conn, survey_id=survey_id, key=item.key)
    return SurveyOut(
        id=row["id"],
        purpose=row["purpose"],
        state=row["state"],
        region_code=row["region_code"],
        region_name=row["region_name"],
        place_id=row["place_id"],
        title=row["title"],
        title_en=row["title_en"],
        questions=questions,
        channels=list(row["channels"]),
        opens_on=row["opens_on"],
        closes_on=row["closes_on"],
        created_at=row["created_at"],
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
        answered=await queries.answer_count(conn, survey_id=survey_id),
        tally=[
            ItemTallyOut(
                key=t.key,
                kind=t.kind,
                answered=t.answered,
                counts=[OptionCountOut(key=k, count=n) for k, n in t.counts],
            )
            for t in tallies
        ],
        satisfaction=(
            None
            if measured is None
            else SatisfactionOut(
                answered=measured.answered,
                satisfied=measured.satisfied,
                by_channel={
                    channel: ChannelSatisfactionOut(answered=answered, satisfied=satisfied)
                    for channel, (answered, satisfied) in by_channel.items()
                },
            )
        ),
    )


async def _tallies(
    conn: Connection, *, survey_id: int, questions: list[QuestionIn]
) -> list[rules.ItemTally]:
    keys = [
        q.key
        for q in questions
        if q.kind in questionnaire.CHOICE_KINDS or q.kind in questionnaire.SCALES
    ]
    chosen = await queries.chosen_counts(conn, survey_id=survey_id, keys=keys)
    answered = await queries.answered_counts(conn, survey_id=survey_id, keys=keys)
    return rules.tally_items(
        questions,
        [(row["key"], row["value"], row["n"]) for row in chosen],
        {row["key"]: row["n"] for row in answered},
    )


async def audit_survey(
    conn: Connection,
    actor_id: int | None,
    action: str,
    survey_id: int,
    region_id: int,
    detail: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        conn,
        actor_id=actor_id,
        action=action,
        subject=("survey", str(survey_id)),
        region_id=region_id,
        detail=detail,
    )


async def open_acceptance_survey(
    conn: Connection,
    *,
    place_id: int,
    region_id: int,
    region_path: str,
    title: str,
    title_en: str,
    actor_id: int | None,
    now: datetime,
    settings: Settings | None = None,
    barred_entrants: Sequence[int] = (),
) -> int:
    """验收: open the standard acceptance survey of a place, from today for 30 days.

    `settings` gives the local day (its timezone); without it the default timezone is used.
    `barred_entrants` may not enter collected answers into it (those answerable for the work
    it grades); only supervisors and admins may enter answers into an acceptance survey.
    """
    today = city_today((settings or Settings()).timezone, now)
    survey_id = await queries.insert_survey(
        conn,
        values={
            "purpose": "acceptance",
            "region_id": region_id,
            "region_path": region_path,
            "place_id": place_id,
            "title": title[:200],
            "title_en": title_en[:200],
            "questions": msgspec.to_builtins(standard.acceptance_questions()),
            "state": "open",
            "opens_on": today,
            "closes_on": today + timedelta(days=ACCEPTANCE_DAYS),
            "created_by": actor_id,
            "created_at": now,
            "opened_at": now,
            "barred_entrants": sorted(set(barred_entrants)),
        },
    )
    await audit_survey(conn, actor_id, "surveys.open_acceptance", survey_id, region_id)
    return survey_id


async def satisfaction(conn: Connection, *, survey_id: int) -> SatisfactionTally:
    """Answers to a survey's satisfaction item, and how many were (basically) satisfied,
    in all and by channel (app, 入户走访, 电话回访, 座谈会)."""
    row = await queries.survey_in_scope(conn, survey_id=survey_id, lo=None, hi=None)
    if row is None:
        raise UNKNOWN_SURVEY
    item = rules.standard_item(questions_of(row), "satisfaction")
    if item is None:
        return SatisfactionTally(answered=0, satisfied=0)
    by_channel = await _by_channel(conn, survey_id=survey_id, key=item.key)
    return SatisfactionTally(
        answered=sum(answered for answered, _ in by_channel.values()),
        satisfied=sum(satisfied for _, satisfied in by_channel.values()),
        by_channel=by_channel,
    )


async def _by_channel(conn: Connection, *, survey_id: int, key: str) -> dict[str, tuple[int, int]]:
    """(answered, satisfied) of the satisfaction item per channel that has answers."""
    rows = await queries.satisfaction_by_channel(
        conn, survey_id=survey_id, key=key, satisfied=SATISFIED
    )
    return {row["channel"]: (row["answered"], row["satisfied"]) for row in rows}


async def close(
    conn: Connection, *, survey_id: int, now: datetime, settings: Settings | None = None
) -> None:
    """End a survey (no more answers); one already closed or published stays as it is.

    Its last, smaller batch of app answers is re-written then (see batches.py); `settings`
    gives the local day of that, the default timezone without it."""
    async with conn.transaction():
        row = await queries.survey_in_scope(conn, survey_id=survey_id, lo=None, hi=None, lock=True)
        if row is None:
            raise UNKNOWN_SURVEY
        if row["state"] in ("closed", "published"):
            return
        await queries.set_state(conn, survey_id=survey_id, state="closed", at=now)
        await audit_survey(conn, None, "surveys.close", survey_id, row["region_id"])
    timezone = (settings or Settings()).timezone
    await batches.flush(conn, survey_id=survey_id, timezone=timezone, now=now)


async def close_ended(conn: Connection, *, settings: Settings, now: datetime) -> int:
    """Close every open survey past its last day, so that no answer comes in late and its
    last batch of app answers is re-written; how many were closed."""
    today = city_today(settings.timezone, now)
    closed = 0
    for survey_id in await queries.ended_open_surveys(conn, today=today, limit=ENDED_BATCH):
        await close(conn, survey_id=survey_id, now=now, settings=settings)
        closed += 1
    return closed
