"""HTTP handlers of monthly reports (定期访查): a month's table, a unit's own, filing, summary."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from backend.clock import city_today
from backend.oversight import monthly
from backend.oversight import monthly_rules as rules
from backend.oversight.monthly_schemas import MonthlyReportIn, MonthlyReportOut, UnitSummaryOut
from backend.web.auth import requires
from backend.web.deps import DB, Caller, Ctx

Month = Annotated[str | None, QueryParameter(max_length=10, description="a month: 2026-11")]
From = Annotated[str, QueryParameter(name="from", max_length=10, description="first month")]
To = Annotated[str, QueryParameter(max_length=10, description="last month")]
State = Annotated[rules.ReportState | None, QueryParameter(name="state")]

TRUNCATED = "X-Truncated"
overseers = requires("dispatcher", "supervisor", "admin")
units = requires("department", "worker", "dispatcher", "supervisor")


class MonthlyReportController(Controller):
    path = "/api/v1/monthly-reports"
    tags = ("oversight",)

    @get(
        "/",
        operation_id="listMonthlyReports",
        guards=[overseers],
        summary="定期访查: a month's reports of the units in scope (default: the month just "
        "ended); the header X-Truncated: true when more units than 5000 were left out",
    )
    async def of_month(
        self, ctx: Ctx, db: DB, principal: Caller, month: Month = None, wanted: State = None
    ) -> Response[list[MonthlyReportOut]]:
        now = ctx.clock.now()
        if month is None:
            chosen = rules.owed_month(city_today(ctx.settings.timezone, now))
        else:
            chosen = rules.parse_month(month, name="month")
        reports, truncated = await monthly.of_month(
            db, principal, month=chosen, state=wanted, now=now
        )
        # More units than one answer holds: say so rather than drop the rest unseen.
        headers = {TRUNCATED: "true"} if truncated else {}
        return Response(reports, headers=headers)

    @get(
        "/mine",
        operation_id="myMonthlyReports",
        guards=[units],
        summary="What the caller's unit (department or street) owes and has filed",
    )
    async def mine(self, ctx: Ctx, db: DB, principal: Caller) -> list[MonthlyReportOut]:
        return await monthly.mine(db, principal, now=ctx.clock.now())

    @get(
        "/summary",
        operation_id="monthlyReportSummary",
        guards=[overseers],
        summary="Per unit over months: reports owed, filed on time, late, missing",
    )
    async def summary(
        self, ctx: Ctx, db: DB, principal: Caller, from_: From, to: To
    ) -> list[UnitSummaryOut]:
        return await monthly.summary(
            db,
            principal,
            first=rules.parse_month(from_, name="from"),
            last=rules.parse_month(to, name="to"),
            now=ctx.clock.now(),
        )

    @get(
        "/{report_id:int}",
        operation_id="getMonthlyReport",
        guards=[requires("department", "worker", "dispatcher", "supervisor", "admin")],
        summary="One monthly report",
    )
    async def one(
        self, ctx: Ctx, db: DB, principal: Caller, report_id: FromPath[int]
    ) -> MonthlyReportOut:
        return await monthly.one(db, principal, report_id=report_id, now=ctx.clock.now())

    @post(
        "/{report_id:int}/submit",
        operation_id="submitMonthlyReport",
        guards=[units],
        status_code=HTTP_200_OK,
        summary="File the unit's report (零报告 when nothing was found); late after its due time",
    )
    async def submit(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        report_id: FromPath[int],
        data: JSONBody[MonthlyReportIn],
    ) -> MonthlyReportOut:
        return await monthly.submit(
            db, principal, report_id=report_id, data=data, now=ctx.clock.now()
        )
