"""Surveys on the resident side: which surveys a device is offered, and answering one.

A device answers a survey once. What is kept is a mark, a keyed hash of (survey, device)
that only the server's key can make, in a table apart from the answers; the answer itself
carries only the channel and the day. So the database can refuse a second answer, but it
cannot say which device gave which answer, nor which surveys one device answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg

from backend.accounts.rules import Principal
from backend.clock import city_today
from backend.db.types import Connection
from backend.errors import Conflict, TooManyRequests
from backend.regions.routing import RoutingIndex
from backend.settings import Settings
from backend.surveys import queries, rules
from backend.surveys.mark_secret import load_mark_key
from backend.surveys.schemas import AnswerIn, AnswerOut, OfferOut
from backend.surveys.service import UNKNOWN_SURVEY, questions_of
from backend.throttle import service as throttle
from backend.web.client_address import address_block

_HOUR = timedelta(hours=1)
_ALREADY_ANSWERED = Conflict(
    "surveys.already_answered",
    "您已参加过这次问卷调查，感谢参与",
    "You have already answered this survey; thank you",
)


async def offered(
    conn: Connection,
    principal: Principal,
    *,
    lat: float | None,
    lng: float | None,
    routing: RoutingIndex,
    settings: Settings,
    now: datetime,
) -> list[OfferOut]:
    """Open app surveys whose scope holds one of the caller's reports or the given point.

    Less the surveys this device has answered, and no 安全感 survey once the device has
    answered one this quarter (key-area acceptance surveys are offered while they are open).
    """
    today = city_today(settings.timezone, now)
    point_path, place_ids = _point(routing, lat, lng)
    rows = await queries.open_for_resident(
        conn,
        reporter_id=principal.user_id,
        today=today,
        point_path=point_path,
        place_ids=place_ids,
    )
    if not rows:
        return []
    start, end = rules.quarter_of(today)
    safety_ids = await queries.safety_surveys_between(conn, start=start, end=end)
    answered = await _answered(conn, settings, principal, [row["id"] for row in rows] + safety_ids)
    safety_done = any(survey_id in answered for survey_id in safety_ids)
    return [
        _offer(row)
        for row in rows
        if rules.offerable(
            row["purpose"],
            answered=row["id"] in answered,
            safety_answered_this_quarter=safety_done,
        )
    ]


def _point(
    routing: RoutingIndex, lat: float | None, lng: float | None
) -> tuple[str | None, tuple[int, ...]]:
    """The region path and the places of a point, as intake would route a report made there."""
    if lat is None or lng is None:
        return None, ()
    placement = routing.locate(lat, lng)
    if placement is None:
        return None, ()
    path = "/" + "/".join(region.code for region in placement.chain) + "/"
    return path, routing.places_at(lat, lng, path)


async def _answered(
    conn: Connection, settings: Settings, principal: Principal, survey_ids: Sequence[int]
) -> set[int]:
    """Which of these surveys this device has answered, found by their marks."""
    key = load_mark_key(settings)
    wanted = sorted(set(survey_ids))
    marks = [
        rules.respondent_mark(key, survey_id=s, respondent_id=principal.user_id) for s in wanted
    ]
    return await queries.marked_among(conn, survey_ids=wanted, marks=marks)


def _offer(row: asyncpg.Record) -> OfferOut:
    return OfferOut(
        id=row["id"],
        purpose=row["purpose"],
        title=row["title"],
        title_en=row["title_en"],
        closes_on=row["closes_on"],
        questions=questions_of(row),
    )


async def answer(
    conn: Connection,
    principal: Principal,
    *,
    survey_id: int,
    data: AnswerIn,
    routing: RoutingIndex,
    address: str | None,
    settings: Settings,
    now: datetime,
) -> AnswerOut:
    """作答: a device's answers to an open survey it is offered, once; 409 on a second answer.

    Only a device the survey reaches (one of its reports in the survey's scope, or the
    position it sends) may answer; to any other the survey does not exist (404).
    """
    today = city_today(settings.timezone, now)
    row = await queries.survey_in_scope(conn, survey_id=survey_id, lo=None, hi=None)
    if row is None or row["state"] == "draft":
        raise UNKNOWN_SURVEY
    point_path, place_ids = _point(routing, data.lat, data.lng)
    if not await queries.reaches_resident(
        conn,
        survey_id=survey_id,
        reporter_id=principal.user_id,
        point_path=point_path,
        place_ids=place_ids,
    ):
        raise UNKNOWN_SURVEY
    rules.refuse_answer(
        rules.answer_problem(
            state=row["state"],
            opens_on=row["opens_on"],
            closes_on=row["closes_on"],
            channels=row["channels"],
            channel="app",
            today=today,
        )
    )
    kept = rules.check_answers(questions_of(row), data.answers)
    mark = rules.respondent_mark(
        load_mark_key(settings), survey_id=survey_id, respondent_id=principal.user_id
    )
    async with conn.transaction():
        if not await queries.insert_mark(conn, survey_id=survey_id, mark=mark):
            raise _ALREADY_ANSWERED
        await _take_answer_slots(conn, settings, principal=principal, address=address, now=now)
        await queries.insert_answers(
            conn,
            survey_id=survey_id,
            region_id=row["region_id"],
            channel="app",
            rows=[(None, kept)],
            entered_by=None,
            day=today,
        )
    return AnswerOut(survey_id=survey_id, day=today)


async def _take_answer_slots(
    conn: Connection,
    settings: Settings,
    *,
    principal: Principal,
    address: str | None,
    now: datetime,
) -> None:
    """Count an answer against its device's hourly limit and its address's ceiling.

    Devices are free, so a batch of them on one network is limited too. Called in the
    answer's transaction: a refusal keeps neither the answer nor the device's mark.
    """
    limits = [("survey.device", str(principal.user_id), settings.survey_answers_per_hour)]
    if address is not None:
        limits.append(
            ("survey.address", address_block(address), settings.survey_answers_per_hour_per_address)
        )
    for scope, key, limit in limits:
        wait = await throttle.take(conn, scope=scope, key=key, limit=limit, window=_HOUR, now=now)
        if wait is not None:
            device = scope == "survey.device"
            raise TooManyRequests(
                "surveys.rate_limited",
                "此设备答卷过于频繁，请稍后再试" if device else "此网络答卷过于频繁，请稍后再试",
                f"Too many survey answers from this {'device' if device else 'network'}; "
                "try again later",
                retry_after=wait,
            )
