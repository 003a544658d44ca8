"""SQL of what a place counts: its valid cases in a window of time, one function per statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from backend.db.types import Connection
from backend.places.queries import VALID


async def reports_in_window(
    conn: Connection,
    *,
    place_id: int,
    start: datetime,
    end: datetime,
    source: str | None,
    confidential: bool,
) -> list[asyncpg.Record]:
    """Valid cases of a place created in [start, end), confidential ones only when
    `confidential`, oldest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT c.category_code, c.created_at, c.status, c.rating, c.source
        FROM case_places cp JOIN cases c ON c.id = cp.case_id
        WHERE cp.place_id = $1 AND cp.case_created_at >= $2 AND cp.case_created_at < $3
          AND {VALID} AND ($4::text IS NULL OR c.source = $4) AND ($5 OR NOT c.confidential)
        ORDER BY cp.case_created_at, c.id
        """,
        place_id,
        start,
        end,
        source,
        confidential,
    )
    return rows


async def count_in_window(
    conn: Connection,
    *,
    place_id: int,
    start: datetime,
    end: datetime,
    source: str | None,
    confidential: bool,
) -> int:
    """How many valid cases of a place were created in [start, end), confidential ones only
    when `confidential`."""
    count: int = await conn.fetchval(
        f"""
        SELECT count(*) FROM case_places cp JOIN cases c ON c.id = cp.case_id
        WHERE cp.place_id = $1 AND cp.case_created_at >= $2 AND cp.case_created_at < $3
          AND {VALID} AND ($4::text IS NULL OR c.source = $4) AND ($5 OR NOT c.confidential)
        """,
        place_id,
        start,
        end,
        source,
        confidential,
    )
    return count


async def tallies(
    conn: Connection, *, place_ids: Sequence[int], since: datetime, split: datetime, until: datetime
) -> list[asyncpg.Record]:
    """Valid cases per place in (since, split] (previous) and (split, until] (current)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT cp.place_id,
               count(*) FILTER (WHERE cp.case_created_at > $3) AS current,
               count(*) FILTER (WHERE cp.case_created_at <= $3) AS previous
        FROM case_places cp JOIN cases c ON c.id = cp.case_id
        WHERE cp.place_id = ANY($1::bigint[])
          AND cp.case_created_at > $2 AND cp.case_created_at <= $4 AND {VALID}
        GROUP BY cp.place_id
        """,
        list(place_ids),
        since,
        split,
        until,
    )
    return rows
