"""Pure decisions of the deadline engine: when a duty is reminded, supervised, looked at again.

A duty is reminded (催办) once at its due time and supervised (督办) once at its supervision
time, some hours later. Moving the due time starts both over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

DutyState = Literal["open", "done", "cancelled"]
OPEN: Final = "open"


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a duty falls due, when it goes to the supervisors, when the watcher first looks."""

    due_at: datetime
    supervise_at: datetime
    check_at: datetime


@dataclass(frozen=True, slots=True)
class Watched:
    """What the watcher knows of a duty when it looks at it."""

    state: str
    due_at: datetime
    supervise_at: datetime
    reminded_at: datetime | None
    supervised_at: datetime | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to do now, and when to look again (None: nothing left to watch)."""

    remind: bool
    supervise: bool
    check_at: datetime | None
    overdue: bool


def schedule(due_at: datetime, *, supervise_after_hours: float) -> Schedule:
    """A fresh schedule: nothing reminded yet, the first look at the due time."""
    supervise_at = due_at + timedelta(hours=supervise_after_hours)
    return Schedule(due_at=due_at, supervise_at=supervise_at, check_at=due_at)


def overdue(state: str, due_at: datetime, *, now: datetime) -> bool:
    """Still owed at or after its due time."""
    return state == OPEN and now >= due_at


def outcome(duty: Watched, *, now: datetime) -> Outcome:
    """催办 at the due time, 督办 at the supervision time, each once; a late look does both."""
    if duty.state != OPEN:
        return Outcome(remind=False, supervise=False, check_at=None, overdue=False)
    remind = duty.reminded_at is None and now >= duty.due_at
    supervise = duty.supervised_at is None and now >= duty.supervise_at
    reminded = remind or duty.reminded_at is not None
    supervised = supervise or duty.supervised_at is not None
    if not reminded:
        check_at: datetime | None = duty.due_at
    elif not supervised:
        check_at = duty.supervise_at
    else:
        check_at = None
    return Outcome(remind, supervise, check_at, overdue(duty.state, duty.due_at, now=now))
