"""Pure decisions of the findings ledger (问题台账): its states, who moves them, what each needs.

open --签收 accept--> rectifying --整改反馈 report--> reported --复查 recheck--> rechecked
--销号 close--> closed, or rechecked --reopen--> reopened --accept--> rectifying again.
The responsible unit accepts and reports; the checkers (supervisors in scope, the
inspection's author) recheck, close and reopen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

FindingState = Literal["open", "rectifying", "reported", "rechecked", "closed", "reopened"]
Action = Literal["accept", "report", "recheck", "close", "reopen"]
Party = Literal["unit", "checker"]

MOVES: Final[dict[tuple[str, str], str]] = {
    ("open", "accept"): "rectifying",
    ("reopened", "accept"): "rectifying",
    ("rectifying", "report"): "reported",
    ("reported", "recheck"): "rechecked",
    ("rechecked", "close"): "closed",
    ("rechecked", "reopen"): "reopened",
}
WHO: Final[dict[str, Party]] = {
    "accept": "unit",
    "report": "unit",
    "recheck": "checker",
    "close": "checker",
    "reopen": "checker",
}
# The furthest a deadline may lie ahead: rectification is owed within a year.
DEADLINE_HORIZON: Final = timedelta(days=366)
# States in which the unit still owes its rectification: a deadline passed in them is overdue.
OWING: Final = frozenset({"open", "rectifying", "reopened"})


@dataclass(frozen=True, slots=True)
class Move:
    """A move as asked: its action, note, how many photos, and a new deadline."""

    action: str
    note: str
    photos: int
    deadline: datetime | None


def next_state(state: str, action: str) -> str | None:
    """The state after `action`, or None when the action is not open from `state`."""
    return MOVES.get((state, action))


def may_move(action: str, *, answers: bool, checks: bool) -> bool:
    """Whether a caller who `answers` for the finding, or `checks` it, may take `action`."""
    party = WHO.get(action)
    return (party == "unit" and answers) or (party == "checker" and checks)


def missing(move: Move, *, now: datetime) -> dict[str, str]:
    """What the move lacks, by field: a report needs evidence photos and a note, a recheck a
    note, a reopen a reason and a later deadline. Empty when nothing is missing."""
    lacks: dict[str, str] = {}
    if move.action in ("report", "recheck", "reopen") and not move.note.strip():
        lacks["note"] = "required"
    if move.action == "report" and move.photos == 0:
        lacks["mediaIds"] = "evidence photos required"
    if move.action == "reopen" and (
        move.deadline is None or not deadline_fits(move.deadline, now=now)
    ):
        lacks["deadline"] = "a new deadline after now and within a year, with its time zone"
    return lacks


def deadline_fits(deadline: datetime, *, now: datetime) -> bool:
    """A deadline with its time zone, after now and at most DEADLINE_HORIZON ahead."""
    return deadline.tzinfo is not None and now < deadline <= now + DEADLINE_HORIZON


def overdue(state: str, deadline: datetime, *, now: datetime) -> bool:
    """Still owed by the unit at or after its deadline."""
    return state in OWING and now >= deadline


def closed_on_time(state: str, reported_at: datetime | None, first_deadline: datetime) -> bool:
    """销号 and its last 整改反馈 came at or before the deadline set at filing: a reopen's new
    deadline gives the unit more time to finish, not a late finding an on-time record."""
    return state == "closed" and reported_at is not None and reported_at <= first_deadline
