"""HTTP handlers of a key area's follow-up: 验收, 延期, level duties, 复发, standing, figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backend.areas import (
    acceptance,
    acceptance_report,
    extensions,
    figures,
    level_duties,
    watch,
)
from backend.areas.followup_schemas import (
    AcceptanceDecisionIn,
    AcceptanceOut,
    AreaDutyOut,
    AreaFiguresOut,
    AreaFiguresSummaryOut,
    DutyRecordIn,
    ExtensionDecisionIn,
    ExtensionIn,
    ExtensionOut,
    RecurrenceIn,
    RelistedOut,
    StandingOut,
)
from backend.areas.guards import governing
from backend.exports.rules import attachment
from backend.structs import RegionCode
from backend.web.deps import DB, Caller, Ctx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
leaders = governing("supervisor", "admin")
triage = governing("dispatcher", "supervisor", "admin")
area_staff = governing("worker", "dispatcher", "supervisor", "admin")


class AreaFollowupController(Controller):
    path = "/api/v1/areas/{area_id:int}"
    tags = ("areas",)

    @post(
        "/acceptance/decision",
        operation_id="decideAreaAcceptance",
        guards=[leaders],
        status_code=HTTP_200_OK,
        summary="验收: measure the area now; passed lifts it (摘牌) into 回头看, failed says why",
    )
    async def decide_acceptance(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        area_id: FromPath[int],
        data: JSONBody[AcceptanceDecisionIn],
    ) -> AcceptanceOut:
        return await acceptance.decide(
            db,
            principal,
            area_id=area_id,
            note=data.note,
            settings=ctx.settings,
            now=ctx.clock.now(),
        )

    @get(
        "/acceptance",
        operation_id="getAreaAcceptance",
        guards=[area_staff],
        summary="The acceptance round under way (measured now) or the last one decided",
    )
    async def get_acceptance(
        self, ctx: Ctx, db: DB, principal: Caller, area_id: FromPath[int]
    ) -> AcceptanceOut:
        return await acceptance.current(db, principal, area_id=area_id, settings=ctx.settings)

    @get(
        "/acceptance-report.xlsx",
        operation_id="areaAcceptanceReport",
        guards=[area_staff],
        media_type=XLSX,
        summary="整治工作报告: before/after, tasks, photos and satisfaction as an XLSX workbook",
    )
    async def acceptance_report(
        self, ctx: Ctx, db: DB, principal: Caller, area_id: FromPath[int]
    ) -> Response[bytes]:
        name, content = await acceptance_report.workbook(
            db,
            principal,
            area_id=area_id,
            links=ctx.photo_links(principal.user_id),
            settings=ctx.settings,
            now=ctx.clock.now(),
        )
        return Response(
            content,
            media_type=XLSX,
            headers={"Content-Disposition": attachment(name, name), "Cache-Control": "no-store"},
        )

    @post(
        "/extensions",
        operation_id="requestAreaExtension",
        guards=[triage],
        status_code=HTTP_201_CREATED,
        summary="延期整治: ask for a new deadline after a failed acceptance",
    )
    async def request_extension(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        area_id: FromPath[int],
        data: JSONBody[ExtensionIn],
    ) -> ExtensionOut:
        return await extensions.request(
            db,
            principal,
            area_id=area_id,
            data=data,
            settings=ctx.settings,
            now=ctx.clock.now(),
        )

    @post(
        "/extensions/{extension_id:int}/decision",
        operation_id="decideAreaExtension",
        guards=[leaders],
        status_code=HTTP_200_OK,
        summary="Approve (the area is extended to the new deadline) or refuse an extension",
    )
    async def decide_extension(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        area_id: FromPath[int],
        extension_id: FromPath[int],
        data: JSONBody[ExtensionDecisionIn],
    ) -> ExtensionOut:
        return await extensions.decide(
            db,
            principal,
            area_id=area_id,
            extension_id=extension_id,
            data=data,
            settings=ctx.settings,
            now=ctx.clock.now(),
        )

    @get(
        "/duties",
        operation_id="listAreaDuties",
        guards=[area_staff],
        summary="The duties the area's level carries, per period, with their deadlines",
    )
    async def list_duties(
        self, ctx: Ctx, db: DB, principal: Caller, area_id: FromPath[int]
    ) -> list[AreaDutyOut]:
        return await level_duties.of_area(db, principal, area_id=area_id, now=ctx.clock.now())

    @post(
        "/duties/{row_id:int}/record",
        operation_id="recordAreaDuty",
        guards=[area_staff],
        status_code=HTTP_200_OK,
        summary="Record a 联合清查 or a 巡查 (units, findings, photos): the period's duty is met",
    )
    async def record_duty(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        area_id: FromPath[int],
        row_id: FromPath[int],
        data: JSONBody[DutyRecordIn],
    ) -> AreaDutyOut:
        return await level_duties.record(
            db, principal, area_id=area_id, row_id=row_id, data=data, now=ctx.clock.now()
        )

    @post(
        "/recurrence",
        operation_id="confirmAreaRecurrence",
        guards=[leaders],
        status_code=HTTP_200_OK,
        summary="复发: relist the area; its region carries 一票否决 for the year",
    )
    async def confirm_recurrence(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        area_id: FromPath[int],
        data: JSONBody[RecurrenceIn],
    ) -> RelistedOut:
        return await watch.confirm_recurrence(
            db,
            principal,
            area_id=area_id,
            reason=data.reason,
            settings=ctx.settings,
            now=ctx.clock.now(),
        )

    @get(
        "/figures",
        operation_id="areaFigures",
        guards=[area_staff],
        summary="整治前后: valid reports before and after the flag, by category, hour and weekday",
    )
    async def area_figures(
        self, ctx: Ctx, db: DB, principal: Caller, area_id: FromPath[int]
    ) -> AreaFiguresOut:
        return await figures.of_area(
            db, principal, area_id=area_id, settings=ctx.settings, now=ctx.clock.now()
        )


class AreaFiguresController(Controller):
    path = "/api/v1/area-figures"
    tags = ("areas",)

    @get(
        "/",
        operation_id="areaFiguresSummary",
        guards=[area_staff],
        summary="Areas by state and type; 整治改观率 and recurrence rate of a period's areas",
    )
    async def summary(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        from_: Annotated[date, QueryParameter(name="from")],
        to: Annotated[date, QueryParameter(name="to")],
        region_code: Annotated[RegionCode | None, QueryParameter(name="regionCode")] = None,
    ) -> AreaFiguresSummaryOut:
        return await figures.summary(
            db, principal, start=from_, end=to, region_code=region_code, settings=ctx.settings
        )


class RegionStandingController(Controller):
    path = "/api/v1/regions/{code:str}/standing"
    tags = ("areas",)

    @get(
        "/",
        operation_id="regionStanding",
        guards=[area_staff],
        summary="先进 standing: no flagged area under the region, and its 一票否决 of the year",
    )
    async def standing(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        code: FromPath[RegionCode],
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
    ) -> StandingOut:
        return await watch.standing(
            db, principal, code=code, year=year, settings=ctx.settings, now=ctx.clock.now()
        )
