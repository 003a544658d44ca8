"""Request and response bodies of report intake and the reporter's side."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from backend.media.schemas import PhotoOut
from backend.regions.schemas import RegionOut
from backend.reports.rules import Relation
from backend.structs import CategoryCode, Latitude, Longitude, Model

Description = Annotated[str, msgspec.Meta(max_length=500)]
Address = Annotated[str, msgspec.Meta(max_length=200)]
Accuracy = Annotated[float, msgspec.Meta(ge=0, le=100_000, description="GPS accuracy, metres")]
MediaIds = Annotated[list[uuid.UUID], msgspec.Meta(max_length=9)]
Score = Annotated[int, msgspec.Meta(ge=1, le=5)]
Comment = Annotated[str, msgspec.Meta(max_length=300)]


class ReportIn(Model):
    """A tip from a phone. `clientId` is made on the phone: a retry sends the same one."""

    client_id: uuid.UUID
    category: CategoryCode
    lat: Latitude
    lng: Longitude
    description: Description = ""
    accuracy_m: Accuracy | None = None
    address: Address | None = None
    media_ids: MediaIds = msgspec.field(default_factory=list)
    anonymous: bool = False


class DeadlinesOut(Model):
    accept_by: datetime
    resolve_by: datetime
    verify_by: datetime | None = None


class NearbyReportOut(Model):
    """An open report close by: no reporter, no exact text beyond the description."""

    id: int
    tracking_no: str
    category: str
    status: str
    description: str
    distance_m: float
    created_at: datetime
    thumbnail_url: str | None = None


class ReportCreatedOut(Model):
    id: int
    tracking_no: str
    status: str
    region: RegionOut
    deadlines: DeadlinesOut
    possible_duplicates: list[NearbyReportOut]


class TimelineEntryOut(Model):
    """One public step of a case, with a role where a staff name would be."""

    at: datetime
    action: str
    status: str
    actor: str
    actor_en: str
    note: str | None = None


class ReportOut(Model):
    """A report as its reporter, a reporter merged into it or a follower sees it. Others than
    its reporter read it only: nothing of who reported it, nor the reporter's rating, nor its
    tracking number; its position to about 100 m, phone and ID numbers masked."""

    id: int
    tracking_no: str | None  # the reporter's own only
    status: str
    category: str
    description: str
    lat: float
    lng: float
    address: str | None
    anonymous: bool
    region: RegionOut
    created_at: datetime
    deadlines: DeadlinesOut
    photos: list[PhotoOut]
    after_photos: list[PhotoOut]
    timeline: list[TimelineEntryOut]
    rating: int | None = None  # the caller's own rating, for this closing or an earlier one
    relation: Relation = "own"
    can_rate: bool = False
    master_id: int | None = None  # the case a merged (已合并) report lives on in


class ReportSummaryOut(Model):
    id: int
    tracking_no: str | None  # the reporter's own only
    status: str
    category: str
    description: str
    created_at: datetime
    thumbnail_url: str | None = None
    relation: Relation = "own"


class ReportPageOut(Model):
    items: list[ReportSummaryOut]
    next_cursor: str | None = None


class RatingIn(Model):
    score: Score
    comment: Comment = ""


class PointsEntryOut(Model):
    tracking_no: str
    points: int
    reason: str
    at: datetime


class PointsOut(Model):
    """举报奖励: points earned for reports closed as valid."""

    balance: int
    entries: list[PointsEntryOut]
