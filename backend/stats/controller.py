"""HTTP handlers of statistics and the heat map: staff only, scoped by the caller."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, get
from litestar.params import QueryParameter

from backend.stats import heat_rules, rules, service
from backend.stats.schemas import HeatmapOut, HourWeekdayOut, RankingOut, SummaryOut
from backend.structs import CategoryCode, RegionCode
from backend.web.auth import staff_only
from backend.web.context import AppContext
from backend.web.deps import DB, Caller, Ctx

Text = Annotated[str | None, QueryParameter(max_length=40)]
From = Annotated[str | None, QueryParameter(name="from", max_length=40)]
Class = Annotated[str | None, QueryParameter(name="class", max_length=40)]


def _period(
    ctx: AppContext, period: str | None, first: str | None, last: str | None
) -> rules.Period:
    zone = ctx.settings.timezone
    today = rules.local_today(ctx.clock.now(), zone=zone)
    return rules.period_of(period, first, last, zone=zone, today=today)


class StatsController(Controller):
    path = "/api/v1/stats"
    tags = ["stats"]
    guards = [staff_only]

    @get(
        "/heatmap",
        operation_id="statsHeatmap",
        summary="热力图: reports per h3 hexagon in a map box, as GeoJSON",
    )
    async def heatmap(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        bbox: Annotated[
            str, QueryParameter(max_length=120, description="minLon,minLat,maxLon,maxLat")
        ],
        zoom: Annotated[str, QueryParameter(max_length=4, description="map zoom 0-20")],
        from_: From = None,
        to: Text = None,
        category: Annotated[CategoryCode | None, QueryParameter()] = None,
        class_: Class = None,
        status: Annotated[str, QueryParameter(max_length=8)] = "all",
    ) -> HeatmapOut:
        box = heat_rules.parse_bbox(bbox)
        resolution = heat_rules.parse_zoom(zoom)
        window = heat_rules.heat_window(from_, to, now=ctx.clock.now())
        wanted = heat_rules.parse_status(status)
        codes = await service.category_codes(db, category=category, class_=class_)
        return await service.heatmap(
            db,
            scope=service.scope_for(principal),
            box=box,
            resolution=resolution,
            window=window,
            codes=codes,
            status=wanted,
        )

    @get(
        "/summary",
        operation_id="statsSummary",
        summary="受理量, 结案率, 满意率 … of a region subtree over a period, rolled up",
    )
    async def summary(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        region: Annotated[RegionCode | None, QueryParameter()] = None,
        period: Text = None,
        from_: From = None,
        to: Text = None,
        category: Annotated[CategoryCode | None, QueryParameter()] = None,
    ) -> SummaryOut:
        return await service.summary(
            db,
            scope=service.scope_for(principal),
            region_code=region,
            period=_period(ctx, period, from_, to),
            category=category,
            zone=ctx.settings.timezone,
        )

    @get(
        "/hour-weekday",
        operation_id="statsHourWeekday",
        summary="时段分布: valid reports by local hour of day × weekday (24 × 7)",
    )
    async def hour_weekday(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        region: Annotated[RegionCode | None, QueryParameter()] = None,
        period: Text = None,
        from_: From = None,
        to: Text = None,
        category: Annotated[CategoryCode | None, QueryParameter()] = None,
    ) -> HourWeekdayOut:
        return await service.hour_weekday(
            db,
            scope=service.scope_for(principal),
            region_code=region,
            period=_period(ctx, period, from_, to),
            category=category,
            zone=ctx.settings.timezone,
        )

    @get(
        "/rankings",
        operation_id="statsRankings",
        summary="排名: a region's children or its departments, best first by one figure",
    )
    async def rankings(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        metric: Annotated[str, QueryParameter(max_length=40)] = "closeRate",
        by: Annotated[Literal["region", "department"], QueryParameter()] = "region",
        region: Annotated[RegionCode | None, QueryParameter()] = None,
        period: Text = None,
        from_: From = None,
        to: Text = None,
        category: Annotated[CategoryCode | None, QueryParameter()] = None,
    ) -> RankingOut:
        return await service.rankings(
            db,
            scope=service.scope_for(principal),
            region_code=region,
            period=_period(ctx, period, from_, to),
            by=by,
            metric=metric,
            category=category,
        )
