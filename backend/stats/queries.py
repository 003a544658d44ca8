"""SQL of statistics: one function per statement, every read limited by the caller's scope.

The figures are read from the timeline (case_events) of the cases received in a period, so
they agree with what each case's own timeline shows.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.cases.sql import Where
from backend.db.types import Connection

# One row per case received in the period: what its timeline says up to the period's end.
_LIVES = """
    SELECT c.id, c.source, c.category_code, c.department_id, c.rating,
           split_part(substr(c.region_path, {child_from}), '/', 1) AS child,
           min(e.at) FILTER (WHERE e.action = 'submit') AS received_at,
           bool_or(e.action = 'dispatch')
               AND NOT bool_or(e.action IN ('reject', 'merge')) AS registered,
           bool_or(e.action = 'reject') AS refused,
           min(e.at) FILTER (WHERE e.action = 'accept') AS accepted_at,
           min(e.at) FILTER (WHERE e.action = 'resolve') AS resolved_at,
           bool_or(e.action IN ('verify_fail', 'reopen')) AS reworked,
           bool_or(e.action = 'remind') AS overdue,
           bool_or(e.action = 'rate') AS rated,
           -- Closed or rated at the end: closed (核查通过) and not reopened since; only a
           -- reopen (返工) leads out of closed and rated.
           coalesce(max(e.at) FILTER (WHERE e.action = 'verify_pass')
                    > coalesce(max(e.at) FILTER (WHERE e.action = 'reopen'), '-infinity'),
                    false) AS closed
    FROM cases c JOIN case_events e ON e.case_id = c.id AND e.at < {end}
    WHERE {where}
    GROUP BY c.id
"""
_FIGURES = """
    SELECT grouping(child) = 0 AS by_child, grouping(category_code) = 0 AS by_category,
           grouping(source) = 0 AS by_source, grouping(department_id) = 0 AS by_department,
           child, category_code, source, department_id,
           count(*) AS received,
           count(*) FILTER (WHERE registered) AS registered,
           count(*) FILTER (WHERE refused) AS refused,
           count(*) FILTER (WHERE closed) AS closed,
           count(*) FILTER (WHERE closed AND NOT overdue) AS closed_on_time,
           count(*) FILTER (WHERE rated) AS rated,
           count(*) FILTER (WHERE rated AND rating > {satisfied_above}) AS satisfied,
           count(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved,
           count(*) FILTER (WHERE reworked) AS reworked,
           count(*) FILTER (WHERE overdue) AS overdue,
           avg(extract(epoch FROM accepted_at - received_at))::float8 AS accept_avg_s,
           percentile_cont(0.9) WITHIN GROUP (
               ORDER BY extract(epoch FROM accepted_at - received_at)) AS accept_p90_s,
           avg(extract(epoch FROM resolved_at - received_at))::float8 AS resolve_avg_s,
           percentile_cont(0.9) WITHIN GROUP (
               ORDER BY extract(epoch FROM resolved_at - received_at)) AS resolve_p90_s
    FROM lives
    GROUP BY GROUPING SETS ((), (child), (category_code), (source), (department_id))
"""


async def allow_sort_memory(conn: Connection, *, megabytes: int) -> None:
    """Let this transaction sort and hash a period's cases in memory rather than on disk."""
    await conn.execute(f"SET LOCAL work_mem = '{int(megabytes)}MB'")


async def figures(
    conn: Connection, *, where: Where, region_path: str, end: datetime, satisfied_above: int
) -> list[asyncpg.Record]:
    """Counts for the whole scope and by child region, category, source and department.

    `where` selects the cases (scope, subtree, receipt time, category); `region_path` is the
    region whose children the cases are rolled up to; events after `end` are not counted.
    """
    n = len(where.args)
    lives = _LIVES.format(child_from=f"${n + 1}", end=f"${n + 2}", where=where.sql())
    sql = f"WITH lives AS ({lives}) " + _FIGURES.format(satisfied_above=f"${n + 3}")
    rows: list[asyncpg.Record] = await conn.fetch(
        sql, *where.args, len(region_path) + 1, end, satisfied_above
    )
    return rows


async def department_names(conn: Connection, *, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Code and name of departments by id."""
    rows = await conn.fetch(
        "SELECT id, code, name FROM departments WHERE id = ANY($1::bigint[])", ids
    )
    return {row["id"]: (row["code"], row["name"]) for row in rows}


async def heat_cells(
    conn: Connection, *, where: Where, resolution: int, limit: int
) -> list[asyncpg.Record]:
    """Cases per h3 cell at `resolution` (one of the stored columns), busiest first."""
    column = f"c.h3_r{int(resolution)}"
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {column} AS cell, count(*) AS n FROM cases c WHERE {where.sql()} "
        f"GROUP BY {column} ORDER BY n DESC, {column} LIMIT {int(limit)}",
        *where.args,
    )
    return rows


async def hour_weekday(conn: Connection, *, where: Where, zone: str) -> list[asyncpg.Record]:
    """Cases `where` selects, counted by local hour (0-23) and ISO weekday (1 Monday - 7)."""
    n = len(where.args)
    local = f"(c.created_at AT TIME ZONE ${n + 1})"
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT extract(hour FROM {local})::int AS hour, "
        f"extract(isodow FROM {local})::int AS isodow, count(*) AS n "
        f"FROM cases c WHERE {where.sql()} GROUP BY 1, 2",
        *where.args,
        zone,
    )
    return rows
