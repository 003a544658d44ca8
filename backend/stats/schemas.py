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


class RegionRefOut(Model):
    code: str
    name: str


class PeriodOut(Model):
    """`from` and `to` are the first and the last local day, both included."""

    kind: str
    label: str
    from_: date = msgspec.field(name="from")
    to: date


class GroupOut(Model):
    """One region (rolled up over its subtree), category or department."""

    code: str
    name: str
    metrics: MetricsOut


class SourcesOut(Model):
    """Reports by residents (群众) and by grid workers on patrol (巡查)."""

    resident: MetricsOut
    patrol: MetricsOut


class SummaryOut(Model):
    region: RegionRefOut
    period: PeriodOut
    totals: MetricsOut
    by_region: list[GroupOut]
    by_category: list[GroupOut]
    by_source: SourcesOut


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
