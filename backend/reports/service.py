"""Report intake and the reporter's side of a report.

A submission lands exactly once: a reporter's `clientId` is unique in the database, so a
phone that retries (even five times at once) gets the one case back; the same clientId with
different content is a conflict. Routing, deadlines, cells and the first timeline event are
written in the same transaction as the case and its photos.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from backend.accounts.rules import Principal
from backend.cases import actions as case_actions
from backend.cases import service as cases
from backend.categories import service as categories
from backend.categories.schemas import CategoryOut
from backend.db.types import Connection
from backend.errors import Conflict, Invalid, NotFound, TooManyRequests
from backend.media import service as media
from backend.media.links import PhotoLinks
from backend.places import service as places
from backend.regions.routing import Placement, RoutingIndex
from backend.regions.schemas import RegionOut
from backend.reports import queries, rules
from backend.reports.nearby import nearby_reports
from backend.reports.schemas import DeadlinesOut, ReportCreatedOut, ReportIn
from backend.settings import Settings
from backend.throttle import service as throttle
from backend.web.client_address import address_block
from media_store import Store


@dataclass(frozen=True, slots=True)
class Intake:
    """What intake needs besides a connection."""

    settings: Settings
    routing: RoutingIndex
    store: Store
    # Where reports come from: the app, or Open311 (a hotline call, which has no photo).
    channel: Literal["app", "open311"] = "app"
    # Photo URLs for one viewer, signed where the deployment signs them.
    photo_links: Callable[[int], PhotoLinks] | None = None


_CONFLICT = Conflict(
    "reports.client_id_reused",
    "该报告编号已用于另一份内容不同的上报",
    "This clientId was already used for a report with different content",
)


async def submit(
    conn: Connection,
    intake: Intake,
    *,
    principal: Principal,
    data: ReportIn,
    now: datetime,
    address: str | None = None,
) -> tuple[ReportCreatedOut, bool]:
    """上报: create the case once; returns it and whether it was created by this call.

    `address` is the client address of a report from the internet, limited per address too.
    """
    fingerprint = rules.body_hash(data)
    existing = await queries.get_by_client_id(
        conn, reporter_id=principal.user_id, client_id=data.client_id
    )
    if existing is not None:
        return await _replayed(conn, intake, existing, data, fingerprint), False
    await _take_report_slots(
        conn, intake.settings, principal=principal, address=address, now=now, peek=True
    )
    category = await _category(conn, data, channel=intake.channel)
    placement = _placement(intake.routing, data)
    case_id = await _create(
        conn,
        intake,
        principal=principal,
        data=data,
        category=category,
        placement=placement,
        fingerprint=fingerprint,
        now=now,
        address=address,
    )
    if case_id is None:  # a concurrent retry of the same submission won the race
        winner = await queries.get_by_client_id(
            conn, reporter_id=principal.user_id, client_id=data.client_id
        )
        assert winner is not None
        return await _replayed(conn, intake, winner, data, fingerprint), False
    row = await queries.get_for_reporter(conn, case_id=case_id, reporter_id=principal.user_id)
    assert row is not None
    return await _created_out(conn, intake, row), True


async def check_report_limit(
    conn: Connection, settings: Settings, *, principal: Principal, now: datetime
) -> None:
    """Refuse (429) a reporter already at its hourly limit, counting nothing."""
    await _take_report_slots(conn, settings, principal=principal, address=None, now=now, peek=True)


async def _replayed(
    conn: Connection, intake: Intake, row: asyncpg.Record, data: ReportIn, fingerprint: bytes
) -> ReportCreatedOut:
    kept = bytes(row["body_hash"])
    if kept != fingerprint and not await _same_with_photos_sent_again(conn, row, data, kept):
        raise _CONFLICT
    return await _created_out(conn, intake, row)


async def _same_with_photos_sent_again(
    conn: Connection, row: asyncpg.Record, data: ReportIn, kept: bytes
) -> bool:
    """The same report whose photos a replay uploaded again after the report had landed."""
    if not data.media_ids:
        return False
    photos = await media.same_report_photos(
        conn, case_id=row["id"], uploader_id=row["reporter_id"], media_ids=data.media_ids
    )
    if photos is None:
        return False
    return rules.body_hash(msgspec.structs.replace(data, media_ids=photos)) == kept


async def _take_report_slots(
    conn: Connection,
    settings: Settings,
    *,
    principal: Principal,
    address: str | None,
    now: datetime,
    peek: bool = False,
) -> None:
    """Count a new report against its device's hourly limit and its address's ceiling.

    Called inside the case's transaction, once the case is written: a refusal rolls the case
    back, and the counters' row locks make parallel reports from one device take their turn,
    so never more than the limit are created. With `peek`, nothing is counted: a device
    already at its limit is refused before any work (or tracking number) is spent on it.
    """
    limits = [("report.device", str(principal.user_id), settings.reports_per_hour, "device")]
    if address is not None:
        key = address_block(address)
        limits.append(("report.address", key, settings.reports_per_hour_per_address, "network"))
    for scope, key, limit, source in limits:
        counter = throttle.peek if peek else throttle.take
        wait = await counter(
            conn, scope=scope, key=key, limit=limit, window=timedelta(hours=1), now=now
        )
        if wait is not None:
            raise TooManyRequests(
                "reports.rate_limited",
                "此设备上报过于频繁，请稍后再试"
                if source == "device"
                else "此网络上报过于频繁，请稍后再试",
                f"Too many reports from this {source}; try again later",
                retry_after=wait,
            )


async def _category(
    conn: Connection, data: ReportIn, *, channel: Literal["app", "open311"]
) -> CategoryOut:
    try:
        category = await categories.get_category(conn, code=data.category)
    except NotFound:
        category = None
    if category is None or not category.active:
        raise Invalid(
            "reports.unknown_category",
            "没有这个问题类别",
            "Unknown category",
            fields={"category": "unknown"},
        )
    needs_photo = (
        category.photo_required_open311 if channel == "open311" else category.photo_required
    )
    if needs_photo and not data.media_ids:
        raise Invalid(
            "reports.photo_required",
            "此类问题需要至少一张照片",
            "This category needs at least one photo",
            fields={"mediaIds": "required"},
        )
    if len(set(data.media_ids)) != len(data.media_ids):
        raise Invalid(
            "reports.duplicate_media",
            "照片重复",
            "A photo is listed twice",
            fields={"mediaIds": "duplicate"},
        )
    return category


def _placement(routing: RoutingIndex, data: ReportIn) -> Placement:
    placement = routing.locate(data.lat, data.lng)
    if placement is None:
        raise Invalid(
            "reports.outside_service_area",
            "该位置不在服务范围内",
            "This place is outside the service area",
            fields={"lat": "outside the service area", "lng": "outside the service area"},
        )
    return placement


async def _create(
    conn: Connection,
    intake: Intake,
    *,
    principal: Principal,
    data: ReportIn,
    category: CategoryOut,
    placement: Placement,
    fingerprint: bytes,
    now: datetime,
    address: str | None,
) -> int | None:
    local_day = now.astimezone(ZoneInfo(intake.settings.timezone)).date()
    number = await queries.next_tracking_number(conn, day=local_day)
    deadlines = rules.intake_deadlines(
        now,
        accept_minutes=category.deadlines.accept_minutes,
        resolve_minutes=category.deadlines.resolve_minutes,
    )
    cells = rules.h3_cells(data.lat, data.lng)
    region_path = "/" + "/".join(region.code for region in placement.chain) + "/"
    async with conn.transaction():
        case_id = await queries.insert_case(
            conn,
            values={
                "tracking_no": rules.tracking_number(local_day, number),
                "reporter_id": principal.user_id,
                "client_id": data.client_id,
                "body_hash": fingerprint,
                "source": "resident" if principal.role == "resident" else "patrol",
                "category_code": category.code,
                "confidential": await categories.confidential_for_filing(conn, code=category.code),
                "priority": "emergency" if category.deadlines.preset == "emergency" else "normal",
                "description": data.description,
                "lat": data.lat,
                "lng": data.lng,
                "accuracy_m": data.accuracy_m,
                "address": data.address,
                "anonymous": data.anonymous,
                "region_id": placement.region.id,
                "region_path": region_path,
                "route_match": placement.match,
                **{f"h3_r{res}": cell for res, cell in cells.items()},
                "accept_due_at": deadlines.accept_by,
                "assigned_region_id": placement.region.id,
                "assigned_path": region_path,
                "due_at": deadlines.accept_by,
                "check_at": deadlines.accept_by,
                "resolve_due_at": deadlines.resolve_by,
                "created_at": now,
                "updated_at": now,
            },
        )
        if case_id is None:
            return None
        await _take_report_slots(
            conn, intake.settings, principal=principal, address=address, now=now
        )
        await places.place_case(
            conn,
            case_id=case_id,
            created_at=now,
            place_ids=intake.routing.places_at(data.lat, data.lng, region_path),
        )
        if not await media.attach(
            conn,
            media_ids=data.media_ids,
            uploader_id=principal.user_id,
            case_id=case_id,
            region_id=placement.region.id,
            purpose="report",
            now=now,
        ):
            raise Invalid(
                "reports.unknown_media",
                "照片不存在或已被使用",
                "A photo is unknown, not yours, or already used",
                fields={"mediaIds": "unknown or already used"},
            )
        await cases.record_event(
            conn,
            case_id=case_id,
            region_id=placement.region.id,
            at=now,
            actor=principal,
            action="submit",
            from_status=None,
            to_status="submitted",
        )
        await case_actions.auto_dispatch(conn, case_id=case_id, category=category, now=now)
    return case_id


async def _created_out(conn: Connection, intake: Intake, row: asyncpg.Record) -> ReportCreatedOut:
    viewer = row["reporter_id"]
    links = (
        intake.photo_links(viewer)
        if intake.photo_links is not None
        else PhotoLinks(store=intake.store, signing=None, viewer=viewer, now=datetime.now(UTC))
    )
    duplicates = await nearby_reports(
        conn,
        links,
        lat=row["lat"],
        lng=row["lng"],
        category=row["category_code"],
        exclude_id=row["id"],
    )
    return ReportCreatedOut(
        id=row["id"],
        tracking_no=row["tracking_no"],
        status=row["status"],
        region=RegionOut(
            code=row["region_code"], name=row["region_name"], level=row["region_level"]
        ),
        deadlines=DeadlinesOut(
            accept_by=row["accept_due_at"],
            resolve_by=row["resolve_due_at"],
            verify_by=row["verify_due_at"],
        ),
        possible_duplicates=duplicates,
    )
