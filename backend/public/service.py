"""治安动态: a region's figures of a quarter as residents read them, and the area page.

Figures come through the statistics domain with the public scope (the whole city, no
confidential category), the key-area register and the published surveys; every count
below 5 is null, the others are rounded to 5. The area page and the quarterly public
report share `gather`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import asyncpg

from backend.accounts.rules import Principal
from backend.cases.rules import Scope
from backend.categories import service as categories
from backend.clock import city_today
from backend.db.types import Connection
from backend.errors import Invalid, NotFound
from backend.public import queries, rules
from backend.public.daily_figures import DailyFigures
from backend.public.rules import CaseFigures, RegionRow
from backend.public.schemas import (
    AreaFiguresOut,
    AreaPageOut,
    AreaProgressOut,
    FlaggedAreaOut,
    LiftedAreaOut,
    PublicReportRefOut,
    RegionRefOut,
)
from backend.regions.paths import subtree_bounds
from backend.regions.routing import RoutingIndex
from backend.settings import Settings
from backend.stats import service as stats
from backend.stats.rules import Period, parse_period
from backend.surveys import index_service
from backend.throttle import service as throttle

# What anyone may see: the whole city, confidential categories (黄赌毒, 涉黑涉恶) left out.
PUBLIC_SCOPE = Scope(True, None, None, False)
UNKNOWN_REGION = NotFound("public.region_not_found", "找不到该区域", "No such region")
_OUTSIDE = NotFound(
    "regions.outside_service_area", "该位置不在服务范围内", "This place is outside the service area"
)


def region_row(row: asyncpg.Record) -> RegionRow:
    return RegionRow(row["id"], row["code"], row["name"], row["level"], row["path"])


def parent_ref(row: asyncpg.Record) -> RegionRefOut | None:
    if row["parent_code"] is None:
        return None
    return RegionRefOut(code=row["parent_code"], name=row["parent_name"], level=row["parent_level"])


def quarter_period(year: int, quarter: int, *, settings: Settings) -> Period:
    """The quarter as whole local days of the city."""
    return parse_period(rules.quarter_label(year, quarter), zone=settings.timezone)


async def case_figures(conn: Connection, *, region: RegionRow, period: Period) -> CaseFigures:
    """Valid reports of the region received in the period, followed to the period's end (or
    its `end` when cut short), and the top categories, as the public may read them."""
    summary = await stats.summary(
        conn, scope=PUBLIC_SCOPE, region_code=region.code, period=period, category=None
    )
    listed = await categories.list_categories(conn, include_inactive=True)
    names = {c.code: (c.name, c.name_en, c.confidential) for c in listed}
    counts = [(g.code, g.metrics.registered) for g in summary.by_category]
    return CaseFigures(
        reports=rules.report_figures(summary.totals),
        categories=rules.top_categories(counts, names),
    )


async def _flagged(conn: Connection, *, lo: str, hi: str, now: datetime) -> list[FlaggedAreaOut]:
    rows = await queries.areas_under_way(
        conn, lo=lo, hi=hi, states=rules.UNDER_WAY, now=now, limit=rules.MAX_FLAGGED
    )
    return [
        FlaggedAreaOut(
            id=r["id"],
            name=r["name"],
            area_type=r["area_type"],
            level=r["level"],
            state=r["state"],
            deadline=r["deadline"],
            region_name=r["region_name"],
            progress=AreaProgressOut(tasks=r["tasks"], done=r["done"], overdue=r["overdue"]),
        )
        for r in rows
    ]


async def _lifted(
    conn: Connection, *, lo: str, hi: str, settings: Settings, now: datetime
) -> list[LiftedAreaOut]:
    since = now - timedelta(days=rules.LIFTED_WITHIN_DAYS)
    rows = await queries.areas_taken_off(
        conn, lo=lo, hi=hi, states=rules.TAKEN_OFF, since=since, limit=rules.MAX_LIFTED
    )
    return [
        LiftedAreaOut(
            id=r["id"],
            name=r["name"],
            area_type=r["area_type"],
            lifted_on=city_today(settings.timezone, r["lifted_at"]),
            region_name=r["region_name"],
        )
        for r in rows
    ]


def _around(region: RegionRow) -> tuple[str, str]:
    """The subtree whose key areas count as nearby: the parent's, or the region's own."""
    codes = [code for code in region.path.split("/") if code]
    if len(codes) < 2:
        return subtree_bounds(region.path)
    return subtree_bounds("/" + "".join(f"{code}/" for code in codes[:-1]))


async def gather(
    conn: Connection,
    *,
    region: RegionRow,
    period: Period,
    settings: Settings,
    now: datetime,
    parent: RegionRefOut | None = None,
    cases: CaseFigures | None = None,
) -> AreaFiguresOut:
    """A region's figures of one quarter: valid reports and their rates, top categories,
    key areas being put right and lifted around it, the latest published 安全感 survey.

    The case figures count events before the period's end or `now`, whichever comes first
    (that is `as_of`); `cases` are those figures when already counted. Key areas are now's.
    """
    counted = cases if cases is not None else await case_figures(conn, region=region, period=period)
    lo, hi = _around(region)
    return AreaFiguresOut(
        region=RegionRefOut(code=region.code, name=region.name, level=region.level),
        parent=parent,
        period_label=period.label,
        first_day=period.first_day,
        last_day=period.last_day,
        as_of=min(now, period.end),
        reports=counted.reports,
        categories=counted.categories,
        flagged=await _flagged(conn, lo=lo, hi=hi, now=now),
        lifted=await _lifted(conn, lo=lo, hi=hi, settings=settings, now=now),
        survey=await index_service.latest_published(
            conn, region_path=region.path, settings=settings
        ),
    )


async def _take_page(
    conn: Connection, principal: Principal, *, settings: Settings, now: datetime
) -> None:
    limit = settings.area_page_per_hour
    await throttle.within_hourly(
        conn,
        scope="public.area_page",
        key=str(principal.user_id),
        limit=limit,
        now=now,
        refusal=(
            "public.area_page_limited",
            f"每小时最多查看 {limit} 次治安动态，请稍后再试",
            f"The area page may be read at most {limit} times an hour; try again later",
        ),
    )


async def _placed(
    conn: Connection, routing: RoutingIndex, *, lat: float, lng: float
) -> asyncpg.Record:
    placement = routing.locate(lat, lng)
    if placement is None:
        raise _OUTSIDE
    chosen = rules.community_of(
        [(r.id, r.level) for r in placement.chain]
        or [(placement.region.id, placement.region.level)]
    )
    row = await queries.region_by_id(conn, region_id=chosen)
    if row is None:
        raise _OUTSIDE
    return row


async def _region_asked(
    conn: Connection,
    routing: RoutingIndex,
    *,
    lat: float | None,
    lng: float | None,
    code: str | None,
) -> asyncpg.Record:
    if lat is not None and lng is not None:
        return await _placed(conn, routing, lat=lat, lng=lng)
    row = await queries.region_by_code(conn, code=code or "")
    if row is None:
        raise UNKNOWN_REGION
    if rules.goes_to_community(row["level"]):
        # A grid's page less its community's would tell a few households' reports apart.
        community = await queries.community_above(conn, path=row["path"])
        if community is not None:
            return community
    return row


def where_asked(lat: float | None, lng: float | None, code: str | None) -> None:
    """A page is asked for by a point (lat and lng) or by a region's code, not both."""
    by_point = lat is not None and lng is not None
    if by_point == (code is not None) or (lat is None) != (lng is None):
        raise Invalid(
            "public.place_needed",
            "请提供位置（lat 和 lng）或区域代码（region），二者择一",
            "Give either a position (lat and lng) or a region code (region)",
            fields={"region": "give lat and lng, or region"},
        )


