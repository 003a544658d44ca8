"""Hotspot levels: count a window of valid reports, colour the city's grids, roll them up.

The counts of the caller's subtree are read scoped to it. The city's percentile cut points
need every grid's count, so that distribution is read for the whole city on purpose; only
the three cut points leave this module, never another place's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from backend.accounts.rules import Principal
from backend.cases import service as cases
from backend.db.types import Connection
from backend.errors import Forbidden, NotFound
from backend.hotspots import queries, rules
from backend.hotspots.rules import Alert, Assessed, CutPoints, Place, Sort, Tally, Thresholds
from backend.hotspots.schemas import (
    CutPointsOut,
    HotspotFeatureOut,
    HotspotMapOut,
    HotspotOut,
    PlaceLevel,
)
from backend.regions.paths import subtree_bounds
from backend.settings import Settings
from backend.supervision import lookup

Range = tuple[str | None, str | None]
_NO_REGION_SCOPE = Forbidden(
    "hotspots.no_region_scope",
    "热点预警按辖区查看，部门账号没有辖区",
    "Hotspots are read by region; a department account has none",
)
_UNKNOWN_REGION = NotFound("regions.not_found", "找不到该区域", "No such region")


@dataclass(frozen=True, slots=True)
class HotspotQuery:
    """What the console asks for: which level, in what order, over how many days, where."""

    level: PlaceLevel = "grid"
    sort: Sort = "level"
    window_days: int | None = None
    region_code: str | None = None


@dataclass(frozen=True, slots=True)
class Survey:
    places: dict[str, Assessed]
    cuts: CutPoints | None
    window_days: int


def thresholds_of(settings: Settings) -> Thresholds:
    """The colouring rules as configured."""
    return Thresholds(
        red_percentile=settings.hotspot_red_percentile,
        yellow_percentile=settings.hotspot_yellow_percentile,
        blue_percentile=settings.hotspot_blue_percentile,
        min_reports=settings.hotspot_min_reports,
        rise_percent=settings.hotspot_rise_percent,
        rise_min_reports=settings.hotspot_rise_min_reports,
    )


def subtree_of(principal: Principal) -> Range:
    """The caller's region subtree as a path range; (None, None) for the whole city."""
    scope = cases.scope_for(principal)
    if scope.everything:
        return None, None
    if scope.path is None:
        raise _NO_REGION_SCOPE
    return subtree_bounds(scope.path)


def _tallies(rows: list[asyncpg.Record]) -> dict[str, Tally]:
    return {row["path"]: Tally(row["current"], row["previous"]) for row in rows}


async def _counts(
    conn: Connection,
    *,
    now: datetime,
    window: timedelta,
    confidential: bool,
    within: Range,
) -> dict[str, Tally]:
    rows = await queries.counts_by_place(
        conn,
        since=now - 2 * window,
        split=now - window,
        until=now,
        confidential=confidential,
        lo=within[0],
        hi=within[1],
    )
    return _tallies(rows)


async def _survey(
    conn: Connection,
    *,
    within: Range,
    confidential: bool,
    now: datetime,
    window_days: int,
    settings: Settings,
) -> Survey:
    """Every place in the range, counted over the window and coloured against the city."""
    window = timedelta(days=window_days)
    rows = await queries.places_under(conn, lo=within[0], hi=within[1])
    places = [Place(r["code"], r["name"], r["level"], r["path"]) for r in rows]
    counts = await _counts(conn, now=now, window=window, confidential=confidential, within=within)
    city = counts
    if within[0] is not None:
        city = await _counts(
            conn, now=now, window=window, confidential=confidential, within=(None, None)
        )
    t = thresholds_of(settings)
    cuts = rules.cut_points(rules.grid_histogram(await queries.grid_paths(conn), city), t)
    return Survey(rules.assess(places, counts, cuts, t), cuts, window_days)


async def _caller_survey(
    conn: Connection, principal: Principal, q: HotspotQuery, *, settings: Settings, now: datetime
) -> tuple[Survey, list[Assessed]]:
    lo, hi = subtree_of(principal)
    within: Range = (lo, hi)
    if q.region_code is not None:
        root = await queries.path_in_scope(conn, code=q.region_code, lo=lo, hi=hi)
        if root is None:
            raise _UNKNOWN_REGION
        within = subtree_bounds(root)
    survey = await _survey(
        conn,
        within=within,
        confidential=cases.scope_for(principal).confidential,
        now=now,
        window_days=q.window_days or settings.hotspot_window_days,
        settings=settings,
    )
    wanted = (a for a in survey.places.values() if a.place.level == q.level)
    return survey, rules.ranked(wanted, q.sort)


async def _items(conn: Connection, assessed: list[Assessed]) -> list[HotspotOut]:
    flags = await lookup.flags_over(conn, paths=[a.place.path for a in assessed])
    return [
        HotspotOut(
            code=a.place.code,
            name=a.place.name,
            path=a.place.path,
            level=a.alert,
            count=a.tally.current,
            previous_count=a.tally.previous,
            trend=a.trend,
            flag=flags.get(a.place.path),
        )
        for a in assessed
    ]


async def hotspots(
    conn: Connection, principal: Principal, q: HotspotQuery, *, settings: Settings, now: datetime
) -> list[HotspotOut]:
    """红黄蓝预警: the places of one level in the caller's subtree, coloured and sorted."""
    _, assessed = await _caller_survey(conn, principal, q, settings=settings, now=now)
    return await _items(conn, assessed)


async def hotspot_map(
    conn: Connection, principal: Principal, q: HotspotQuery, *, settings: Settings, now: datetime
) -> HotspotMapOut:
    """The same places with their outlines, as GeoJSON the map colours by `level`."""
    survey, assessed = await _caller_survey(conn, principal, q, settings=settings, now=now)
    lo, hi = subtree_of(principal)
    outlines = await queries.outlines(conn, paths=[a.place.path for a in assessed], lo=lo, hi=hi)
    features = [
        HotspotFeatureOut(type="Feature", geometry=outlines[item.path], properties=item)
        for item in await _items(conn, assessed)
        if item.path in outlines
    ]
    cuts = survey.cuts
    return HotspotMapOut(
        type="FeatureCollection",
        features=features,
        window_days=survey.window_days,
        thresholds=CutPointsOut(red=cuts.red, yellow=cuts.yellow, blue=cuts.blue) if cuts else None,
    )


async def city_levels(
    conn: Connection, *, settings: Settings, now: datetime, within: str | None = None
) -> Survey:
    """Every region (under path `within`, or the whole city) over the configured window, every
    valid report counted, coloured against the whole city: what the daily level history keeps."""
    return await _survey(
        conn,
        within=subtree_bounds(within) if within else (None, None),
        confidential=True,
        now=now,
        window_days=settings.hotspot_window_days,
        settings=settings,
    )


async def alert_of(
    conn: Connection, *, region_path: str, settings: Settings, now: datetime
) -> Alert:
    """A region's level over the configured window, every valid report counted (the exit bar)."""
    survey = await _survey(
        conn,
        within=subtree_bounds(region_path),
        confidential=True,
        now=now,
        window_days=settings.hotspot_window_days,
        settings=settings,
    )
    place = survey.places.get(region_path)
    return "none" if place is None else place.alert
