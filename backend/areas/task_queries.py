"""SQL of plans (一地一策) and their tasks: one function per statement."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import asyncpg

from backend.areas.queries import in_range
from backend.db.types import Connection

TASK_COLUMNS = """
    t.id, t.area_id, k.name AS area_name, t.plan_id, t.region_id, t.region_path, t.kind,
    t.owner_id, u.display_name AS owner_name, t.measure, t.due_at, t.state, t.accepted_at,
    t.done_at, t.created_at, ur.code AS unit_region_code, ur.name AS unit_region_name,
    ud.code AS unit_department_code, ud.name AS unit_department_name, k.state AS area_state
"""
TASK_JOINS = """
    JOIN key_areas k ON k.id = t.area_id
    JOIN users u ON u.id = t.owner_id
    LEFT JOIN regions ur ON ur.id = t.unit_region_id
    LEFT JOIN departments ud ON ud.id = t.unit_department_id
"""
PLAN_COLUMNS = """
    p.id, p.area_id, p.first_responsible_id, p.direct_responsible_id, p.goals, p.deadline,
    p.created_at, p.cooperating_region_ids, p.cooperating_department_ids,
    fu.display_name AS first_name, du.display_name AS direct_name,
    lr.code AS lead_region_code, lr.name AS lead_region_name,
    ld.code AS lead_department_code, ld.name AS lead_department_name
"""
PLAN_JOINS = """
    JOIN users fu ON fu.id = p.first_responsible_id
    JOIN users du ON du.id = p.direct_responsible_id
    LEFT JOIN regions lr ON lr.id = p.lead_region_id
    LEFT JOIN departments ld ON ld.id = p.lead_department_id
"""


async def current_plan(conn: Connection, *, area_id: int) -> asyncpg.Record | None:
    """The area's current plan, with its people's names and its lead unit."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {PLAN_COLUMNS} FROM key_area_plans p {PLAN_JOINS} "
        "WHERE p.area_id = $1 AND p.current",
        area_id,
    )
    return row


async def units_named(
    conn: Connection, *, region_ids: list[int], department_ids: list[int]
) -> list[asyncpg.Record]:
    """Regions and departments by id, as (kind, id, code, name)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT 'region' AS kind, id, code, name FROM regions WHERE id = ANY($1::bigint[]) "
        "UNION ALL SELECT 'department', id, code, name FROM departments "
        "WHERE id = ANY($2::bigint[])",
        region_ids,
        department_ids,
    )
    return rows


async def region_by_code(conn: Connection, *, code: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, code, name, level, path FROM regions WHERE code = $1", code
    )
    return row


async def department_by_code(conn: Connection, *, code: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, code, name FROM departments WHERE code = $1", code
    )
    return row


async def retire_plan(conn: Connection, *, area_id: int) -> int | None:
    """The current plan becomes history; its id, if there was one."""
    plan_id: int | None = await conn.fetchval(
        "UPDATE key_area_plans SET current = false WHERE area_id = $1 AND current RETURNING id",
        area_id,
    )
    return plan_id


async def cancel_open_tasks(conn: Connection, *, plan_id: int) -> list[int]:
    """The plan's unfinished tasks are cancelled; their ids."""
    rows = await conn.fetch(
        "UPDATE key_area_tasks SET state = 'cancelled' "
        "WHERE plan_id = $1 AND state IN ('open', 'accepted') RETURNING id",
        plan_id,
    )
    return [row["id"] for row in rows]


async def insert_plan(conn: Connection, *, values: dict[str, Any]) -> int:
    """A new current plan."""
    columns = list(values)
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    plan_id: int = await conn.fetchval(
        f"INSERT INTO key_area_plans ({', '.join(columns)}) VALUES ({marks}) RETURNING id",
        *values.values(),
    )
    return plan_id


async def insert_task(conn: Connection, *, values: dict[str, Any]) -> int:
    """A task of a plan."""
    columns = list(values)
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    task_id: int = await conn.fetchval(
        f"INSERT INTO key_area_tasks ({', '.join(columns)}) VALUES ({marks}) RETURNING id",
        *values.values(),
    )
    return task_id


