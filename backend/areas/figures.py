"""整治前后 and the register's figures: an area's valid reports before and after it was
governed, and across areas the 整治改观率 (lifted ÷ governed) and the recurrence rate."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg

from backend.accounts.rules import Principal
from backend.areas import figure_queries as figure_sql
from backend.areas import follow_rules, lifecycle
from backend.areas import followup_queries as queries
from backend.areas import watch_queries as watch_sql
from backend.areas.access import scope_path
from backend.areas.followup_schemas import (
    AreaFiguresOut,
    AreaFiguresSummaryOut,
    RatioOut,
    WindowOut,
)
from backend.areas.watch import governed_since
from backend.cases.service import scope_for
from backend.clock import start_of_day
from backend.db.types import Connection
from backend.errors import Invalid, NotFound
from backend.places import service as places
from backend.settings import Settings

_NO_REGION = NotFound("regions.not_found", "找不到该区域", "No such region")


def window_out(
    rows: list[asyncpg.Record], start: datetime, end: datetime, *, zone: ZoneInfo
) -> WindowOut:
    """Counts of one window, hours and weekdays read on the city's clock."""
    by_hour, by_weekday = [0] * 24, [0] * 7
    for row in rows:
        local = row["created_at"].astimezone(zone)
        by_hour[local.hour] += 1
        by_weekday[local.weekday()] += 1
    categories = Counter(row["category_code"] for row in rows)
    return WindowOut(
        start=start,
        end=end,
        total=len(rows),
        by_category=dict(sorted(categories.items())),
        by_hour=by_hour,
        by_weekday=by_weekday,
    )


async def windows(
    conn: Connection,
    area: asyncpg.Record,
    *,
    confidential: bool,
    settings: Settings,
    now: datetime,
) -> tuple[WindowOut, WindowOut] | None:
    """The before and after windows of an area governed at some time; None before that.

    Confidential cases count only for a reader whose scope sees them (`confidential`), as in
    the case lists and the statistics."""
    since = area["flagged_at"] or governed_since(area)
    if since is None:
        return None
    before_start, before_end, after_start, after_end = follow_rules.before_after(since, now)
    zone = ZoneInfo(settings.timezone)
    before = await places.reports_in_window(
        conn,
        place_id=area["place_id"],
        start=before_start,
        end=before_end,
        confidential=confidential,
    )
    after = await places.reports_in_window(
        conn, place_id=area["place_id"], start=after_start, end=after_end, confidential=confidential
    )
    return (
        window_out(before, before_start, before_end, zone=zone),
        window_out(after, after_start, after_end, zone=zone),
    )


async def of_area(
    conn: Connection, principal: Principal, *, area_id: int, settings: Settings, now: datetime
) -> AreaFiguresOut:
    """整治前后 of one area in the caller's scope."""
    area = await queries.area_in_scope(conn, area_id=area_id, scope_path=scope_path(principal))
    if area is None:
        raise lifecycle.NO_SUCH_AREA
    visible = scope_for(principal).confidential
    found = await windows(conn, area, confidential=visible, settings=settings, now=now)
    since = area["flagged_at"] or governed_since(area)
    if found is None:
        return AreaFiguresOut(area_id=area_id, since=None, before=None, after=None)
    return AreaFiguresOut(area_id=area_id, since=since, before=found[0], after=found[1])


async def summary(
    conn: Connection,
    principal: Principal,
    *,
    start: date,
    end: date,
    region_code: str | None,
    settings: Settings,
) -> AreaFiguresSummaryOut:
    """Areas by state and type in scope; of those governed in [start, end]: lifted, relisted."""
    if end < start:
        raise Invalid(
            "areas.bad_period",
            "结束日期早于开始日期",
            "The period ends before it starts",
            fields={"to": "before from"},
        )
    scope = scope_path(principal)
    if region_code is not None:
        region = await watch_sql.region_in_scope(conn, code=region_code, scope_path=scope)
        if region is None:
            raise _NO_REGION
        scope = region["path"]
    counts = await figure_sql.areas_by(conn, scope_path=scope)
    by_state: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    for row in counts:
        by_state[row["state"]] += row["n"]
        by_type[row["area_type"]] += row["n"]
    period = await figure_sql.flagged_in(
        conn,
        scope_path=scope,
        start=start_of_day(settings.timezone, start),
        end=start_of_day(settings.timezone, date.fromordinal(end.toordinal() + 1)),
    )
    governed, lifted, relisted = period["flagged"], period["lifted"], period["relisted"]
    return AreaFiguresSummaryOut(
        by_state=dict(sorted(by_state.items())),
        by_type=dict(sorted(by_type.items())),
        improvement=RatioOut(
            numerator=lifted, denominator=governed, rate=follow_rules.rate(lifted, governed)
        ),
        recurrence=RatioOut(
            numerator=relisted, denominator=lifted, rate=follow_rules.rate(relisted, lifted)
        ),
    )
