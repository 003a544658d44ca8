"""SQL of the findings ledger: one function per statement, every read scoped by its viewer.

A viewer sees a finding when it lies in their region range, when their department or they
themselves answer for it, when their own region lies in the responsible region, or when
they filed its inspection; `everything` (an admin of the whole city) sees all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from backend.db.types import Connection

FINDING_COLUMNS = """
    f.id, f.inspection_id, f.seq, f.region_id, f.region_path, f.text, f.category_code,
    f.responsible_region_id, f.responsible_path, f.responsible_department_id,
    f.responsible_user_id, f.deadline, f.first_deadline, f.state, f.reported_at, f.closed_at,
    f.reopened,
    f.created_at, coalesce(rr.code, rd.code) AS unit_code, coalesce(rr.name, rd.name) AS unit_name,
    ru.display_name AS user_name, i.created_by AS inspection_author, i.day AS inspection_day
"""
FINDING_JOINS = """
    JOIN inspections i ON i.id = f.inspection_id
    LEFT JOIN regions rr ON rr.id = f.responsible_region_id
    LEFT JOIN departments rd ON rd.id = f.responsible_department_id
    LEFT JOIN users ru ON ru.id = f.responsible_user_id
"""
OWING = "('open', 'rectifying', 'reopened')"
# 按期: the last 整改反馈 came by the deadline set at filing, whatever a reopen granted since.
ON_TIME = "(f.reported_at IS NOT NULL AND f.reported_at <= f.first_deadline)"


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who reads the ledger, as the scope condition needs it."""

    everything: bool
    lo: str | None
    hi: str | None
    department_id: int | None
    user_id: int
    own_path: str | None

    def args(self) -> list[Any]:
        return [self.everything, self.lo, self.hi, self.department_id, self.user_id, self.own_path]


def visible(first: int) -> str:
    """The scope condition, its six arguments numbered from `first` (Viewer.args order)."""
    e, lo, hi, dept, me, own = (f"${first + i}" for i in range(6))
    return (
        f"({e}::boolean OR ({lo}::text IS NOT NULL AND f.region_path >= {lo} "
        f"AND f.region_path < {hi}) OR f.responsible_department_id = {dept}::bigint "
        f"OR f.responsible_user_id = {me}::bigint OR i.created_by = {me}::bigint "
        f"OR (f.responsible_path IS NOT NULL AND starts_with({own}::text, f.responsible_path)))"
    )


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    """The ledger's filters; None leaves one out."""

    state: str | None = None
    overdue: bool | None = None
    lo: str | None = None
    hi: str | None = None
    department_id: int | None = None
    inspection_id: int | None = None
    before_id: int | None = None


def _filtered(viewer: Viewer, wanted: LedgerFilter, now: datetime) -> tuple[str, list[Any]]:
    # $7 is now and $8 the overdue filter (NULL: either way).
    args: list[Any] = [*viewer.args(), now, wanted.overdue]
    where = [visible(1), f"($8::boolean IS NULL OR (f.state IN {OWING} AND f.deadline <= $7) = $8)"]
    conditions: list[tuple[str, Any]] = [
        ("f.state = ${}", wanted.state),
        ("f.region_path >= ${}", wanted.lo),
        ("f.region_path < ${}", wanted.hi),
        ("f.responsible_department_id = ${}", wanted.department_id),
        ("f.inspection_id = ${}", wanted.inspection_id),
        ("f.id < ${}", wanted.before_id),
    ]
    for sql, value in conditions:
        if value is not None:
            args.append(value)
            where.append(sql.format(len(args)))
    return " AND ".join(where), args


async def ledger(
    conn: Connection, *, viewer: Viewer, wanted: LedgerFilter, now: datetime, limit: int
) -> list[asyncpg.Record]:
    """The findings the viewer sees that match the filters, newest first."""
    where, args = _filtered(viewer, wanted, now)
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {FINDING_COLUMNS} FROM findings f {FINDING_JOINS} "
        f"WHERE {where} ORDER BY f.id DESC LIMIT {int(limit)}",
        *args,
    )
    return rows


