"""SQL of exports: server-side cursors over a scoped case list, so no export holds it all;
the key areas a workbook lists."""

from __future__ import annotations

from datetime import datetime

import asyncpg
from asyncpg.cursor import Cursor

from backend.cases.sql import Where
from backend.db.types import Connection

_COLUMNS = """
    c.id, c.tracking_no, k.name AS category_name, c.status, c.region_id, r.code AS region_code,
    r.name AS region_name, a.name AS assigned_name, d.name AS department_name, c.source,
    c.priority, c.created_at, c.due_at, c.overdue, c.closed_at, c.rating, c.reworks,
    c.description
"""
_JOINS = """
    JOIN categories k ON k.code = c.category_code
    JOIN regions r ON r.id = c.region_id
    LEFT JOIN regions a ON a.id = c.assigned_region_id
    LEFT JOIN departments d ON d.id = c.department_id
"""


async def open_cases(conn: Connection, *, where: Where) -> Cursor[asyncpg.Record]:
    """The cases `where` selects, in order of arrival (inside a transaction)."""
    cursor: Cursor[asyncpg.Record] = await conn.cursor(
        f"SELECT {_COLUMNS} FROM cases c {_JOINS} WHERE {where.sql()} ORDER BY c.id",
        *where.args,
    )
    return cursor


async def open_cases_with_reporters(conn: Connection, *, where: Where) -> Cursor[asyncpg.Record]:
    """The same cases with their reporters' nicknames and phones (for a recorded reveal)."""
    cursor: Cursor[asyncpg.Record] = await conn.cursor(
        f"SELECT {_COLUMNS}, c.anonymous, u.nickname, u.phone FROM cases c {_JOINS} "
        f"JOIN users u ON u.id = c.reporter_id WHERE {where.sql()} ORDER BY c.id",
        *where.args,
    )
    return cursor


async def areas_governed_in(
    conn: Connection,
    *,
    scope_path: str | None,
    region_code: str | None,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[asyncpg.Record]:
    """Areas in scope (and under the region) listed or flagged in [start, end), with their
    current plan's tasks: how many, done, open past their due time. Oldest listing first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT k.id, k.name, k.area_type, k.level, k.state, k.deadline, r.name AS region_name, "
        "coalesce(t.tasks, 0) AS tasks, coalesce(t.done, 0) AS done, "
        "coalesce(t.overdue, 0) AS tasks_overdue "
        "FROM key_areas k JOIN regions r ON r.id = k.region_id "
        "LEFT JOIN LATERAL (SELECT count(*)::int AS tasks, "
        " count(*) FILTER (WHERE t.state = 'done')::int AS done, "
        " count(*) FILTER (WHERE t.state IN ('open', 'accepted') AND t.due_at <= $5)::int "
        " AS overdue "
        " FROM key_area_tasks t JOIN key_area_plans pl ON pl.id = t.plan_id AND pl.current "
        " WHERE t.area_id = k.id AND t.state <> 'cancelled') t ON TRUE "
        "WHERE ($1::text IS NULL OR k.region_path LIKE $1 || '%') "
        "AND ($2::text IS NULL OR k.region_path LIKE "
        " (SELECT g.path FROM regions g WHERE g.code = $2) || '%') "
        "AND coalesce(k.flagged_at, k.listed_at) >= $3 "
        "AND coalesce(k.flagged_at, k.listed_at) < $4 "
        "ORDER BY coalesce(k.flagged_at, k.listed_at), k.id",
        scope_path,
        region_code,
        start,
        end,
        now,
    )
    return rows
