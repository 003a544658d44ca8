"""SQL of places and the cases placed in them: one function per statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from backend.db.types import Connection

# Valid: neither rejected (不予受理) nor merged into another case, as the hotspot levels count.
VALID = "c.status NOT IN ('rejected', 'merged')"


async def insert_place(
    conn: Connection,
    *,
    kind: str,
    region_id: int,
    region_path: str,
    covers_region_id: int | None,
    covers_path: str | None,
    geometry: dict[str, Any] | None,
    at: datetime,
) -> int:
    """Store a place; its id."""
    place_id: int = await conn.fetchval(
        """
        INSERT INTO places (kind, region_id, region_path, covers_region_id, covers_path,
                            geometry, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
        """,
        kind,
        region_id,
        region_path,
        covers_region_id,
        covers_path,
        geometry,
        at,
    )
    return place_id


async def deactivate(conn: Connection, *, place_id: int) -> bool:
    """Stop routing cases into a place; False when it was not active."""
    status: str = await conn.execute(
        "UPDATE places SET active = false WHERE id = $1 AND active", place_id
    )
    return status.endswith(" 1")


async def get_place(conn: Connection, *, place_id: int) -> asyncpg.Record | None:
    """One place, with the current path of the region it covers."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        SELECT p.id, p.kind, p.region_id, p.region_path, p.covers_region_id,
               coalesce(r.path, p.covers_path) AS covers_path, p.geometry, p.active
        FROM places p LEFT JOIN regions r ON r.id = p.covers_region_id
        WHERE p.id = $1
        """,
        place_id,
    )
    return row


async def active_places(conn: Connection) -> list[asyncpg.Record]:
    """Every active place, with the current path of the region it covers (few: no paging)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT p.id, p.kind, coalesce(r.path, p.covers_path) AS covers_path,
               p.geometry IS NOT NULL AS drawn
        FROM places p LEFT JOIN regions r ON r.id = p.covers_region_id
        WHERE p.active
        """
    )
    return rows


async def active_places_since(conn: Connection, *, since: datetime) -> list[asyncpg.Record]:
    """The active places created since a moment, with their outline or current covered path."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT p.id, p.geometry, coalesce(r.path, p.covers_path) AS covers_path
        FROM places p LEFT JOIN regions r ON r.id = p.covers_region_id
        WHERE p.active AND p.created_at >= $1
        ORDER BY p.id
        """,
        since,
    )
    return rows


async def active_covering(conn: Connection, *, kind: str, covers_region_id: int) -> int | None:
    """The active place of this kind that is this region."""
    place_id: int | None = await conn.fetchval(
        "SELECT id FROM places WHERE active AND kind = $1 AND covers_region_id = $2 "
        "ORDER BY id LIMIT 1",
        kind,
        covers_region_id,
    )
    return place_id


async def active_drawn(conn: Connection, *, kind: str) -> list[asyncpg.Record]:
    """The active drawn places of a kind, with their outlines."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, geometry FROM places WHERE active AND kind = $1 AND geometry IS NOT NULL "
        "ORDER BY id",
        kind,
    )
    return rows


async def cases_in_cells(conn: Connection, *, cells: Sequence[int]) -> list[asyncpg.Record]:
    """Valid cases whose position lies in one of these H3 cells (resolution 9)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT c.id, c.lat, c.lng FROM cases c WHERE c.h3_r9 = ANY($1::bigint[]) AND {VALID}",
        list(cells),
    )
    return rows


async def place_cases(conn: Connection, *, place_id: int, case_ids: Sequence[int], how: str) -> int:
    """Put these cases in a place (each once); how many were new to it."""
    status: str = await conn.execute(
        """
        INSERT INTO case_places (place_id, case_id, case_created_at, how)
        SELECT $1, c.id, c.created_at, $3 FROM cases c WHERE c.id = ANY($2::bigint[])
        ON CONFLICT (place_id, case_id) DO NOTHING
        """,
        place_id,
        list(case_ids),
        how,
    )
    return int(status.split()[-1])


async def place_cases_in_scope(
    conn: Connection,
    *,
    place_id: int,
    case_ids: Sequence[int],
    lo: str,
    hi: str,
    confidential: bool,
    how: str,
) -> int:
    """Put those of these cases that lie in the path range [lo, hi) in a place, confidential
    ones only when `confidential`; how many."""
    status: str = await conn.execute(
        """
        INSERT INTO case_places (place_id, case_id, case_created_at, how)
        SELECT $1, c.id, c.created_at, $5 FROM cases c
        WHERE c.id = ANY($2::bigint[]) AND c.region_path >= $3 AND c.region_path < $4
          AND ($6 OR NOT c.confidential)
        ON CONFLICT (place_id, case_id) DO NOTHING
        """,
        place_id,
        list(case_ids),
        lo,
        hi,
        how,
        confidential,
    )
    return int(status.split()[-1])


async def place_subtree(conn: Connection, *, place_id: int, lo: str, hi: str) -> int:
    """Put every valid case routed into the path range [lo, hi) in a region place."""
    status: str = await conn.execute(
        f"""
        INSERT INTO case_places (place_id, case_id, case_created_at, how)
        SELECT $1, c.id, c.created_at, 'position' FROM cases c
        WHERE c.region_path >= $2 AND c.region_path < $3 AND {VALID}
        ON CONFLICT (place_id, case_id) DO NOTHING
        """,
        place_id,
        lo,
        hi,
    )
    return int(status.split()[-1])


async def place_case(
    conn: Connection, *, case_id: int, created_at: datetime, place_ids: Sequence[int]
) -> None:
    """Put a new case in the places routing found for it."""
    await conn.execute(
        """
        INSERT INTO case_places (place_id, case_id, case_created_at, how)
        SELECT p, $2, $3, 'position' FROM unnest($1::bigint[]) AS p
        ON CONFLICT (place_id, case_id) DO NOTHING
        """,
        list(place_ids),
        case_id,
        created_at,
    )
