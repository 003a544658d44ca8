"""The shell of the deadline engine: open, complete, cancel and move duties; read their state.

A subject (a remediation task, a weekly 联合清查, a re-check …) owes at most one duty. The
domain that owns the subject opens and ends its duty in the same transaction as its own
change, so a duty never outlives the thing it watches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from backend.accounts.rules import Principal
from backend.db.types import Connection
from backend.duties import queries, rules
from backend.duties.schemas import DutyOut
from backend.settings import Settings

TITLE_MAX = 200
MINE_LIMIT = 500


@dataclass(frozen=True, slots=True)
class NewDuty:
    """Something owed: its subject, the region it belongs to, who owes it and by when."""

    subject_kind: str
    subject_id: int
    region_id: int
    region_path: str
    title: str
    due_at: datetime
    owner_user_id: int | None = None
    owner_region_id: int | None = None
    owner_department_id: int | None = None
    # Staff told at 督办 besides the region's supervisors (e.g. an area's leaders).
    escalate_to: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class DutyStatus:
    """Where a subject's duty stands now."""

    duty_id: int
    due_at: datetime
    state: str
    overdue: bool
    reminded_at: datetime | None
    supervised_at: datetime | None
    done_at: datetime | None


async def open_duty(conn: Connection, duty: NewDuty, *, settings: Settings, now: datetime) -> int:
    """Open the duty a subject owes; a subject owes one, so a second call returns the first."""
    title = " ".join(duty.title.split())[:TITLE_MAX]
    if not title:
        raise ValueError("a duty needs a title")
    plan = rules.schedule(duty.due_at, supervise_after_hours=settings.duty_supervise_after_hours)
    created = await queries.insert_duty(
        conn,
        subject_kind=duty.subject_kind,
        subject_id=duty.subject_id,
        region_id=duty.region_id,
        region_path=duty.region_path,
        owner_user_id=duty.owner_user_id,
        owner_region_id=duty.owner_region_id,
        owner_department_id=duty.owner_department_id,
        title=title,
        due_at=plan.due_at,
        supervise_at=plan.supervise_at,
        check_at=plan.check_at,
        escalate_to=tuple(dict.fromkeys(duty.escalate_to)),
        now=now,
    )
    if created is not None:
        return created
    existing = await queries.duty_id(
        conn, subject_kind=duty.subject_kind, subject_id=duty.subject_id
    )
    if existing is None:  # only a row that was there a moment ago could have refused ours
        raise RuntimeError("a conflicting duty vanished")
    return existing


async def complete(conn: Connection, *, subject_kind: str, subject_id: int, now: datetime) -> bool:
    """The thing owed is done: no reminder from now on. False when no duty was open."""
    return await queries.end_duty(
        conn, subject_kind=subject_kind, subject_id=subject_id, state="done", done_at=now
    )


async def cancel(conn: Connection, *, subject_kind: str, subject_id: int, now: datetime) -> bool:
    """The thing is no longer owed (the task was dropped, the area closed). False when none open."""
    del now  # a cancelled duty keeps no time of its own: the subject's timeline has it
    return await queries.end_duty(
        conn, subject_kind=subject_kind, subject_id=subject_id, state="cancelled", done_at=None
    )


async def move_due(
    conn: Connection,
    *,
    subject_kind: str,
    subject_id: int,
    due_at: datetime,
    settings: Settings,
    now: datetime,
) -> bool:
    """A new due time (an extension): 催办 and 督办 start over. False when no duty is open."""
    del now  # the new schedule follows from the new due time alone
    plan = rules.schedule(due_at, supervise_after_hours=settings.duty_supervise_after_hours)
    return await queries.move_due(
        conn,
        subject_kind=subject_kind,
        subject_id=subject_id,
        due_at=plan.due_at,
        supervise_at=plan.supervise_at,
        check_at=plan.check_at,
    )


async def owe_again(
    conn: Connection,
    *,
    subject_kind: str,
    subject_id: int,
    due_at: datetime,
    settings: Settings,
) -> bool:
    """The subject owes again by a new time (a finding sent back after its 复查): its one duty,
    done or open, is open again with 催办 and 督办 to come. False when it never owed one."""
    plan = rules.schedule(due_at, supervise_after_hours=settings.duty_supervise_after_hours)
    return await queries.reopen_duty(
        conn,
        subject_kind=subject_kind,
        subject_id=subject_id,
        due_at=plan.due_at,
        supervise_at=plan.supervise_at,
        check_at=plan.check_at,
    )


async def statuses(
    conn: Connection, *, subject_kind: str, subject_ids: Sequence[int], now: datetime
) -> dict[int, DutyStatus]:
    """The duties of these subjects, keyed by subject id (subjects without one are absent)."""
    rows = await queries.of_subjects(conn, subject_kind=subject_kind, subject_ids=subject_ids)
    return {row["subject_id"]: _status(row, now) for row in rows}


def _status(row: asyncpg.Record, now: datetime) -> DutyStatus:
    return DutyStatus(
        duty_id=row["id"],
        due_at=row["due_at"],
        state=row["state"],
        overdue=rules.overdue(row["state"], row["due_at"], now=now),
        reminded_at=row["reminded_at"],
        supervised_at=row["supervised_at"],
        done_at=row["done_at"],
    )


async def mine(conn: Connection, principal: Principal, *, now: datetime) -> list[DutyOut]:
    """The caller's own open duties, the soonest due first."""
    rows = await queries.open_for_owner(conn, user_id=principal.user_id, limit=MINE_LIMIT)
    return [
        DutyOut(
            id=row["id"],
            subject_kind=row["subject_kind"],
            subject_id=row["subject_id"],
            title=row["title"],
            due_at=row["due_at"],
            overdue=rules.overdue(row["state"], row["due_at"], now=now),
            reminded_at=row["reminded_at"],
            supervised_at=row["supervised_at"],
        )
        for row in rows
    ]
