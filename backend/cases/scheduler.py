"""Deadlines that somebody watches: overdue marks, reminders 催办 and supervision 督办.

A batch of due cases is taken with FOR UPDATE SKIP LOCKED inside one transaction: several
workers share the work without ever taking the same case, and a worker that dies mid-batch
leaves nothing half done (its transaction rolls back and the cases are due again).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from backend.cases import queries, rules
from backend.cases.service import handler_news, queue_news
from backend.db.types import Connection

BATCH = 200


async def run_due(conn: Connection, *, now: datetime) -> int:
    """Handle one batch of cases whose deadline (or supervision threshold) has come."""
    async with conn.transaction():
        due = await queries.due_for_check(conn, now=now, limit=BATCH)
        for case in due:
            await _check(conn, case, now)
    return len(due)


async def _check(conn: Connection, case: asyncpg.Record, now: datetime) -> None:
    preset = rules.Preset(case["accept_minutes"], case["resolve_minutes"], case["verify_minutes"])
    state = rules.DeadlineState(
        case["status"], case["due_at"], case["reminded_step"], case["supervised_step"]
    )
    outcome = rules.deadline_outcome(state, now=now, preset=preset)
    changes: dict[str, Any] = {"check_at": outcome.check_at, "overdue": outcome.overdue}
    if outcome.remind:
        changes["reminded_step"] = outcome.step
        await _event(conn, case, now, "remind", outcome.step)
        reminded = await _reminder_recipients(conn, case)
        await queue_news(conn, case, [(user_id, "reminder") for user_id in reminded], now=now)
    if outcome.supervise:
        changes["supervised_step"] = outcome.step
        await _event(conn, case, now, "supervise", outcome.step)
        supervisors = await queries.supervisors_of(conn, region_path=case["region_path"])
        await queue_news(conn, case, [(user_id, "supervision") for user_id in supervisors], now=now)
    await queries.set_deadline_state(conn, case_id=case["id"], changes=changes)


async def _reminder_recipients(conn: Connection, case: asyncpg.Record) -> list[int]:
    if case["assignee_id"] is not None:
        return [case["assignee_id"]]
    if case["status"] == "dispatched":
        news = await handler_news(
            conn,
            assigned_path=case["assigned_path"],
            department_id=case["department_id"],
            kind="reminder",
        )
        return [user_id for user_id, _ in news]
    return []  # in triage or awaiting verification: the supervision step reaches the right people


async def _event(
    conn: Connection, case: asyncpg.Record, now: datetime, action: str, step: str | None
) -> None:
    await queries.insert_event(
        conn,
        case_id=case["id"],
        region_id=case["region_id"],
        at=now,
        actor_id=None,
        actor_role="system",
        action=action,
        from_status=case["status"],
        to_status=case["status"],
        public=False,
        detail={"step": step},
    )
