"""HTTP handlers of the regions domain: thin, one service call each."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.regions import service
from backend.regions.schemas import (
    ImportOut,
    LocateOut,
    OutlinesOut,
    RegionFeatureOut,
    RegionNodeOut,
)
from backend.structs import RegionCode
from backend.web.auth import admin_only, staff_only
from backend.web.deps import DB, Caller, Ctx

_MAX_IMPORT_BYTES = 64 * 1024 * 1024
# Enough grids for a district on one screen; a wider box is answered `truncated`.
_MAX_OUTLINES = 2000
_COORDINATE = r"-?\d{1,3}(\.\d{1,12})?"
_BBOX_PATTERN = rf"^{_COORDINATE},{_COORDINATE},{_COORDINATE},{_COORDINATE}$"


class RegionController(Controller):
    path = "/api/v1/regions"
    tags = ["regions"]

    @get(
        "/locate", operation_id="locateRegion", summary="Find the grid that owns a point (定位网格)"
    )
    async def locate(
        self,
        ctx: Ctx,
        lat: Annotated[float, QueryParameter(ge=-90, le=90, description="WGS-84 latitude")],
        lng: Annotated[float, QueryParameter(ge=-180, le=180, description="WGS-84 longitude")],
    ) -> LocateOut:
        return service.locate(ctx.require_routing().index, lat=lat, lng=lng)

    @get(
        "/outlines",
        operation_id="listGridOutlines",
        summary="Grid outlines that meet a map box, as GeoJSON (网格边界)",
    )
    async def outlines(
        self,
        ctx: Ctx,
        bbox: Annotated[
            str,
            QueryParameter(
                pattern=_BBOX_PATTERN,
                description="west,south,east,north in WGS-84 degrees",
            ),
        ],
    ) -> OutlinesOut:
        west, south, east, north = (float(part) for part in bbox.split(","))
        return service.outlines(
            ctx.require_routing().index, bbox=(west, south, east, north), limit=_MAX_OUTLINES
        )

    @get(
        "/",
        operation_id="listRegions",
        guards=[staff_only],
        summary="Children of a region, or the caller's own root region",
    )
    async def list_children(
        self,
        db: DB,
        principal: Caller,
        parent: Annotated[
            RegionCode | None,
            QueryParameter(description="parent region code; omit for your own root"),
        ] = None,
    ) -> list[RegionNodeOut]:
        return await service.children(db, parent_code=parent, scope_path=principal.region_path)

    @get(
        "/{code:str}",
        operation_id="getRegion",
        guards=[staff_only],
        summary="One region as a GeoJSON Feature with its ancestors",
    )
    async def get_region(
        self, db: DB, principal: Caller, code: FromPath[RegionCode]
    ) -> RegionFeatureOut:
        return await service.feature(db, code=code, scope_path=principal.region_path)


class RegionAdminController(Controller):
    path = "/api/v1/admin/regions"
    tags = ["admin"]
    guards = [admin_only]

    @post(
        "/import",
        operation_id="importRegions",
        request_max_body_size=_MAX_IMPORT_BYTES,
        summary="Import regions from a GeoJSON FeatureCollection (all or nothing)",
    )
    async def import_regions(
        self, ctx: Ctx, db: DB, principal: Caller, data: JSONBody[dict[str, Any]]
    ) -> ImportOut:
        result = await service.import_regions(
            db,
            actor_id=principal.user_id,
            doc=data,
            overlap_share=ctx.settings.region_overlap_share,
        )
        await ctx.require_routing().refresh(db)
        return result
