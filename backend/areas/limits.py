"""How many key area writes one staff member may make in an hour.

A new area makes every API process rebuild its routing index, and links, steps, plans and
meetings each write timelines, audit rows and pushes: a runaway client or a stolen token
must not flood them.
"""

from __future__ import annotations

from datetime import datetime

from backend.accounts.rules import Principal
from backend.db.types import Connection
from backend.settings import Settings
from backend.throttle import service as throttle


async def take_write(
    conn: Connection, principal: Principal, *, settings: Settings, now: datetime
) -> None:
    """Count one key area write of the caller (a new area, a case link, a lifecycle step, a
    plan, a meeting), or raise 429 with the wait."""
    limit = settings.area_writes_per_hour
    await throttle.within_hourly(
        conn,
        scope="areas.write",
        key=str(principal.user_id),
        limit=limit,
        now=now,
        refusal=(
            "areas.rate_limited",
            f"每人每小时最多提交 {limit} 次重点地区操作，请稍后再试",
            f"At most {limit} key area changes may be made per person an hour; try again later",
        ),
    )


async def take_task_step(
    conn: Connection, principal: Principal, *, settings: Settings, now: datetime
) -> None:
    """Count one stored step on a remediation task, or raise 429 with the wait. Called once
    the step is written, in its transaction: a replayed step is not counted again, and a
    refused one is not stored."""
    limit = settings.area_task_steps_per_hour
    await throttle.within_hourly(
        conn,
        scope="areas.task_step",
        key=str(principal.user_id),
        limit=limit,
        now=now,
        refusal=(
            "areas.task_steps_limited",
            f"每人每小时最多反馈 {limit} 次任务进展，请稍后再试",
            f"At most {limit} task updates may be recorded per person an hour; try again later",
        ),
    )
