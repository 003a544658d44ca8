"""SQL of 考核: schemes, results, scores, manual items, objections, 约谈 and events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from backend.db.types import Connection

_SCHEME = (
    "SELECT s.id, s.region_id, s.region_path, s.year, s.name, s.indicators, s.created_by, "
    "s.created_at, r.code AS region_code, r.name AS region_name "
    "FROM assessment_schemes s JOIN regions r ON r.id = s.region_id "
)
RESULT = (
    "SELECT x.id, x.scheme_id, x.region_id, x.region_path, x.period_label, x.first_day, "
    "x.last_day, x.state, x.computed_at, x.posted_at, x.objection_until, x.final_at, "
    "s.name AS scheme_name, s.year, s.indicators, r.code AS region_code, r.name AS region_name "
    "FROM assessment_results x JOIN assessment_schemes s ON s.id = x.scheme_id "
    "JOIN regions r ON r.id = x.region_id "
)
# A unit's code and name, whichever kind it is.
UNIT = (
    "coalesce(ur.code, ud.code) AS unit_code, coalesce(ur.name, ud.name) AS unit_name, "
    "ur.path AS unit_path"
)
UNIT_JOIN = (
    "LEFT JOIN regions ur ON ur.id = t.unit_region_id "
    "LEFT JOIN departments ud ON ud.id = t.unit_department_id "
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


async def insert_scheme(
    conn: Connection,
    *,
    region_id: int,
    region_path: str,
    year: int,
    name: str,
    indicators: list[dict[str, Any]],
    user_id: int,
    at: datetime,
) -> int | None:
    """A new scheme; None when the region already has one of that name for the year."""
    new_id: int | None = await conn.fetchval(
        "INSERT INTO assessment_schemes (region_id, region_path, year, name, indicators, "
        "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (region_id, year, name) DO NOTHING RETURNING id",
        region_id,
        region_path,
        year,
        name,
        indicators,
        user_id,
        at,
    )
    return new_id


async def scheme_in_scope(
    conn: Connection, *, scheme_id: int, scope_path: str | None
) -> asyncpg.Record | None:
    """A scheme whose region lies in the scope."""
    row: asyncpg.Record | None = await conn.fetchrow(
        _SCHEME + "WHERE s.id = $1 AND ($2::text IS NULL OR s.region_path LIKE $2 || '%')",
        scheme_id,
        scope_path,
    )
    return row


async def schemes_in_scope(
    conn: Connection, *, scope_path: str | None, year: int | None
) -> list[asyncpg.Record]:
    """The schemes whose region lies in the scope, newest year first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        _SCHEME + "WHERE ($1::text IS NULL OR s.region_path LIKE $1 || '%') "
        "AND ($2::int IS NULL OR s.year = $2) ORDER BY s.year DESC, s.id DESC LIMIT 500",
        scope_path,
        year,
    )
    return rows


async def insert_result(
    conn: Connection,
    *,
    scheme_id: int,
    region_id: int,
    region_path: str,
    label: str,
    first_day: date,
    last_day: date,
    user_id: int,
    at: datetime,
) -> int | None:
    """A new draft result; None when the scheme already has one for the period."""
    new_id: int | None = await conn.fetchval(
        "INSERT INTO assessment_results (scheme_id, region_id, region_path, period_label, "
        "first_day, last_day, computed_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (scheme_id, first_day, last_day) DO NOTHING RETURNING id",
        scheme_id,
        region_id,
        region_path,
        label,
        first_day,
        last_day,
        at,
        user_id,
    )
    return new_id


async def result_of_period(
    conn: Connection, *, scheme_id: int, first_day: date, last_day: date
) -> int | None:
    """The id of the scheme's result for the period, if any."""
    found: int | None = await conn.fetchval(
        "SELECT id FROM assessment_results WHERE scheme_id = $1 AND first_day = $2 "
        "AND last_day = $3",
        scheme_id,
        first_day,
        last_day,
    )
    return found


