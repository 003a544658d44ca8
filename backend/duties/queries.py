"""SQL of the deadline engine: one function per statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from backend.db.types import Connection

DUTY_COLUMNS = """
    d.id, d.subject_kind, d.subject_id, d.region_id, d.region_path, d.owner_user_id,
    d.owner_region_id, d.owner_department_id, d.title, d.due_at, d.supervise_at,
    d.escalate_to, d.state, d.reminded_at, d.supervised_at, d.done_at, d.check_at, d.created_at
"""


async def insert_duty(
    conn: Connection,
    *,
    subject_kind: str,
    subject_id: int,
    region_id: int,
    region_path: str,
    owner_user_id: int | None,
    owner_region_id: int | None,
    owner_department_id: int | None,
    title: str,
    due_at: datetime,
    supervise_at: datetime,
    check_at: datetime,
    escalate_to: Sequence[int],
    now: datetime,
) -> int | None:
    """A new duty; None when its subject already owes one."""
    value: int | None = await conn.fetchval(
        """
        INSERT INTO duties (subject_kind, subject_id, region_id, region_path, owner_user_id,
                            owner_region_id, owner_department_id, title, due_at, supervise_at,
                            check_at, escalate_to, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (subject_kind, subject_id) DO NOTHING
        RETURNING id
        """,
        subject_kind,
        subject_id,
        region_id,
        region_path,
        owner_user_id,
        owner_region_id,
        owner_department_id,
        title,
        due_at,
        supervise_at,
        check_at,
        list(escalate_to),
        now,
    )
    return value


async def duty_id(conn: Connection, *, subject_kind: str, subject_id: int) -> int | None:
    """The duty a subject owes, if any."""
    value: int | None = await conn.fetchval(
        "SELECT id FROM duties WHERE subject_kind = $1 AND subject_id = $2",
        subject_kind,
        subject_id,
    )
    return value


async def due_for_check(conn: Connection, *, now: datetime, limit: int) -> list[asyncpg.Record]:
    """Open duties the watcher must look at now, locked; rows another watcher holds are skipped."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT {DUTY_COLUMNS}, o.path AS owner_region_path
        FROM duties d LEFT JOIN regions o ON o.id = d.owner_region_id
        WHERE d.check_at <= $1 AND d.state = 'open'
        ORDER BY d.check_at
        LIMIT $2
        FOR UPDATE OF d SKIP LOCKED
        """,
        now,
        limit,
    )
    return rows


async def set_watch_state(
    conn: Connection,
    *,
    duty_id: int,
    reminded_at: datetime | None,
    supervised_at: datetime | None,
    check_at: datetime | None,
) -> None:
    """Record what the watcher did and when it must look again."""
    await conn.execute(
        "UPDATE duties SET reminded_at = $2, supervised_at = $3, check_at = $4 WHERE id = $1",
        duty_id,
        reminded_at,
        supervised_at,
        check_at,
    )


async def look_again_at(conn: Connection, *, duty_id: int, check_at: datetime) -> None:
    """Put off the watcher's next look at a duty."""
    await conn.execute("UPDATE duties SET check_at = $2 WHERE id = $1", duty_id, check_at)


async def end_duty(
    conn: Connection,
    *,
    subject_kind: str,
    subject_id: int,
    state: str,
    done_at: datetime | None,
) -> bool:
    """Close a subject's open duty as done or cancelled; False when none was open."""
    row = await conn.fetchval(
        """
        UPDATE duties SET state = $3, done_at = $4, check_at = NULL
        WHERE subject_kind = $1 AND subject_id = $2 AND state = 'open'
        RETURNING id
        """,
        subject_kind,
        subject_id,
        state,
        done_at,
    )
    return row is not None


async def move_due(
    conn: Connection,
    *,
    subject_kind: str,
    subject_id: int,
    due_at: datetime,
    supervise_at: datetime,
    check_at: datetime,
) -> bool:
    """A new due time for a subject's open duty, its reminders to start over."""
    row = await conn.fetchval(
        """
        UPDATE duties SET due_at = $3, supervise_at = $4, check_at = $5,
                          reminded_at = NULL, supervised_at = NULL
        WHERE subject_kind = $1 AND subject_id = $2 AND state = 'open'
        RETURNING id
        """,
        subject_kind,
        subject_id,
        due_at,
        supervise_at,
        check_at,
    )
    return row is not None


async def of_subjects(
    conn: Connection, *, subject_kind: str, subject_ids: Sequence[int]
) -> list[asyncpg.Record]:
    """The duties of these subjects of one kind."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {DUTY_COLUMNS} FROM duties d "
        "WHERE d.subject_kind = $1 AND d.subject_id = ANY($2::bigint[])",
        subject_kind,
        list(subject_ids),
    )
    return rows


async def open_for_owner(conn: Connection, *, user_id: int, limit: int) -> list[asyncpg.Record]:
    """A staff member's own open duties, the soonest due first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {DUTY_COLUMNS} FROM duties d "
        "WHERE d.owner_user_id = $1 AND d.state = 'open' ORDER BY d.due_at, d.id LIMIT $2",
        user_id,
        limit,
    )
    return rows


async def reopen_duty(
    conn: Connection,
    *,
    subject_kind: str,
    subject_id: int,
    due_at: datetime,
    supervise_at: datetime,
    check_at: datetime,
) -> bool:
    """A subject's finished duty owed again by a new time, its reminders to start over."""
    row = await conn.fetchval(
        """
        UPDATE duties SET state = 'open', done_at = NULL, due_at = $3, supervise_at = $4,
                          check_at = $5, reminded_at = NULL, supervised_at = NULL
        WHERE subject_kind = $1 AND subject_id = $2
        RETURNING id
        """,
        subject_kind,
        subject_id,
        due_at,
        supervise_at,
        check_at,
    )
    return row is not None
