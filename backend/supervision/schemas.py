"""Request and response bodies of 挂牌督办."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from backend.structs import Model

Reason = Annotated[str, msgspec.Meta(min_length=2, max_length=500)]


class FlagIn(Model):
    """挂牌: why the region is flagged, and the date by which it must be put right."""

    reason: Reason
    deadline: date


class LiftIn(Model):
    """摘牌: a note always; `override` lifts on this written reason when the bar is not met."""

    reason: Reason
    override: bool = False


class FlagRefOut(Model):
    """The active flag of a case's region (or of a region above it), as every list shows it."""

    id: int
    region_code: str
    region_name: str
    reason: str
    deadline: date
    flagged_at: datetime


class ExitBarOut(Model):
    """What the exit bar measures: ratings since flagging, satisfaction, the hotspot level."""

    met: bool
    rated: int
    satisfied: int
    satisfaction: float | None
    required_satisfaction: float
    min_rated: int
    level: str
    worst_allowed_level: str
    unmet: list[str]


class FlagOut(FlagRefOut, kw_only=True):
    """A flag with its fate: active (and overdue past its deadline) or lifted, how and why."""

    active: bool
    overdue: bool
    lifted_at: datetime | None = None
    lift_reason: str | None = None
    lift_path: str | None = None
    exit_bar: ExitBarOut | None = None
