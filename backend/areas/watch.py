"""回头看 after 摘牌: watch a lifted area for a rebound, close it (销号) when the watch ends
quietly, relist it with 一票否决 on its region when a supervisor confirms a recurrence; and
the standing a region has for 先进 because of its areas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg

from backend.accounts.rules import Principal
from backend.areas import follow_rules, lifecycle
from backend.areas import followup_queries as queries
from backend.areas import queries as area_sql
from backend.areas import watch_queries as watch_sql
from backend.areas.access import scope_path
from backend.areas.followup_schemas import FlaggedAreaOut, RelistedOut, StandingOut, VetoOut
from backend.cases import service as cases
from backend.clock import city_today
from backend.db.types import Connection
from backend.duties import service as duties
from backend.errors import NotFound
from backend.places import service as places
from backend.push import service as push
from backend.settings import Settings

ALERT = "recurrence_alert"
# A rebound is told to the supervisors at most once a day while it lasts.
ALERT_EVERY = timedelta(days=1)
_NO_REGION = NotFound("regions.not_found", "找不到该区域", "No such region")


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Whether a region may be rated 先进 this year, and why not."""

    region_path: str
    year: int
    flagged_areas: list[asyncpg.Record]  # flagged, accepting or extended areas under it
    vetoes: list[asyncpg.Record]  # 一票否决 of the year on it or beneath it

    @property
    def eligible(self) -> bool:
        return not self.flagged_areas and not self.vetoes


def governed_since(area: asyncpg.Record) -> datetime | None:
    """When the area was first listed or flagged."""
    stamps = [s for s in (area["listed_at"], area["flagged_at"]) if s is not None]
    return min(stamps) if stamps else None


async def ensure_baseline(
    conn: Connection, area: asyncpg.Record, *, settings: Settings, now: datetime
) -> None:
    """Keep, once, what the area showed when it was governed: the yardstick of a rebound.

    The count covers the hotspot window that ended at the listing or flag, so it compares
    with the level's count of the same length later, whenever it is taken.
    """
    since = governed_since(area)
    if area["baseline"] is not None or since is None:
        return
    days = settings.hotspot_window_days
    rows = await places.reports_in_window(
        conn, place_id=area["place_id"], start=since - timedelta(days=days), end=since
    )
    categories: dict[str, int] = {}
    for row in rows:
        categories[row["category_code"]] = categories.get(row["category_code"], 0) + 1
    baseline: dict[str, Any] = {
        "reports": len(rows),
        "days": days,
        "alert": area["level"],
        "categories": categories,
        "at": since.isoformat(),
    }
    await queries.set_baseline(conn, area_id=area["id"], baseline=baseline)


async def watch_areas(conn: Connection, *, settings: Settings, now: datetime) -> int:
    """Look at each watched area once a city day: alert on a rebound, close one whose watch
    is over. The level is the one kept for the day, whose cut points the daily snapshot
    computed once for the whole city; only the area's own reports are counted here."""
    day = city_today(settings.timezone, now)
    handled = 0
    for area_id in await watch_sql.areas_to_watch(conn, today=day):
        async with conn.transaction():
            area = await lifecycle.load_for_update(conn, area_id=area_id, scope_path=None)
            if area["state"] == "watching":
                handled += await _watch_one(conn, area, day=day, settings=settings, now=now)
    return handled


async def _watch_one(
    conn: Connection, area: asyncpg.Record, *, day: date, settings: Settings, now: datetime
) -> int:
    kept = await places.level_history(conn, place_id=area["place_id"], since=day)
    if not kept or kept[-1]["day"] != day:
        return 0  # the day's levels are not kept yet: look again at the next round
    if not await watch_sql.mark_watched(conn, area_id=area["id"], today=day):
        return 0  # already looked at today
    alert = kept[-1]["alert"]
    reports, baseline = await _same_problems(conn, area, settings=settings, now=now)
    if follow_rules.recurrence(alert, reports, baseline_reports=baseline):
        return await _alert(conn, area, alert=alert, reports=reports, baseline=baseline, now=now)
    if area["watch_until"] is not None and now >= area["watch_until"]:
        await cancel_rechecks(conn, area_id=area["id"], now=now)
        await lifecycle.transition(
            conn, area, "close", actor=None, reason=None, now=now, settings=settings
        )
        return 1
    return 0


def problem_categories(area: asyncpg.Record) -> list[str]:
    """The categories a rebound is measured on: the area's problems, else its baseline's."""
    named = list(area["problem_categories"] or [])
    if named:
        return named
    return sorted((area["baseline"] or {}).get("categories") or {})


