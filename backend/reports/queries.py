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


# The cases a user's own reports were merged into (合并), however many merges up.
_MERGED_INTO = """
    merged_into (id, duplicate_id) AS (
        SELECT master_case_id, id FROM cases WHERE reporter_id = $1 AND master_case_id IS NOT NULL
        UNION
        SELECT c.master_case_id, m.duplicate_id FROM cases c JOIN merged_into m ON c.id = m.id
        WHERE c.master_case_id IS NOT NULL
    )
"""


async def list_for_reader(
    conn: Connection, *, user_id: int, before: tuple[datetime, int] | None, limit: int
) -> list[asyncpg.Record]:
    """我的上报: the cases a user reported, and the non-confidential ones they had merged into
    another or follow, newest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        WITH RECURSIVE {_MERGED_INTO},
        mine (case_id) AS (
            SELECT id FROM cases WHERE reporter_id = $1
            UNION SELECT id FROM merged_into
            UNION SELECT case_id FROM case_followers WHERE user_id = $1
        )
        SELECT c.id, c.tracking_no, c.status, c.category_code, c.description, c.created_at,
               CASE WHEN c.reporter_id = $1 THEN 'own'
                    WHEN c.id IN (SELECT id FROM merged_into) THEN 'merged'
                    ELSE 'following' END AS relation,
               (SELECT m.thumbnail_key FROM media m WHERE m.case_id = c.id AND m.purpose = 'report'
                ORDER BY m.position LIMIT 1) AS thumbnail_key
        FROM mine JOIN cases c ON c.id = mine.case_id
        WHERE (c.reporter_id = $1 OR NOT c.confidential)
          AND ($2::timestamptz IS NULL OR (c.created_at, c.id) < ($2, $3))
        ORDER BY c.created_at DESC, c.id DESC LIMIT $4
        """,
        user_id,
        before[0] if before else None,
        before[1] if before else None,
        limit,
    )
    return rows


async def get_for_reader(conn: Connection, *, case_id: int, user_id: int) -> asyncpg.Record | None:
    """One case as a user may read it: reported, or merged into or followed by them while it is
    not confidential; with how they stand to it and their own rating of it (a merged
    reporter's sits on their duplicate)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""
        WITH RECURSIVE {_MERGED_INTO}
        SELECT {_CASE_COLUMNS}, c.master_case_id, c.closed_at,
               CASE WHEN c.reporter_id = $1 THEN 'own'
                    WHEN d.id IS NOT NULL THEN 'merged'
                    ELSE 'following' END AS relation,
               d.id AS duplicate_id,
               CASE WHEN c.reporter_id = $1 THEN c.rating ELSE d.rating END AS my_rating,
               CASE WHEN c.reporter_id = $1 THEN c.rated_at ELSE d.rated_at END AS my_rated_at
        FROM cases c JOIN regions r ON r.id = c.region_id
        LEFT JOIN LATERAL (
            SELECT dc.id, dc.rating, dc.rated_at FROM merged_into mi
            JOIN cases dc ON dc.id = mi.duplicate_id
            WHERE mi.id = c.id ORDER BY dc.id LIMIT 1
        ) d ON true
        WHERE c.id = $2 AND (
            c.reporter_id = $1
            OR NOT c.confidential AND (
                d.id IS NOT NULL
                OR EXISTS (
                    SELECT 1 FROM case_followers f WHERE f.case_id = c.id AND f.user_id = $1
                )
            )
        )
        """,
        user_id,
        case_id,
    )
    return row


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
    """An open, non-confidential case, with its category (which decides who may follow it)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, region_id, reporter_id, category_code FROM cases "
        "WHERE id = $1 AND status = ANY($2::text[]) AND NOT confidential",
        case_id,
        _OPEN,
    )
    return row


async def rate(
    conn: Connection, *, case_id: int, reporter_id: int, score: int, comment: str, at: datetime
) -> asyncpg.Record | None:
    """Record the reporter's rating of a closed case, once per closing (a rework that closes
    again may be rated again); None when that is not possible."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        UPDATE cases SET rating = $3, rating_comment = $4, rated_at = $5, status = 'rated',
                         version = version + 1, updated_at = $5
        WHERE id = $1 AND reporter_id = $2 AND status = 'closed'
          AND (rated_at IS NULL OR rated_at < closed_at)
        RETURNING id, region_id, closed_at
        """,
        case_id,
        reporter_id,
        score,
        comment,
        at,
    )
    return row


async def rate_as_merged(
    conn: Connection,
    *,
    duplicate_id: int,
    master_id: int,
    reporter_id: int,
    score: int,
    comment: str,
    at: datetime,
) -> asyncpg.Record | None:
    """A merged reporter's rating of the master, kept on their own duplicate: once per closing
    of the master; None when the master is not closed or this closing is already rated."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        UPDATE cases d SET rating = $4, rating_comment = $5, rated_at = $6,
                           version = d.version + 1, updated_at = $6
        FROM cases m
        WHERE d.id = $1 AND d.reporter_id = $3 AND d.status = 'merged'
          AND m.id = $2 AND m.status IN ('closed', 'rated') AND m.closed_at IS NOT NULL
          AND (d.rated_at IS NULL OR d.rated_at < m.closed_at)
        RETURNING d.id, d.region_id
        """,
        duplicate_id,
        master_id,
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
