"""HTTP handlers of report intake and the reporter's side."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from backend.reports import reporter, service
from backend.reports.nearby import nearby_reports
from backend.reports.schemas import (
    NearbyReportOut,
    PointsOut,
    RatingIn,
    ReportCreatedOut,
    ReportIn,
    ReportOut,
    ReportPageOut,
)
from backend.structs import CATEGORY_CODE
from backend.web.auth import logged_in
from backend.web.client_address import client_address
from backend.web.deps import DB, Caller, Ctx


class ReportController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]
    guards = [logged_in]

    @post(
        "/",
        operation_id="submitReport",
        summary="Send a report (上报); retrying with the same clientId returns the same report",
    )
    async def submit(
        self,
        request: Request,  # type: ignore[type-arg]
        ctx: Ctx,
        db: DB,
        principal: Caller,
        data: JSONBody[ReportIn],
    ) -> Response[ReportCreatedOut]:
        created, is_new = await service.submit(
            db,
            ctx.intake(),
            principal=principal,
            data=data,
            now=ctx.clock.now(),
            address=client_address(request, ctx.settings),
        )
        return Response(created, status_code=HTTP_201_CREATED if is_new else HTTP_200_OK)

    @get(
        "/nearby",
        operation_id="nearbyReports",
        summary="Open reports of a category close to a point (已有人反映)",
    )
    async def nearby(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        lat: Annotated[float, QueryParameter(ge=-90, le=90)],
        lng: Annotated[float, QueryParameter(ge=-180, le=180)],
        category: Annotated[str, QueryParameter(pattern=CATEGORY_CODE.pattern)],
    ) -> list[NearbyReportOut]:
        return await nearby_reports(
            db, ctx.photo_links(principal.user_id), lat=lat, lng=lng, category=category
        )

    @get("/{case_id:int}", operation_id="getMyReport", summary="One of my reports, as I see it")
    async def get_report(
        self, ctx: Ctx, db: DB, principal: Caller, case_id: FromPath[int]
    ) -> ReportOut:
        return await reporter.my_report(
            db, ctx.photo_links(principal.user_id), principal=principal, case_id=case_id
        )

    @post(
        "/{case_id:int}/rating",
        operation_id="rateReport",
        status_code=HTTP_200_OK,
        summary="Rate a closed report, once (评价)",
    )
    async def rate(
        self, ctx: Ctx, db: DB, principal: Caller, case_id: FromPath[int], data: JSONBody[RatingIn]
    ) -> ReportOut:
        await reporter.rate(
            db, principal=principal, case_id=case_id, data=data, now=ctx.clock.now()
        )
        return await reporter.my_report(
            db, ctx.photo_links(principal.user_id), principal=principal, case_id=case_id
        )

    @post(
        "/{case_id:int}/follow",
        operation_id="followReport",
        status_code=HTTP_204_NO_CONTENT,
        summary="Follow an open report somebody else made (关注此事)",
    )
    async def follow(self, ctx: Ctx, db: DB, principal: Caller, case_id: FromPath[int]) -> None:
        await reporter.follow(db, principal=principal, case_id=case_id, now=ctx.clock.now())


class MyPointsController(Controller):
    path = "/api/v1/me/points"
    tags = ["reports"]
    guards = [logged_in]

    @get("/", operation_id="getMyPoints", summary="举报奖励: my points and what earned them")
    async def my_points(self, db: DB, principal: Caller) -> PointsOut:
        return await reporter.my_points(db, principal=principal)


class MyReportsController(Controller):
    path = "/api/v1/me/reports"
    tags = ["reports"]
    guards = [logged_in]

    @get("/", operation_id="listMyReports", summary="我的上报: my reports, newest first")
    async def list_mine(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> ReportPageOut:
        return await reporter.my_reports(
            db, ctx.photo_links(principal.user_id), principal=principal, cursor=cursor
        )
