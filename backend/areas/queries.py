"""SQL of key areas: one function per statement, every read limited to a region range [lo, hi).

A range of (None, None) is the whole city (an admin without a region).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import asyncpg

from backend.db.types import Connection

AREA_COLUMNS = """
    k.id, k.place_id, k.region_id, k.region_path, k.name, k.area_type, k.problems,
    k.problem_categories, k.state, k.level, k.tier, k.source, k.deadline, k.baseline,
    k.listed_at, k.flagged_at, k.lifted_at, k.watch_until, k.created_by, k.created_at,
    k.updated_at, k.version
"""
IN_RANGE = "({lo}::text IS NULL OR ({col} >= {lo} AND {col} < {hi}))"


def in_range(col: str, lo: str, hi: str) -> str:
    """The scope condition on `col` with the placeholders `lo` and `hi`."""
    return IN_RANGE.format(col=col, lo=lo, hi=hi)


async def area_for_update(
    conn: Connection, *, area_id: int, lo: str | None, hi: str | None
) -> asyncpg.Record | None:
    """One area, locked, only if it lies in the range."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {AREA_COLUMNS} FROM key_areas k "
        f"WHERE k.id = $1 AND {in_range('k.region_path', '$2', '$3')} FOR UPDATE",
        area_id,
        lo,
        hi,
    )
    return row


async def plan_facts(conn: Connection, *, area_id: int) -> asyncpg.Record:
    """The current plan (id, responsible people) and how many of its tasks are still open."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        SELECT p.id AS plan_id, p.first_responsible_id, p.direct_responsible_id,
               (SELECT count(*) FROM key_area_tasks t
                 WHERE t.plan_id = p.id AND t.state IN ('open', 'accepted'))::int AS open_tasks
          FROM (SELECT 1) one
          LEFT JOIN key_area_plans p ON p.area_id = $1 AND p.current
        """,
        area_id,
    )
    assert row is not None  # an aggregate, a RETURNING or a foreign key: always a row
    return row


async def update_state(
    conn: Connection, *, area_id: int, changes: dict[str, Any], now: datetime
) -> asyncpg.Record:
    """Apply a transition's changes; the row as it is now."""
    names = list(changes)
    sets = "".join(f"{name} = ${i}, " for i, name in enumerate(names, start=3))
    row: asyncpg.Record | None = await conn.fetchrow(
        f"UPDATE key_areas k SET {sets}updated_at = $2, version = version + 1 "
        f"WHERE k.id = $1 RETURNING {AREA_COLUMNS}",
        area_id,
        now,
        *changes.values(),
    )
    assert row is not None  # an aggregate, a RETURNING or a foreign key: always a row
    return row


async def insert_event(
    conn: Connection,
    *,
    area_id: int,
    region_id: int,
    at: datetime,
    actor_id: int | None,
    actor_role: str,
    action: str,
    from_state: str | None,
    to_state: str,
    reason: str | None,
    media_ids: Sequence[uuid.UUID] = (),
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one step to the area's timeline."""
    event_id: int = await conn.fetchval(
        """
        INSERT INTO key_area_events (area_id, region_id, at, actor_id, actor_role, action,
                                     from_state, to_state, reason, media_ids, detail)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        RETURNING id
        """,
        area_id,
        region_id,
        at,
        actor_id,
        actor_role,
        action,
        from_state,
        to_state,
        reason,
        list(media_ids),
        detail or {},
    )
    return event_id


async def insert_system_event(
    conn: Connection,
    *,
    area_id: int,
    region_id: int,
    state: str,
    action: str,
    at: datetime,
    detail: dict[str, Any],
) -> int:
    """A step the system took on the area (催办, 督办, an alert): no actor, the state unchanged."""
    return await insert_event(
        conn,
        area_id=area_id,
        region_id=region_id,
        at=at,
        actor_id=None,
        actor_role="system",
        action=action,
        from_state=state,
        to_state=state,
        reason=None,
        detail=detail,
    )


async def set_event_media(conn: Connection, *, event_id: int, media_ids: list[uuid.UUID]) -> None:
    """The photos an event carries as evidence."""
    await conn.execute(
        "UPDATE key_area_events SET media_ids = $2 WHERE id = $1", event_id, media_ids
    )


async def region_in_range(
    conn: Connection, *, code: str, lo: str | None, hi: str | None
) -> asyncpg.Record | None:
    """A region by code, only if it lies in the range."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT r.id, r.code, r.name, r.level, r.path FROM regions r "
        f"WHERE r.code = $1 AND {in_range('r.path', '$2', '$3')}",
        code,
        lo,
        hi,
    )
    return row


async def set_deadline(conn: Connection, *, area_id: int, deadline: date | None) -> None:
    """The area's deadline follows its current plan."""
    await conn.execute("UPDATE key_areas SET deadline = $2 WHERE id = $1", area_id, deadline)


async def insert_area(
    conn: Connection,
    *,
    place_id: int,
    region: asyncpg.Record,
    name: str,
    area_type: str,
    problems: str,
    problem_categories: list[str],
    source: str,
    created_by: int | None,
    now: datetime,
) -> asyncpg.Record:
    """排查发现: a new candidate area."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""
        INSERT INTO key_areas AS k (place_id, region_id, region_path, name, area_type, problems,
                               problem_categories, source, created_by, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
        RETURNING {AREA_COLUMNS}
        """,
        place_id,
        region["id"],
        region["path"],
        name,
        area_type,
        problems,
        problem_categories,
        source,
        created_by,
        now,
    )
    assert row is not None  # an aggregate, a RETURNING or a foreign key: always a row
    return row


async def active_area_on_place(
    conn: Connection, *, place_id: int, lo: str | None, hi: str | None
) -> asyncpg.Record | None:
    """The area still governing a place, locked, if it lies in the range."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {AREA_COLUMNS} FROM key_areas k WHERE k.place_id = $1 "
        f"AND k.state NOT IN ('closed', 'dismissed') AND {in_range('k.region_path', '$2', '$3')} "
        "FOR UPDATE",
        place_id,
        lo,
        hi,
    )
    return row


async def touch(conn: Connection, *, area_id: int, now: datetime) -> None:
    """The area changed (new evidence, a new plan): it moves up the register."""
    await conn.execute(
        "UPDATE key_areas SET updated_at = $2, version = version + 1 WHERE id = $1", area_id, now
    )


async def task_unless_busy(conn: Connection, *, task_id: int) -> asyncpg.Record | None:
    """A task's state with its area held against change, without waiting for anyone.

    The duty watcher holds the task's duty while it looks; a step of the area (a new plan,
    a relisting) holds the area, then ends that duty. Waiting here would close that circle,
    so an area being changed raises LockNotAvailableError instead.
    """
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT t.state, k.id AS area_id, k.region_id, k.state AS area_state "
        "FROM key_area_tasks t JOIN key_areas k ON k.id = t.area_id WHERE t.id = $1 "
        "FOR KEY SHARE OF k NOWAIT",
        task_id,
    )
    return row


async def region_by_id(conn: Connection, *, region_id: int) -> asyncpg.Record:
    """A region (id, code, name, level, path)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT r.id, r.code, r.name, r.level, r.path FROM regions r WHERE r.id = $1", region_id
    )
    assert row is not None  # an aggregate, a RETURNING or a foreign key: always a row
    return row


async def region_by_path(conn: Connection, *, path: str) -> asyncpg.Record | None:
    """A region by its path."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT r.id, r.code, r.name, r.level, r.path FROM regions r WHERE r.path = $1", path
    )
    return row
