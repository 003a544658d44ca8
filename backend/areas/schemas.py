"""Request and response bodies of key areas (重点地区): register, plan, tasks, meetings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from backend.cases.schemas import CaseSummaryOut
from backend.structs import CategoryCode, Latitude, Longitude, Model, RegionCode

Reason = Annotated[str, msgspec.Meta(min_length=2, max_length=500)]
AreaName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
AreaType = Literal[
    "urban_village",  # 城中村
    "urban_fringe",  # 城乡结合部
    "old_estate",  # 老旧小区
    "back_street",  # 背街小巷
    "transport_hub",  # 交通枢纽/车站
    "school_surroundings",  # 校园周边
    "entertainment",  # 娱乐场所
    "market",  # 集贸市场
    "other",  # 其他
]
AreaState = Literal[
    "candidate",
    "proposed",
    "listed",
    "flagged",
    "accepting",
    "lifted",
    "extended",
    "watching",
    "closed",
    "relisted",
    "dismissed",
]
AreaLevel = Literal["red", "yellow", "blue"]
MediaIds = Annotated[list[uuid.UUID], msgspec.Meta(max_length=9)]
CaseIds = Annotated[list[int], msgspec.Meta(max_length=500)]


class PlaceIn(Model):
    """Where the area is: a region of the tree, or a drawn polygon (GeoJSON, WGS-84)."""

    region_code: RegionCode | None = None
    geometry: dict[str, Any] | None = None


class AreaIn(Model):
    """排查发现: a candidate key area, on a region or a drawn spot, with its first evidence."""

    name: AreaName
    area_type: AreaType
    region_code: RegionCode
    place: PlaceIn
    problems: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    problem_categories: Annotated[list[CategoryCode], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    case_ids: CaseIds = msgspec.field(default_factory=list)
    # Who found it in the 排查: staff at the desk, a patrol on the street, an inspection team.
    # (A grid turning red is the system's own source, never a caller's.)
    source: Literal["staff", "patrol", "inspection"] = "staff"


class TransitionIn(Model):
    """One step of the lifecycle: propose, dismiss, list or flag, always with a reason.

    Relisting is not among them: a recurrence is confirmed through its own endpoint, which
    also sets 一票否决 on the area's region.
    """

    action: Literal["propose", "dismiss", "list", "flag"]
    reason: Reason
    level: AreaLevel | None = None
    media_ids: MediaIds = msgspec.field(default_factory=list)


class UnitIn(Model):
    """A unit: a region (street, community …) or a department, by its code."""

    region_code: RegionCode | None = None
    department_code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class TaskIn(Model):
    """A task of the plan (倒排工期): who, which unit, what measure, by when."""

    owner_id: int
    unit: UnitIn
    measure: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    due_at: datetime


class PlanIn(Model, kw_only=True):
    """一地一策: the responsible people, the units, the goals, the deadline and the tasks."""

    first_responsible_id: int
    direct_responsible_id: int
    lead: UnitIn
    cooperating: Annotated[list[UnitIn], msgspec.Meta(max_length=30)] = msgspec.field(
        default_factory=list
    )
    goals: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    deadline: date
    tasks: Annotated[list[TaskIn], msgspec.Meta(min_length=1, max_length=100)]


class TaskUpdateIn(Model):
    """A step on a task from the phone; `clientId` makes an offline replay land once."""

    client_id: uuid.UUID
    kind: Literal["accept", "progress", "done"]
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    media_ids: MediaIds = msgspec.field(default_factory=list)
    lat: Latitude | None = None
    lng: Longitude | None = None


class LinkCasesIn(Model):
    """Cases linked to the area by hand as its evidence."""

    case_ids: Annotated[list[int], msgspec.Meta(min_length=1, max_length=500)]


class DecisionIn(Model):
    """What a meeting decided for one area."""

    area_id: int
    decision: Literal["list", "flag", "dismiss", "defer"]
    reason: Reason
    level: AreaLevel | None = None


class MeetingIn(Model):
    """研判会 (half-monthly) or 联席会议 (monthly): who met, and what they decided per area."""

    kind: Literal["judgement", "joint"]
    region_code: RegionCode
    held_on: date
    units: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=100)]],
        msgspec.Meta(max_length=50),
    ] = msgspec.field(default_factory=list)
    notes: Annotated[str, msgspec.Meta(max_length=4000)] = ""
    decisions: Annotated[list[DecisionIn], msgspec.Meta(max_length=100)] = msgspec.field(
        default_factory=list
    )


class PersonOut(Model):
    """A staff member as an area shows them: id and display name only."""

    id: int
    name: str


class UnitOut(Model):
    kind: Literal["region", "department"]
    code: str
    name: str


class ProgressOut(Model):
    """How the current plan stands: shown with the area everywhere it is shown."""

    tasks: int = 0
    done: int = 0
    overdue: int = 0
    duties_overdue: int = 0


class AreaSummaryOut(Model):
    """A key area as the register lists it."""

    id: int
    name: str
    area_type: AreaType
    state: AreaState
    level: AreaLevel | None
    tier: Literal["street", "district"] | None
    region_code: str
    region_name: str
    deadline: date | None
    overdue: bool
    progress: ProgressOut
    reports_30d: int
    updated_at: datetime
    centroid: tuple[float, float] | None = None


class AreaPageOut(Model):
    """One page of the register, newest change first; `next` is the cursor of the next page."""

    items: list[AreaSummaryOut]
    next: str | None = None


class TaskOut(Model):
    id: int
    area_id: int
    area_name: str
    kind: Literal["measure", "recheck"]
    owner: PersonOut
    unit: UnitOut
    measure: str
    due_at: datetime
    state: Literal["open", "accepted", "done", "cancelled"]
    overdue: bool
    reminded: bool
    supervised: bool
    done_at: datetime | None = None
    late: bool = False
    photos: list[str] = msgspec.field(default_factory=list)
    area_progress: ProgressOut | None = None


class PlanOut(Model):
    id: int
    first_responsible: PersonOut
    direct_responsible: PersonOut
    lead: UnitOut
    cooperating: list[UnitOut]
    goals: str
    deadline: date
    created_at: datetime


class EventOut(Model):
    """One step of the area's life (its timeline), with who, why and the photos."""

    at: datetime
    actor: str | None
    actor_role: str
    action: str
    from_state: str | None
    to_state: str
    reason: str | None
    photos: list[str] = msgspec.field(default_factory=list)
    detail: dict[str, Any] = msgspec.field(default_factory=dict)


class AreaOut(AreaSummaryOut, kw_only=True):
    """An area's page: its place, problems, plan, tasks, timeline and level history."""

    problems: str
    problem_categories: list[str]
    source: str
    geometry: dict[str, Any] | None
    covers_region_code: str | None
    plan: PlanOut | None
    tasks: list[TaskOut]
    events: list[EventOut]
    listed_at: datetime | None = None
    flagged_at: datetime | None = None
    lifted_at: datetime | None = None
    watch_until: datetime | None = None
    merged_into: int | None = None
    covers_region_name: str | None = None


class MeetingOut(Model):
    id: int
    kind: Literal["judgement", "joint"]
    region_code: str
    region_name: str
    held_on: date
    units: list[str]
    notes: str
    decisions: list[DecisionIn]
    created_at: datetime


class LevelDayOut(Model):
    """The area's hotspot level on one day (its level history)."""

    day: date
    alert: Literal["red", "yellow", "blue", "none"]
    reports: int


class AreaCasesOut(Model):
    """A page of the area's evidence: cases placed in it or linked by hand, newest first."""

    items: list[CaseSummaryOut]
    next: str | None = None


class LinkedOut(Model):
    """How many of the cases given were linked (the others are outside the caller's scope)."""

    linked: int
