"""SQL of who may read 考核 results: the readers of a scope, and the units a posted or final
result scores."""

from __future__ import annotations

from datetime import date

import asyncpg

from backend.db.types import Connection
from backend.oversight.assessment_queries import RESULT


def _scores_unit(n: int) -> str:
    """A posted or final result `x` scores the unit of a person: department $n, region path
    $n+1 (their region lies in a region unit's subtree)."""
    return (
        f"(x.state <> 'draft' AND EXISTS (SELECT 1 FROM assessment_scores t "
        f"LEFT JOIN regions ur ON ur.id = t.unit_region_id WHERE t.result_id = x.id "
        f"AND (t.unit_department_id = ${n} "
        f"OR (${n + 1}::text IS NOT NULL AND ${n + 1} LIKE ur.path || '%'))))"
    )


def _readable(n: int) -> str:
    """Result `x` may be read by its reader: all ($n), or its region in the subtree $n+1, or
    posted or final and scoring the reader's unit (department $n+2, region path $n+3)."""
    return (
        f"(${n}::boolean OR (${n + 1}::text IS NOT NULL AND x.region_path LIKE ${n + 1} || '%') "
        f"OR {_scores_unit(n + 2)})"
    )


async def readable_result(
    conn: Connection,
    *,
    result_id: int,
    covers_all: bool,
    cover_path: str | None,
    department_id: int | None,
    own_path: str | None,
) -> asyncpg.Record | None:
    """A result its reader may read: every result (`covers_all`), those over regions in
    `cover_path`'s subtree, and the posted or final ones that score the reader's unit
    (their department, or a region at or above their own region `own_path`)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        RESULT + "WHERE x.id = $1 AND " + _readable(2),
        result_id,
        covers_all,
        cover_path,
        department_id,
        own_path,
    )
    return row


async def results_of_unit(
    conn: Connection, *, department_id: int | None, region_path: str | None
) -> list[asyncpg.Record]:
    """The posted or final results that score a person's unit, latest period first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        RESULT + "WHERE " + _scores_unit(1) + " ORDER BY x.first_day DESC, x.id DESC LIMIT 500",
        department_id,
        region_path,
    )
    return rows


async def shown_results(
    conn: Connection,
    *,
    region_path: str,
    first_day: date,
    last_day: date,
    covers_all: bool,
    cover_path: str | None,
    department_id: int | None,
    own_path: str | None,
) -> list[asyncpg.Record]:
    """Posted or final results of a region for exactly this period that a reader may read
    (as `readable_result`), newest scheme first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        RESULT + "WHERE x.region_path = $1 AND x.first_day = $2 AND x.last_day = $3 "
        "AND x.state IN ('posted', 'final') AND " + _readable(4) + " ORDER BY x.scheme_id DESC",
        region_path,
        first_day,
        last_day,
        covers_all,
        cover_path,
        department_id,
        own_path,
    )
    return rows
