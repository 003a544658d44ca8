"""HTTP handlers of grid workers' performance: supervisors see their workers, a worker themself."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from backend.oversight import performance
from backend.oversight.performance_schemas import PerformanceOut
from backend.stats import rules as periods
from backend.web.auth import requires
from backend.web.context import AppContext
from backend.web.deps import DB, Caller, Ctx

Text = Annotated[str | None, QueryParameter(max_length=40)]
From = Annotated[str | None, QueryParameter(name="from", max_length=40)]


def _period(
    ctx: AppContext, period: str | None, first: str | None, last: str | None
) -> periods.Period:
    zone = ctx.settings.timezone
    today = periods.local_today(ctx.clock.now(), zone=zone)
    return periods.period_of(period, first, last, zone=zone, today=today)


class PerformanceController(Controller):
    path = "/api/v1/performance"
    tags = ("oversight",)

    @get(
        "/workers",
        operation_id="workerPerformance",
        guards=[requires("supervisor", "admin")],
        summary="网格员绩效: the grid workers in scope over a period (default this month)",
    )
    async def workers(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        period: Text = None,
        from_: From = None,
        to: Text = None,
    ) -> PerformanceOut:
        return await performance.of_workers(
            db, principal, period=_period(ctx, period, from_, to), now=ctx.clock.now()
        )

    @get(
        "/mine",
        operation_id="myPerformance",
        guards=[requires("worker")],
        summary="The calling grid worker's own performance over a period (default this month)",
    )
    async def mine(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        period: Text = None,
        from_: From = None,
        to: Text = None,
    ) -> PerformanceOut:
        return await performance.mine(
            db, principal, period=_period(ctx, period, from_, to), now=ctx.clock.now()
        )
