"""SQL of inspections: one function per statement, every read scoped by region or author."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from backend.db.types import Connection
from backend.oversight.findings_queries import visible

INSPECTION_COLUMNS = """
    i.id, i.client_id, i.created_by, i.region_id, i.region_path, i.department_id, i.manner,
    i.plan, i.focus, i.team, i.day, i.lat, i.lng, i.note, i.created_at,
    r.code AS region_code, r.name AS region_name, d.name AS department_name
"""
INSPECTION_JOINS = """
    JOIN regions r ON r.id = i.region_id
    LEFT JOIN departments d ON d.id = i.department_id
"""
# Seen by staff whose range holds the inspected region, its author, the inspected
# department's own users, and whoever sees one of its findings (the Viewer's six arguments).
SEEN = (
    "($1::boolean OR ($2::text IS NOT NULL AND i.region_path >= $2 AND i.region_path < $3) "
    "OR i.department_id = $4::bigint OR i.created_by = $5::bigint OR EXISTS (SELECT 1 FROM "
    f"findings f WHERE f.inspection_id = i.id AND {visible(1)}))"
)


async def insert_inspection(conn: Connection, *, values: dict[str, Any]) -> int | None:
    """A new inspection; None when its author already filed this clientId."""
    columns = list(values)
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    inspection_id: int | None = await conn.fetchval(
        f"INSERT INTO inspections ({', '.join(columns)}) VALUES ({marks}) "
        "ON CONFLICT (created_by, client_id) DO NOTHING RETURNING id",
        *values.values(),
    )
    return inspection_id


async def by_client(
    conn: Connection, *, created_by: int, client_id: uuid.UUID
) -> asyncpg.Record | None:
    """The inspection this author already filed under `client_id` (id, body_hash)."""
    found: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, body_hash FROM inspections WHERE created_by = $1 AND client_id = $2",
        created_by,
        client_id,
    )
    return found


async def page(
    conn: Connection, *, seen: list[Any], before_id: int | None, limit: int
) -> list[asyncpg.Record]:
    """Inspections the caller sees, newest first, below `before_id` when given."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {INSPECTION_COLUMNS} FROM inspections i {INSPECTION_JOINS} "
        f"WHERE {SEEN} AND ($7::bigint IS NULL OR i.id < $7) ORDER BY i.id DESC LIMIT $8",
        *seen,
        before_id,
        limit,
    )
    return rows


async def one(conn: Connection, *, seen: list[Any], inspection_id: int) -> asyncpg.Record | None:
    """One inspection the caller sees."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {INSPECTION_COLUMNS} FROM inspections i {INSPECTION_JOINS} "
        f"WHERE {SEEN} AND i.id = $7",
        *seen,
        inspection_id,
    )
    return row


async def region_by_code(conn: Connection, *, code: str) -> asyncpg.Record | None:
    """A region by its code (id, code, name, path)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, code, name, path FROM regions WHERE code = $1", code
    )
    return row


async def department(conn: Connection, *, department_id: int) -> asyncpg.Record | None:
    """A department by id (id, code, name, and the path of its region)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT d.id, d.code, d.name, r.path FROM departments d "
        "JOIN regions r ON r.id = d.region_id WHERE d.id = $1",
        department_id,
    )
    return row


async def staff_member(conn: Connection, *, user_id: int) -> asyncpg.Record | None:
    """An active staff member with the path of their region (id, role, department_id, path)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT u.id, u.role, u.department_id, r.path FROM users u "
        "LEFT JOIN regions r ON r.id = u.region_id "
        "WHERE u.id = $1 AND u.role <> 'resident' AND u.disabled_at IS NULL",
        user_id,
    )
    return row


async def category_exists(conn: Connection, *, code: str) -> bool:
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM categories WHERE code = $1)", code
    )
    return found


async def subject_photos(
    conn: Connection, *, subject_kind: str, subject_ids: list[int]
) -> list[asyncpg.Record]:
    """Photos of these subjects (id, display and thumbnail keys, subject id), in order."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT m.id, m.display_key, m.thumbnail_key, m.subject_id FROM media m "
        "WHERE m.subject_kind = $1 AND m.subject_id = ANY($2::bigint[]) "
        "ORDER BY m.subject_id, m.created_at, m.id",
        subject_kind,
        subject_ids,
    )
    return rows


async def departments_in(
    conn: Connection, *, lo: str | None, hi: str | None, limit: int
) -> list[asyncpg.Record]:
    """Departments whose region lies in the range [lo, hi) (every one when lo is None)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT d.id, d.code, d.name, d.name_en, r.name AS region_name "
        "FROM departments d JOIN regions r ON r.id = d.region_id "
        "WHERE ($1::text IS NULL OR (r.path >= $1 AND r.path < $2)) "
        "ORDER BY r.path, d.name, d.id LIMIT $3",
        lo,
        hi,
        limit,
    )
    return rows
