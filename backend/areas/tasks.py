"""Tasks on the phone: my tasks, one task, and its owner's steps (签收, 进展, 完成).

A step carries the phone's own `clientId`, so the offline queue may replay it: the same
clientId again returns the first result instead of a second step. The last task of the
current plan done sends a remediating area to acceptance (验收) on its own.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.accounts.rules import Principal
from backend.areas import (
    area_page,
    plans,
    register_queries,
    service,
    task_queries,
    task_steps,
)
from backend.areas.access import scope_path
from backend.areas.lifecycle import scope_range
from backend.areas.schemas import PlanIn, ProgressOut, TaskIn, TaskOut, TaskUpdateIn
from backend.db.types import Connection
from backend.errors import Conflict, Forbidden, NotFound
from backend.media.links import PhotoLinks
from backend.settings import Settings

MINE_LIMIT = 200
_NO_SUCH_TASK = NotFound("areas.task_not_found", "找不到该任务", "No such task")


async def put_plan(
    conn: Connection,
    principal: Principal,
    area_id: int,
    data: PlanIn,
    *,
    settings: Settings,
    now: datetime,
) -> None:
    """一地一策: the area's plan and tasks, replacing the current plan."""
    async with conn.transaction():
        await plans.replace_plan(conn, principal, area_id, data, settings=settings, now=now)


async def add_task(
    conn: Connection,
    principal: Principal,
    area_id: int,
    data: TaskIn,
    *,
    settings: Settings,
    now: datetime,
    links: PhotoLinks | None = None,
) -> TaskOut:
    """One more task on the current plan."""
    async with conn.transaction():
        task_id = await plans.add_task(conn, principal, area_id, data, settings=settings, now=now)
    return await one(conn, principal, task_id, settings=settings, now=now, links=links)


def _staff_range(principal: Principal) -> tuple[bool, str | None, str | None]:
    try:
        path = scope_path(principal)
    except Forbidden:
        return False, None, None
    if not principal.is_staff or principal.role in ("worker", "department"):
        return False, None, None
    lo, hi = scope_range(path)
    return True, lo, hi


async def _visible(
    conn: Connection, principal: Principal, task_id: int, *, for_update: bool = False
) -> asyncpg.Record:
    staff, lo, hi = _staff_range(principal)
    row = await task_queries.task_visible(
        conn,
        task_id=task_id,
        user_id=principal.user_id,
        lo=lo,
        hi=hi,
        staff_scope=staff,
        for_update=for_update,
    )
    if row is None:
        raise _NO_SUCH_TASK
    return row


async def _progress(
    conn: Connection, area_ids: list[int], *, settings: Settings, now: datetime
) -> dict[int, ProgressOut]:
    if not area_ids:
        return {}
    rows = await register_queries.area_page(
        conn,
        where="k.id = ANY($3::bigint[])",
        args=[sorted(set(area_ids))],
        since=now - service.REPORTS_WINDOW,
        now=now,
        limit=len(area_ids),
    )
    summaries = await service.summaries(conn, rows, settings=settings, now=now)
    return {s.id: s.progress for s in summaries}


async def _outs(
    conn: Connection,
    rows: list[asyncpg.Record],
    *,
    settings: Settings,
    now: datetime,
    links: PhotoLinks | None,
) -> list[TaskOut]:
    tasks = await area_page.task_outs(conn, rows, links=links, now=now)
    progress = await _progress(conn, [t.area_id for t in tasks], settings=settings, now=now)
    for task in tasks:
        task.area_progress = progress.get(task.area_id)
    return tasks


async def mine(
    conn: Connection,
    principal: Principal,
    *,
    settings: Settings,
    now: datetime,
    links: PhotoLinks | None = None,
) -> list[TaskOut]:
    """The caller's tasks: open ones first by due time, each with its area's progress."""
    rows = await task_queries.tasks_of_owner(conn, owner_id=principal.user_id, limit=MINE_LIMIT)
    return await _outs(conn, rows, settings=settings, now=now, links=links)


async def one(
    conn: Connection,
    principal: Principal,
    task_id: int,
    *,
    settings: Settings,
    now: datetime,
    links: PhotoLinks | None = None,
) -> TaskOut:
    """One task, for its owner or for staff whose subtree holds its area."""
    row = await _visible(conn, principal, task_id)
    return (await _outs(conn, [row], settings=settings, now=now, links=links))[0]


async def report_step(
    conn: Connection,
    principal: Principal,
    task_id: int,
    data: TaskUpdateIn,
    *,
    settings: Settings,
    now: datetime,
    links: PhotoLinks | None = None,
) -> tuple[TaskOut, bool]:
    """签收, 进展 or 完成 from the task's owner; (task, False) when the step was a replay."""
    async with conn.transaction():
        replay = await task_queries.update_by_client(
            conn, actor_id=principal.user_id, client_id=data.client_id
        )
        if replay is None:
            task = await _visible(conn, principal, task_id, for_update=True)
            # The same step may have landed while we waited for the lock: a replay, not a
            # second step, so it is looked up before the task's state is judged.
            replay = await task_queries.update_by_client(
                conn, actor_id=principal.user_id, client_id=data.client_id
            )
            if replay is None:
                task_steps.check_step(task, principal, data)
                await task_steps.write_step(conn, principal, task, data, settings=settings, now=now)
    if replay is not None and replay["task_id"] != task_id:
        raise Conflict(
            "areas.client_id_reused",
            "该离线编号已用于另一项任务",
            "This clientId was already used for another task",
            fields={"clientId": "used for another task"},
        )
    out = await one(conn, principal, task_id, settings=settings, now=now, links=links)
    return out, replay is None
