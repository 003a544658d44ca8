"""SQL of report intake and the reporter's side: one function per statement."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import asyncpg

from backend.cases.rules import OPEN
from backend.db.types import Connection

_OPEN = sorted(OPEN)
_CASE_COLUMNS = """
    c.id, c.tracking_no, c.reporter_id, c.body_hash, c.status, c.category_code, c.description,
    c.lat, c.lng, c.address, c.anonymous, c.region_id, c.created_at, c.accept_due_at,
    c.resolve_due_at, c.verify_due_at, c.rating, r.code AS region_code, r.name AS region_name,
    r.level AS region_level
"""


async def next_tracking_number(conn: Connection, *, day: date) -> int:
    """Count one more report on a local day (its own statement: no lock held afterwards)."""
    number: int = await conn.fetchval(
        """
        INSERT INTO tracking_days AS t (day, last_number) VALUES ($1, 1)
        ON CONFLICT (day) DO UPDATE SET last_number = t.last_number + 1
        RETURNING last_number
        """,
        day,
    )
    return number


async def insert_case(conn: Connection, *, values: dict[str, Any]) -> int | None:
    """Create a case; None when this reporter already sent this clientId."""
    columns = list(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    case_id: int | None = await conn.fetchval(
        f"INSERT INTO cases ({', '.join(columns)}) VALUES ({placeholders}) "
        "ON CONFLICT (reporter_id, client_id) DO NOTHING RETURNING id",
        *values.values(),
    )
    return case_id


async def get_by_client_id(
    conn: Connection, *, reporter_id: int, client_id: uuid.UUID
) -> asyncpg.Record | None:
    """The case a reporter already created with this clientId."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""
        SELECT {_CASE_COLUMNS} FROM cases c JOIN regions r ON r.id = c.region_id
        WHERE c.reporter_id = $1 AND c.client_id = $2
        """,
        reporter_id,
        client_id,
    )
    return row


async def get_for_reporter(
    conn: Connection, *, case_id: int, reporter_id: int
) -> asyncpg.Record | None:
    """One case, only if this user reported it."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""
        SELECT {_CASE_COLUMNS} FROM cases c JOIN regions r ON r.id = c.region_id
        WHERE c.id = $1 AND c.reporter_id = $2
        """,
        case_id,
        reporter_id,
    )
    return row


async def recent_reports(conn: Connection, *, reporter_id: int, since: datetime) -> asyncpg.Record:
    """How many reports a user sent since a moment, and the oldest of them."""
    row = await conn.fetchrow(
        "SELECT count(*) AS count, min(created_at) AS oldest FROM cases "
        "WHERE reporter_id = $1 AND created_at > $2",
        reporter_id,
        since,
    )
    assert row is not None  # an aggregate always yields a row
    return row


async def list_for_reporter(
    conn: Connection, *, reporter_id: int, before: tuple[datetime, int] | None, limit: int
) -> list[asyncpg.Record]:
    """A reporter's cases, newest first, from a keyset cursor."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT c.id, c.tracking_no, c.status, c.category_code, c.description, c.created_at,
               (SELECT m.thumbnail_key FROM media m WHERE m.case_id = c.id AND m.purpose = 'report'
                ORDER BY m.position LIMIT 1) AS thumbnail_key
        FROM cases c
        WHERE c.reporter_id = $1 AND ($2::timestamptz IS NULL OR (c.created_at, c.id) < ($2, $3))
        ORDER BY c.created_at DESC, c.id DESC LIMIT $4
        """,
        reporter_id,
        before[0] if before else None,
        before[1] if before else None,
        limit,
    )
    return rows


async def nearby_open(
    conn: Connection, *, category: str, cells: list[int], exclude_id: int | None
) -> list[asyncpg.Record]:
    """Open, non-confidential cases of a category in the given resolution-9 cells."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT c.id, c.tracking_no, c.category_code, c.status, c.description, c.lat, c.lng,
               c.created_at,
               (SELECT m.thumbnail_key FROM media m WHERE m.case_id = c.id AND m.purpose = 'report'
                ORDER BY m.position LIMIT 1) AS thumbnail_key
        FROM cases c
        WHERE c.category_code = $1 AND c.h3_r9 = ANY($2::bigint[])
          AND c.status = ANY($4::text[]) AND NOT c.confidential
          AND c.id IS DISTINCT FROM $3
        ORDER BY c.created_at DESC LIMIT 200
        """,
        category,
        cells,
        exclude_id,
        _OPEN,
    )
    return rows


async def get_open_public(conn: Connection, *, case_id: int) -> asyncpg.Record | None:
    """An open, non-confidential case anyone may follow."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, region_id, reporter_id FROM cases "
        "WHERE id = $1 AND status = ANY($2::text[]) AND NOT confidential",
        case_id,
        _OPEN,
    )
    return row


async def rate(
    conn: Connection, *, case_id: int, reporter_id: int, score: int, comment: str, at: datetime
) -> asyncpg.Record | None:
    """Record the reporter's rating of a closed case, once; None when that is not possible."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        UPDATE cases SET rating = $3, rating_comment = $4, rated_at = $5, status = 'rated',
                         version = version + 1, updated_at = $5
        WHERE id = $1 AND reporter_id = $2 AND status = 'closed' AND rating IS NULL
        RETURNING id, region_id, closed_at
        """,
        case_id,
        reporter_id,
        score,
        comment,
        at,
    )
    return row


async def points_of(conn: Connection, *, user_id: int) -> list[asyncpg.Record]:
    """A user's points ledger, newest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT c.tracking_no, p.points, p.reason, p.at FROM points_ledger p "
        "JOIN cases c ON c.id = p.case_id WHERE p.user_id = $1 ORDER BY p.at DESC, p.id DESC",
        user_id,
    )
    return rows
