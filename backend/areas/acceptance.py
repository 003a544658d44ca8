"""验收: when the last task of the plan is done, the area is measured; passed, it is lifted
(摘牌) into 回头看 with its re-checks; failed, it stays accepting until an extension.

The measure pools the answers to the area's acceptance survey with the ratings residents
gave to the cases placed in it since it was listed or flagged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from backend.accounts.rules import Principal
from backend.areas import follow_rules, level_duties, lifecycle, watch
from backend.areas import followup_queries as queries
from backend.areas import queries as area_sql
from backend.areas.access import scope_path
from backend.areas.followup_schemas import AcceptanceOut, MeasureOut, ShortfallOut
from backend.areas.watch import governed_since
from backend.cases import service as cases
from backend.clock import city_today, end_of_day
from backend.db.types import Connection
from backend.duties import service as duties
from backend.errors import Conflict, NotFound
from backend.settings import Settings
from backend.supervision.rules import SATISFIED_AT_OR_ABOVE
from backend.surveys import service as surveys

_NOT_ACCEPTING = Conflict(
    "areas.not_accepting", "该重点地区不在验收中", "This area is not being accepted"
)
_TOO_FEW = Conflict(
    "areas.acceptance_too_few",
    "验收答卷尚不足，请继续收集后再作验收结论",
    "Not enough answers yet: collect more before deciding the acceptance",
)
# Areas being put right: their acceptance begins once every task of the plan is done.
REMEDIATING: frozenset[str] = frozenset({"listed", "flagged", "extended"})
_NO_ROUND = NotFound(
    "areas.no_acceptance", "该重点地区尚无验收记录", "This area has no acceptance yet"
)


async def begin(
    conn: Connection, area: asyncpg.Record, *, settings: Settings, now: datetime
) -> None:
    """All tasks done: the area moves to 验收中 and a satisfaction survey opens for its place."""
    updated = await lifecycle.transition(
        conn, area, "accept", actor=None, reason=None, now=now, settings=settings
    )
    await watch.ensure_baseline(conn, updated, settings=settings, now=now)
    plan = await queries.current_plan(conn, area_id=area["id"])
    survey_id = await surveys.open_acceptance_survey(
        conn,
        place_id=area["place_id"],
        region_id=area["region_id"],
        region_path=area["region_path"],
        # Residents see no area's name nor id: the survey must not tell anyone which
        # places are under acceptance; staff read the area from the acceptance round.
        title=surveys.ACCEPTANCE_TITLE,
        title_en=surveys.ACCEPTANCE_TITLE_EN,
        actor_id=None,  # opened by the system when the last task is done
        now=now,
        settings=settings,
        # Those answerable for the area never enter its residents' answers themselves.
        barred_entrants=_responsible(plan),
    )
    await queries.insert_acceptance(conn, area_id=area["id"], survey_id=survey_id, at=now)


async def begin_if_ready(
    conn: Connection, area: asyncpg.Record, *, settings: Settings, now: datetime
) -> bool:
    """Begin acceptance of an area being put right whose plan's tasks are all done already
    (done before it was listed, say); True when it began. The area is locked by the caller."""
    if area["state"] not in REMEDIATING:
        return False
    if not await queries.ready_for_acceptance(conn, area_id=area["id"]):
        return False
    await begin(conn, area, settings=settings, now=now)
    return True


async def begin_ready(conn: Connection, *, settings: Settings, now: datetime) -> int:
    """The sweep: every area being put right with all its plan's tasks done begins acceptance."""
    begun = 0
    for area_id in await queries.areas_ready_for_acceptance(conn):
        async with conn.transaction():
            area = await lifecycle.load_for_update(conn, area_id=area_id, scope_path=None)
            begun += await begin_if_ready(conn, area, settings=settings, now=now)
    return begun


async def measure_of(
    conn: Connection, area: asyncpg.Record, survey_id: int | None
) -> follow_rules.AcceptanceMeasure:
    """Survey answers and ratings of the area's cases since it was governed, side by side."""
    answered = satisfied = 0
    if survey_id is not None:
        tally = await surveys.satisfaction(conn, survey_id=survey_id)
        answered, satisfied = tally.answered, tally.satisfied
    since = governed_since(area)
    rated = rated_ok = 0
    if since is not None:
        rated, rated_ok = await cases.ratings_in_place(
            conn,
            place_id=area["place_id"],
            since=since,
            satisfied_at_or_above=SATISFIED_AT_OR_ABOVE,
        )
    return follow_rules.AcceptanceMeasure(answered, satisfied, rated, rated_ok)


def _measure_out(m: follow_rules.AcceptanceMeasure, settings: Settings) -> MeasureOut:
    return MeasureOut(
        survey_answered=m.survey_answered,
        survey_satisfied=m.survey_satisfied,
        ratings=m.ratings,
        ratings_satisfied=m.ratings_satisfied,
        answered=m.answered,
        satisfied=m.satisfied,
        satisfaction=m.satisfaction,
        required_percent=settings.area_acceptance_percent,
        min_answers=settings.area_acceptance_min_answers,
    )


