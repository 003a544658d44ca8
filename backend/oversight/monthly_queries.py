"""SQL of monthly reports: one function per statement, every read scoped in its WHERE."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from backend.db.types import Connection

_COLUMNS = """
    m.id, m.month, m.owner_department_id, m.owner_region_id, m.region_id, m.region_path,
    m.due_at, m.state, m.places_visited, m.problems_found, m.zero_report, m.note,
    m.submitted_by, m.submitted_at,
    coalesce(d.name, o.name) AS unit_name, coalesce(d.code, o.code) AS unit_code,
    nullif(s.display_name, '') AS submitter_name, s.username AS submitter_username,
    w.reminded_at, w.supervised_at
"""
_FROM = """
    monthly_reports m
    LEFT JOIN departments d ON d.id = m.owner_department_id
    LEFT JOIN regions o ON o.id = m.owner_region_id
    LEFT JOIN users s ON s.id = m.submitted_by
    LEFT JOIN duties w ON w.subject_kind = 'monthly_report' AND w.subject_id = m.id
"""
_ORDER = "ORDER BY m.month DESC, (m.owner_department_id IS NULL), unit_name, m.id"
_SCOPE = "($1::text IS NULL OR (m.region_path >= $1 AND m.region_path < $2))"
# Who reads one report: staff whose range holds it ($2, $3; NULL: the whole city), or the
# unit owing it, a department ($4) or staff of the street or below it ($5).
_READER = (
    "($2::text IS NULL OR (m.region_path >= $2 AND m.region_path < $3) "
    "OR m.owner_department_id = $4::bigint "
    "OR (m.owner_region_id IS NOT NULL AND starts_with($5::text, m.region_path)))"
)


async def owe_departments(
    conn: Connection, *, month: date, due_at: datetime, now: datetime
) -> list[asyncpg.Record]:
    """A row for every department that does not owe `month` yet; the rows made."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        WITH made AS (
            INSERT INTO monthly_reports (month, owner_department_id, region_id, region_path,
                                         due_at, created_at)
            SELECT $1, d.id, d.region_id, r.path, $2, $3
            FROM departments d JOIN regions r ON r.id = d.region_id
            ORDER BY d.id
            ON CONFLICT DO NOTHING
            RETURNING id, owner_department_id, region_id, region_path
        )
        SELECT made.*, d.name AS unit_name FROM made
        JOIN departments d ON d.id = made.owner_department_id
        """,
        month,
        due_at,
        now,
    )
    return rows


async def owe_streets(
    conn: Connection, *, month: date, due_at: datetime, now: datetime
) -> list[asyncpg.Record]:
    """A row for every street (街道/乡镇) that does not owe `month` yet; the rows made."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        WITH made AS (
            INSERT INTO monthly_reports (month, owner_region_id, region_id, region_path,
                                         due_at, created_at)
            SELECT $1, r.id, r.id, r.path, $2, $3
            FROM regions r WHERE r.level = 'street'
            ORDER BY r.id
            ON CONFLICT DO NOTHING
            RETURNING id, owner_region_id, region_id, region_path
        )
        SELECT made.*, r.name AS unit_name FROM made JOIN regions r ON r.id = made.owner_region_id
        """,
        month,
        due_at,
        now,
    )
    return rows


async def insert_event(
    conn: Connection,
    *,
    report_id: int,
    region_id: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    from_state: str | None,
    to_state: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """One step on a report's timeline."""
    await conn.execute(
        """
        INSERT INTO monthly_report_events (report_id, region_id, at, actor_id, action,
                                           from_state, to_state, detail)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """,
        report_id,
        region_id,
        at,
        actor_id,
        action,
        from_state,
        to_state,
        detail or {},
    )


async def report(
    conn: Connection, *, report_id: int, reader: tuple[Any, ...]
) -> asyncpg.Record | None:
    """One report the reader may see, with its unit, submitter and duty's standing; `reader`
    is (range low, range high, department, own region path) as monthly_access.reader gives."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM {_FROM} WHERE m.id = $1 AND {_READER}", report_id, *reader
    )
    return row


async def events(conn: Connection, *, report_id: int) -> list[asyncpg.Record]:
    """A report's timeline, oldest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, at, action, from_state, to_state, actor_id FROM monthly_report_events "
        "WHERE report_id = $1 ORDER BY at, id",
        report_id,
    )
    return rows


