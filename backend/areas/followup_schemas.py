"""Request and response bodies of a key area's follow-up: acceptance, extension, duties, watch."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from backend.areas.schemas import MediaIds, Reason
from backend.structs import Model

Note = Annotated[str, msgspec.Meta(max_length=1000)]


class AcceptanceDecisionIn(Model):
    """验收: measure the area now and decide by the bar."""

    note: Note = ""


class MeasureOut(Model):
    """What an acceptance round measured: survey answers and case ratings, pooled."""

    survey_answered: int
    survey_satisfied: int
    ratings: int
    ratings_satisfied: int
    answered: int
    satisfied: int
    satisfaction: float | None
    required_percent: float
    min_answers: int


class ShortfallOut(Model):
    zh: str
    en: str


class AcceptanceOut(Model):
    """One round of acceptance: when it started, its survey, and how it ended."""

    id: int
    area_id: int
    survey_id: int | None
    started_at: datetime
    decided_at: datetime | None = None
    outcome: Literal["passed", "failed"] | None = None
    measure: MeasureOut | None = None
    shortfall: list[ShortfallOut] = msgspec.field(default_factory=list)
    note: str = ""
    area_state: str = ""
    watch_until: datetime | None = None


class ExtensionIn(Model):
    """延期整治: asked after a failed acceptance, with a reason and a new deadline."""

    reason: Reason
    new_deadline: date


class ExtensionDecisionIn(Model):
    approve: bool
    note: Annotated[str, msgspec.Meta(min_length=2, max_length=500)]


class ExtensionOut(Model):
    id: int
    area_id: int
    reason: str
    new_deadline: date
    state: Literal["pending", "approved", "refused"]
    requested_at: datetime
    decided_at: datetime | None = None
    decision_note: str | None = None
    area_state: str = ""


class DutyRecordIn(Model):
    """The record of a 联合清查 or a 巡查: the units that took part, what they found, photos."""

    units: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    findings: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    media_ids: MediaIds = msgspec.field(default_factory=list)


class AreaDutyOut(Model):
    """A level duty for one period, with its deadline's standing."""

    id: int
    kind: Literal["joint_sweep", "patrols", "daily_check"]
    period_start: date
    period_end: date
    target: int
    done_at: datetime | None
    units: str
    findings: str
    recorded_at: datetime | None
    due_at: datetime | None = None
    duty_state: str | None = None
    overdue: bool = False
    reminded: bool = False
    supervised: bool = False
    photos: list[uuid.UUID] = msgspec.field(default_factory=list)


class RecurrenceIn(Model):
    """复发 confirmed: the area goes back to the list and its region carries 一票否决."""

    reason: Reason


class RelistedOut(Model):
    """The area after a confirmed recurrence, and the year its region carries 一票否决 for."""

    id: int
    state: str
    veto_year: int


class VetoOut(Model):
    region_code: str
    area_id: int | None
    reason: str
    at: datetime


class FlaggedAreaOut(Model):
    id: int
    name: str
    state: str


class StandingOut(Model):
    """Whether a region may be rated 先进 this year, and the 一票否决 it carries."""

    region_code: str
    year: int
    eligible: bool
    vetoed: bool
    flagged_areas: list[FlaggedAreaOut]
    vetoes: list[VetoOut]


class WindowOut(Model):
    """Valid reports of one window: total, by category, by hour of day, by weekday (Mon = 0)."""

    start: datetime
    end: datetime
    total: int
    by_category: dict[str, int]
    by_hour: list[int]
    by_weekday: list[int]


class AreaFiguresOut(Model):
    """整治前后: two windows of equal length either side of the flag (or listing)."""

    area_id: int
    since: datetime | None
    before: WindowOut | None
    after: WindowOut | None


class RatioOut(Model):
    numerator: int
    denominator: int
    rate: float | None


class AreaFiguresSummaryOut(Model):
    """Areas by state and by type; 整治改观率 and the recurrence rate of the period's areas."""

    by_state: dict[str, int]
    by_type: dict[str, int]
    improvement: RatioOut
    recurrence: RatioOut