async def _same_problems(
    conn: Connection, area: asyncpg.Record, *, settings: Settings, now: datetime
) -> tuple[int, int]:
    """(reports in the hotspot window now, reports at governing) of the area's problems.

    A rebound is the same problems coming back: other complaints in the place do not count.
    """
    baseline: dict[str, Any] = area["baseline"] or {}
    categories = problem_categories(area)
    window = timedelta(days=int(baseline.get("days") or settings.hotspot_window_days))
    rows = await places.reports_in_window(
        conn, place_id=area["place_id"], start=now - window, end=now
    )
    kept = baseline.get("categories")
    if not categories or kept is None:
        return len(rows), int(baseline.get("reports", 0))
    wanted = set(categories)
    now_count = sum(1 for row in rows if row["category_code"] in wanted)
    return now_count, sum(int(kept.get(code, 0)) for code in wanted)


async def cancel_rechecks(conn: Connection, *, area_id: int, now: datetime) -> None:
    """回头看 is over for the area: its unfinished re-checks, and their duties, are cancelled."""
    for task_id in await watch_sql.cancel_open_rechecks(conn, area_id=area_id):
        await duties.cancel(conn, subject_kind="area_task", subject_id=task_id, now=now)


async def _alert(
    conn: Connection,
    area: asyncpg.Record,
    *,
    alert: str,
    reports: int,
    baseline: int,
    now: datetime,
) -> int:
    last = await queries.last_event_at(conn, area_id=area["id"], action=ALERT)
    if last is not None and now - last < ALERT_EVERY:
        return 0
    detail = {"alert": alert, "reports": reports, "baselineReports": baseline}
    await area_sql.insert_system_event(
        conn,
        area_id=area["id"],
        region_id=area["region_id"],
        state=area["state"],
        action=ALERT,
        at=now,
        detail=detail,
    )
    supervisors = sorted(await cases.supervisors(conn, region_path=area["region_path"]))
    payload = {"areaId": area["id"], "action": ALERT, "state": area["state"], "title": area["name"]}
    await push.notify(
        conn,
        user_ids=supervisors,
        kind="area_decision",
        region_id=area["region_id"],
        payload=payload,
        now=now,
    )
    return 1


async def confirm_recurrence(
    conn: Connection,
    principal: Principal,
    *,
    area_id: int,
    reason: str,
    settings: Settings,
    now: datetime,
) -> RelistedOut:
    """复发 confirmed: back on the list, and 一票否决 on the area's region for the year."""
    async with conn.transaction():
        area = await lifecycle.load_for_update(
            conn, area_id=area_id, scope_path=scope_path(principal)
        )
        relisted = await lifecycle.transition(
            conn, area, "relist", actor=principal, reason=reason, now=now, settings=settings
        )
        await cancel_rechecks(conn, area_id=area_id, now=now)
        year = city_today(settings.timezone, now).year
        await watch_sql.insert_veto(
            conn,
            region_id=area["region_id"],
            year=year,
            area_id=area_id,
            reason=reason,
            user_id=principal.user_id,
            at=now,
        )
        await area_sql.insert_event(
            conn,
            area_id=area_id,
            region_id=area["region_id"],
            at=now,
            actor_id=principal.user_id,
            actor_role=principal.role,
            action="veto",
            from_state=relisted["state"],
            to_state=relisted["state"],
            reason=reason,
            detail={"year": year},
        )
    return RelistedOut(id=area_id, state=relisted["state"], veto_year=year)


async def eligibility(conn: Connection, *, region_path: str, year: int) -> Eligibility:
    """先进 standing: no area under the region carries a flag, and no 一票否决 this year."""
    flagged = await watch_sql.flagged_under(conn, region_path=region_path)
    vetoes = await watch_sql.vetoes_under(conn, region_path=region_path, year=year)
    return Eligibility(region_path=region_path, year=year, flagged_areas=flagged, vetoes=vetoes)


async def standing(
    conn: Connection,
    principal: Principal,
    *,
    code: str,
    year: int | None,
    settings: Settings,
    now: datetime,
) -> StandingOut:
    """A region's standing for 先进, as the assessment reads it."""
    region = await watch_sql.region_in_scope(conn, code=code, scope_path=scope_path(principal))
    if region is None:
        raise _NO_REGION
    chosen = year or city_today(settings.timezone, now).year
    found = await eligibility(conn, region_path=region["path"], year=chosen)
    return StandingOut(
        region_code=region["code"],
        year=chosen,
        eligible=found.eligible,
        vetoed=bool(found.vetoes),
        flagged_areas=[
            FlaggedAreaOut(id=a["id"], name=a["name"], state=a["state"])
            for a in found.flagged_areas
        ],
        vetoes=[
            VetoOut(
                region_code=v["region_code"], area_id=v["area_id"], reason=v["reason"], at=v["at"]
            )
            for v in found.vetoes
        ],
    )