async def lock(
    conn: Connection, *, report_id: int, reader: tuple[Any, ...]
) -> asyncpg.Record | None:
    """A report's row the reader may see, locked for a change."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT m.id, m.month, m.owner_department_id, m.owner_region_id, m.region_id, "
        "m.region_path, m.due_at, m.state, m.places_visited, m.problems_found, m.zero_report, "
        f"m.note FROM monthly_reports m WHERE m.id = $1 AND {_READER} FOR UPDATE",
        report_id,
        *reader,
    )
    return row


async def lock_unless_busy(conn: Connection, *, report_id: int) -> asyncpg.Record | None:
    """A report's row locked without waiting: LockNotAvailableError while someone files it."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, region_id, state FROM monthly_reports WHERE id = $1 FOR UPDATE NOWAIT",
        report_id,
    )
    return row


async def set_filed(
    conn: Connection,
    *,
    report_id: int,
    state: str,
    places_visited: int,
    problems_found: int,
    zero_report: bool,
    note: str | None,
    user_id: int,
    at: datetime,
) -> None:
    """Record what a unit filed."""
    await conn.execute(
        """
        UPDATE monthly_reports
        SET state = $2, places_visited = $3, problems_found = $4, zero_report = $5,
            note = $6, submitted_by = $7, submitted_at = $8
        WHERE id = $1
        """,
        report_id,
        state,
        places_visited,
        problems_found,
        zero_report,
        note,
        user_id,
        at,
    )


async def set_state(conn: Connection, *, report_id: int, state: str) -> None:
    """Move a report to `state` (missing, when its due time passed unfiled)."""
    await conn.execute("UPDATE monthly_reports SET state = $2 WHERE id = $1", report_id, state)


async def of_month(
    conn: Connection,
    *,
    month: date,
    state: str | None,
    scope_lo: str | None,
    scope_hi: str | None,
    limit: int,
) -> list[asyncpg.Record]:
    """The reports of a month within a region subtree (None: the whole city)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {_COLUMNS} FROM {_FROM} "
        f"WHERE {_SCOPE} AND m.month = $3 AND ($4::text IS NULL OR m.state = $4) "
        f"{_ORDER} LIMIT $5",
        scope_lo,
        scope_hi,
        month,
        state,
        limit,
    )
    return rows


async def owed_by(
    conn: Connection,
    *,
    department_id: int | None,
    region_path: str | None,
    limit: int,
) -> list[asyncpg.Record]:
    """What a department, or the streets at or above a region, owe: the newest months first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {_COLUMNS} FROM {_FROM} "
        "WHERE ($1::bigint IS NOT NULL AND m.owner_department_id = $1) "
        "   OR ($2::text IS NOT NULL AND m.owner_region_id IS NOT NULL "
        "       AND starts_with($2, m.region_path)) "
        f"{_ORDER} LIMIT $3",
        department_id,
        region_path,
        limit,
    )
    return rows


async def summary(
    conn: Connection,
    *,
    first: date,
    last: date,
    scope_lo: str | None,
    scope_hi: str | None,
    now: datetime,
) -> list[asyncpg.Record]:
    """Per unit over months [first, last]: owed, filed on time, late, missing."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT m.owner_department_id, m.owner_region_id,
               coalesce(d.name, o.name) AS unit_name, coalesce(d.code, o.code) AS unit_code,
               count(*) AS owed,
               count(*) FILTER (WHERE m.state = 'submitted') AS on_time,
               count(*) FILTER (WHERE m.state = 'late') AS late,
               count(*) FILTER (WHERE m.state = 'missing'
                                   OR (m.state = 'due' AND m.due_at <= $5)) AS missing
        FROM monthly_reports m
        LEFT JOIN departments d ON d.id = m.owner_department_id
        LEFT JOIN regions o ON o.id = m.owner_region_id
        WHERE {_SCOPE} AND m.month >= $3 AND m.month <= $4
        GROUP BY m.owner_department_id, m.owner_region_id, d.name, o.name, d.code, o.code
        ORDER BY (m.owner_department_id IS NULL), unit_name, m.owner_department_id,
                 m.owner_region_id
        """,
        scope_lo,
        scope_hi,
        first,
        last,
        now,
    )
    return rows


async def on_time(
    conn: Connection,
    *,
    department_id: int | None,
    scope_lo: str | None,
    scope_hi: str | None,
    first: date,
    last: date,
) -> asyncpg.Record:
    """Reports of months [first, last] filed on time, and those no longer open, of a unit."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        SELECT count(*) FILTER (WHERE m.state = 'submitted') AS on_time,
               count(*) FILTER (WHERE m.state <> 'due') AS decided
        FROM monthly_reports m
        WHERE m.month >= $4 AND m.month <= $5
          AND ($1::bigint IS NULL OR m.owner_department_id = $1)
          AND ($2::text IS NULL
               OR (m.owner_region_id IS NOT NULL AND m.region_path >= $2 AND m.region_path < $3))
        """,
        department_id,
        scope_lo,
        scope_hi,
        first,
        last,
    )
    assert row is not None  # an aggregate always yields a row
    return row
