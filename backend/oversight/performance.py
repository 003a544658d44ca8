"""Grid workers' performance (网格员绩效): cases handled, on time, rework, ratings, patrol
reports and duties, per worker over a period — the basis on which pay follows performance.

A worker sees only their own record; supervisors and admins see the workers in their scope.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.accounts.rules import Principal
from backend.cases.service import scope_for
from backend.db.types import Connection
from backend.errors import Forbidden
from backend.oversight import performance_queries as queries
from backend.oversight.performance_schemas import PerformanceOut, WorkerPerformanceOut
from backend.regions.paths import subtree_bounds
from backend.stats.rules import SATISFIED_ABOVE, Period, rate
from backend.stats.schemas import PeriodOut, RegionRefOut

WORKERS_LIMIT = 5000

ONLY_WORKERS = Forbidden(
    "oversight.performance_own_only",
    "只有网格员本人可以查看自己的绩效",
    "Only a grid worker may read their own performance",
)


async def of_workers(
    conn: Connection, principal: Principal, *, period: Period, now: datetime
) -> PerformanceOut:
    """The grid workers in the caller's scope, each with their figures for the period."""
    scope = scope_for(principal)
    if scope.everything:
        lo, hi = None, None
    elif scope.path is not None:
        lo, hi = subtree_bounds(scope.path)
    else:  # a department governs no region: no grid workers
        lo, hi = "", ""
    rows = await queries.workers(
        conn,
        scope_lo=lo,
        scope_hi=hi,
        user_id=None,
        active_since=period.start,
        limit=WORKERS_LIMIT + 1,
    )
    out = await _performance(conn, rows[:WORKERS_LIMIT], period=period, now=now)
    out.truncated = len(rows) > WORKERS_LIMIT
    return out


async def mine(
    conn: Connection, principal: Principal, *, period: Period, now: datetime
) -> PerformanceOut:
    """The calling grid worker's own figures for the period."""
    if principal.role != "worker":
        raise ONLY_WORKERS
    rows = await queries.workers(
        conn,
        scope_lo=None,
        scope_hi=None,
        user_id=principal.user_id,
        active_since=period.start,
        limit=1,
    )
    return await _performance(conn, rows, period=period, now=now)


async def _performance(
    conn: Connection, workers: list[asyncpg.Record], *, period: Period, now: datetime
) -> PerformanceOut:
    ids = [row["id"] for row in workers]
    cases = {
        row["user_id"]: row
        for row in await queries.handled_cases(
            conn, user_ids=ids, start=period.start, end=period.end, satisfied_above=SATISFIED_ABOVE
        )
    }
    patrols = await queries.patrol_reports(conn, user_ids=ids, start=period.start, end=period.end)
    owed = {
        row["user_id"]: row
        for row in await queries.duties(
            conn, user_ids=ids, start=period.start, end=period.end, now=now
        )
    }
    return PerformanceOut(
        period=PeriodOut(
            kind=period.kind, label=period.label, from_=period.first_day, to=period.last_day
        ),
        workers=[
            _row(row, cases.get(row["id"]), patrols.get(row["id"], 0), owed.get(row["id"]))
            for row in workers
        ],
    )


def _row(
    worker: asyncpg.Record,
    cases: asyncpg.Record | None,
    patrols: int,
    duties: asyncpg.Record | None,
) -> WorkerPerformanceOut:
    handled = cases["handled"] if cases else 0
    on_time = cases["on_time"] if cases else 0
    reworked = cases["reworked"] if cases else 0
    rated = cases["rated"] if cases else 0
    satisfied = cases["satisfied"] if cases else 0
    average = cases["rating_avg"] if cases else None
    region = None
    if worker["region_code"] is not None:
        region = RegionRefOut(code=worker["region_code"], name=worker["region_name"])
    return WorkerPerformanceOut(
        user_id=worker["id"],
        name=worker["name"],
        region=region,
        handled=handled,
        on_time=on_time,
        on_time_rate=rate(on_time, handled),
        reworked=reworked,
        rework_rate=rate(reworked, handled),
        rated=rated,
        rating_avg=None if average is None else round(average, 2),
        satisfaction_rate=rate(satisfied, rated),
        patrol_reports=patrols,
        duties_done=duties["done"] if duties else 0,
        duties_overdue=duties["overdue"] if duties else 0,
    )