async def result_for_change(
    conn: Connection, *, result_id: int, scope_path: str | None
) -> asyncpg.Record | None:
    """A result whose region lies in the scope (None: the whole city), with its scheme's
    name, year and indicators, locked for a change; nothing is locked outside the scope."""
    row: asyncpg.Record | None = await conn.fetchrow(
        RESULT + "WHERE x.id = $1 AND ($2::text IS NULL OR x.region_path LIKE $2 || '%') "
        "FOR UPDATE OF x",
        result_id,
        scope_path,
    )
    return row


async def results_in_scope(
    conn: Connection, *, scope_path: str | None, scheme_id: int | None
) -> list[asyncpg.Record]:
    """Results whose region lies in the scope, latest period first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        RESULT + "WHERE ($1::text IS NULL OR x.region_path LIKE $1 || '%') "
        "AND ($2::bigint IS NULL OR x.scheme_id = $2) "
        "ORDER BY x.first_day DESC, x.id DESC LIMIT 500",
        scope_path,
        scheme_id,
    )
    return rows


async def set_computed(conn: Connection, *, result_id: int, at: datetime) -> None:
    """A draft computed again now."""
    await conn.execute(
        "UPDATE assessment_results SET computed_at = $2 WHERE id = $1 AND state = 'draft'",
        result_id,
        at,
    )


async def set_posted(conn: Connection, *, result_id: int, at: datetime, until: datetime) -> None:
    """公示 from now until the objection window closes."""
    await conn.execute(
        "UPDATE assessment_results SET state = 'posted', posted_at = $2, objection_until = $3 "
        "WHERE id = $1 AND state = 'draft'",
        result_id,
        at,
        until,
    )


async def set_final(conn: Connection, *, result_id: int, at: datetime) -> None:
    """The posted result made final."""
    await conn.execute(
        "UPDATE assessment_results SET state = 'final', final_at = $2 "
        "WHERE id = $1 AND state = 'posted'",
        result_id,
        at,
    )


async def child_regions(conn: Connection, *, region_id: int) -> list[asyncpg.Record]:
    """The regions right below a region: the region units of its results."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, code, name, path FROM regions WHERE parent_id = $1 ORDER BY code", region_id
    )
    return rows


async def departments_under(conn: Connection, *, region_path: str) -> list[asyncpg.Record]:
    """The departments that belong to a region or a region below it."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT d.id, d.code, d.name FROM departments d JOIN regions r ON r.id = d.region_id "
        "WHERE r.path LIKE $1 || '%' ORDER BY d.code",
        region_path,
    )
    return rows


async def delete_scores(conn: Connection, *, result_id: int) -> None:
    """A draft's scores, before it is scored again."""
    await conn.execute("DELETE FROM assessment_scores WHERE result_id = $1", result_id)


async def insert_scores(conn: Connection, *, rows: list[tuple[Any, ...]]) -> None:
    """Scores: (result, region, path, unit region, unit department, total, rank, breakdown,
    vetoed, veto reasons, eligible) each."""
    await conn.executemany(
        "INSERT INTO assessment_scores (result_id, region_id, region_path, unit_region_id, "
        "unit_department_id, total, rank, breakdown, vetoed, veto_reasons, eligible) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        rows,
    )


async def scores(conn: Connection, *, result_id: int) -> list[asyncpg.Record]:
    """A result's scores with each unit's code and name, by kind then rank."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT t.unit_region_id, t.unit_department_id, t.total, t.rank, t.breakdown, "
        "t.vetoed, t.veto_reasons, t.eligible, "
        + UNIT
        + " FROM assessment_scores t "
        + UNIT_JOIN
        + "WHERE t.result_id = $1 "
        "ORDER BY t.unit_department_id IS NOT NULL, t.rank, unit_code",
        result_id,
    )
    return rows
