"""SQL of the hotspot levels: one function per statement.

Reads are limited to a region subtree given as a half-open path range [lo, hi); a range of
None is the whole city, used by a city-wide admin and for the city's percentile cut points.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from backend.db.types import Connection

_REGION_IN_RANGE = "($1::text IS NULL OR (r.path >= $1 AND r.path < $2))"


async def path_in_scope(
    conn: Connection, *, code: str, lo: str | None, hi: str | None
) -> str | None:
    """A region's path, only if it lies in the range."""
    path: str | None = await conn.fetchval(
        f"SELECT r.path FROM regions r WHERE {_REGION_IN_RANGE} AND r.code = $3", lo, hi, code
    )
    return path


async def places_under(conn: Connection, *, lo: str | None, hi: str | None) -> list[asyncpg.Record]:
    """Every region in the range, with its level and path."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT r.code, r.name, r.level, r.path FROM regions r WHERE {_REGION_IN_RANGE}", lo, hi
    )
    return rows


async def grid_paths(conn: Connection) -> list[str]:
    """The path of every grid of the city: the population the percentiles are taken over."""
    rows = await conn.fetch("SELECT path FROM regions WHERE level = 'grid'")
    return [row["path"] for row in rows]


async def counts_by_place(
    conn: Connection,
    *,
    since: datetime,
    split: datetime,
    until: datetime,
    confidential: bool,
    lo: str | None,
    hi: str | None,
) -> list[asyncpg.Record]:
    """Valid reports per place in (since, split] (previous) and (split, until] (current).

    Valid: neither rejected (不予受理) nor merged into another case. Confidential categories
    count only when the caller may see them.
    """
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT c.region_path AS path,
               count(*) FILTER (WHERE c.created_at > $2) AS current,
               count(*) FILTER (WHERE c.created_at <= $2) AS previous
        FROM cases c
        WHERE c.created_at > $1 AND c.created_at <= $3
          AND c.status NOT IN ('rejected', 'merged')
          AND ($4 OR NOT c.confidential)
          AND ($5::text IS NULL OR (c.region_path >= $5 AND c.region_path < $6))
        GROUP BY c.region_path
        """,
        since,
        split,
        until,
        confidential,
        lo,
        hi,
    )
    return rows


async def outlines(
    conn: Connection, *, paths: list[str], lo: str | None, hi: str | None
) -> dict[str, dict[str, Any]]:
    """The GeoJSON geometry of each region named by path, within the range."""
    rows = await conn.fetch(
        f"SELECT r.path, r.geometry FROM regions r WHERE {_REGION_IN_RANGE} "
        "AND r.path = ANY($3::text[])",
        lo,
        hi,
        paths,
    )
    return {row["path"]: row["geometry"] for row in rows}
