"""挂牌督办 as pure rules: the deadline, the exit bar, which way a flag is lifted, whose it is.

The exit bar (摘牌条件), by default: at least 90 % of the cases rated since the flag was raised
were satisfied (满意: a rating that does not send the case back, 3–5 of 5, as the statistics
count it), with at least one rating to go by, and the region's hotspot level no worse than
yellow (no red). A region that misses the bar keeps its flag unless a supervisor lifts it
with a written reason (override); the history says which way each flag went.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal, TypeVar

from backend.cases.rules import REOPEN_AT_OR_BELOW
from backend.hotspots.rules import Alert, prefixes, rank

LiftPath = Literal["exit_bar", "override"]
SATISFIED_AT_OR_ABOVE: Final = REOPEN_AT_OR_BELOW + 1
# A deadline further out than this is a typing slip (2062 for 2026), not a plan.
MAX_DEADLINE_AHEAD: Final = timedelta(days=366)
_ALERT_NAMES: Final[dict[str, str]] = {
    "red": "红色",
    "yellow": "黄色",
    "blue": "蓝色",
    "none": "无",
}

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ExitBar:
    """The bar a flagged region must meet to be lifted without an override."""

    satisfied_percent: float = 90.0
    min_rated: int = 1
    worst_level: Alert = "yellow"


@dataclass(frozen=True, slots=True)
class Measure:
    """What the region shows now: ratings since flagging and its hotspot level."""

    rated: int
    satisfied: int
    alert: Alert

    @property
    def satisfaction(self) -> float | None:
        return None if self.rated == 0 else round(self.satisfied / self.rated, 4)


@dataclass(frozen=True, slots=True)
class Unmet:
    """One condition of the bar the region misses, with why in Chinese and English."""

    code: Literal["ratings", "satisfaction", "level"]
    zh: str
    en: str


def unmet(measure: Measure, bar: ExitBar) -> list[Unmet]:
    """Every condition of the exit bar the region misses; empty when it meets the bar."""
    missing = []
    if measure.rated < bar.min_rated:
        missing.append(
            Unmet(
                "ratings",
                f"挂牌以来评价的案件 {measure.rated} 件，至少需要 {bar.min_rated} 件",
                f"{measure.rated} case(s) rated since flagging; at least {bar.min_rated} needed",
            )
        )
    # Whole numbers on both sides: 9 of 10 at 90 % is met, with no rounding to argue about.
    elif measure.satisfied * 100 < bar.satisfied_percent * measure.rated:
        shown = (
            f"{measure.satisfied}/{measure.rated} = {100 * measure.satisfied / measure.rated:.1f}%"
        )
        missing.append(
            Unmet(
                "satisfaction",
                f"满意率 {shown}，需要不低于 {bar.satisfied_percent:g}%",
                f"satisfaction {shown}, needs at least {bar.satisfied_percent:g}%",
            )
        )
    if rank(measure.alert) > rank(bar.worst_level):
        missing.append(
            Unmet(
                "level",
                f"热点预警为{_ALERT_NAMES[measure.alert]}，不得高于{_ALERT_NAMES[bar.worst_level]}",
                f"hotspot level is {measure.alert}, must be {bar.worst_level} or better",
            )
        )
    return missing


def lift_path(missing: list[Unmet], *, override: bool) -> LiftPath | None:
    """By the bar when it is met; by written override when asked; else not at all."""
    if not missing:
        return "exit_bar"
    return "override" if override else None


def deadline_problem(deadline: date, *, today: date) -> tuple[str, str] | None:
    """Why a deadline cannot be set (Chinese, English), or None when it can."""
    if deadline < today:
        return "整改期限不能早于今天", "The deadline cannot be in the past"
    if deadline > today + MAX_DEADLINE_AHEAD:
        return "整改期限不能超过一年", "The deadline cannot be more than a year ahead"
    return None


def overdue(deadline: date, *, today: date, active: bool) -> bool:
    """An active flag is overdue from the day after its deadline."""
    return active and today > deadline


def regions_above(paths: Iterable[str]) -> list[str]:
    """The paths of these places and of every region above them, each once."""
    return sorted({prefix for path in paths for prefix in prefixes(path)})


def nearest(paths: Iterable[str], flagged: Mapping[str, T]) -> dict[str, T]:
    """For each path, the flag of the deepest flagged region that holds it (itself included)."""
    found: dict[str, T] = {}
    for path in paths:
        holders = [p for p in flagged if path.startswith(p)]
        if holders:
            found[path] = flagged[max(holders, key=len)]
    return found
