"""What key areas owe the deadline watcher: a plan's tasks, and the duties their level carries."""

from __future__ import annotations

import importlib
from datetime import datetime

import asyncpg

from backend.areas import queries
from backend.db.types import Connection
from backend.duties.watcher import Stage, Subject

# The module behind the level duties (联合清查, 巡查 …); the tasks work without it.
LEVEL_DUTIES = "backend.areas.level_duties"


class AreaTask:
    """A task of an area's plan: owed until its owner marks it done."""

    async def settle(self, conn: Connection, duty: asyncpg.Record, *, now: datetime) -> bool:
        """A task done (or cancelled with its plan) owes nothing more."""
        del now
        state = await queries.task_state(conn, task_id=duty["subject_id"])
        return state is None or state in ("done", "cancelled")

    async def on_stage(
        self, conn: Connection, duty: asyncpg.Record, *, stage: Stage, now: datetime
    ) -> None:
        """催办 or 督办 of the task, on its area's timeline."""
        task = await queries.task_area(conn, task_id=duty["subject_id"])
        if task is None:
            return
        await queries.insert_event(
            conn,
            area_id=task["area_id"],
            region_id=task["region_id"],
            at=now,
            actor_id=None,
            actor_role="system",
            action=stage,
            from_state=task["area_state"],
            to_state=task["area_state"],
            reason=None,
            detail={"taskId": duty["subject_id"], "dutyId": duty["id"]},
        )


def _subjects() -> dict[str, Subject]:
    found: dict[str, Subject] = {"area_task": AreaTask()}
    try:
        module = importlib.import_module(LEVEL_DUTIES)
    except ModuleNotFoundError as exc:
        if exc.name != LEVEL_DUTIES:
            raise
        return found
    found["area_duty"] = module.DUTY_SUBJECT
    return found


SUBJECTS: dict[str, Subject] = _subjects()
