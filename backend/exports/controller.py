"""HTTP handlers of exports: a case list as CSV, a region's statistics as an XLSX workbook."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from litestar import Controller, Response, get
from litestar.params import QueryParameter
from litestar.response import Stream

from backend.cases.filters import (
    Assignee,
    Category,
    CreatedFrom,
    CreatedTo,
    Overdue,
    QueueQuery,
    Region,
    Statuses,
    case_filter,
)
from backend.cases.filters import Text as SearchText
from backend.cases.service import scope_for
from backend.exports import rules, service
from backend.exports.service import Reveal
from backend.stats import rules as stats_rules
from backend.structs import REGION_CODE
from backend.web.auth import requires
from backend.web.deps import DB, Caller, Ctx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Litestar adds "; charset=utf-8" to a text/ type itself.
CSV = "text/csv"
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
        media_type=CSV,
    )
    async def export_cases(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        status: Statuses = None,
        category: Category = None,
        region: Region = None,
        assignee: Assignee = None,
        overdue: Overdue = None,
        q: SearchText = None,
        created_from: CreatedFrom = None,
        created_to: CreatedTo = None,
        reveal: Annotated[
            bool, QueryParameter(description="add the reporters' contacts (permission needed)")
        ] = False,
        reason: Annotated[
            str | None, QueryParameter(max_length=500, description="why contacts are revealed")
        ] = None,
    ) -> Stream:
        now = ctx.clock.now()
        if reveal:
            await service.check_reveal(db, principal, reason)
        zone = ZoneInfo(ctx.settings.timezone)
        rows = await service.started(
            service.case_csv(
                ctx.require_pool(),
                principal,
                await case_filter(
                    db,
                    QueueQuery(
                        status, category, region, assignee, overdue, q, created_from, created_to
                    ),
                ),
                zone=zone,
                reveal=Reveal(reason=(reason or "").strip(), at=now) if reveal else None,
            )
        )
        name = service.csv_filename(now, zone)
        return Stream(
            rows,
            media_type=CSV,
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
        media_type=XLSX,
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
            str | None, QueryParameter(pattern=REGION_CODE.pattern, description="default: your own")
        ] = None,
    ) -> Response[bytes]:
        zone, now = ctx.settings.timezone, ctx.clock.now()
        today = stats_rules.local_today(now, zone=zone)
        made = await service.report(
            db,
            reader=principal,
            scope=scope_for(principal),
            region_code=region,
            period=stats_rules.period_of(period, from_, to, zone=zone, today=today),
            now=now,
            settings=ctx.settings,
        )
        return Response(
            made.content,
            media_type=XLSX,
            headers={
                "Content-Disposition": rules.attachment(made.filename, made.ascii_filename),
                "Cache-Control": "no-store",
            },
        )
