"""HTTP handlers of inspections (督导检查) and the findings ledger (问题台账)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backend.exports.rules import attachment
from backend.oversight import findings, inspections, ledger, ledger_sheet
from backend.oversight.inspections_schemas import (
    DepartmentChoiceOut,
    FindingOut,
    FindingPageOut,
    FindingState,
    InspectionIn,
    InspectionOut,
    InspectionPageOut,
    MoveIn,
    UnitFindingsOut,
)
from backend.structs import RegionCode
from backend.web.auth import requires, staff_only
from backend.web.deps import DB, Caller, Ctx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
inspectors = requires("dispatcher", "supervisor", "admin")
Cursor = Annotated[int | None, QueryParameter(ge=1, description="`next` of the previous page")]
State = Annotated[FindingState | None, QueryParameter(name="state")]
Overdue = Annotated[bool | None, QueryParameter(description="only findings overdue now")]
Region = Annotated[RegionCode | None, QueryParameter(description="a region and its subtree")]
DepartmentId = Annotated[int | None, QueryParameter(name="departmentId", ge=1)]
InspectionId = Annotated[int | None, QueryParameter(name="inspectionId", ge=1)]


class InspectionController(Controller):
    path = "/api/v1/inspections"
    tags = ("oversight",)
    guards = (staff_only,)

    @post(
        "/",
        operation_id="fileInspection",
        guards=[inspectors],
        status_code=HTTP_201_CREATED,
        summary="督导检查: file an inspection with its findings (a replayed clientId lands once)",
    )
    async def file(
        self, ctx: Ctx, db: DB, principal: Caller, data: JSONBody[InspectionIn]
    ) -> Response[InspectionOut]:
        out, created = await inspections.file(
            db,
            principal,
            data,
            settings=ctx.settings,
            now=ctx.clock.now(),
            links=ctx.photo_links(principal.user_id),
        )
        return Response(out, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get("/", operation_id="listInspections", summary="The inspections you see, newest first")
    async def list_inspections(
        self, ctx: Ctx, db: DB, principal: Caller, cursor: Cursor = None
    ) -> InspectionPageOut:
        return await inspections.page(
            db,
            principal,
            before_id=cursor,
            now=ctx.clock.now(),
            links=ctx.photo_links(principal.user_id),
        )

    @get(
        "/departments",
        operation_id="inspectionDepartments",
        guards=[inspectors],
        summary="The departments an inspection or a finding may name (of your subtree)",
    )
    async def departments(self, db: DB, principal: Caller) -> list[DepartmentChoiceOut]:
        return await inspections.department_choices(db, principal)

    @get(
        "/{inspection_id:int}",
        operation_id="getInspection",
        summary="One inspection with its findings",
    )
    async def get_inspection(
        self, ctx: Ctx, db: DB, principal: Caller, inspection_id: FromPath[int]
    ) -> InspectionOut:
        return await inspections.one(
            db,
            principal,
            inspection_id,
            now=ctx.clock.now(),
            links=ctx.photo_links(principal.user_id),
        )


class FindingController(Controller):
    path = "/api/v1/findings"
    tags = ("oversight",)
    guards = (staff_only,)

    @get("/", operation_id="listFindings", summary="问题台账: the findings you see, filtered")
    async def list_findings(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        finding_state: State = None,
        overdue: Overdue = None,
        region: Region = None,
        department_id: DepartmentId = None,
        inspection_id: InspectionId = None,
        cursor: Cursor = None,
    ) -> FindingPageOut:
        wanted = ledger.Filters(finding_state, overdue, region, department_id, inspection_id)
        return await ledger.page(
            db,
            principal,
            wanted,
            before_id=cursor,
            now=ctx.clock.now(),
            links=ctx.photo_links(principal.user_id),
        )

    @get(
        "/export",
        operation_id="exportFindings",
        media_type=XLSX,
        summary="问题台账 as an XLSX workbook, with the list's filters (at most 10,000 rows)",
    )
    async def export(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        finding_state: State = None,
        overdue: Overdue = None,
        region: Region = None,
        department_id: DepartmentId = None,
        inspection_id: InspectionId = None,
    ) -> Response[bytes]:
        wanted = ledger.Filters(finding_state, overdue, region, department_id, inspection_id)
        now = ctx.clock.now()
        rows = await ledger.for_export(db, principal, wanted, settings=ctx.settings, now=now)
        content = ledger_sheet.workbook(rows, timezone=ctx.settings.timezone, now=now)
        name = f"问题台账-{now.date().isoformat()}.xlsx"
        fallback = f"findings-{now.date().isoformat()}.xlsx"
        return Response(
            content,
            media_type=XLSX,
            headers={
                "Content-Disposition": attachment(name, fallback),
                "Cache-Control": "no-store",
            },
        )

    @get(
        "/units",
        operation_id="findingUnits",
        summary="Per responsible unit: open, overdue, closed and closed on time",
    )
    async def units(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        first_day: Annotated[date | None, QueryParameter(name="from")] = None,
        last_day: Annotated[date | None, QueryParameter(name="to")] = None,
    ) -> list[UnitFindingsOut]:
        return await ledger.units(
            db,
            principal,
            first_day=first_day,
            last_day=last_day,
            settings=ctx.settings,
            now=ctx.clock.now(),
        )

    @get("/{finding_id:int}", operation_id="getFinding", summary="One finding with its timeline")
    async def get_finding(
        self, ctx: Ctx, db: DB, principal: Caller, finding_id: FromPath[int]
    ) -> FindingOut:
        return await findings.one(
            db, principal, finding_id, now=ctx.clock.now(), links=ctx.photo_links(principal.user_id)
        )

    @post(
        "/{finding_id:int}/moves",
        operation_id="moveFinding",
        status_code=HTTP_201_CREATED,
        summary="签收, 整改反馈, 复查, 销号 or reopen a finding (a replayed clientId lands once)",
    )
    async def move(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        finding_id: FromPath[int],
        data: JSONBody[MoveIn],
    ) -> Response[FindingOut]:
        out, created = await findings.move(
            db,
            principal,
            finding_id,
            data,
            settings=ctx.settings,
            now=ctx.clock.now(),
            links=ctx.photo_links(principal.user_id),
        )
        return Response(out, status_code=HTTP_201_CREATED if created else HTTP_200_OK)
