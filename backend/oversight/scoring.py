"""考核 scoring, pure: an indicator's points from a measured value, manual items, totals,
一票否决 and ranks.

An indicator earns its weight in points when its value reaches the target: for a figure
where more is better, weight × min(1, value / target); where less is better, the full
weight at or below the target, else weight × target / value. A value that was not measured
(no data) earns nothing and says so, never silently the full weight. A manual item is given
0..weight points by a supervisor, with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, get_args

from backend.errors import Invalid

Source = Literal[
    "on_time_rate",
    "satisfaction_rate",
    "rework_rate",
    "safety_index",
    "mediation_rate",
    "areas_lifted",
    "areas_overdue",
    "findings_on_time",
    "monthly_reports_on_time",
    "duties_on_time",
    "manual",
]
Direction = Literal["higher", "lower"]
UnitKind = Literal["region", "department"]
SOURCES: Final[tuple[str, ...]] = get_args(Source)
MAX_INDICATORS: Final = 30
_PLACES: Final = 2


@dataclass(frozen=True, slots=True)
class Indicator:
    """One line of a scheme: what is measured, how many points it carries, what earns them."""

    key: str
    name: str
    name_en: str
    weight: float
    source: Source
    target: float | None
    direction: Direction = "higher"


@dataclass(frozen=True, slots=True)
class Figure:
    """A measured value with what it was computed from (a rate's numerator and denominator)."""

    value: float | None
    numerator: int | None = None
    denominator: int | None = None


@dataclass(frozen=True, slots=True)
class Manual:
    """Points given by hand for a qualitative item, and why."""

    points: float
    reason: str


@dataclass(frozen=True, slots=True)
class Item:
    """An indicator's points for one unit; `no_data` when nothing was there to measure."""

    key: str
    points: float
    figure: Figure
    no_data: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Scored:
    """A unit's total and the items it is made of."""

    total: float
    items: tuple[Item, ...]


def _bad_scheme(field: str, zh: str, en: str) -> Invalid:
    return Invalid("assessment.bad_scheme", zh, en, fields={field: en})


def check_indicators(indicators: Sequence[Indicator]) -> None:
    """A scheme's indicators: 1..30, keys unique, each target one that can be reached."""
    if not 1 <= len(indicators) <= MAX_INDICATORS:
        raise _bad_scheme(
            "indicators",
            f"指标须为 1 至 {MAX_INDICATORS} 项",
            f"Give 1 to {MAX_INDICATORS} indicators",
        )
    keys = [i.key for i in indicators]
    if len(set(keys)) != len(keys):
        raise _bad_scheme("indicators", "指标代码不能重复", "Indicator keys must be unique")
    for indicator in indicators:
        _check_target(indicator)


def _check_target(indicator: Indicator) -> None:
    if indicator.source == "manual":
        return
    target = indicator.target
    if target is None or target < 0 or (indicator.direction == "higher" and target == 0):
        raise _bad_scheme(
            f"indicators.{indicator.key}.target",
            f"指标 {indicator.key} 的目标值无效：越高越好的指标目标须大于 0，越低越好的不能为负",
            f"Indicator {indicator.key} needs a target: above 0 when higher is better, "
            "0 or more when lower is better",
        )


def points(indicator: Indicator, value: float | None) -> float | None:
    """The points a measured value earns; None when there is no value (no data)."""
    if value is None or indicator.target is None:
        return None
    weight, target = indicator.weight, indicator.target
    if indicator.direction == "higher":
        share = min(1.0, max(0.0, value) / target)
    elif value <= target:
        share = 1.0
    else:
        share = target / value
    return round(weight * share, _PLACES)


def check_manual(indicator: Indicator, given: float, reason: str) -> None:
    """A manual item: only on a manual indicator, 0..weight points in steps of 0.01 (as
    every item is rounded, so the items add up to the total), with a reason."""
    if indicator.source != "manual":
        raise Invalid(
            "assessment.not_manual",
            f"指标 {indicator.key} 由系统计算，不能手工打分",
            f"Indicator {indicator.key} is measured, not scored by hand",
            fields={"key": "not a manual indicator"},
        )
    if not 0 <= given <= indicator.weight:
        raise Invalid(
            "assessment.manual_points",
            f"手工打分须在 0 至 {indicator.weight:g} 分之间",
            f"Manual points must lie between 0 and {indicator.weight:g}",
            fields={"points": f"0..{indicator.weight:g}"},
        )
    if abs(given * 100 - round(given * 100)) > 1e-6:
        raise Invalid(
            "assessment.manual_points",
            "手工打分最多保留两位小数",
            "Manual points go in steps of 0.01",
            fields={"points": "steps of 0.01"},
        )
    if not reason.strip():
        raise Invalid(
            "assessment.manual_reason",
            "手工打分须写明理由",
            "Give a reason for manual points",
            fields={"reason": "required"},
        )


def score(
    indicators: Sequence[Indicator],
    figures: Mapping[str, Figure],
    manual: Mapping[str, Manual],
) -> Scored:
    """A unit's items and total: measured sources from `figures`, manual ones from `manual`
    (by indicator key); what is missing earns 0 and is marked no data."""
    items = []
    for indicator in indicators:
        if indicator.source == "manual":
            given = manual.get(indicator.key)
            if given is None:
                items.append(Item(indicator.key, 0.0, Figure(None), no_data=True))
            else:
                figure = Figure(given.points)
                items.append(Item(indicator.key, given.points, figure, False, given.reason))
            continue
        figure = figures.get(indicator.source, Figure(None))
        earned = points(indicator, figure.value)
        items.append(Item(indicator.key, earned or 0.0, figure, no_data=earned is None))
    return Scored(round(sum(i.points for i in items), _PLACES), tuple(items))


@dataclass(frozen=True, slots=True)
class Standing:
    """What ranks a unit: its total, and whether it carries 一票否决."""

    key: str
    total: float
    vetoed: bool


def ranks(units: Sequence[Standing]) -> dict[str, int]:
    """Rank by total, highest first; a vetoed unit ranks below every unvetoed one whatever
    its total; equal totals share a rank and the next rank skips (1, 1, 3)."""
    ordered = sorted(units, key=lambda u: (u.vetoed, -u.total, u.key))
    found: dict[str, int] = {}
    previous: tuple[bool, float] | None = None
    rank = 0
    for position, unit in enumerate(ordered, start=1):
        if (unit.vetoed, unit.total) != previous:
            rank, previous = position, (unit.vetoed, unit.total)
        found[unit.key] = rank
    return found


def at_bottom(ranked: Mapping[str, int], *, count: int) -> set[str]:
    """The units among the `count` lowest ranked (约谈), with any that share their rank;
    never those ranked first, so none when every unit shares one rank."""
    if count <= 0 or not ranked:
        return set()
    ordered = sorted(ranked.values())
    first, cutoff = ordered[0], ordered[max(0, len(ordered) - count)]
    return {key for key, rank in ranked.items() if rank >= cutoff and rank != first}


def rate(numerator: int, denominator: int) -> Figure:
    """A rate with what it divides; no value when there is nothing to divide by."""
    value = None if denominator == 0 else numerator / denominator
    return Figure(value, numerator, denominator)
