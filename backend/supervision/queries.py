"""SQL of 挂牌督办: one function per statement, reads limited to a region range [lo, hi)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from backend.db.types import Connection

_FLAG_COLUMNS = """
    f.id, f.reason, f.deadline, f.flagged_at, f.lifted_at, f.lift_reason, f.lift_path,
    f.lift_measure, r.id AS region_id, r.code AS region_code, r.name AS region_name,
    r.path AS region_path
"""
_REGION_IN_RANGE = "({lo}::text IS NULL OR (r.path >= {lo} AND r.path < {hi}))"


async def region_in_scope(
    conn: Connection, *, code: str, lo: str | None, hi: str | None
) -> asyncpg.Record | None:
    """A region by code, only if it lies in the range."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT r.id, r.code, r.name, r.path FROM regions r "
        f"WHERE r.code = $1 AND {_REGION_IN_RANGE.format(lo='$2', hi='$3')}",
        code,
        lo,
        hi,
    )
    return row


async def insert_flag(
    conn: Connection, *, region_id: int, reason: str, deadline: date, user_id: int, at: datetime
) -> int | None:
    """挂牌; None when the region already has an active flag."""
    flag_id: int | None = await conn.fetchval(
        """
        INSERT INTO region_flags (region_id, reason, deadline, flagged_by, flagged_at)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (region_id) WHERE lifted_at IS NULL DO NOTHING
        RETURNING id
        """,
        region_id,
        reason,
        deadline,
        user_id,
        at,
    )
    return flag_id


async def flag_in_scope(
    conn: Connection, *, flag_id: int, lo: str | None, hi: str | None, lock: bool = False
) -> asyncpg.Record | None:
    """One flag, only if its region lies in the range."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_FLAG_COLUMNS} FROM region_flags f JOIN regions r ON r.id = f.region_id "
        f"WHERE f.id = $1 AND {_REGION_IN_RANGE.format(lo='$2', hi='$3')}"
        + (" FOR UPDATE OF f" if lock else ""),
        flag_id,
        lo,
        hi,
    )
    return row


async def flags_of_region(
    conn: Connection, *, region_id: int, lo: str | None, hi: str | None
) -> list[asyncpg.Record]:
    """Every flag a region in the range has had, newest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {_FLAG_COLUMNS} FROM region_flags f JOIN regions r ON r.id = f.region_id "
        f"WHERE f.region_id = $1 AND {_REGION_IN_RANGE.format(lo='$2', hi='$3')} "
        "ORDER BY f.flagged_at DESC, f.id DESC",
        region_id,
        lo,
        hi,
    )
    return rows


async def flags_in_scope(
    conn: Connection, *, lo: str | None, hi: str | None, active: bool | None
) -> list[asyncpg.Record]:
    """Flags on regions in the range (active, lifted or both), newest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {_FLAG_COLUMNS} FROM region_flags f JOIN regions r ON r.id = f.region_id "
        f"WHERE {_REGION_IN_RANGE.format(lo='$1', hi='$2')} "
        "AND ($3::boolean IS NULL OR (f.lifted_at IS NULL) = $3) "
        "ORDER BY f.flagged_at DESC, f.id DESC LIMIT 1000",
        lo,
        hi,
        active,
    )
    return rows


async def active_flags_on(conn: Connection, *, paths: list[str]) -> list[asyncpg.Record]:
    """The active flags of the regions with these paths (equality: one index probe each)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {_FLAG_COLUMNS} FROM regions r "
        "JOIN region_flags f ON f.region_id = r.id AND f.lifted_at IS NULL "
        "WHERE r.path = ANY($1::text[])",
        paths,
    )
    return rows


async def lift_flag(
    conn: Connection,
    *,
    flag_id: int,
    user_id: int,
    at: datetime,
    reason: str,
    path: str,
    measure: dict[str, Any],
) -> bool:
    """摘牌, once: False when the flag was already lifted."""
    status: str = await conn.execute(
        """
        UPDATE region_flags
        SET lifted_by = $2, lifted_at = $3, lift_reason = $4, lift_path = $5, lift_measure = $6
        WHERE id = $1 AND lifted_at IS NULL
        """,
        flag_id,
        user_id,
        at,
        reason,
        path,
        measure,
    )
    return status.endswith(" 1")


async def ratings_since(
    conn: Connection,
    *,
    lo: str,
    hi: str,
    since: datetime,
    until: datetime,
    satisfied_at_or_above: int,
) -> asyncpg.Record:
    """Cases of the subtree rated in [since, until], and how many of them were satisfied."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        SELECT count(*) AS rated, count(*) FILTER (WHERE c.rating >= $5) AS satisfied
        FROM cases c
        WHERE c.rating IS NOT NULL AND c.rated_at >= $3 AND c.rated_at <= $4
          AND c.region_path >= $1 AND c.region_path < $2
        """,
        lo,
        hi,
        since,
        until,
        satisfied_at_or_above,
    )
    assert row is not None  # an aggregate always yields a row
    return row
