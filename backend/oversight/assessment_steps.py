"""The steps of a 考核 result after it is computed: manual items while a draft, 公示 with a
window for objections, answers, final once the window has closed, 约谈 of the lowest
ranked; and 一票否决 set by a supervisor. Every step is an event and an audit row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from backend.accounts.rules import Principal
from backend.clock import start_of_day
from backend.db.types import Connection
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.oversight import assessment_queries as queries
from backend.oversight import assessment_scores as scores
from backend.oversight import assessment_step_queries as step_sql
from backend.oversight import scoring
from backend.oversight.assessment import record
from backend.oversight.assessment_schemas import (
    InterviewIn,
    ManualIn,
    ObjectionIn,
    ResultOut,
    UnitIn,
)
from backend.oversight.assessment_views import (
    belongs,
    for_change,
    indicators_of,
    readable,
    result_out,
)
from backend.settings import Settings

_INTERVIEW_SPAN = timedelta(days=366)
_NO_UNIT = NotFound(
    "assessment.unit_not_found", "该单位不在本次考核之列", "No such unit in this result"
)


def _state(code: str, zh: str, en: str) -> Conflict:
    return Conflict(f"assessment.{code}", zh, en)


async def unit_row(conn: Connection, result_id: int, unit: UnitIn) -> asyncpg.Record:
    """The score row of a unit named by the caller (by code, by id, or both as read); 422
    for a unit named by neither, 404 for one the result does not score."""
    if unit.code is None and unit.id is None:
        raise Invalid(
            "assessment.bad_unit",
            "请指明单位的编码或编号",
            "Name the unit by its code or its id",
            fields={"unit": "code or id required"},
        )
    for row in await queries.scores(conn, result_id=result_id):
        kind, unit_id = scores.unit_key(row)
        if kind != unit.kind:
            continue
        if unit.id not in (None, unit_id) or unit.code not in (None, row["unit_code"]):
            continue
        return row
    raise _NO_UNIT


async def set_manual(
    conn: Connection,
    principal: Principal,
    *,
    result_id: int,
    data: ManualIn,
    settings: Settings,
    now: datetime,
) -> ResultOut:
    """A manual item's points for a unit of a draft, and the draft scored again."""
    async with conn.transaction():
        result = await for_change(conn, principal, result_id=result_id)
        if result["state"] != "draft":
            raise _state(
                "not_draft", "考核结果已公示，不能再手工打分", "The result is posted already"
            )
        indicators = indicators_of(result["indicators"])
        indicator = next((i for i in indicators if i.key == data.key), None)
        if indicator is None:
            raise Invalid(
                "assessment.unknown_indicator",
                "方案中没有这个指标",
                "The scheme has no such indicator",
                fields={"key": "unknown"},
            )
        scoring.check_manual(indicator, data.points, data.reason)
        unit = await unit_row(conn, result_id, data.unit)
        await step_sql.upsert_manual(
            conn,
            result_id=result_id,
            region_id=result["region_id"],
            region_path=result["region_path"],
            unit_region_id=unit["unit_region_id"],
            unit_department_id=unit["unit_department_id"],
            key=data.key,
            points=data.points,
            reason=data.reason.strip(),
            user_id=principal.user_id,
            at=now,
        )
        await scores.store(conn, result, indicators, await scores.kept(conn, result_id=result_id))
        detail = {"unit": list(scores.unit_key(unit)), "key": data.key, "points": data.points}
        await record(conn, principal, result, action="manual", now=now, detail=detail)
        return await result_out(conn, result, bottom=settings.assessment_interview_bottom)


async def post(
    conn: Connection,
    principal: Principal,
    *,
    result_id: int,
    objection_days: int,
    settings: Settings,
    now: datetime,
) -> ResultOut:
    """公示: the draft is shown to its units, who may object until the window closes; only
    once the period is over (before that a draft is a standing so far)."""
    async with conn.transaction():
        result = await for_change(conn, principal, result_id=result_id)
        if result["state"] != "draft":
            raise _state("not_draft", "考核结果已公示", "The result is posted already")
        if now < start_of_day(settings.timezone, result["last_day"] + timedelta(days=1)):
            raise _state(
                "period_not_over",
                "考核周期尚未结束，不能公示",
                "The period is not over yet: the result cannot be posted",
            )
        until = now + timedelta(days=objection_days)
        await queries.set_posted(conn, result_id=result_id, at=now, until=until)
        detail = {"objectionUntil": until.isoformat()}
        await record(conn, principal, result, action="post", now=now, detail=detail, state="posted")
        result = await for_change(conn, principal, result_id=result_id)
        return await result_out(conn, result, bottom=settings.assessment_interview_bottom)


