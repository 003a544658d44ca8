"""The pure rules of monthly reports: the month owed, its due day, states, contents, months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from backend.errors import Invalid
from backend.oversight import monthly_rules as rules

DUE = datetime(2026, 12, 5, 16, 0, tzinfo=UTC)  # 00:00 on 6 December in the city


@pytest.mark.parametrize(
    ("today", "owed"),
    [
        (date(2026, 12, 1), date(2026, 11, 1)),
        (date(2026, 12, 31), date(2026, 11, 1)),
        (date(2027, 1, 3), date(2026, 12, 1)),
        (date(2026, 3, 1), date(2026, 2, 1)),
    ],
)
def test_the_month_owed_is_the_month_just_ended(today: date, owed: date) -> None:
    assert rules.owed_month(today) == owed


def test_a_month_is_due_by_its_day_of_the_next_month() -> None:
    assert rules.due_day(date(2026, 11, 1), due_day_of_month=5) == date(2026, 12, 5)
    assert rules.due_day(date(2026, 12, 1), due_day_of_month=28) == date(2027, 1, 28)
    assert rules.month_after(date(2026, 12, 1)) == date(2027, 1, 1)
    assert rules.month_before(date(2027, 1, 1)) == date(2026, 12, 1)


def test_a_report_is_asked_for_only_while_it_can_still_be_filed_in_time() -> None:
    month = date(2026, 11, 1)
    assert rules.still_owable(date(2026, 12, 5), month, due_day_of_month=5)
    assert not rules.still_owable(date(2026, 12, 6), month, due_day_of_month=5)


def test_filing_before_the_due_time_is_on_time_and_from_it_late() -> None:
    last_instant = DUE - timedelta(microseconds=1)  # 23:59:59.999999 on the due day
    assert rules.state_on_submit("due", due_at=DUE, now=last_instant) == "submitted"
    assert rules.state_on_submit("due", due_at=DUE, now=DUE) == "late"
    after = DUE + timedelta(seconds=1)
    assert rules.state_on_submit("due", due_at=DUE, now=after) == "late"
    assert rules.state_on_submit("missing", due_at=DUE, now=after) == "late"
    with pytest.raises(ValueError):
        rules.state_on_submit("late", due_at=DUE, now=after)


def test_only_an_unfiled_report_past_its_due_time_is_overdue() -> None:
    after = DUE + timedelta(seconds=1)
    assert not rules.overdue("due", due_at=DUE, now=DUE - timedelta(microseconds=1))
    assert rules.overdue("due", due_at=DUE, now=DUE)
    assert rules.overdue("due", due_at=DUE, now=after)
    assert rules.overdue("missing", due_at=DUE, now=after)
    assert not rules.overdue("late", due_at=DUE, now=after)


def test_a_zero_report_finds_nothing_and_a_report_finding_nothing_is_one() -> None:
    rules.check_contents(problems_found=0, zero_report=True)
    rules.check_contents(problems_found=3, zero_report=False)
    with pytest.raises(Invalid) as with_problems:
        rules.check_contents(problems_found=1, zero_report=True)
    assert with_problems.value.fields == {"problemsFound": "must be 0 for a zero report"}
    with pytest.raises(Invalid) as nothing_found:
        rules.check_contents(problems_found=0, zero_report=False)
    assert list(nothing_found.value.fields) == ["zeroReport"]


def test_months_are_read_and_bounded() -> None:
    assert rules.parse_month(" 2026-11 ", name="month") == date(2026, 11, 1)
    for bad in ("2026-13", "2026-1", "26-11", "2026-11-01", ""):
        with pytest.raises(Invalid):
            rules.parse_month(bad, name="month")
    assert rules.month_range(date(2026, 1, 1), date(2028, 12, 1)).last == date(2028, 12, 1)
    with pytest.raises(Invalid):
        rules.month_range(date(2026, 1, 1), date(2029, 1, 1))  # 37 months
    with pytest.raises(Invalid):
        rules.month_range(date(2026, 2, 1), date(2026, 1, 1))
    assert rules.month_label(date(2026, 3, 1)) == "2026-03"
