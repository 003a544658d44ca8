"""SQL of the daily level snapshot: the levels kept per grid and place, one per statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import asyncpg

from backend.db.types import Connection


async def day_kept(conn: Connection, *, day: date) -> bool:
    """Whether the day's grid levels are kept already.

    The snapshot keeps every grid at once, so the first grid probed answers: each probe is
    one lookup in the (region, day) index, never a scan of the whole history.
    """
    kept: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM regions r CROSS JOIN LATERAL ("
        " SELECT 1 FROM level_history h WHERE h.region_id = r.id AND h.day = $1 LIMIT 1"
        ") k WHERE r.level = 'grid')",
        day,
    )
    return kept


async def store_grid_levels(
    conn: Connection,
    *,
    day: date,
    paths: Sequence[str],
    alerts: Sequence[str],
    reports: Sequence[int],
) -> list[asyncpg.Record]:
    """Keep the day's level of these grids (by path); the grids stored now, not before."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        INSERT INTO level_history (day, region_id, alert, reports)
        SELECT $1, r.id, x.alert, x.reports
        FROM unnest($2::text[], $3::text[], $4::int[]) AS x(path, alert, reports)
        JOIN regions r ON r.path = x.path
        ON CONFLICT (region_id, day) WHERE region_id IS NOT NULL DO NOTHING
        RETURNING region_id, alert, reports
        """,
        day,
        list(paths),
        list(alerts),
        list(reports),
    )
    return rows


async def store_place_levels(
    conn: Connection,
    *,
    day: date,
    place_ids: Sequence[int],
    alerts: Sequence[str],
    reports: Sequence[int],
) -> None:
    """Keep the day's level of these places (a day already kept stays as it was)."""
    await conn.execute(
        """
        INSERT INTO level_history (day, place_id, alert, reports)
        SELECT $1, x.place_id, x.alert, x.reports
        FROM unnest($2::bigint[], $3::text[], $4::int[]) AS x(place_id, alert, reports)
        ON CONFLICT (place_id, day) WHERE place_id IS NOT NULL DO NOTHING
        """,
        day,
        list(place_ids),
        list(alerts),
        list(reports),
    )


async def levels_before(
    conn: Connection, *, region_ids: Sequence[int], day: date
) -> list[asyncpg.Record]:
    """Each region's last kept level before a day, with its path and name."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT r.id AS region_id, r.path, r.name, last.alert
        FROM regions r
        LEFT JOIN LATERAL (
            SELECT h.alert FROM level_history h
            WHERE h.region_id = r.id AND h.day < $2
            ORDER BY h.day DESC LIMIT 1
        ) last ON true
        WHERE r.id = ANY($1::bigint[])
        """,
        list(region_ids),
        day,
    )
    return rows


async def place_history(conn: Connection, *, place_id: int, since: date) -> list[asyncpg.Record]:
    """A place's kept levels from a day on, oldest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT day, alert, reports FROM level_history WHERE place_id = $1 AND day >= $2 "
        "ORDER BY day",
        place_id,
        since,
    )
    return rows
