"""Surveys on the resident side: which surveys a device is offered, and answering one.

A device answers a survey once. What is kept is a mark, a keyed hash of (survey, device)
that only the server's key can make, in a table apart from the answers; the answer itself
carries only the channel, the region it is counted in and the day. So the database can
refuse a second answer, and without the key it cannot say which surveys one device answered.

The mark and the answer are written by one transaction, so for a while they share its id
and the answer's id follows the order answers came in: that could tie a device to its
answer. Both are therefore written `pending` and re-written by `batches` once the survey
holds a batch of pending app answers (and when it closes); from then on no answer of the
batch can be tied to a mark, even with the key. The limits on answering are counted in
transactions of their own, before the answer's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import asyncpg

from backend.accounts import service as accounts
from backend.accounts.rules import Principal
from backend.clock import city_today
from backend.db.types import Connection
from backend.errors import Conflict, TooManyRequests
from backend.regions.routing import RoutingIndex
from backend.settings import Settings
from backend.surveys import answer_region, batches, queries, rules
from backend.surveys.mark_secret import load_mark_key
from backend.surveys.schemas import AnswerIn, AnswerOut, OfferOut
from backend.surveys.service import UNKNOWN_SURVEY, questions_of
from backend.throttle import service as throttle
from backend.web.client_address import address_block

log = logging.getLogger(__name__)

_HOUR = timedelta(hours=1)
# Longer than any survey runs (an acceptance survey: 30 days): one address's answers to one
# survey are counted over the survey's whole life.
_SURVEY_LIFE = timedelta(days=31)
# A network's share of one survey is counted over the survey's life, so the worker keeps
# its throttling windows that long.
ADDRESS_SHARE = "survey.address_survey"
LONG_WINDOWS = {ADDRESS_SHARE: _SURVEY_LIFE + timedelta(days=1)}
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
    address: str | None,
    settings: Settings,
    now: datetime,
) -> list[OfferOut]:
    """Open app surveys whose scope holds one of the caller's reports or the given point
    (by the point only for a device made before the survey opened).

    Less the surveys this device has answered, and no 安全感 survey once the device has
    answered one this quarter (key-area acceptance surveys are offered while they are open).
    """
    await _take_offer_slots(conn, settings, principal=principal, address=address, now=now)
    today = city_today(settings.timezone, now)
    point_path, place_ids = _point(routing, lat, lng)
    rows = await queries.open_for_resident(
        conn,
        reporter_id=principal.user_id,
        today=today,
        point_path=point_path,
        place_ids=place_ids,
    )
    if rows and point_path is not None:
        rows = await _reachable(conn, principal, rows, today=today)
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


async def _reachable(
    conn: Connection, principal: Principal, rows: list[asyncpg.Record], *, today: date
) -> list[asyncpg.Record]:
    """Of the surveys found at a point, those this device may take: reached by one of its
    reports, or opened after the device was made (see rules.reachable_by_position)."""
    by_report = await queries.open_for_resident(
        conn, reporter_id=principal.user_id, today=today, point_path=None, place_ids=()
    )
    reported = {row["id"] for row in by_report}
    joined = await accounts.account_created_at(conn, user_id=principal.user_id)
    return [
        row
        for row in rows
        if row["id"] in reported or rules.reachable_by_position(joined, row["opened_at"])
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
    position it sends) may answer; to any other the survey does not exist (404). A position
    costs nothing to send and a device account nothing to make, so a device reached only by
    its position must have been made before the survey opened (else 404 too), and one
    address gives at most a few such answers to one survey (else 429).
    """
    today = city_today(settings.timezone, now)
    row = await queries.survey_in_scope(conn, survey_id=survey_id, lo=None, hi=None)
    if row is None or row["state"] == "draft":
        raise UNKNOWN_SURVEY
    by_report = await queries.reaches_resident(
        conn, survey_id=survey_id, reporter_id=principal.user_id, point_path=None, place_ids=()
    )
    point_path: str | None = None
    if not by_report:
        point_path, place_ids = _point(routing, data.lat, data.lng)
        if not await queries.reaches_resident(
            conn,
            survey_id=survey_id,
            reporter_id=principal.user_id,
            point_path=point_path,
            place_ids=place_ids,
        ):
            raise UNKNOWN_SURVEY
        joined = await accounts.account_created_at(conn, user_id=principal.user_id)
        if not rules.reachable_by_position(joined, row["opened_at"] or row["created_at"]):
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
    if await queries.marked_among(conn, survey_ids=[survey_id], marks=[mark]):
        raise _ALREADY_ANSWERED
    region_id = await answer_region.of_app_answer(
        conn, survey=row, reporter_id=principal.user_id, point_path=point_path
    )
    # The limits are counted in a transaction apart from the answer's, so that no throttling
    # row (keyed by the device and its address) is written by the transaction that writes the
    # answer. A count kept for an answer then refused costs only that one count.
    async with conn.transaction():
        await _take_answer_slots(conn, settings, principal=principal, address=address, now=now)
        if not by_report:
            await _take_survey_slot(conn, settings, survey_id=survey_id, address=address, now=now)
    async with conn.transaction():
        current = await queries.answering_state(conn, survey_id=survey_id)
        if current is None:
            raise UNKNOWN_SURVEY
        rules.refuse_answer(
            rules.answer_problem(
                state=current["state"],
                opens_on=current["opens_on"],
                closes_on=current["closes_on"],
                channels=current["channels"],
                channel="app",
                today=today,
            )
        )
        if not await queries.insert_mark(conn, survey_id=survey_id, mark=mark, pending=True):
            raise _ALREADY_ANSWERED
        await queries.insert_answers(
            conn,
            survey_id=survey_id,
            region_id=region_id,
            channel="app",
            rows=[(None, kept)],
            entered_by=None,
            day=today,
            pending=True,
        )
    try:
        await batches.flush_if_full(conn, survey_id=survey_id, settings=settings, now=now)
    except (asyncpg.PostgresError, OSError):
        # The answer is kept; the next answer or the survey's close re-writes the batch.
        log.warning("survey %s: its batch of answers was not re-written now", survey_id)
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

    Devices are free, so a batch of them on one network is limited too. Called before the
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


