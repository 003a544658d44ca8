"""Request and response bodies of 考核 (camelCase on the wire)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from backend.oversight.scoring import Direction, Source, UnitKind
from backend.structs import Model, RegionCode

Year = Annotated[int, msgspec.Meta(ge=2000, le=2999)]
IndicatorKey = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Weight = Annotated[float, msgspec.Meta(gt=0, le=1000)]
Reason = Annotated[str, msgspec.Meta(min_length=2, max_length=500)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
State = Literal["draft", "posted", "final"]


class IndicatorIn(Model):
    """One indicator: `weight` points, earned in full when the value reaches `target`.

    source: where the value comes from (see the scheme's docs); "manual" is scored by hand
    (0..weight with a reason) and needs no target. direction: "higher" (more is better) or
    "lower" (less is better: full points at or below the target). Rates are fractions 0..1,
    the 安全感 index 0..100, key-area counts whole numbers.
    """

    key: IndicatorKey
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    weight: Weight
    source: Source
    name_en: Annotated[str, msgspec.Meta(max_length=100)] = ""
    target: Annotated[float, msgspec.Meta(ge=0, le=1_000_000)] | None = None
    direction: Direction = "higher"


class SchemeIn(Model):
    """考核方案: the indicators a region's units are scored on for a year."""

    year: Year
    region_code: RegionCode
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    indicators: list[IndicatorIn]


class IndicatorOut(Model):
    key: str
    name: str
    name_en: str
    weight: float
    source: str
    target: float | None
    direction: str


class SchemeOut(Model):
    id: int
    year: int
    region_code: str
    region_name: str
    name: str
    indicators: list[IndicatorOut]
    created_by: int
    created_at: datetime


class ResultIn(Model):
    """Compute (or, while a draft, recompute) a period's result: "2026-Q3", "2026-09", "2026"."""

    scheme_id: int
    period: Annotated[str, msgspec.Meta(min_length=4, max_length=20)]


class UnitIn(Model):
    """A unit of a result by its code or its id (or both); a unit as a result reads it may
    be sent back whole (its name is not looked at)."""

    kind: UnitKind
    code: RegionCode | None = None
    id: int | None = None
    name: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class UnitOut(Model):
    kind: UnitKind
    code: str | None
    id: int | None
    name: str


class ManualIn(Model):
    """A manual item's points (0..its weight) for one unit, with the reason."""

    unit: UnitIn
    key: IndicatorKey
    points: Annotated[float, msgspec.Meta(ge=0, le=1000)]
    reason: Reason


class PostIn(Model):
    """公示: the result is shown to its units, who may object for this many days."""

    objection_days: Annotated[int, msgspec.Meta(ge=1, le=60)] = 7


class ObjectionIn(Model):
    unit: UnitIn
    text: LongText


class AnswerIn(Model):
    answer: LongText


class InterviewIn(Model):
    """约谈 of a unit at the bottom: when, who was talked to, what was said."""

    unit: UnitIn
    at: datetime
    notes: LongText
    who: Annotated[str, msgspec.Meta(max_length=200)] = ""


class VetoIn(Model):
    """一票否决 set by a supervisor on a region for a year, with the reason."""

    region_code: RegionCode
    year: Year
    reason: Reason


class VetoOut(Model):
    id: int
    region_code: str
    region_name: str
    year: int
    reason: str
    set_by: int
    at: datetime


class ItemOut(Model):
    """One indicator's points for a unit, with the raw figure they came from.

    value: the measured value (a rate 0..1, the index 0..100, a count; for a manual item the
    points given); numerator/denominator: what a rate divides; noData: nothing was there to
    measure, so the item earns 0; reason: why a manual item got its points.
    """

    key: str
    source: str
    weight: float
    points: float
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    no_data: bool = False
    reason: str | None = None


class ScoreOut(Model):
    """A unit's total, its rank among units of its kind (a vetoed unit ranks below every
    unvetoed one; equal totals share a rank), 一票否决 and 先进 eligibility.

    vetoed/vetoReasons/eligible are as they stood at the result's computedAt (a veto set, or
    a key area flagged or lifted, later shows once the draft is computed again), whatever
    the period; atBottom: among the lowest ranked of its kind (约谈), never those ranked
    first, so none when all share one rank.
    """

    unit: UnitOut
    total: float
    rank: int
    vetoed: bool
    veto_reasons: list[str]
    eligible: bool
    at_bottom: bool
    breakdown: list[ItemOut]


class ObjectionOut(Model):
    id: int
    unit: UnitOut
    text: str
    raised_by: int
    raised_at: datetime
    answer: str | None
    answered_by: int | None
    answered_at: datetime | None


class InterviewOut(Model):
    id: int
    unit: UnitOut
    at: datetime
    who: str
    notes: str
    recorded_by: int
    recorded_at: datetime


class PeriodOut(Model):
    label: str
    from_: date = msgspec.field(name="from")
    to: date


class ResultSummaryOut(Model):
    """A result: computedAt is the moment its figures were taken (for a period not over
    yet, the standing so far: what falls due later is not counted); postedAt 公示,
    objectionUntil the end of the window for objections, finalAt when it became final."""

    id: int
    scheme_id: int
    scheme_name: str
    year: int
    region_code: str
    region_name: str
    period: PeriodOut
    state: State
    computed_at: datetime
    posted_at: datetime | None
    objection_until: datetime | None
    final_at: datetime | None


class ResultOut(ResultSummaryOut):
    """A result: its indicators, the scores of regions then departments, each by rank."""

    indicators: list[IndicatorOut] = msgspec.field(default_factory=list)
    scores: list[ScoreOut] = msgspec.field(default_factory=list)
    objections: list[ObjectionOut] = msgspec.field(default_factory=list)
    interviews: list[InterviewOut] = msgspec.field(default_factory=list)