async def object_to(
    conn: Connection,
    principal: Principal,
    *,
    result_id: int,
    data: ObjectionIn,
    settings: Settings,
    now: datetime,
) -> ResultOut:
    """异议: the staff of a unit object to a posted result while its window is open."""
    async with conn.transaction():
        result = await readable(conn, principal, result_id=result_id)
        unit = await unit_row(conn, result_id, data.unit)
        if not belongs(principal, unit):
            raise Forbidden(
                "assessment.not_unit_staff",
                "只有该单位的工作人员可以提出异议",
                "Only the unit's own staff may object",
            )
        closed = _state(
            "objection_closed",
            "不在公示异议期内，不能提出异议",
            "Objections are taken only while the result is posted and its window is open",
        )
        if result["state"] != "posted" or now >= result["objection_until"]:
            raise closed
        objection_id = await step_sql.insert_objection(
            conn,
            result_id=result_id,
            region_id=result["region_id"],
            region_path=result["region_path"],
            unit_region_id=unit["unit_region_id"],
            unit_department_id=unit["unit_department_id"],
            text=data.text,
            user_id=principal.user_id,
            at=now,
        )
        if objection_id is None:  # made final, or its window closed, meanwhile
            raise closed
        detail = {"objectionId": objection_id, "unit": list(scores.unit_key(unit))}
        await record(conn, principal, result, action="objection", now=now, detail=detail)
        return await result_out(conn, result, bottom=settings.assessment_interview_bottom)


async def answer(
    conn: Connection,
    principal: Principal,
    *,
    result_id: int,
    objection_id: int,
    text: str,
    settings: Settings,
    now: datetime,
) -> ResultOut:
    """The answer to an objection, once, before the result is final."""
    async with conn.transaction():
        result = await for_change(conn, principal, result_id=result_id)
        if result["state"] != "posted":
            raise _state("not_posted", "考核结果不在公示期", "The result is not posted")
        # The result is locked: no other answer can come between the look and the write.
        answered = await step_sql.objection_answered(
            conn, result_id=result_id, objection_id=objection_id
        )
        if answered is None:
            raise NotFound("assessment.objection_not_found", "找不到该异议", "No such objection")
        if answered:
            raise _state("already_answered", "该异议已答复", "The objection is answered already")
        await step_sql.answer_objection(
            conn, objection_id=objection_id, answer=text, user_id=principal.user_id, at=now
        )
        detail = {"objectionId": objection_id}
        await record(conn, principal, result, action="answer", now=now, detail=detail)
        return await result_out(conn, result, bottom=settings.assessment_interview_bottom)


async def finalise(
    conn: Connection, principal: Principal, *, result_id: int, settings: Settings, now: datetime
) -> ResultOut:
    """The posted result made final once its window has closed and every objection is
    answered."""
    async with conn.transaction():
        result = await for_change(conn, principal, result_id=result_id)
        if result["state"] != "posted":
            raise _state("not_posted", "考核结果须先公示", "The result must be posted first")
        if now < result["objection_until"]:
            raise _state(
                "objection_window_open",
                "公示异议期尚未结束",
                "The window for objections has not closed yet",
            )
        if await step_sql.unanswered_objections(conn, result_id=result_id):
            raise _state(
                "objections_unanswered",
                "尚有异议未答复",
                "Some objections are not answered yet",
            )
        await queries.set_final(conn, result_id=result_id, at=now)
        await record(conn, principal, result, action="final", now=now, detail={}, state="final")
        result = await for_change(conn, principal, result_id=result_id)
        return await result_out(conn, result, bottom=settings.assessment_interview_bottom)


def _check_interview_time(at: datetime, now: datetime) -> None:
    """A 约谈 is recorded within a year of now, with its time zone."""
    if at.tzinfo is None or abs(at - now) > _INTERVIEW_SPAN:
        raise Invalid(
            "assessment.interview_time",
            "约谈时间须带时区，且在一年之内",
            "The time of a 约谈 needs its time zone and must lie within a year of now",
            fields={"at": "within a year"},
        )


async def interview(
    conn: Connection,
    principal: Principal,
    *,
    result_id: int,
    data: InterviewIn,
    settings: Settings,
    now: datetime,
) -> ResultOut:
    """约谈 of a unit among the lowest ranked of its kind in a posted or final result."""
    async with conn.transaction():
        result = await for_change(conn, principal, result_id=result_id)
        if result["state"] == "draft":
            raise _state("not_posted", "考核结果须先公示", "The result must be posted first")
        _check_interview_time(data.at, now)
        unit = await unit_row(conn, result_id, data.unit)
        out = await result_out(conn, result, bottom=settings.assessment_interview_bottom)
        key = scores.unit_key(unit)
        if not any(s.at_bottom and (s.unit.kind, s.unit.id) == key for s in out.scores):
            raise Invalid(
                "assessment.not_at_bottom",
                f"只能约谈排名最后 {settings.assessment_interview_bottom} 位的单位",
                f"约谈 is for the {settings.assessment_interview_bottom} lowest ranked units only",
                fields={"unit": "not at the bottom"},
            )
        interview_id = await step_sql.insert_interview(
            conn,
            result_id=result_id,
            region_id=result["region_id"],
            region_path=result["region_path"],
            unit_region_id=unit["unit_region_id"],
            unit_department_id=unit["unit_department_id"],
            at=data.at,
            who=data.who,
            notes=data.notes,
            user_id=principal.user_id,
            recorded_at=now,
        )
        detail = {"interviewId": interview_id, "unit": list(key)}
        await record(conn, principal, result, action="interview", now=now, detail=detail)
        return await result_out(conn, result, bottom=settings.assessment_interview_bottom)
