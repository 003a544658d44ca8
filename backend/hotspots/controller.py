"""HTTP handlers of the hotspot levels: the sortable list and its map layer."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from backend.hotspots import service
from backend.hotspots.rules import Sort
from backend.hotspots.schemas import HotspotMapOut, HotspotOut, PlaceLevel
from backend.hotspots.service import HotspotQuery
from backend.structs import RegionCode
from backend.web.auth import requires
from backend.web.deps import DB, Caller, Ctx

# Hotspots are read by region subtree; department accounts are scoped by department instead.
region_staff = requires("worker", "dispatcher", "supervisor", "admin")

Level = Annotated[
    PlaceLevel, QueryParameter(description="which places: district, street, community or grid")
]
Order = Annotated[Sort, QueryParameter(description="worst level, most reports, or steepest rise")]
Window = Annotated[
    int | None,
    QueryParameter(ge=1, le=365, description="days per window; default from the settings"),
]
Region = Annotated[
    RegionCode | None,
    QueryParameter(pattern=r"^[0-9A-Za-z-]{1,32}$", description="only this subtree (yours)"),
]


class HotspotController(Controller):
    path = "/api/v1/stats"
    tags = ["statistics"]
    guards = [region_staff]

    @get(
        "/hotspots",
        operation_id="listHotspots",
        summary="红黄蓝三级预警: places of one level coloured by their valid reports",
    )
    async def hotspots(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        level: Level = "grid",
        sort: Order = "level",
        window: Window = None,
        region: Region = None,
    ) -> list[HotspotOut]:
        q = HotspotQuery(level=level, sort=sort, window_days=window, region_code=region)
        return await service.hotspots(db, principal, q, settings=ctx.settings, now=ctx.clock.now())

    @get(
        "/hotspots.geojson",
        operation_id="mapHotspots",
        summary="The hotspot levels with outlines, as a GeoJSON FeatureCollection",
    )
    async def hotspot_map(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        level: Level = "grid",
        sort: Order = "level",
        window: Window = None,
        region: Region = None,
    ) -> HotspotMapOut:
        q = HotspotQuery(level=level, sort=sort, window_days=window, region_code=region)
        return await service.hotspot_map(
            db, principal, q, settings=ctx.settings, now=ctx.clock.now()
        )
