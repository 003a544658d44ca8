"""What follows the work on a key area, as pure rules: 验收 (acceptance) and 回头看 (the watch).

Acceptance pools the answers of the acceptance survey with the case ratings since flagging
and compares the satisfied share with the bar in whole numbers. The watch runs for some
months from 摘牌, with re-checks counted from that day; a red level or the count the area
was flagged with, back again, is 复发. Before/after figures compare two windows of equal
length on either side of flagging.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

RECHECK_MONTHS: Final[tuple[int, ...]] = (1, 3, 6, 12)


@dataclass(frozen=True, slots=True)
class AcceptanceMeasure:
    """验收: answers to the acceptance survey and case ratings since flagging, pooled."""

    survey_answered: int
    survey_satisfied: int
    ratings: int
    ratings_satisfied: int

    @property
    def answered(self) -> int:
        return self.survey_answered + self.ratings

    @property
    def satisfied(self) -> int:
        return self.survey_satisfied + self.ratings_satisfied

    @property
    def satisfaction(self) -> float | None:
        """The satisfied share (0..1, 4 places), None when nobody answered."""
        return rate(self.satisfied, self.answered)


def _meets_bar(satisfied: int, answered: int, bar_percent: float) -> bool:
    # In hundredths of a percent and whole numbers, so 89.9 % never rounds up to 90.0 %.
    bar_hundredths = round(bar_percent * 100)
    return satisfied * 10_000 >= bar_hundredths * answered


def acceptance_passed(m: AcceptanceMeasure, *, bar_percent: float, min_answers: int) -> bool:
    """Enough answers, and the satisfied share at or above the bar."""
    return not acceptance_shortfall(m, bar_percent=bar_percent, min_answers=min_answers)


def acceptance_shortfall(
    m: AcceptanceMeasure, *, bar_percent: float, min_answers: int
) -> list[tuple[str, str]]:
    """Why the acceptance fails, (zh, en) per reason; empty when it passes."""
    reasons: list[tuple[str, str]] = []
    if m.answered < max(1, min_answers):
        reasons.append(
            (
                f"有效答复 {m.answered} 份，少于 {min_answers} 份",
                f"{m.answered} answers, fewer than the {min_answers} needed",
            )
        )
    if m.answered and not _meets_bar(m.satisfied, m.answered, bar_percent):
        share = f"{m.satisfied * 100 / m.answered:.1f}"
        reasons.append(
            (
                f"满意率 {share}%，低于 {bar_percent:g}%",
                f"Satisfaction {share} %, below the bar of {bar_percent:g} %",
            )
        )
    return reasons


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def watch_until(lifted_at: datetime, *, months: int) -> datetime:
    """The end of 回头看: the same day of the month `months` later, clamped to the month's end."""
    moved = _add_months(lifted_at.date(), months)
    return lifted_at.replace(year=moved.year, month=moved.month, day=moved.day)


def recheck_dates(lifted_on: date, *, months: Sequence[int] = RECHECK_MONTHS) -> list[date]:
    """The re-check days of 回头看, each counted from the day of 摘牌."""
    return [_add_months(lifted_on, m) for m in months]


def watching(now: datetime, lifted_at: datetime, until: datetime) -> bool:
    """Inside the watch window: from the moment of 摘牌, up to but not including its end."""
    return lifted_at <= now < until


def recurrence(alert: str, reports: int, *, baseline_reports: int) -> bool:
    """复发: red again, or the window's count back at the count the area was flagged with."""
    return alert == "red" or (baseline_reports > 0 and reports >= baseline_reports)


def before_after(
    flagged_at: datetime, now: datetime
) -> tuple[datetime, datetime, datetime, datetime]:
    """Two windows of equal length: as long before flagging as has passed since."""
    after_end = max(now, flagged_at)
    length = after_end - flagged_at
    return flagged_at - length, flagged_at, flagged_at, after_end


def rate(part: int, whole: int) -> float | None:
    """part ÷ whole to 4 places; None when there is nothing to divide by."""
    if whole == 0:
        return None
    return round(part / whole, 4)