async def finding(
    conn: Connection, *, finding_id: int, viewer: Viewer, for_update: bool = False
) -> asyncpg.Record | None:
    """One finding the viewer sees, locked for a move when asked."""
    lock = " FOR UPDATE OF f" if for_update else ""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {FINDING_COLUMNS} FROM findings f {FINDING_JOINS} "
        f"WHERE f.id = $7 AND {visible(1)}{lock}",
        *viewer.args(),
        finding_id,
    )
    return row


async def finding_unless_busy(conn: Connection, *, finding_id: int) -> asyncpg.Record | None:
    """A finding for the watcher, locked with NOWAIT (LockNotAvailableError when held)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, region_id, state, deadline FROM findings WHERE id = $1 FOR UPDATE NOWAIT",
        finding_id,
    )
    return row


async def of_inspections(
    conn: Connection, *, viewer: Viewer, inspection_ids: list[int]
) -> list[asyncpg.Record]:
    """The findings of these inspections the viewer may read, in their order: all of them for
    the inspection's author and staff whose range holds the inspected region, otherwise only
    those the ledger shows the viewer (a department its own, a grid its own)."""
    e, lo, hi, me = "$1", "$2", "$3", "$5"
    whole = (
        f"({e}::boolean OR ({lo}::text IS NOT NULL AND i.region_path >= {lo} "
        f"AND i.region_path < {hi}) OR i.created_by = {me}::bigint)"
    )
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {FINDING_COLUMNS} FROM findings f {FINDING_JOINS} "
        f"WHERE f.inspection_id = ANY($7::bigint[]) AND ({whole} OR {visible(1)}) "
        "ORDER BY f.inspection_id, f.seq",
        *viewer.args(),
        inspection_ids,
    )
    return rows


async def insert_finding(conn: Connection, *, values: dict[str, Any]) -> int:
    """A new finding of an inspection."""
    columns = list(values)
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    finding_id: int = await conn.fetchval(
        f"INSERT INTO findings ({', '.join(columns)}) VALUES ({marks}) RETURNING id",
        *values.values(),
    )
    return finding_id


async def insert_event(conn: Connection, *, values: dict[str, Any]) -> int | None:
    """A step on a finding's timeline; None when this actor already sent its clientId."""
    columns = list(values)
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    event_id: int | None = await conn.fetchval(
        f"INSERT INTO finding_events ({', '.join(columns)}) VALUES ({marks}) "
        "ON CONFLICT (actor_id, client_id) WHERE client_id IS NOT NULL DO NOTHING RETURNING id",
        *values.values(),
    )
    return event_id


async def event_by_client(
    conn: Connection, *, actor_id: int, client_id: uuid.UUID
) -> asyncpg.Record | None:
    """The move this actor already sent under `client_id`: what it asked (action, note,
    deadline) and the ids of its photos, in order."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT e.id, e.finding_id, e.action, e.note, e.deadline, "
        "coalesce(array(SELECT m.id FROM media m WHERE m.subject_kind = 'finding_event' "
        "AND m.subject_id = e.id ORDER BY m.id), '{}') AS media_ids "
        "FROM finding_events e WHERE e.actor_id = $1 AND e.client_id = $2",
        actor_id,
        client_id,
    )
    return row


async def last_reporter(conn: Connection, *, finding_id: int) -> int | None:
    """Who sent the finding's latest 整改反馈 (None before any)."""
    actor: int | None = await conn.fetchval(
        "SELECT actor_id FROM finding_events WHERE finding_id = $1 AND action = 'report' "
        "ORDER BY at DESC, id DESC LIMIT 1",
        finding_id,
    )
    return actor


