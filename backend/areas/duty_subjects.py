"""What key areas owe the deadline watcher: a plan's tasks, and the duties their level carries."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.areas import queries
from backend.areas.level_duties import DUTY_SUBJECT
from backend.db.types import Connection
from backend.duties.watcher import Stage, Subject


class AreaTask:
    """A task of an area's plan: owed until its owner marks it done."""

    async def settle(self, conn: Connection, duty: asyncpg.Record, *, now: datetime) -> bool:
        """A task done (or cancelled with its plan) owes nothing more.

        An area someone is changing right now raises LockNotAvailableError: the watcher
        looks again later rather than wait while it holds the duty."""
        del now
        task = await queries.task_unless_busy(conn, task_id=duty["subject_id"])
        return task is None or task["state"] in ("done", "cancelled")

    async def on_stage(
        self, conn: Connection, duty: asyncpg.Record, *, stage: Stage, now: datetime
    ) -> None:
        """催办 or 督办 of the task, on its area's timeline."""
        # Already held since settle; the event's reference to the area needs its key lock.
        task = await queries.task_unless_busy(conn, task_id=duty["subject_id"])
        if task is None:
            return
        await queries.insert_system_event(
            conn,
            area_id=task["area_id"],
            region_id=task["region_id"],
            state=task["area_state"],
            action=stage,
            at=now,
            detail={"taskId": duty["subject_id"], "dutyId": duty["id"]},
        )


SUBJECTS: dict[str, Subject] = {"area_task": AreaTask(), "area_duty": DUTY_SUBJECT}