async def latest_report(conn: Connection, region: RegionRow) -> PublicReportRefOut | None:
    """The newest public report of the region or of a region above it (as the tree stands
    now, whatever it was when the report was published)."""
    codes = [code for code in region.path.split("/") if code]
    paths = ["/" + "".join(f"{c}/" for c in codes[:n]) for n in range(1, len(codes) + 1)]
    row = await queries.latest_report_of(conn, paths=paths)
    return None if row is None else report_ref(row)


def report_ref(row: asyncpg.Record) -> PublicReportRefOut:
    return PublicReportRefOut(
        id=row["id"],
        year=row["year"],
        quarter=row["quarter"],
        version=row["version"],
        region_code=row["region_code"],
        region_name=row["region_name"],
        sections=list(row["sections"]),
        published_at=row["published_at"],
    )


async def area_page(
    conn: Connection,
    principal: Principal,
    *,
    lat: float | None,
    lng: float | None,
    code: str | None,
    routing: RoutingIndex,
    settings: Settings,
    now: datetime,
    daily: DailyFigures | None = None,
) -> AreaPageOut:
    """治安动态 of the community around a point, or of a region by code (a grid's community).

    The case figures are of the quarter holding yesterday, up to yesterday's end in the
    city: a report made today cannot be told apart by reading the page before and after.
    They are counted once per region and day when `daily` keeps them; key areas and the
    survey are read live.
    """
    where_asked(lat, lng, code)
    await _take_page(conn, principal, settings=settings, now=now)
    row = await _region_asked(conn, routing, lat=lat, lng=lng, code=code)
    region = region_row(row)
    day, cut = rules.page_cut(now, settings.timezone)
    period = dataclasses.replace(quarter_period(*rules.quarter_of(day), settings=settings), end=cut)
    cases = None if daily is None else daily.get(region.id, day)
    if cases is None:
        cases = await case_figures(conn, region=region, period=period)
        if daily is not None:
            daily.put(region.id, day, cases)
    figures = await gather(
        conn,
        region=region,
        period=period,
        settings=settings,
        now=now,
        parent=parent_ref(row),
        cases=cases,
    )
    return AreaPageOut(
        **{f: getattr(figures, f) for f in figures.__struct_fields__},
        report=await latest_report(conn, region),
    )
