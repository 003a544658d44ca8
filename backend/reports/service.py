"""Report intake and the reporter's side of a report.

A submission lands exactly once: a reporter's `clientId` is unique in the database, so a
phone that retries (even five times at once) gets the one case back; the same clientId with
different content is a conflict. Routing, deadlines, cells and the first timeline event are
written in the same transaction as the case and its photos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from backend.accounts.rules import Principal
from backend.cases import actions as case_actions
from backend.cases import service as cases
from backend.categories import service as categories
from backend.categories.schemas import CategoryOut
from backend.db.types import Connection
from backend.errors import Conflict, Invalid, NotFound, TooManyRequests
from backend.media import service as media
from backend.regions.routing import Placement, RoutingIndex
from backend.regions.schemas import RegionOut
from backend.reports import queries, rules
from backend.reports.nearby import nearby_reports
from backend.reports.schemas import DeadlinesOut, ReportCreatedOut, ReportIn
from backend.settings import Settings
from media_store import Store


@dataclass(frozen=True, slots=True)
class Intake:
    """What intake needs besides a connection."""

    settings: Settings
    routing: RoutingIndex
    store: Store


_CONFLICT = Conflict(
    "reports.client_id_reused",
    "该报告编号已用于另一份内容不同的上报",
    "This clientId was already used for a report with different content",
)


async def submit(
    conn: Connection, intake: Intake, *, principal: Principal, data: ReportIn, now: datetime
) -> tuple[ReportCreatedOut, bool]:
    """上报: create the case once; returns it and whether it was created by this call."""
    fingerprint = rules.body_hash(data)
    existing = await queries.get_by_client_id(
        conn, reporter_id=principal.user_id, client_id=data.client_id
    )
    if existing is not None:
        return await _replayed(conn, intake, existing, fingerprint), False
    await _check_rate(conn, intake.settings, principal=principal, now=now)
    category = await _category(conn, data)
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
    )
    if case_id is None:  # a concurrent retry of the same submission won the race
        winner = await queries.get_by_client_id(
            conn, reporter_id=principal.user_id, client_id=data.client_id
        )
        assert winner is not None
        return await _replayed(conn, intake, winner, fingerprint), False
    row = await queries.get_for_reporter(conn, case_id=case_id, reporter_id=principal.user_id)
    assert row is not None
    return await _created_out(conn, intake, row), True


async def _replayed(
    conn: Connection, intake: Intake, row: asyncpg.Record, fingerprint: bytes
) -> ReportCreatedOut:
    if bytes(row["body_hash"]) != fingerprint:
        raise _CONFLICT
    return await _created_out(conn, intake, row)


async def _check_rate(
    conn: Connection, settings: Settings, *, principal: Principal, now: datetime
) -> None:
    window = timedelta(hours=1)
    recent = await queries.recent_reports(conn, reporter_id=principal.user_id, since=now - window)
    wait = rules.rate_limit_retry_after(
        recent["oldest"],
        count=recent["count"],
        limit=settings.reports_per_hour,
        now=now,
        window=window,
    )
    if wait is not None:
        raise TooManyRequests(
            "reports.rate_limited",
            "上报过于频繁，请稍后再试",
            "Too many reports from this device; try again later",
            retry_after=wait,
        )


async def _category(conn: Connection, data: ReportIn) -> CategoryOut:
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
    if category.photo_required and not data.media_ids:
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
                "confidential": category.confidential,
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
    duplicates = await nearby_reports(
        conn,
        intake.store,
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
