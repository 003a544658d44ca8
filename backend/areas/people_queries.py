"""Who and which units can be named on an area's plan, and where a cluster of cases lies.

Staff "answer for" an area when their region holds the area (its street, its district) or lies
beneath the area's region; department staff when their department's region does.
"""

from __future__ import annotations

import asyncpg

from backend.areas.queries import in_range
from backend.db.types import Connection

# At most this many names in one answer: the form narrows with a name prefix.
PEOPLE_LIMIT = 50
# Regions beneath the area named as units: the levels that lead or cooperate on a plan.
UNIT_LEVELS = ("district", "street", "community", "grid")
UNITS_LIMIT = 200


def like_prefix(text: str) -> str:
    """A LIKE pattern matching names that begin with `text` (its wildcards taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


async def area_in_range(
    conn: Connection, *, area_id: int, lo: str | None, hi: str | None
) -> asyncpg.Record | None:
    """The area's region, only if the area lies in the range."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT k.id, k.region_id, k.region_path FROM key_areas k "
        f"WHERE k.id = $1 AND {in_range('k.region_path', '$2', '$3')}",
        area_id,
        lo,
        hi,
    )
    return row


async def people_for_area(
    conn: Connection,
    *,
    ancestors: list[str],
    lo: str,
    hi: str,
    role: str | None,
    prefix: str | None,
) -> list[asyncpg.Record]:
    """Active staff whose region (or department's region) is one of `ancestors` (the area's
    region and those above it) or lies in [lo, hi); city admins too. No residents, no phones."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT u.id, u.display_name, u.role, r.name AS region_name, "
        "d.name AS department_name, d.name_en AS department_name_en "
        "FROM users u "
        "LEFT JOIN regions r ON r.id = u.region_id "
        "LEFT JOIN departments d ON d.id = u.department_id "
        "LEFT JOIN regions dr ON dr.id = d.region_id "
        "WHERE u.role <> 'resident' AND u.disabled_at IS NULL "
        "AND ($4::text IS NULL OR u.role = $4) "
        "AND ($5::text IS NULL OR u.display_name ILIKE $5) "
        "AND (r.path = ANY($1::text[]) OR (r.path >= $2 AND r.path < $3) "
        "OR dr.path = ANY($1::text[]) OR (dr.path >= $2 AND dr.path < $3) "
        "OR (u.role = 'admin' AND u.region_id IS NULL AND u.department_id IS NULL)) "
        f"ORDER BY u.display_name, u.id LIMIT {PEOPLE_LIMIT}",
        ancestors,
        lo,
        hi,
        role,
        like_prefix(prefix) if prefix else None,
    )
    return rows


async def regions_for_area(
    conn: Connection, *, ancestors: list[str], lo: str, hi: str
) -> list[asyncpg.Record]:
    """The area's region, those above it, and the streets, communities and grids beneath it."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT code, name, level, path FROM regions "
        "WHERE path = ANY($1::text[]) "
        "OR (path >= $2 AND path < $3 AND level = ANY($4::text[])) "
        f"ORDER BY path LIMIT {UNITS_LIMIT}",
        ancestors,
        lo,
        hi,
        list(UNIT_LEVELS),
    )
    return rows


async def departments_for_area(
    conn: Connection, *, ancestors: list[str], lo: str, hi: str
) -> list[asyncpg.Record]:
    """Departments of the area's region, of the regions above it and of those beneath it."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT d.code, d.name, d.name_en FROM departments d JOIN regions r ON r.id = d.region_id "
        "WHERE r.path = ANY($1::text[]) OR (r.path >= $2 AND r.path < $3) "
        f"ORDER BY r.path, d.code LIMIT {UNITS_LIMIT}",
        ancestors,
        lo,
        hi,
    )
    return rows


async def case_regions(
    conn: Connection,
    *,
    case_ids: list[int],
    lo: str | None,
    hi: str | None,
    confidential: bool,
) -> list[asyncpg.Record]:
    """The ids and region paths of those cases the caller may see."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT c.id, c.region_path FROM cases c "
        f"WHERE c.id = ANY($1::bigint[]) AND {in_range('c.region_path', '$2', '$3')} "
        "AND ($4 OR NOT c.confidential) ORDER BY c.id",
        case_ids,
        lo,
        hi,
        confidential,
    )
    return rows


async def regions_by_path(conn: Connection, *, paths: list[str]) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT code, name, level, path FROM regions WHERE path = ANY($1::text[]) ORDER BY path",
        paths,
    )
    return rows
