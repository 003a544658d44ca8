"""HTTP handlers of what the public reads: the area page (治安动态) and quarterly reports.

The area page is for anyone signed in (a resident's device or staff); published reports
are read without any login, limited per client address.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_304_NOT_MODIFIED

from backend.exports.rules import attachment
from backend.public import publication, report_document, report_page, rules, service
from backend.public.daily_figures import DailyFigures
from backend.public.schemas import AreaPageOut, PublicReportIn, PublicReportOut, PublicReportRefOut
from backend.structs import REGION_CODE
from backend.web.auth import logged_in, requires
from backend.web.client_address import address_block, client_address
from backend.web.deps import DB, Caller, Ctx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Published reports change only by a new version (a new id): a copy may be kept a while.
_PUBLISHED_CACHE = "public, max-age=3600"
readers = requires("dispatcher", "supervisor", "admin")
publishers = requires("supervisor", "admin")
RegionQuery = Annotated[
    str | None, QueryParameter(pattern=REGION_CODE.pattern, description="region code")
]
_DAILY_FIGURES = "public.daily_figures"


def _daily_figures(request: Request[Any, Any, Any]) -> DailyFigures:
    """The process's kept area-page figures, made on first use."""
    kept = request.app.state.get(_DAILY_FIGURES)
    if not isinstance(kept, DailyFigures):
        kept = DailyFigures(rules.DAILY_FIGURES_KEPT)
        request.app.state[_DAILY_FIGURES] = kept
    return kept


class AreaPageController(Controller):
    path = "/api/v1/area-page"
    tags = ["public"]

    @get(
        "/",
        operation_id="getAreaPage",
        guards=[logged_in],
        summary="治安动态: figures to yesterday's end of a point's community or of a region",
        responses={200: ResponseSpec(data_container=AreaPageOut, description="the area page")},
    )
    async def page(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        db: DB,
        principal: Caller,
        lat: Annotated[float | None, QueryParameter(ge=-90, le=90)] = None,
        lng: Annotated[float | None, QueryParameter(ge=-180, le=180)] = None,
        region: RegionQuery = None,
    ) -> Response[bytes]:
        out = await service.area_page(
            db,
            principal,
            lat=lat,
            lng=lng,
            code=region,
            routing=ctx.require_routing().index,
            settings=ctx.settings,
            now=ctx.clock.now(),
            daily=_daily_figures(request),
        )
        body = msgspec.json.encode(out)
        etag = rules.strong_etag(body)
        headers = {"ETag": etag, "Cache-Control": f"private, max-age={rules.CACHE_SECONDS}"}
        if rules.matches(request.headers.get("if-none-match"), etag):
            return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(body, media_type="application/json", headers=headers)


async def _counted(request: Request[Any, Any, Any], ctx: Ctx, db: DB) -> None:
    address = address_block(client_address(request, ctx.settings))
    await publication.take_read(db, address=address, settings=ctx.settings, now=ctx.clock.now())


class PublicReportController(Controller):
    path = "/api/v1/public-reports"
    tags = ["public"]

    @get(
        "/preview",
        operation_id="previewPublicReport",
        guards=[readers],
        summary="What publishing a region's quarter would show now (nothing is stored)",
    )
    async def preview(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        region: Annotated[str, QueryParameter(pattern=REGION_CODE.pattern)],
        year: Annotated[int, QueryParameter(ge=2000, le=2999)],
        quarter: Annotated[int, QueryParameter(ge=1, le=4)],
        sections: Annotated[
            str, QueryParameter(max_length=40, description="reports,areas,survey")
        ] = "reports,areas,survey",
        survey_id: Annotated[int | None, QueryParameter(name="surveyId", ge=1)] = None,
    ) -> PublicReportOut:
        data = publication.asked(region, year, quarter, sections, survey_id)
        return await publication.preview(
            db, principal, data=data, settings=ctx.settings, now=ctx.clock.now()
        )

    @post(
        "/",
        operation_id="publishPublicReport",
        guards=[publishers],
        status_code=HTTP_201_CREATED,
        summary="发布: freeze a region's quarter as a public report (a new version each time)",
    )
    async def publish(
        self, ctx: Ctx, db: DB, principal: Caller, data: JSONBody[PublicReportIn]
    ) -> PublicReportOut:
        return await publication.publish(
            db, principal, data=data, settings=ctx.settings, now=ctx.clock.now()
        )

    @get(
        "/",
        operation_id="listPublicReports",
        summary="Published quarterly reports of a region, newest first (no login needed)",
    )
    async def listing(
        self, request: Request[Any, Any, Any], ctx: Ctx, db: DB, region: RegionQuery = None
    ) -> Response[list[PublicReportRefOut]]:
        await _counted(request, ctx, db)
        found = await publication.listing(db, region_code=region)
        return Response(found, headers={"Cache-Control": "public, max-age=300"})

    @get(
        "/{report_id:int}",
        operation_id="getPublicReport",
        summary="One published report with its figures (no login needed)",
    )
    async def one(
        self, request: Request[Any, Any, Any], ctx: Ctx, db: DB, report_id: FromPath[int]
    ) -> Response[PublicReportOut]:
        await _counted(request, ctx, db)
        found = await publication.one(db, report_id=report_id, settings=ctx.settings)
        return Response(found, headers={"Cache-Control": _PUBLISHED_CACHE})

    @get(
        "/{report_id:int}/page",
        operation_id="publicReportPage",
        summary="A published report as a printable page, 中文 with English beneath",
        media_type="text/html",
    )
    async def page(
        self, request: Request[Any, Any, Any], ctx: Ctx, db: DB, report_id: FromPath[int]
    ) -> Response[str]:
        await _counted(request, ctx, db)
        found = await publication.one(db, report_id=report_id, settings=ctx.settings)
        return Response(
            report_page.render(found, zone=ctx.settings.timezone),
            media_type="text/html",
            headers={
                "Content-Security-Policy": report_page.CONTENT_SECURITY_POLICY,
                "Cache-Control": _PUBLISHED_CACHE,
            },
        )

    @get(
        "/{report_id:int}/workbook",
        operation_id="publicReportWorkbook",
        summary="A published report as an XLSX workbook",
        media_type=XLSX,
    )
    async def workbook(
        self, request: Request[Any, Any, Any], ctx: Ctx, db: DB, report_id: FromPath[int]
    ) -> Response[bytes]:
        await _counted(request, ctx, db)
        found = await publication.one(db, report_id=report_id, settings=ctx.settings)
        name, ascii_name = report_document.filename(found)
        return Response(
            report_document.workbook(found, now=ctx.clock.now()),
            media_type=XLSX,
            headers={
                "Content-Disposition": attachment(name, ascii_name),
                "Cache-Control": _PUBLISHED_CACHE,
            },
        )
