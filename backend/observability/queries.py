"""The database figures /metrics shows: one statement each, city-wide counts with no names.

These are operators' aggregates, not a caller's view of cases, so they carry no region scope;
they return counts and ages only, never a row's content.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.db.types import Connection


async def open_cases(conn: Connection, *, now: datetime) -> list[asyncpg.Record]:
    """Open cases and how many of them are past their step's deadline, by status."""
    # Only open cases are read, through the open-queue partial index (its key and included
    # columns are all this needs): the cost follows the queue, not the years of closed cases.
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT status, count(*) AS open,
               count(*) FILTER (WHERE coalesce(due_at, 'infinity'::timestamptz) < $1) AS overdue
        FROM cases
        WHERE status IN ('submitted', 'dispatched', 'accepted', 'resolved')
        GROUP BY status
        """,
        now,
    )
    return rows


async def outbox_backlog(conn: Connection, *, now: datetime) -> asyncpg.Record:
    """Undelivered notifications: how many, the oldest one's creation, the earliest now due."""
    # An aggregate without GROUP BY always returns its one row.
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        SELECT count(*) AS pending,
               min(created_at) AS oldest_created,
               min(next_attempt_at) FILTER (WHERE next_attempt_at <= $1) AS oldest_due
        FROM outbox
        WHERE state = 'pending'
        """,
        now,
    )
    assert row is not None
    return row
