"""SQL of exports: server-side cursors over a scoped case list, so no export holds it all."""

from __future__ import annotations

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
