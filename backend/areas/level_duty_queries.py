"""SQL of the duties an area's level carries: one row per area, kind and period."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from backend.db.types import Connection


async def areas_with_level_duties(conn: Connection) -> list[asyncpg.Record]:
    """Governed areas with a level and a plan: they owe their level's duties."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT a.id, a.place_id, a.region_id, a.region_path, a.name, a.level, a.state, "
        "a.baseline, a.listed_at, a.flagged_at, p.first_responsible_id, p.direct_responsible_id "
        "FROM key_areas a JOIN key_area_plans p ON p.area_id = a.id AND p.current "
        "WHERE a.state IN ('listed', 'flagged', 'extended', 'accepting') AND a.level IS NOT NULL "
        "ORDER BY a.id"
    )
    return rows


async def upsert_area_duty(
    conn: Connection, *, area_id: int, kind: str, start: date, end: date, target: int
) -> asyncpg.Record | None:
    """The period's row of a level duty (id, and whether it is new), made if missing.

    A row already there is only read: planning runs every minute and writes nothing once the
    period's rows exist. None when another planner made the row a moment ago.
    """
    row: asyncpg.Record | None = await conn.fetchrow(
        "WITH made AS ("
        " INSERT INTO key_area_duties (area_id, kind, period_start, period_end, target)"
        " SELECT $1::bigint, $2::text, $3::date, $4::date, $5::int WHERE NOT EXISTS ("
        "  SELECT 1 FROM key_area_duties WHERE area_id = $1 AND kind = $2 AND period_start = $3)"
        " ON CONFLICT (area_id, kind, period_start) DO NOTHING RETURNING id) "
        "SELECT id, true AS inserted FROM made UNION ALL "
        "SELECT id, false FROM key_area_duties WHERE area_id = $1 AND kind = $2 "
        "AND period_start = $3",
        area_id,
        kind,
        start,
        end,
        target,
    )
    return row


_DUTY_COLUMNS = (
    "d.id, d.area_id, d.kind, d.period_start, d.period_end, d.target, d.done_at, d.units, "
    "d.findings, d.recorded_by, d.recorded_at"
)


async def area_duty(conn: Connection, *, row_id: int, lock: bool = False) -> asyncpg.Record | None:
    """One level-duty row with its area's place, region and state."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_DUTY_COLUMNS}, a.place_id, a.region_id, a.state "
        "FROM key_area_duties d JOIN key_areas a ON a.id = d.area_id WHERE d.id = $1"
        + (" FOR UPDATE OF d" if lock else ""),
        row_id,
    )
    return row


async def area_duty_unless_busy(conn: Connection, *, row_id: int) -> asyncpg.Record | None:
    """One level-duty row locked, its area held against change, without waiting for anyone.

    The duty watcher holds the row's duty while it looks; an owner's record holds the area
    and the row, then ends that duty. Waiting here would close that circle, so a row or an
    area being changed raises LockNotAvailableError instead.
    """
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_DUTY_COLUMNS}, a.place_id, a.region_id, a.state "
        "FROM key_area_duties d JOIN key_areas a ON a.id = d.area_id WHERE d.id = $1 "
        "FOR UPDATE OF d NOWAIT FOR KEY SHARE OF a NOWAIT",
        row_id,
    )
    return row


async def duties_of_area(conn: Connection, *, area_id: int) -> list[asyncpg.Record]:
    """The area's level-duty rows, newest period first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {_DUTY_COLUMNS} FROM key_area_duties d WHERE d.area_id = $1 "
        "ORDER BY d.period_start DESC, d.kind LIMIT 200",
        area_id,
    )
    return rows


async def mark_duty_done(conn: Connection, *, row_id: int, at: datetime) -> None:
    """The period's duty is met."""
    await conn.execute(
        "UPDATE key_area_duties SET done_at = $2 WHERE id = $1 AND done_at IS NULL", row_id, at
    )


async def record_duty(
    conn: Connection, *, row_id: int, units: str, findings: str, user_id: int, at: datetime
) -> None:
    """The record of a sweep or a check: who took part, what was found."""
    await conn.execute(
        "UPDATE key_area_duties SET units = $2, findings = $3, recorded_by = $4, "
        "recorded_at = $5, done_at = coalesce(done_at, $5) WHERE id = $1",
        row_id,
        units,
        findings,
        user_id,
        at,
    )


async def patrol_reports(conn: Connection, *, place_id: int, start: datetime, end: datetime) -> int:
    """Patrol-source cases placed in the place and created in [start, end)."""
    count: int = await conn.fetchval(
        "SELECT count(*) FROM case_places cp JOIN cases c ON c.id = cp.case_id "
        "WHERE cp.place_id = $1 AND cp.case_created_at >= $2 AND cp.case_created_at < $3 "
        "AND c.source = 'patrol'",
        place_id,
        start,
        end,
    )
    return count


async def duty_photos(conn: Connection, *, row_ids: list[int]) -> dict[int, list[Any]]:
    """The photos of level-duty records, by row."""
    rows = await conn.fetch(
        "SELECT subject_id, id FROM media WHERE subject_kind = 'area_duty' "
        "AND subject_id = ANY($1::bigint[]) ORDER BY created_at, id",
        row_ids,
    )
    found: dict[int, list[Any]] = {}
    for row in rows:
        found.setdefault(row["subject_id"], []).append(row["id"])
    return found


async def unmet_rows(conn: Connection, *, area_id: int) -> list[int]:
    """The area's level-duty rows not yet met."""
    rows = await conn.fetch(
        "SELECT id FROM key_area_duties WHERE area_id = $1 AND done_at IS NULL ORDER BY id",
        area_id,
    )
    return [row["id"] for row in rows]