async def decide(
    conn: Connection,
    principal: Principal,
    *,
    area_id: int,
    note: str,
    settings: Settings,
    now: datetime,
) -> AcceptanceOut:
    """Measure the area now and decide: passed lifts it into 回头看, failed leaves it accepting."""
    async with conn.transaction():
        area = await lifecycle.load_for_update(
            conn, area_id=area_id, scope_path=scope_path(principal)
        )
        if area["state"] != "accepting":
            raise _NOT_ACCEPTING
        round_ = await queries.open_acceptance(conn, area_id=area_id)
        if round_ is None:
            raise _NOT_ACCEPTING
        m = await measure_of(conn, area, round_["survey_id"])
        bar = settings.area_acceptance_percent
        least = settings.area_acceptance_min_answers
        if m.answered < least:
            # Too few to judge: the survey stays open and the round undecided.
            raise _TOO_FEW
        shortfall = follow_rules.acceptance_shortfall(m, bar_percent=bar, min_answers=least)
        stored: dict[str, Any] = msgspec.to_builtins(_measure_out(m, settings))
        stored["shortfall"] = [{"zh": zh, "en": en} for zh, en in shortfall]
        stored["note"] = note
        outcome = "failed" if shortfall else "passed"
        if outcome == "passed":
            area = await _lift(conn, principal, area, note=note, settings=settings, now=now)
        else:
            await area_sql.insert_event(
                conn,
                area_id=area_id,
                region_id=area["region_id"],
                at=now,
                actor_id=principal.user_id,
                actor_role=principal.role,
                action="acceptance_failed",
                from_state=area["state"],
                to_state=area["state"],
                reason=note or None,
                detail={"shortfall": stored["shortfall"]},
            )
        if round_["survey_id"] is not None:
            await surveys.close(conn, survey_id=round_["survey_id"], now=now, settings=settings)
        await queries.decide_acceptance(
            conn,
            round_id=round_["id"],
            outcome=outcome,
            measure=stored,
            user_id=principal.user_id,
            at=now,
        )
        decided = await queries.latest_acceptance(conn, area_id=area_id)
    assert decided is not None  # written just above
    return round_out(decided, area)


async def _lift(
    conn: Connection,
    principal: Principal,
    area: asyncpg.Record,
    *,
    note: str,
    settings: Settings,
    now: datetime,
) -> asyncpg.Record:
    """摘牌 by the one who decided, then 回头看 by the system, with the re-checks it owes."""
    lifted = await lifecycle.transition(
        conn, area, "lift", actor=principal, reason=note or None, now=now, settings=settings
    )
    watched = await lifecycle.transition(
        conn, lifted, "watch", actor=None, reason=None, now=now, settings=settings
    )
    await level_duties.release(conn, area_id=area["id"], now=now)
    # The same day of the month in the city, not in UTC: late evening is already tomorrow.
    local = now.astimezone(ZoneInfo(settings.timezone))
    until = follow_rules.watch_until(local, months=settings.area_watch_months)
    await queries.set_watch_until(conn, area_id=area["id"], until=until)
    await _plan_rechecks(conn, watched, settings=settings, now=now)
    return await lifecycle.load_for_update(conn, area_id=area["id"], scope_path=None)


async def _plan_rechecks(
    conn: Connection, area: asyncpg.Record, *, settings: Settings, now: datetime
) -> None:
    plan = await queries.current_plan(conn, area_id=area["id"])
    if plan is None:
        return
    owner = plan["direct_responsible_id"]
    leaders = tuple(dict.fromkeys((plan["first_responsible_id"], owner)))
    days = follow_rules.recheck_dates(
        city_today(settings.timezone, now), months=settings.area_recheck_months
    )
    for number, day in enumerate(days, start=1):
        due_at = end_of_day(settings.timezone, day)
        measure = f"回头看第 {number} 次复查 re-check {number}"
        task_id = await queries.insert_recheck_task(
            conn,
            area=area,
            plan_id=plan["id"],
            owner_id=owner,
            measure=measure,
            due_at=due_at,
            at=now,
        )
        await duties.open_duty(
            conn,
            duties.NewDuty(
                subject_kind="area_task",
                subject_id=task_id,
                region_id=area["region_id"],
                region_path=area["region_path"],
                title=f"{area['name']}：{measure}",
                due_at=due_at,
                owner_user_id=owner,
                escalate_to=leaders,
            ),
            settings=settings,
            now=now,
        )


def round_out(row: asyncpg.Record, area: asyncpg.Record) -> AcceptanceOut:
    """An acceptance round as the console shows it."""
    stored: dict[str, Any] = row["measure"] or {}
    measure = {k: v for k, v in stored.items() if k not in ("shortfall", "note")}
    return AcceptanceOut(
        id=row["id"],
        area_id=row["area_id"],
        survey_id=row["survey_id"],
        started_at=row["started_at"],
        decided_at=row["decided_at"],
        outcome=row["outcome"],
        measure=msgspec.convert(measure, MeasureOut) if measure else None,
        shortfall=[ShortfallOut(zh=s["zh"], en=s["en"]) for s in stored.get("shortfall", [])],
        note=stored.get("note", ""),
        area_state=area["state"],
        watch_until=area["watch_until"],
    )


async def current(
    conn: Connection, principal: Principal, *, area_id: int, settings: Settings
) -> AcceptanceOut:
    """The round under way (measured now) or the last one decided."""
    area = await queries.area_in_scope(conn, area_id=area_id, scope_path=scope_path(principal))
    if area is None:
        raise lifecycle.NO_SUCH_AREA
    row = await queries.latest_acceptance(conn, area_id=area_id)
    if row is None:
        raise _NO_ROUND
    out = round_out(row, area)
    if row["decided_at"] is None:
        m = await measure_of(conn, area, row["survey_id"])
        out.measure = _measure_out(m, settings)
        bar, least = settings.area_acceptance_percent, settings.area_acceptance_min_answers
        out.shortfall = [
            ShortfallOut(zh=zh, en=en)
            for zh, en in follow_rules.acceptance_shortfall(m, bar_percent=bar, min_answers=least)
        ]
    return out


def _responsible(plan: asyncpg.Record | None) -> tuple[int, ...]:
    if plan is None:
        return ()
    return (plan["first_responsible_id"], plan["direct_responsible_id"])