async def _take_survey_slot(
    conn: Connection, settings: Settings, *, survey_id: int, address: str | None, now: datetime
) -> None:
    """Count a by-position answer against its address's share of this one survey."""
    if address is None:
        return
    wait = await throttle.take(
        conn,
        scope=ADDRESS_SHARE,
        key=f"{survey_id}:{address_block(address)}",
        limit=settings.survey_answers_per_address_per_survey,
        window=_SURVEY_LIFE,
        now=now,
    )
    if wait is not None:
        raise TooManyRequests(
            "surveys.address_share_used",
            "此网络已为这次问卷提交了足够的答卷，感谢参与",
            "This network has sent its share of answers to this survey; thank you",
            retry_after=wait,
        )


async def _take_offer_slots(
    conn: Connection,
    settings: Settings,
    *,
    principal: Principal,
    address: str | None,
    now: datetime,
) -> None:
    """Count an ask for the surveys offered against its device's and its address's limits.

    Each ask may send any position, so without a limit a device could sweep the city's map
    for the places that are being surveyed.
    """
    limits = [("survey.offers.device", str(principal.user_id), settings.survey_offers_per_hour)]
    if address is not None:
        limits.append(
            (
                "survey.offers.address",
                address_block(address),
                settings.survey_offers_per_hour_per_address,
            )
        )
    for scope, key, limit in limits:
        wait = await throttle.take(conn, scope=scope, key=key, limit=limit, window=_HOUR, now=now)
        if wait is not None:
            device = scope == "survey.offers.device"
            raise TooManyRequests(
                "surveys.offers_rate_limited",
                "此设备查询问卷过于频繁，请稍后再试"
                if device
                else "此网络查询问卷过于频繁，请稍后再试",
                f"Too many asks for surveys from this {'device' if device else 'network'}; "
                "try again later",
                retry_after=wait,
            )
