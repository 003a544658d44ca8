"""Statistics and heat map bodies (camelCase on the wire)."""

from __future__ import annotations

from datetime import date
from typing import Literal

import msgspec

from backend.structs import Model


class MetricsOut(Model):
    """The figures of one group of cases: those received (受理) in the period, each followed
    along its timeline up to the period's end.

    received 受理量: cases reported in the period (their 'submit' event lies in it).
    registered 立案量: of those, cases dispatched into the loop (a 'dispatch' event) and
        neither refused nor merged into another case.
    refused 不予受理: of those, cases rejected with a reason (a 'reject' event).
    closed 结案量: of those, cases whose state at the period's end is closed or rated.
    closeRate 结案率: closed / registered.
    onTimeRate 按期结案率: closed cases none of whose steps ever passed its deadline (no 催办
        mark on the timeline) / closed.
    satisfactionRate 满意率: rated cases scored above the rework threshold (3-5 of 5) / rated.
    reworkRate 返工率: cases sent back after a fix (failed verification or an unsatisfied
        reporter) / cases that were fixed (处置) at least once.
    acceptHoursAvg, acceptHoursP90 签收时长: hours from the report to its first 签收 (accept).
    resolveHoursAvg, resolveHoursP90 处置时长: hours from the report to its first 处置反馈.
    overdue 超期: cases with at least one step past its deadline (a 催办 mark).
    Rates are fractions 0..1, null when nothing is there to divide by.
    """

    received: int
    registered: int
    refused: int
    closed: int
    close_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    rework_rate: float | None
    accept_hours_avg: float | None
    accept_hours_p90: float | None
    resolve_hours_avg: float | None
    resolve_hours_p90: float | None
    overdue: int
    # How many were rated (评价): what satisfactionRate divides by.
    rated: int = 0
    # What the other rates divide: closedOnTime / closed is onTimeRate, satisfied / rated is
    # satisfactionRate, reworked / resolved (处置 at least once) is reworkRate.
    closed_on_time: int = 0
    satisfied: int = 0
    resolved: int = 0
    reworked: int = 0


class RegionRefOut(Model):
    code: str
    name: str


class PeriodOut(Model):
    """`from` and `to` are the first and the last local day, both included."""

    kind: str
    label: str
    from_: date = msgspec.field(name="from")
    to: date


class ChangesOut(Model):
    """The change of each figure of MetricsOut against an earlier period (同比 or 环比).

    Counts (received … overdue) and hours (acceptHoursAvg … resolveHoursP90) change as a
    ratio of the earlier value: (now - then) / then, so 0.25 is 25 % more and -0.5 half as
    many; null when the earlier value is 0 or either value is missing.
    Rates (closeRate, onTimeRate, satisfactionRate, reworkRate) change in percentage points:
    (now - then) * 100, so 0.75 then and 0.80 now is 5.0; null when either rate is missing.
    """

    received: float | None = None
    registered: float | None = None
    refused: float | None = None
    closed: float | None = None
    close_rate: float | None = None
    on_time_rate: float | None = None
    satisfaction_rate: float | None = None
    rework_rate: float | None = None
    accept_hours_avg: float | None = None
    accept_hours_p90: float | None = None
    resolve_hours_avg: float | None = None
    resolve_hours_p90: float | None = None
    overdue: float | None = None
    rated: float | None = None
    closed_on_time: float | None = None
    satisfied: float | None = None
    resolved: float | None = None
    reworked: float | None = None


class ComparedOut(Model):
    """One group's figures in the two earlier periods and how each figure changed since.

    previous 上期: the figures of the period just before (the base of 环比);
    yearBefore 去年同期: the figures of the same period one year before (the base of 同比);
    periodOnPeriod 环比 and yearOnYear 同比: the change of every figure (see ChangesOut).
    Each is null when its earlier period lies outside the years statistics can cover.
    """

    previous: MetricsOut | None = None
    year_before: MetricsOut | None = None
    period_on_period: ChangesOut | None = None
    year_on_year: ChangesOut | None = None


class GroupOut(Model):
    """One region (rolled up over its subtree), category or department.

    `compared`: 同比/环比 of its figures (null in a summary read before it was compared).
    """

    code: str
    name: str
    metrics: MetricsOut
    compared: ComparedOut | None = None


class SourcesOut(Model):
    """Reports by residents (群众) and by grid workers on patrol (巡查)."""

    resident: MetricsOut
    patrol: MetricsOut


class ComparisonOut(Model):
    """同比 and 环比 of a summary's totals and sources (the groups carry their own).

    previousPeriod 上期: the month or quarter (week, day, year) just before, or for a free
    period the same number of days just before; yearBeforePeriod 去年同期: the same month,
    quarter, ISO week, day or days one year before (29 February falls on 28 February).
    Either is null when it lies outside the years statistics can cover.
    """

    previous_period: PeriodOut | None = None
    year_before_period: PeriodOut | None = None
    totals: ComparedOut = msgspec.field(default_factory=ComparedOut)
    resident: ComparedOut = msgspec.field(default_factory=ComparedOut)
    patrol: ComparedOut = msgspec.field(default_factory=ComparedOut)


class SummaryOut(Model):
    region: RegionRefOut
    period: PeriodOut
    totals: MetricsOut
    by_region: list[GroupOut]
    by_category: list[GroupOut]
    by_source: SourcesOut
    compared: ComparisonOut | None = None


class HourWeekdayOut(Model):
    """Valid reports (neither 不予受理 nor merged into another case) received in the period,
    by the local hour of day and weekday of their receipt in the city's time zone.

    counts[h][d]: reports received in hour h (0-23, h:00 to h:59) on weekday d (0 Monday
    … 6 Sunday): 24 rows of 7. byHour and byWeekday are the rows' and columns' sums.
    """

    region: RegionRefOut
    period: PeriodOut
    category: str | None = None
    total: int = 0
    counts: list[list[int]] = msgspec.field(default_factory=list)
    by_hour: list[int] = msgspec.field(default_factory=list)
    by_weekday: list[int] = msgspec.field(default_factory=list)


class RankedOut(Model):
    rank: int
    code: str
    name: str
    value: float | None
    metrics: MetricsOut


class RankingOut(Model):
    region: RegionRefOut
    period: PeriodOut
    by: Literal["region", "department"]
    metric: str
    items: list[RankedOut]


class PolygonOut(Model):
    type: Literal["Polygon"]
    coordinates: list[list[tuple[float, float]]]


class CellPropertiesOut(Model):
    cell: str
    count: int


class CellFeatureOut(Model):
    type: Literal["Feature"]
    geometry: PolygonOut
    properties: CellPropertiesOut


class HeatmapOut(Model):
    """Counts per h3 hexagon; `truncated` when only the busiest cells fitted the cap."""

    type: Literal["FeatureCollection"]
    resolution: int
    features: list[CellFeatureOut]
    truncated: bool = False