async def tasks_of_plan(conn: Connection, *, plan_id: int) -> list[asyncpg.Record]:
    """The tasks of a plan, by due time."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {TASK_COLUMNS} FROM key_area_tasks t {TASK_JOINS} "
        "WHERE t.plan_id = $1 ORDER BY t.due_at, t.id",
        plan_id,
    )
    return rows


async def task_visible(
    conn: Connection,
    *,
    task_id: int,
    user_id: int,
    lo: str | None,
    hi: str | None,
    staff_scope: bool,
    for_update: bool = False,
) -> asyncpg.Record | None:
    """A task its owner sees, or staff whose subtree holds its area."""
    lock = " FOR UPDATE OF t" if for_update else ""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {TASK_COLUMNS} FROM key_area_tasks t {TASK_JOINS} WHERE t.id = $1 "
        f"AND (t.owner_id = $2 OR ($5 AND {in_range('k.region_path', '$3', '$4')})){lock}",
        task_id,
        user_id,
        lo,
        hi,
        staff_scope,
    )
    return row


async def tasks_of_owner(conn: Connection, *, owner_id: int, limit: int) -> list[asyncpg.Record]:
    """The tasks someone owes, open ones first by due time, then the finished newest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {TASK_COLUMNS} FROM key_area_tasks t {TASK_JOINS} "
        "WHERE t.owner_id = $1 AND t.state <> 'cancelled' "
        "ORDER BY (t.state IN ('open', 'accepted')) DESC, "
        "CASE WHEN t.state IN ('open', 'accepted') THEN t.due_at END, t.done_at DESC, t.id "
        f"LIMIT {int(limit)}",
        owner_id,
    )
    return rows


async def update_by_client(
    conn: Connection, *, actor_id: int, client_id: uuid.UUID
) -> asyncpg.Record | None:
    """The step this phone already sent under `client_id`."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, task_id, kind FROM key_area_task_updates "
        "WHERE actor_id = $1 AND client_id = $2",
        actor_id,
        client_id,
    )
    return row


async def insert_update(
    conn: Connection,
    *,
    task_id: int,
    actor_id: int,
    client_id: uuid.UUID,
    kind: str,
    note: str,
    lat: float | None,
    lng: float | None,
    at: datetime,
) -> int | None:
    """One step on a task; None when this phone already sent this `client_id`."""
    update_id: int | None = await conn.fetchval(
        """
        INSERT INTO key_area_task_updates (task_id, actor_id, client_id, kind, note, lat, lng, at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (actor_id, client_id) DO NOTHING RETURNING id
        """,
        task_id,
        actor_id,
        client_id,
        kind,
        note,
        lat,
        lng,
        at,
    )
    return update_id


async def set_task_state(conn: Connection, *, task_id: int, state: str, at: datetime) -> None:
    """签收 or 完成: the task's state and the time of that step."""
    stamp = {"accepted": "accepted_at", "done": "done_at"}[state]
    await conn.execute(
        f"UPDATE key_area_tasks SET state = $2, {stamp} = $3 WHERE id = $1", task_id, state, at
    )


async def subject_photos(
    conn: Connection, *, subject_kind: str, subject_ids: list[int]
) -> list[asyncpg.Record]:
    """Evidence photos of these subjects (id, display and thumbnail keys, subject id)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT m.id, m.display_key, m.thumbnail_key, m.subject_id FROM media m "
        "WHERE m.subject_kind = $1 AND m.subject_id = ANY($2::bigint[]) "
        "ORDER BY m.subject_id, m.created_at, m.id",
        subject_kind,
        subject_ids,
    )
    return rows


async def updates_of_tasks(conn: Connection, *, task_ids: list[int]) -> list[asyncpg.Record]:
    """The steps on these tasks (id, task_id)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, task_id FROM key_area_task_updates WHERE task_id = ANY($1::bigint[])",
        task_ids,
    )
    return rows


async def open_task_count(conn: Connection, *, plan_id: int) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM key_area_tasks WHERE plan_id = $1 AND state IN ('open', 'accepted')",
        plan_id,
    )
    return count


async def plan_deadline(conn: Connection, *, area_id: int) -> date | None:
    deadline: date | None = await conn.fetchval(
        "SELECT deadline FROM key_area_plans WHERE area_id = $1 AND current", area_id
    )
    return deadline


async def plan_since_relist(conn: Connection, *, area_id: int) -> bool:
    """Whether the area's current plan was made at or after its last relisting (复发)."""
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM key_area_plans p WHERE p.area_id = $1 AND p.current "
        "AND p.created_at >= (SELECT coalesce(max(e.at), '-infinity') FROM key_area_events e "
        "WHERE e.area_id = $1 AND e.action = 'relist'))",
        area_id,
    )
    return found
