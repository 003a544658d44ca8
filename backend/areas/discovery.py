"""排查 by the numbers: a grid turning red, or rising two levels, is proposed as a key area.

Once a day the levels of every grid are kept (places.snapshot_levels); each grid that turned
red or rose two steps becomes a proposed area with its cases as evidence, or, when an area
already governs that grid, its evidence joins that area. Both happen in one transaction.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.areas import candidates, lifecycle, queries
from backend.areas.schemas import AreaIn, PlaceIn
from backend.clock import city_today
from backend.db.types import Connection
from backend.places import service as places
from backend.places.service import LevelChange
from backend.regions.paths import codes_of
from backend.settings import Settings

ALERT_ZH = {"red": "红色", "yellow": "黄色", "blue": "蓝色", "none": "无"}


def _why(change: LevelChange, window_days: int) -> str:
    return (
        f"网格热点等级由{ALERT_ZH.get(change.before, change.before)}"
        f"升至{ALERT_ZH.get(change.after, change.after)}，"
        f"近 {window_days} 日有效上报 {change.reports} 件"
    )


async def discover(conn: Connection, *, settings: Settings, now: datetime) -> int:
    """Keep today's levels and propose an area for each grid that turned; how many areas.

    The day's levels and the proposals they call for are kept together or not at all: the
    levels tell a grid turned only on the day they are first kept, so a proposal that failed
    must leave the day unkept for the next round to find the grid again.
    """
    day = city_today(settings.timezone, now)
    async with conn.transaction():
        changes = await places.snapshot_levels(conn, day=day, settings=settings, now=now)
        for change in changes:
            await _one(conn, change, settings=settings, now=now)
    return len(changes)


async def _one(conn: Connection, change: LevelChange, *, settings: Settings, now: datetime) -> None:
    why = _why(change, settings.hotspot_window_days)
    detail = {"before": change.before, "after": change.after, "reports": change.reports}
    same = await places.duplicate_of(
        conn, kind="key_area", covers_region_id=change.region_id, geometry=None
    )
    if same is not None:
        survivor = await queries.active_area_on_place(conn, place_id=same, lo=None, hi=None)
        if survivor is not None:
            await candidates.merge_into(
                conn,
                survivor,
                case_ids=[],
                name=change.region_name,
                actor=None,
                now=now,
                detail={"source": "level", **detail},
            )
            return
    grid = await queries.region_by_id(conn, region_id=change.region_id)
    home = await _home_region(conn, change.region_path) or grid
    place_id = await places.create_place(
        conn,
        kind="key_area",
        region_id=home["id"],
        region_path=home["path"],
        covers=(grid["id"], grid["path"]),
        geometry=None,
        now=now,
    )
    data = AreaIn(
        name=change.region_name[:100] or grid["code"],
        area_type="other",
        region_code=home["code"],
        place=PlaceIn(region_code=grid["code"]),
        problems=why,
    )
    area = await candidates.register(
        conn,
        place_id=place_id,
        region=home,
        data=data,
        source="level",
        actor=None,
        now=now,
        detail=detail,
    )
    await lifecycle.transition(
        conn, area, "propose", actor=None, reason=why, now=now, settings=settings, detail=detail
    )


async def _home_region(conn: Connection, grid_path: str) -> asyncpg.Record | None:
    """The street a grid lies in: the street answers for what its grids show."""
    codes = codes_of(grid_path)
    if len(codes) < 2:
        return None
    return await queries.region_by_path(conn, path="/" + "/".join(codes[:2]) + "/")
