"""SQL of the regions domain: one function per statement."""

from __future__ import annotations

from typing import Any

import asyncpg

from backend.db.types import Connection
from backend.regions.paths import subtree_bounds

# A caller without a scope path (a city-wide admin) sees the whole tree; `$n IS NULL` keeps
# that one statement instead of two.
_IN_SCOPE = "({lo} IS NULL OR (r.path >= {lo} AND r.path < {hi}))"


def _scope_args(scope_path: str | None) -> tuple[str | None, str | None]:
    return subtree_bounds(scope_path) if scope_path else (None, None)


async def current_revision(conn: Connection) -> int:
    """The region revision that every routing index compares itself with."""
    revision: int = await conn.fetchval("SELECT revision FROM region_revision")
    return revision


async def bump_revision(conn: Connection) -> int:
    """Advance the revision and tell every listening process (delivered at commit)."""
    revision: int = await conn.fetchval(
        """
        WITH bumped AS (
            UPDATE region_revision SET revision = revision + 1 RETURNING revision
        )
        SELECT revision, pg_notify('regions_changed', revision::text) FROM bumped
        """
    )
    return revision


async def regions_stamp(conn: Connection) -> tuple[int, object]:
    """How many regions there are and when the last one changed: equal stamps, equal tree."""
    row = await conn.fetchrow("SELECT count(*) AS n, max(updated_at) AS at FROM regions")
    assert row is not None  # an aggregate always yields its one row
    return row["n"], row["at"]


async def list_routed_places(conn: Connection) -> list[asyncpg.Record]:
    """Every active place as routing needs it: its outline, or the current path it covers."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT p.id, p.geometry, r.path AS covers_path
        FROM places p LEFT JOIN regions r ON r.id = p.covers_region_id
        WHERE p.active
        """
    )
    return rows


async def lock_for_import(conn: Connection) -> None:
    """Serialise imports; readers are not blocked."""
    await conn.execute("LOCK TABLE regions IN SHARE ROW EXCLUSIVE MODE")


async def list_all(conn: Connection) -> list[asyncpg.Record]:
    """Every region with its geometry: what the routing index and an import start from."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT r.id, r.code, r.name, r.level, r.parent_id, p.code AS parent_code, r.path, r.geometry
        FROM regions r LEFT JOIN regions p ON p.id = r.parent_id
        """
    )
    return rows


async def upsert(
    conn: Connection,
    *,
    code: str,
    name: str,
    level: str,
    parent_id: int | None,
    path: str,
    geometry: dict[str, Any],
) -> asyncpg.Record:
    """Insert or update a region by code; says whether it was new."""
    row = await conn.fetchrow(
        """
        INSERT INTO regions (code, name, level, parent_id, path, geometry)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (code) DO UPDATE SET
            name = EXCLUDED.name, level = EXCLUDED.level, parent_id = EXCLUDED.parent_id,
            path = EXCLUDED.path, geometry = EXCLUDED.geometry, updated_at = now()
        RETURNING id, path, (xmax = 0) AS inserted
        """,
        code,
        name,
        level,
        parent_id,
        path,
        geometry,
    )
    assert row is not None  # INSERT … RETURNING always yields a row
    return row


async def move_descendants(conn: Connection, *, old_path: str, new_path: str) -> int:
    """Re-root the paths below a region that moved to another parent."""
    lo, hi = subtree_bounds(old_path)
    status: str = await conn.execute(
        """
        UPDATE regions SET path = $3 || substr(path, length($1) + 1), updated_at = now()
        WHERE path > $1 AND path < $2
        """,
        lo,
        hi,
        new_path,
    )
    return int(status.split()[-1])


async def path_by_code(conn: Connection, *, code: str) -> str | None:
    """A region's materialised path by code."""
    value: str | None = await conn.fetchval("SELECT path FROM regions WHERE code = $1", code)
    return value


async def id_by_code(conn: Connection, *, code: str) -> int | None:
    """A region's id by code (no scope: for admin tools)."""
    value: int | None = await conn.fetchval("SELECT id FROM regions WHERE code = $1", code)
    return value


async def get_in_scope(
    conn: Connection, *, code: str, scope_path: str | None
) -> asyncpg.Record | None:
    """One region with its geometry, only if it lies in the caller's subtree."""
    lo, hi = _scope_args(scope_path)
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""
        SELECT r.id, r.code, r.name, r.level, r.path, r.geometry, p.code AS parent_code
        FROM regions r LEFT JOIN regions p ON p.id = r.parent_id
        WHERE r.code = $1 AND {_IN_SCOPE.format(lo="$2::text", hi="$3::text")}
        """,
        code,
        lo,
        hi,
    )
    return row


async def list_by_codes(conn: Connection, *, codes: list[str]) -> list[asyncpg.Record]:
    """Regions by code, top of the tree first (a region's ancestors are public names)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT code, name, level FROM regions WHERE code = ANY($1::text[]) ORDER BY length(path)",
        codes,
    )
    return rows


async def list_children_in_scope(
    conn: Connection, *, parent_id: int | None, scope_path: str | None
) -> list[asyncpg.Record]:
    """Children of a region (of the top when None), in the caller's subtree, by code."""
    lo, hi = _scope_args(scope_path)
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT r.code, r.name, r.level, p.code AS parent_code,
               (SELECT count(*) FROM regions c WHERE c.parent_id = r.id) AS child_count
        FROM regions r LEFT JOIN regions p ON p.id = r.parent_id
        WHERE r.parent_id IS NOT DISTINCT FROM $1
          AND {_IN_SCOPE.format(lo="$2::text", hi="$3::text")}
        ORDER BY r.code
        """,
        parent_id,
        lo,
        hi,
    )
    return rows


async def list_scope_roots(conn: Connection, *, scope_path: str) -> list[asyncpg.Record]:
    """The caller's own scope region, as the single root of their tree."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT r.code, r.name, r.level, p.code AS parent_code,
               (SELECT count(*) FROM regions c WHERE c.parent_id = r.id) AS child_count
        FROM regions r LEFT JOIN regions p ON p.id = r.parent_id
        WHERE r.path = $1
        """,
        scope_path,
    )
    return rows
