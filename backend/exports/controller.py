"""HTTP handlers of exports: a case list as CSV, a region's statistics as an XLSX workbook."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from litestar import Controller, Response, get
from litestar.params import QueryParameter
from litestar.response import Stream

from backend.cases.service import scope_for
from backend.cases.views import CaseFilter
from backend.exports import rules, service
from backend.exports.service import Reveal
from backend.stats import rules as stats_rules
from backend.web.auth import requires
from backend.web.deps import DB, Caller, Ctx

# The constraints of CategoryCode and RegionCode, spelled where Litestar checks query strings.
CATEGORY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
REGION_PATTERN = r"^[0-9A-Za-z-]{1,32}$"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Text = Annotated[str | None, QueryParameter(max_length=40)]
staff = requires("worker", "department", "dispatcher", "supervisor", "admin")


class CaseExportController(Controller):
    # A path of its own: "export.csv" never reaches the queue's /{case_id:int} routes.
    path = "/api/v1/cases/export.csv"
    tags = ["cases"]
    guards = [staff]

    @get(
        "/",
        operation_id="exportCases",
        summary="The queue's filtered cases as CSV (UTF-8 with BOM), streamed with no row limit",
    )
    async def export_cases(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        status: Annotated[
            list[str] | None, QueryParameter(description="one or more statuses")
        ] = None,
        category: Annotated[str | None, QueryParameter(pattern=CATEGORY_PATTERN)] = None,
        region: Annotated[
            str | None, QueryParameter(pattern=REGION_PATTERN, description="region subtree")
        ] = None,
        assignee: Annotated[int | None, QueryParameter()] = None,
        overdue: Annotated[bool | None, QueryParameter()] = None,
        q: Annotated[
            str | None, QueryParameter(max_length=100, description="text or tracking no")
        ] = None,
        created_from: Annotated[datetime | None, QueryParameter(name="createdFrom")] = None,
        created_to: Annotated[datetime | None, QueryParameter(name="createdTo")] = None,
        reveal: Annotated[
            bool, QueryParameter(description="add the reporters' contacts (permission needed)")
        ] = False,
        reason: Annotated[
            str | None, QueryParameter(max_length=500, description="why contacts are revealed")
        ] = None,
    ) -> Stream:
        service.check_statuses(status)
        f = CaseFilter(
            statuses=status,
            category=category,
            region_path=await service.region_path(db, region),
            assignee_id=assignee,
            overdue=overdue,
            text=q,
            created_from=created_from,
            created_to=created_to,
        )
        now = ctx.clock.now()
        if reveal:
            await service.check_reveal(db, principal, reason)
        zone = ZoneInfo(ctx.settings.timezone)
        rows = service.case_csv(
            ctx.require_pool(),
            principal,
            f,
            zone=zone,
            reveal=Reveal(reason=(reason or "").strip(), at=now) if reveal else None,
        )
        name = service.csv_filename(now, zone)
        return Stream(
            rows,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": rules.attachment(name, name)},
        )


class StatsReportController(Controller):
    path = "/api/v1/stats/report.xlsx"
    tags = ["stats"]
    guards = [staff]

    @get(
        "/",
        operation_id="statsReport",
        summary="周/月/季报: a region's statistics over a period as an XLSX workbook with charts",
    )
    async def report(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        period: Annotated[
            str | None, QueryParameter(max_length=40, description="2026-W47, 2026-11, 2026-Q4")
        ] = None,
        from_: Annotated[str | None, QueryParameter(name="from", max_length=40)] = None,
        to: Text = None,
        region: Annotated[
            str | None, QueryParameter(pattern=REGION_PATTERN, description="default: your own")
        ] = None,
    ) -> Response[bytes]:
        zone, now = ctx.settings.timezone, ctx.clock.now()
        today = stats_rules.local_today(now, zone=zone)
        made = await service.report(
            db,
            scope=scope_for(principal),
            region_code=region,
            period=stats_rules.period_of(period, from_, to, zone=zone, today=today),
            now=now,
            zone=ZoneInfo(zone),
        )
        return Response(
            made.content,
            media_type=XLSX,
            headers={
                "Content-Disposition": rules.attachment(made.filename, made.ascii_filename),
                "Cache-Control": "no-store",
            },
        )
