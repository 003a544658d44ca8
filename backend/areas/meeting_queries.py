"""SQL of 研判会 and 联席会议: one function per statement, reads limited to a region range."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from backend.areas.queries import in_range
from backend.db.types import Connection

MEETING_COLUMNS = """
    m.id, m.region_id, m.region_path, m.kind, m.held_on, m.units, m.notes, m.created_by,
    m.created_at, r.code AS region_code, r.name AS region_name
"""


async def insert_meeting(
    conn: Connection,
    *,
    region: asyncpg.Record,
    kind: str,
    held_on: date,
    units: list[str],
    notes: str,
    created_by: int,
    now: datetime,
) -> int:
    meeting_id: int = await conn.fetchval(
        """
        INSERT INTO key_area_meetings (region_id, region_path, kind, held_on, units, notes,
                                       created_by, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
        """,
        region["id"],
        region["path"],
        kind,
        held_on,
        units,
        notes,
        created_by,
        now,
    )
    return meeting_id


async def insert_decision(
    conn: Connection,
    *,
    meeting_id: int,
    area_id: int,
    decision: str,
    level: str | None,
    reason: str,
) -> None:
    await conn.execute(
        "INSERT INTO key_area_decisions (meeting_id, area_id, decision, level, reason) "
        "VALUES ($1, $2, $3, $4, $5)",
        meeting_id,
        area_id,
        decision,
        level,
        reason,
    )


async def meetings_in_range(
    conn: Connection, *, lo: str | None, hi: str | None, limit: int
) -> list[asyncpg.Record]:
    """Meetings held in the range, latest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {MEETING_COLUMNS} FROM key_area_meetings m JOIN regions r ON r.id = m.region_id "
        f"WHERE {in_range('m.region_path', '$1', '$2')} "
        f"ORDER BY m.held_on DESC, m.id DESC LIMIT {int(limit)}",
        lo,
        hi,
    )
    return rows


async def meeting_in_range(
    conn: Connection, *, meeting_id: int, lo: str | None, hi: str | None
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {MEETING_COLUMNS} FROM key_area_meetings m JOIN regions r ON r.id = m.region_id "
        f"WHERE m.id = $1 AND {in_range('m.region_path', '$2', '$3')}",
        meeting_id,
        lo,
        hi,
    )
    return row


async def decisions_of(conn: Connection, *, meeting_ids: list[int]) -> list[asyncpg.Record]:
    """The decisions of these meetings, with each area's name, type, region and place."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT d.meeting_id, d.area_id, d.decision, d.level, d.reason, k.name, k.area_type,
               k.problems, k.place_id, r.name AS region_name
        FROM key_area_decisions d JOIN key_areas k ON k.id = d.area_id
        JOIN regions r ON r.id = k.region_id
        WHERE d.meeting_id = ANY($1::bigint[]) ORDER BY d.meeting_id, d.area_id
        """,
        meeting_ids,
    )
    return rows


async def linked_count(conn: Connection, *, place_id: int, confidential: bool) -> int:
    """How many cases are placed in or linked to a place, confidential ones only when the
    reader's scope sees them (`confidential`)."""
    count: int = await conn.fetchval(
        "SELECT count(*) FROM case_places cp JOIN cases c ON c.id = cp.case_id "
        "WHERE cp.place_id = $1 AND ($2 OR NOT c.confidential)",
        place_id,
        confidential,
    )
    return count


async def category_names(conn: Connection, *, codes: list[str]) -> dict[str, str]:
    rows = await conn.fetch("SELECT code, name FROM categories WHERE code = ANY($1::text[])", codes)
    return {row["code"]: row["name"] for row in rows}
