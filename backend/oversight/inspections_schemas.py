"""Request and response bodies of inspections (督导检查) and their findings ledger (问题台账)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from backend.structs import CategoryCode, Latitude, Longitude, Model, RegionCode

MediaIds = Annotated[list[uuid.UUID], msgspec.Meta(max_length=9)]
Note = Annotated[str, msgspec.Meta(max_length=2000)]
Manner = Literal["open", "covert"]  # 明察 / 暗访
Plan = Literal["scheduled", "random"]
Focus = Literal["special", "general"]
FindingState = Literal["open", "rectifying", "reported", "rechecked", "closed", "reopened"]
MoveAction = Literal["accept", "report", "recheck", "close", "reopen"]


class FindingIn(Model):
    """One problem found: what, which unit answers for it (a region or a department), perhaps
    a named person of that unit, and the deadline of its rectification."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    deadline: datetime
    category_code: CategoryCode | None = None
    responsible_region_code: RegionCode | None = None
    responsible_department_id: int | None = None
    responsible_user_id: int | None = None
    media_ids: MediaIds = msgspec.field(default_factory=list)


class InspectionIn(Model):
    """An inspection as filed on site or at the desk; `clientId` makes a replay land once."""

    client_id: uuid.UUID
    manner: Manner
    plan: Plan
    focus: Focus
    team: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    region_code: RegionCode
    day: date
    findings: Annotated[list[FindingIn], msgspec.Meta(min_length=1, max_length=50)]
    department_id: int | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    note: Note = ""
    media_ids: MediaIds = msgspec.field(default_factory=list)


class MoveIn(Model):
    """A move on a finding: 签收 accept, 整改反馈 report (evidence photos and a note), 复查
    recheck (a note), 销号 close, reopen (a reason and a new deadline)."""

    client_id: uuid.UUID
    action: MoveAction
    note: Note = ""
    media_ids: MediaIds = msgspec.field(default_factory=list)
    deadline: datetime | None = None


class ResponsibleOut(Model):
    """The unit answering for a finding: a region (by code) or a department (by id)."""

    kind: Literal["region", "department"]
    id: int
    code: str
    name: str


class PersonOut(Model):
    id: int
    name: str


class FindingEventOut(Model):
    """One step on a finding's timeline (filed, a move, 催办 remind, 督办 supervise)."""

    id: int
    at: datetime
    action: str
    to_state: str
    actor_role: str
    actor_id: int | None = None
    from_state: str | None = None
    note: str = ""
    deadline: datetime | None = None
    photos: list[str] = msgspec.field(default_factory=list)
    detail: dict[str, Any] = msgspec.field(default_factory=dict)


class FindingOut(Model):
    """A finding of the ledger: where it stands, who answers for it, its photos and evidence.

    `deadline`: the deadline owed now (a reopen sets a new one); `firstDeadline`: the one set
    when the inspection was filed.
    `closedOnTime`: closed (销号) and its last 整改反馈 came at or before `firstDeadline`, so
    a reopen with a generous new deadline does not turn a late rectification into an on-time
    one. Assessment (findings closed on time) counts, among the findings whose firstDeadline
    falls in its period, those decided: closed, or past firstDeadline without a 整改反馈 made
    by it that still awaits its recheck; a finding still open before its deadline, or reported
    in time and waiting for the recheck, is not counted yet.
    `overdue`: still owed by the unit (open, rectifying, reopened) past `deadline`."""

    id: int
    inspection_id: int
    seq: int
    text: str
    state: FindingState
    deadline: datetime
    overdue: bool
    responsible: ResponsibleOut
    closed_on_time: bool
    reopened: int
    first_deadline: datetime | None = None
    category_code: str | None = None
    responsible_user: PersonOut | None = None
    photos: list[str] = msgspec.field(default_factory=list)
    evidence: list[str] = msgspec.field(default_factory=list)
    reported_at: datetime | None = None
    closed_at: datetime | None = None
    inspection_day: date | None = None
    events: list[FindingEventOut] | None = None


class InspectionOut(Model):
    """An inspection with its findings."""

    id: int
    client_id: uuid.UUID
    manner: Manner
    plan: Plan
    focus: Focus
    team: str
    region_code: str
    region_name: str
    day: date
    created_by: int
    created_at: datetime
    findings: list[FindingOut]
    department_id: int | None = None
    department_name: str | None = None
    lat: float | None = None
    lng: float | None = None
    note: str = ""
    photos: list[str] = msgspec.field(default_factory=list)


class InspectionPageOut(Model):
    """A page of inspections, newest first; `next` is the cursor of the following page."""

    items: list[InspectionOut]
    next: str | None = None


class FindingPageOut(Model):
    """A page of the ledger, newest first; `next` is the cursor of the following page."""

    items: list[FindingOut]
    next: str | None = None


class UnitFindingsOut(Model):
    """Per responsible unit: findings not yet closed, overdue now, closed, closed on time."""

    kind: Literal["region", "department"]
    id: int
    code: str
    name: str
    open: int
    overdue: int
    closed: int
    closed_on_time: int


class DepartmentChoiceOut(Model):
    """A department an inspection may name (its region lies in the caller's scope)."""

    id: int
    code: str
    name: str
    name_en: str
    region_name: str
