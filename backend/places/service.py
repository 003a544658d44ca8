"""The one place model: key areas, patrol zones and school zones that cases fall into.

A place is a region of the tree (every case routed into its subtree counts) or a drawn
outline (every case whose position lies inside counts). Which places a case falls into is
stored with the case (case_places): at intake by the routing index of the API process, and
for older cases when the place is created, so that counting never needs geometry in SQL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from backend.db.types import Connection
from backend.errors import Invalid
from backend.places import backfill, queries, rules, window_queries
from backend.places.levels import LevelChange, current_level, level_history, snapshot_levels
from backend.regions import service as regions
from backend.regions.paths import subtree_bounds

__all__ = [
    "LevelChange",
    "count_in_window",
    "create_place",
    "current_level",
    "deactivate",
    "duplicate_of",
    "inside_region",
    "level_history",
    "link_cases",
    "place_case",
    "reports_in_window",
    "snapshot_levels",
]

_ONE_OF = Invalid(
    "places.region_or_outline",
    "地点须为一个区域或一个绘制的轮廓，二者取一",
    "A place is either a region or a drawn outline, exactly one of them",
    fields={"geometry": "give a region or an outline, not both or neither"},
)


async def create_place(
    conn: Connection,
    *,
    kind: str,
    region_id: int,
    region_path: str,
    covers: tuple[int, str] | None,
    geometry: dict[str, Any] | None,
    now: datetime,
) -> int:
    """A new place: the cases already in it are placed in it, and new ones are routed to it."""
    if kind not in rules.KINDS:
        raise Invalid(
            "places.unknown_kind",
            "没有这种地点类型",
            "Unknown kind of place",
            fields={"kind": "one of " + ", ".join(rules.KINDS)},
        )
    if (covers is None) == (geometry is None):
        raise _ONE_OF
    outline = None if geometry is None else rules.checked_geometry(geometry)
    async with conn.transaction():
        place_id = await queries.insert_place(
            conn,
            kind=kind,
            region_id=region_id,
            region_path=region_path,
            covers_region_id=None if covers is None else covers[0],
            covers_path=None if covers is None else covers[1],
            geometry=None if outline is None else dict(mapping(outline)),
            at=now,
        )
        if outline is not None:
            await backfill.place_cases_inside(conn, place_id=place_id, outline=outline)
        elif covers is not None:
            await backfill.place_cases_under(conn, place_id=place_id, covers_path=covers[1])
        await regions.bump_routing_revision(conn)
    return place_id


async def deactivate(conn: Connection, *, place_id: int) -> None:
    """No new case is routed into the place any more; the cases it holds stay its evidence."""
    async with conn.transaction():
        if await queries.deactivate(conn, place_id=place_id):
            await regions.bump_routing_revision(conn)


async def link_cases(
    conn: Connection,
    *,
    place_id: int,
    case_ids: Sequence[int],
    scope_path: str,
    confidential: bool = False,
) -> int:
    """Link cases to a place by hand, as its evidence: only those under `scope_path`, and
    confidential ones only for a caller who may see them; how many were new to it."""
    lo, hi = subtree_bounds(scope_path)
    return await queries.place_cases_in_scope(
        conn,
        place_id=place_id,
        case_ids=case_ids,
        lo=lo,
        hi=hi,
        confidential=confidential,
        how="hand",
    )


async def place_case(
    conn: Connection, *, case_id: int, created_at: datetime, place_ids: Sequence[int]
) -> None:
    """Put a new case in the places the routing index found for its position (at intake)."""
    if place_ids:
        await queries.place_case(conn, case_id=case_id, created_at=created_at, place_ids=place_ids)


async def inside_region(
    geometry: dict[str, Any], *, region_outline: dict[str, Any]
) -> dict[str, Any] | None:
    """A drawn outline that lies in a region's outline (a few metres over its border allowed),
    cut to that outline; None when it reaches further. Invalid when it is no outline at all."""
    outline = rules.checked_geometry(geometry)
    return await asyncio.to_thread(_cut_to, geometry, outline, shape(region_outline))


def _cut_to(
    drawn: dict[str, Any], outline: BaseGeometry, region: BaseGeometry
) -> dict[str, Any] | None:
    if not rules.lies_within(outline, region):
        return None
    kept = rules.clipped_to(outline, region)
    if kept is outline:
        return drawn
    if kept.is_empty:
        return None
    cut: dict[str, Any] = json.loads(shapely.to_geojson(kept))
    return cut


async def duplicate_of(
    conn: Connection, *, kind: str, covers_region_id: int | None, geometry: dict[str, Any] | None
) -> int | None:
    """The active place of this kind that is the same region, or whose outline shares at least
    half of the smaller one with this one: where a new candidate merges."""
    if covers_region_id is not None:
        return await queries.active_covering(conn, kind=kind, covers_region_id=covers_region_id)
    if geometry is None:
        return None
    outline = rules.checked_geometry(geometry)
    for row in await queries.active_drawn(conn, kind=kind):
        if rules.same_place(outline, shape(row["geometry"])):
            place_id: int = row["id"]
            return place_id
    return None


async def reports_in_window(
    conn: Connection,
    *,
    place_id: int,
    start: datetime,
    end: datetime,
    source: str | None = None,
    confidential: bool = True,
) -> list[asyncpg.Record]:
    """Valid cases (not rejected, not merged) of a place created in [start, end), by position
    or linked by hand: category_code, created_at, status, rating, source.

    Jobs count every case; a figure shown to someone passes `confidential` of their scope,
    so that the confidential categories stay with those who handle them."""
    return await window_queries.reports_in_window(
        conn, place_id=place_id, start=start, end=end, source=source, confidential=confidential
    )


async def count_in_window(
    conn: Connection,
    *,
    place_id: int,
    start: datetime,
    end: datetime,
    source: str | None = None,
    confidential: bool = True,
) -> int:
    """How many valid cases of a place were created in [start, end); confidential ones only
    when `confidential` (False for a figure shown to someone who may not see them)."""
    return await window_queries.count_in_window(
        conn, place_id=place_id, start=start, end=end, source=source, confidential=confidential
    )
