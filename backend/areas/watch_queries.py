"""SQL of escalation, 回头看 and 一票否决: the areas the jobs look at, who is told, the standing."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from backend.db.types import Connection


async def street_areas_past(conn: Connection, *, today: date) -> list[int]:
    """Street-listed areas whose deadline has passed."""
    rows = await conn.fetch(
        "SELECT id FROM key_areas WHERE state IN ('listed', 'extended') AND tier = 'street' "
        "AND deadline < $1 ORDER BY id",
        today,
    )
    return [row["id"] for row in rows]


async def watching_areas(conn: Connection) -> list[int]:
    """Areas in 回头看."""
    rows = await conn.fetch("SELECT id FROM key_areas WHERE state = 'watching' ORDER BY id")
    return [row["id"] for row in rows]


async def insert_veto(
    conn: Connection,
    *,
    region_id: int,
    year: int,
    area_id: int,
    reason: str,
    user_id: int,
    at: datetime,
) -> None:
    """一票否决 on the region for the year."""
    await conn.execute(
        "INSERT INTO region_vetoes (region_id, year, area_id, reason, set_by, at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        region_id,
        year,
        area_id,
        reason,
        user_id,
        at,
    )


async def region_in_scope(
    conn: Connection, *, code: str, scope_path: str | None
) -> asyncpg.Record | None:
    """A region by code, only if it lies in the scope."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, code, name, path FROM regions WHERE code = $1 "
        "AND ($2::text IS NULL OR path LIKE $2 || '%')",
        code,
        scope_path,
    )
    return row


async def flagged_under(conn: Connection, *, region_path: str) -> list[asyncpg.Record]:
    """Areas under the region that carry a flag (flagged, accepting, extended)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, name, state FROM key_areas WHERE region_path LIKE $1 || '%' "
        "AND state IN ('flagged', 'accepting', 'extended') ORDER BY id",
        region_path,
    )
    return rows


async def vetoes_under(conn: Connection, *, region_path: str, year: int) -> list[asyncpg.Record]:
    """一票否决 of the year on the region or a region beneath it."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT v.id, v.area_id, v.reason, v.at, r.code AS region_code "
        "FROM region_vetoes v JOIN regions r ON r.id = v.region_id "
        "WHERE r.path LIKE $1 || '%' AND v.year = $2 ORDER BY v.at, v.id",
        region_path,
        year,
    )
    return rows


async def areas_to_watch(conn: Connection, *, today: date) -> list[int]:
    """Watched areas not yet looked at today."""
    rows = await conn.fetch(
        "SELECT id FROM key_areas WHERE state = 'watching' "
        "AND (watched_on IS NULL OR watched_on < $1) ORDER BY id",
        today,
    )
    return [row["id"] for row in rows]


async def mark_watched(conn: Connection, *, area_id: int, today: date) -> bool:
    """Note that the area is looked at today; False when it already was."""
    marked: int | None = await conn.fetchval(
        "UPDATE key_areas SET watched_on = $2 WHERE id = $1 "
        "AND (watched_on IS NULL OR watched_on < $2) RETURNING id",
        area_id,
        today,
    )
    return marked is not None


async def cancel_open_rechecks(conn: Connection, *, area_id: int) -> list[int]:
    """The area's unfinished 回头看 re-check tasks are cancelled; their ids."""
    rows = await conn.fetch(
        "UPDATE key_area_tasks SET state = 'cancelled' WHERE area_id = $1 AND kind = 'recheck' "
        "AND state IN ('open', 'accepted') RETURNING id",
        area_id,
    )
    return [row["id"] for row in rows]