async def events_of(conn: Connection, *, finding_id: int) -> list[asyncpg.Record]:
    """A finding's timeline, oldest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, at, actor_id, actor_role, action, from_state, to_state, note, deadline, "
        "detail FROM finding_events WHERE finding_id = $1 ORDER BY at, id",
        finding_id,
    )
    return rows


async def report_event_ids(conn: Connection, *, finding_ids: list[int]) -> list[asyncpg.Record]:
    """The 整改反馈 events of these findings (id, finding_id), oldest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, finding_id FROM finding_events "
        "WHERE finding_id = ANY($1::bigint[]) AND action = 'report' ORDER BY at, id",
        finding_ids,
    )
    return rows


async def set_state(
    conn: Connection,
    *,
    finding_id: int,
    state: str,
    now: datetime,
    reported: bool,
    closed: bool,
    deadline: datetime | None,
) -> None:
    """A move's new state, its time stamps, and a reopen's new deadline."""
    await conn.execute(
        """
        UPDATE findings SET state = $2, updated_at = $3,
            reported_at = CASE WHEN $4 THEN $3 ELSE reported_at END,
            closed_at = CASE WHEN $5 THEN $3 ELSE closed_at END,
            deadline = coalesce($6, deadline),
            reopened = reopened + CASE WHEN $2 = 'reopened' THEN 1 ELSE 0 END
        WHERE id = $1
        """,
        finding_id,
        state,
        now,
        reported,
        closed,
        deadline,
    )


async def on_time(
    conn: Connection,
    *,
    lo: str | None,
    hi: str | None,
    department_id: int | None,
    start: datetime,
    end: datetime,
    now: datetime,
) -> asyncpg.Record:
    """Of the findings a unit answers for whose first deadline fell in [start, end): those
    closed on time, and those decided by `now` (closed, or past their first deadline without
    a 整改反馈 made by it that still awaits its recheck)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""
        SELECT count(*) FILTER (WHERE state = 'closed' AND {ON_TIME}) AS on_time,
               count(*) FILTER (WHERE state = 'closed' OR (first_deadline <= $6 AND NOT (
                   state IN ('reported', 'rechecked') AND {ON_TIME}))) AS due
        FROM findings f
        WHERE first_deadline >= $1 AND first_deadline < $2
          AND ($3::text IS NULL OR (responsible_path >= $3 AND responsible_path < $4))
          AND ($5::bigint IS NULL OR responsible_department_id = $5)
        """,
        start,
        end,
        lo,
        hi,
        department_id,
        now,
    )
    assert row is not None  # an aggregate always answers one row
    return row


async def unit_counts(
    conn: Connection,
    *,
    viewer: Viewer,
    now: datetime,
    start: datetime | None,
    end: datetime | None,
) -> list[asyncpg.Record]:
    """Per responsible unit of the findings the viewer sees (first due in [start, end) when
    given)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT CASE WHEN f.responsible_region_id IS NOT NULL THEN 'region'
                    ELSE 'department' END AS kind,
               coalesce(f.responsible_region_id, f.responsible_department_id) AS id,
               coalesce(rr.code, rd.code) AS code, coalesce(rr.name, rd.name) AS name,
               count(*) FILTER (WHERE f.state <> 'closed') AS open,
               count(*) FILTER (WHERE f.state IN {OWING} AND f.deadline <= $7) AS overdue,
               count(*) FILTER (WHERE f.state = 'closed') AS closed,
               count(*) FILTER (WHERE f.state = 'closed' AND {ON_TIME}) AS closed_on_time
        FROM findings f {FINDING_JOINS}
        WHERE {visible(1)}
          AND ($8::timestamptz IS NULL OR f.first_deadline >= $8)
          AND ($9::timestamptz IS NULL OR f.first_deadline < $9)
        GROUP BY 1, 2, 3, 4
        ORDER BY 1 DESC, 3
        """,
        *viewer.args(),
        now,
        start,
        end,
    )
    return rows
