"""Request and response bodies of the case loop (staff side)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from backend.areas.case_refs import KeyAreaRefOut
from backend.media.schemas import PhotoOut
from backend.structs import Latitude, Longitude, Model, RegionCode
from backend.supervision.schemas import FlagRefOut

Note = Annotated[str, msgspec.Meta(max_length=1000)]
Reason = Annotated[str, msgspec.Meta(min_length=2, max_length=500)]
Version = Annotated[int, msgspec.Meta(ge=1, description="the version the caller last saw")]
RejectReason = Literal[
    "duplicate",
    "not_our_remit",
    "insufficient_information",
    "not_a_problem",
    "false_report",
    "other",
]


class Target(Model):
    """Where to send a case: a region's workers or a department (exactly one)."""

    region_code: RegionCode | None = None
    department_code: Annotated[str, msgspec.Meta(max_length=40)] | None = None


class DispatchIn(Model):
    version: Version
    target: Target | None = None
    note: Note = ""


class VersionedNoteIn(Model):
    version: Version
    note: Note = ""


class ReasonIn(Model):
    version: Version
    reason: Reason


class TransferIn(Model):
    version: Version
    target: Target
    note: Note = ""


class ResolveIn(Model):
    version: Version
    note: Reason
    media_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=9)]
    lat: Latitude | None = None
    lng: Longitude | None = None


class VerifyIn(Model):
    version: Version
    passed: bool
    note: Note = ""


class RejectIn(Model):
    version: Version
    reason: RejectReason
    note: Note = ""


class MergeIn(Model):
    version: Version
    master_id: int
    note: Note = ""


class ExtensionIn(Model):
    version: Version
    minutes: Annotated[int, msgspec.Meta(ge=1, le=60 * 24 * 90)]
    reason: Reason


class ExtensionDecisionIn(Model):
    version: Version
    approve: bool
    note: Note = ""


class CommentIn(Model):
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    public: bool = False


class RevealIn(Model):
    # How long a reason must be is a rule of its own (rules.reveal_reason_ok), told in words.
    reason: Annotated[str, msgspec.Meta(max_length=500)]


class PlaceOut(Model):
    code: str
    name: str


class CaseSummaryOut(Model):
    """A case in a queue: what a dispatcher or worker needs to pick it, never who reported it."""

    id: int
    tracking_no: str
    status: str
    version: int
    category: str
    priority: str
    description: str
    region: PlaceOut
    assigned: PlaceOut | None
    department: PlaceOut | None
    due_at: datetime | None
    overdue: bool
    escalations: int
    reworks: int
    created_at: datetime
    # Where it is, for the console's map of the queue (WGS-84).
    lat: float
    lng: float
    reporter: str = "群众上报"
    # 督办: the running step passed its second deadline threshold (see the scheduler).
    supervised: bool = False
    # 挂牌督办: the active flag of the case's region or a region above it.
    flag: FlagRefOut | None = None
    # The governed key area (重点地区) the case lies in, with its plan's progress; staff only.
    key_area: KeyAreaRefOut | None = None


class ExtensionOut(Model):
    minutes: int
    reason: str
    state: str
    requested_at: datetime
    decided_at: datetime | None = None
    decision_note: str | None = None


class EventOut(Model):
    at: datetime
    action: str
    status: str
    actor: str
    public: bool
    actor_en: str = ""
    note: str | None = None


class CaseOut(CaseSummaryOut, kw_only=True):
    """One case in full, for staff; the reporter is a role or a masked contact, never a name."""

    address: str | None
    confidential: bool
    reject_reason: str | None
    master_case_id: int | None
    deadlines: dict[str, datetime | None]
    photos: list[PhotoOut]
    after_photos: list[PhotoOut]
    timeline: list[EventOut]
    extensions: list[ExtensionOut]
    allowed_actions: list[str]


class CasePageOut(Model):
    items: list[CaseSummaryOut]
    counts: dict[str, int]
    next_cursor: str | None = None


class ContactOut(Model):
    """A reporter's contact, revealed for a recorded reason."""

    nickname: str | None
    phone: str | None
    anonymous: bool
