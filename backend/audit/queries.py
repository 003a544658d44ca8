"""SQL of the audit log."""

from __future__ import annotations

from typing import Any

import asyncpg

from backend.db.types import Connection


async def insert_entry(
    conn: Connection,
    *,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: str,
    region_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one audit row; returns its id."""
    entry_id: int = await conn.fetchval(
        """
        INSERT INTO audit_log (actor_id, action, subject_type, subject_id, region_id, detail)
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
        """,
        actor_id,
        action,
        subject_type,
        subject_id,
        region_id,
        detail or {},
    )
    return entry_id


async def list_entries(
    conn: Connection, *, subject_type: str, subject_id: str
) -> list[asyncpg.Record]:
    """Every audit row of one subject, oldest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT id, at, actor_id, action, detail FROM audit_log
        WHERE subject_type = $1 AND subject_id = $2 ORDER BY at, id
        """,
        subject_type,
        subject_id,
    )
    return rows
