"""Pure decisions of monthly reports (定期访查): which month is owed, by when, in what state.

A unit (a department, and by setting a street) owes one report per month: the month just
ended is owed from the first of the next month until the end of its due day (city time):
filed before 00:00 of the day after is on time. `due → submitted` when filed in time,
`due → missing` when the due time passes unfiled (the watcher's 催办), `due | missing →
late` when filed after the due time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal

from backend.errors import Invalid

ReportState = Literal["due", "submitted", "late", "missing"]
STATES: Final[tuple[ReportState, ...]] = ("due", "submitted", "late", "missing")
FILED: Final = frozenset({"submitted", "late"})
# The longest run of months a summary covers (three years).
MAX_SUMMARY_MONTHS: Final = 36
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_before(first: date) -> date:
    """The first day of the month before the month starting at `first`."""
    index = first.year * 12 + first.month - 2
    return date(index // 12, index % 12 + 1, 1)


def month_after(first: date) -> date:
    """The first day of the month after the month starting at `first`."""
    index = first.year * 12 + first.month
    return date(index // 12, index % 12 + 1, 1)


def owed_month(today: date) -> date:
    """The month whose report is owed now: the month just ended."""
    return month_before(first_of_month(today))


def due_day(month: date, *, due_day_of_month: int) -> date:
    """The last day to file the report of `month`: that day of the month after."""
    return month_after(month).replace(day=due_day_of_month)


def still_owable(today: date, month: date, *, due_day_of_month: int) -> bool:
    """A report is asked for only while it can still be filed on time: a unit is never
    counted missing for a month nobody asked it about (a worker first run after the due day)."""
    return today <= due_day(month, due_day_of_month=due_day_of_month)


def state_on_submit(state: str, *, due_at: datetime, now: datetime) -> ReportState:
    """Filed before its due time (the first moment that is late): submitted; at or after it
    (missing or not yet marked so): late."""
    if state in FILED:
        raise ValueError("a filed report is not filed again")
    return "submitted" if now < due_at else "late"


def overdue(state: str, *, due_at: datetime, now: datetime) -> bool:
    """Not filed and its due time reached."""
    return state not in FILED and now >= due_at


def check_contents(*, problems_found: int, zero_report: bool) -> None:
    """零报告 says nothing was found: it carries no problems, and a report with none is one."""
    if zero_report and problems_found != 0:
        raise Invalid(
            "oversight.zero_report_with_problems",
            "零报告不能填写发现问题数",
            "A zero report (nothing found) cannot list problems found",
            fields={"problemsFound": "must be 0 for a zero report"},
        )
    if not zero_report and problems_found == 0:
        raise Invalid(
            "oversight.zero_report_needed",
            "未发现问题时请按零报告填报",
            "Nothing found: file it as a zero report",
            fields={"zeroReport": "must be true when no problem was found"},
        )


def parse_month(text: str, *, name: str) -> date:
    """A month written 2026-11, as its first day."""
    match = _MONTH.match(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise Invalid(
            "oversight.bad_month",
            "月份无效，请用 2026-11 的格式",
            "Bad month: write it as 2026-11",
            fields={name: "expected YYYY-MM"},
        ) from None


@dataclass(frozen=True, slots=True)
class Months:
    """Months [first, last], each named by its first day."""

    first: date
    last: date


def month_range(first: date, last: date) -> Months:
    """From one month to another, both included; at most MAX_SUMMARY_MONTHS."""
    if last < first:
        raise Invalid(
            "oversight.bad_months",
            "结束月份早于开始月份",
            "The last month comes before the first",
            fields={"to": "before from"},
        )
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    if count > MAX_SUMMARY_MONTHS:
        raise Invalid(
            "oversight.bad_months",
            f"最多统计 {MAX_SUMMARY_MONTHS} 个月",
            f"At most {MAX_SUMMARY_MONTHS} months at once",
            fields={"to": "too far from from"},
        )
    return Months(first, last)


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"
