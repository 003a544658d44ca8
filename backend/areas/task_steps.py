"""The owner's steps of a task (签收, 进展, 完成): what is allowed, and what each one writes.

The last task of the current plan done sends a remediating area to acceptance (验收).
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.accounts.rules import Principal
from backend.areas import acceptance, lifecycle, limits, queries, task_queries
from backend.areas.schemas import TaskUpdateIn
from backend.audit import service as audit
from backend.db.types import Connection
from backend.duties import service as duties
from backend.errors import Conflict, Forbidden, Invalid
from backend.media import service as media
from backend.settings import Settings

DONE_NOTE_MIN = 5
NEXT_STATE = {"accept": "accepted", "done": "done"}


def check_step(task: asyncpg.Record, principal: Principal, data: TaskUpdateIn) -> None:
    """Whether the caller may take this step of the task now (its owner, in order)."""
    if task["owner_id"] != principal.user_id:
        raise Forbidden(
            "areas.not_task_owner",
            "只有任务的责任人才能反馈该任务",
            "Only the task's owner reports on it",
        )
    if task["state"] in ("done", "cancelled"):
        raise Conflict(
            "areas.task_finished", "该任务已完成或已取消", "This task is already done or cancelled"
        )
    if data.kind == "accept" and task["state"] != "open":
        raise Conflict("areas.task_accepted", "该任务已签收", "This task was already accepted")
    if data.kind == "done" and not data.media_ids and len(data.note.strip()) < DONE_NOTE_MIN:
        raise Invalid(
            "areas.done_needs_evidence",
            "完成任务须附照片，或写明不少于 5 个字的说明",
            "Marking a task done needs a photo or a note of at least 5 characters",
            fields={"mediaIds": "a photo or a note of 5 characters or more"},
        )


async def write_step(
    conn: Connection,
    principal: Principal,
    task: asyncpg.Record,
    data: TaskUpdateIn,
    *,
    settings: Settings,
    now: datetime,
) -> None:
    """A step of the task: its photos, its state, the audit log; 完成 ends its duty."""
    update_id = await task_queries.insert_update(
        conn,
        task_id=task["id"],
        actor_id=principal.user_id,
        client_id=data.client_id,
        kind=data.kind,
        note=data.note,
        lat=data.lat,
        lng=data.lng,
        at=now,
    )
    if update_id is None:  # the same step landed meanwhile from another request
        return
    await limits.take_task_step(conn, principal, settings=settings, now=now)
    if data.media_ids and not await media.attach_to_subject(
        conn,
        media_ids=list(data.media_ids),
        uploader_id=principal.user_id,
        subject_kind="area_task_update",
        subject_id=update_id,
        region_id=task["region_id"],
        now=now,
    ):
        raise Invalid(
            "areas.bad_photos",
            "照片无效：不存在、不是您上传的或已被使用",
            "A photo is unknown, not yours, or already used",
            fields={"mediaIds": "invalid"},
        )
    if data.kind in NEXT_STATE:
        await task_queries.set_task_state(
            conn, task_id=task["id"], state=NEXT_STATE[data.kind], at=now
        )
    await audit.record(
        conn,
        actor_id=principal.user_id,
        action=f"areas.task_{data.kind}",
        subject=("key_area_task", str(task["id"])),
        region_id=task["region_id"],
        detail={"updateId": update_id, "photos": len(data.media_ids)},
    )
    if data.kind == "done":
        await _finish(conn, principal, task, settings=settings, now=now)


async def _finish(
    conn: Connection,
    principal: Principal,
    task: asyncpg.Record,
    *,
    settings: Settings,
    now: datetime,
) -> None:
    """完成: the duty ends, the area's timeline shows it, and the last task starts 验收."""
    await duties.complete(conn, subject_kind="area_task", subject_id=task["id"], now=now)
    late = now > task["due_at"]
    area = await lifecycle.load_for_update(conn, area_id=task["area_id"], scope_path=None)
    await queries.insert_event(
        conn,
        area_id=area["id"],
        region_id=area["region_id"],
        at=now,
        actor_id=principal.user_id,
        actor_role=principal.role,
        action="task_done",
        from_state=area["state"],
        to_state=area["state"],
        reason=None,
        detail={"taskId": task["id"], "late": late},
    )
    await queries.touch(conn, area_id=area["id"], now=now)
    open_left = await task_queries.open_task_count(conn, plan_id=task["plan_id"])
    current = await task_queries.current_plan(conn, area_id=area["id"])
    last_of_current = current is not None and current["id"] == task["plan_id"] and open_left == 0
    if last_of_current and area["state"] in acceptance.REMEDIATING:
        area = await lifecycle.load_for_update(conn, area_id=area["id"], scope_path=None)
        await acceptance.begin(conn, area, settings=settings, now=now)
