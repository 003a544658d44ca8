"""When a duty is reminded (催办), supervised (督办) and looked at again."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from backend.duties import rules

DUE = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
SCHEDULE = rules.schedule(DUE, supervise_after_hours=24)
FRESH = rules.Watched(
    state="open",
    due_at=SCHEDULE.due_at,
    supervise_at=SCHEDULE.supervise_at,
    reminded_at=None,
    supervised_at=None,
)
SECOND = timedelta(seconds=1)


def test_a_new_duty_is_first_looked_at_when_it_falls_due() -> None:
    assert SCHEDULE.check_at == DUE
    assert SCHEDULE.supervise_at == DUE + timedelta(hours=24)


def test_nothing_happens_before_the_due_time() -> None:
    early = rules.outcome(FRESH, now=DUE - SECOND)
    assert early == rules.Outcome(remind=False, supervise=False, check_at=DUE, overdue=False)


def test_exactly_at_the_due_time_the_owner_is_reminded_once() -> None:
    at_due = rules.outcome(FRESH, now=DUE)
    assert at_due.remind and not at_due.supervise and at_due.overdue
    assert at_due.check_at == SCHEDULE.supervise_at
    reminded = replace(FRESH, reminded_at=DUE)
    again = rules.outcome(reminded, now=DUE + SECOND)
    assert not again.remind and not again.supervise and again.overdue


def test_exactly_at_the_supervision_time_the_supervisors_are_told_once() -> None:
    reminded = replace(FRESH, reminded_at=DUE)
    before = rules.outcome(reminded, now=SCHEDULE.supervise_at - SECOND)
    assert not before.supervise and before.check_at == SCHEDULE.supervise_at
    at = rules.outcome(reminded, now=SCHEDULE.supervise_at)
    assert at.supervise and not at.remind and at.check_at is None
    supervised = replace(reminded, supervised_at=SCHEDULE.supervise_at)
    later = rules.outcome(supervised, now=SCHEDULE.supervise_at + timedelta(days=30))
    assert not later.remind and not later.supervise and later.check_at is None and later.overdue


def test_a_watcher_that_looks_late_reminds_and_supervises_at_once() -> None:
    late = rules.outcome(FRESH, now=SCHEDULE.supervise_at + timedelta(hours=1))
    assert late.remind and late.supervise and late.check_at is None


def test_a_duty_done_before_its_due_time_is_never_reminded() -> None:
    done = replace(FRESH, state="done")
    for now in (DUE - SECOND, DUE, SCHEDULE.supervise_at + SECOND):
        outcome = rules.outcome(done, now=now)
        assert outcome == rules.Outcome(False, False, None, False)
    assert not rules.overdue("done", DUE, now=DUE + SECOND)
    assert not rules.overdue("cancelled", DUE, now=DUE + SECOND)


def test_a_zero_hour_supervision_comes_with_the_reminder() -> None:
    at_once = rules.schedule(DUE, supervise_after_hours=0)
    watched = replace(FRESH, supervise_at=at_once.supervise_at)
    outcome = rules.outcome(watched, now=DUE)
    assert outcome.remind and outcome.supervise and outcome.check_at is None


def test_moving_the_due_time_starts_reminders_over() -> None:
    moved_to = DUE + timedelta(days=7)
    fresh = rules.schedule(moved_to, supervise_after_hours=24)
    assert fresh.check_at == moved_to
    # What a move writes: the new times, nothing reminded or supervised any more.
    moved = rules.Watched("open", fresh.due_at, fresh.supervise_at, None, None)
    assert rules.outcome(moved, now=DUE + timedelta(days=2)) == rules.Outcome(
        False, False, moved_to, False
    )
    assert rules.outcome(moved, now=moved_to).remind
    assert rules.outcome(replace(moved, reminded_at=moved_to), now=fresh.supervise_at).supervise
