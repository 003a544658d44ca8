"""The reporter's side: my reports, one report as I see it, rating, following."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.accounts.rules import Principal
from backend.cases import actions as case_actions
from backend.cases import rules as case_rules
from backend.cases import service as cases
from backend.categories import service as categories
from backend.db.types import Connection
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.media import service as media
from backend.media.links import PhotoLinks
from backend.open311.redaction import blurred, mask_personal_numbers
from backend.regions.schemas import RegionOut
from backend.reports import queries, rules
from backend.reports.schemas import (
    DeadlinesOut,
    PointsEntryOut,
    PointsOut,
    RatingIn,
    ReportOut,
    ReportPageOut,
    ReportSummaryOut,
    TimelineEntryOut,
)

_NOT_YOURS = NotFound("reports.not_found", "找不到该上报", "No such report")
PAGE_SIZE = 20


async def my_reports(
    conn: Connection, links: PhotoLinks, *, principal: Principal, cursor: str | None
) -> ReportPageOut:
    """我的上报: mine, those mine were merged into, and those I follow; newest first."""
    after = rules.decode_cursor(cursor) if cursor else None
    if cursor and after is None:
        raise Invalid(
            "reports.bad_cursor", "分页参数无效", "Invalid cursor", fields={"cursor": "invalid"}
        )
    rows = await queries.list_for_reader(
        conn,
        user_id=principal.user_id,
        limit=PAGE_SIZE + 1,
        before=(after.created_at, after.id) if after else None,
    )
    thumbnails = await media.cover_thumbnails(
        links, conn, case_ids=[row["id"] for row in rows[:PAGE_SIZE]]
    )
    items = [
        ReportSummaryOut(
            id=row["id"],
            tracking_no=row["tracking_no"] if row["relation"] == "own" else None,
            status=row["status"],
            category=row["category_code"],
            description=_description(row["relation"], row["description"]),
            created_at=row["created_at"],
            thumbnail_url=thumbnails.get(row["id"]),
            relation=row["relation"],
        )
        for row in rows[:PAGE_SIZE]
    ]
    more = len(rows) > PAGE_SIZE
    last = rows[PAGE_SIZE - 1] if more else None
    next_cursor = (
        rules.encode_cursor(rules.Cursor(last["created_at"], last["id"])) if last else None
    )
    return ReportPageOut(items=items, next_cursor=next_cursor)


async def my_report(
    conn: Connection, links: PhotoLinks, *, principal: Principal, case_id: int
) -> ReportOut:
    """One report I made, had merged into it, or follow: its public timeline and photos."""
    row = await queries.get_for_reader(conn, case_id=case_id, user_id=principal.user_id)
    if row is None:
        raise _NOT_YOURS
    photos = await media.photos_of_case(links, conn, case_id=case_id)
    timeline = [_entry(event) for event in await cases.public_timeline(conn, case_id=case_id)]
    relation = row["relation"]
    own = relation == "own"
    return ReportOut(
        id=row["id"],
        # Others read what a neighbour is shown: a position to about 100 m, no phone or ID
        # number, and not the tracking number a reporter quotes on the 12345 line.
        tracking_no=row["tracking_no"] if own else None,
        status=row["status"],
        category=row["category_code"],
        description=_description(relation, row["description"]),
        lat=row["lat"] if own else blurred(row["lat"]),
        lng=row["lng"] if own else blurred(row["lng"]),
        # The address is typed by the reporter (it may be their door); whether they hid their
        # name is theirs to know. Others get neither.
        address=row["address"] if relation == "own" else None,
        anonymous=row["anonymous"] if relation == "own" else False,
        region=RegionOut(
            code=row["region_code"], name=row["region_name"], level=row["region_level"]
        ),
        created_at=row["created_at"],
        deadlines=DeadlinesOut(
            accept_by=row["accept_due_at"],
            resolve_by=row["resolve_due_at"],
            verify_by=row["verify_due_at"],
        ),
        photos=photos["report"],
        after_photos=photos["resolution"],
        timeline=timeline,
        rating=row["my_rating"],
        relation=relation,
        can_rate=rules.may_rate(
            relation,
            status=row["status"],
            closed_at=row["closed_at"],
            rated_at=row["my_rated_at"],
        ),
        master_id=row["master_case_id"],
    )


def _description(relation: str, text: str) -> str:
    return text if relation == "own" else mask_personal_numbers(text)


def _entry(event: asyncpg.Record) -> TimelineEntryOut:
    zh, en = rules.ROLE_NAMES.get(event["actor_role"], rules.ROLE_NAMES["system"])
    return TimelineEntryOut(
        at=event["at"],
        action=event["action"],
        status=event["to_status"],
        actor=zh,
        actor_en=en,
        note=event["note"],
    )


async def rate(
    conn: Connection, *, principal: Principal, case_id: int, data: RatingIn, now: datetime
) -> None:
    """评价: once per closing, by the reporter or a reporter merged into the case."""
    async with conn.transaction():
        rated = await queries.rate(
            conn,
            case_id=case_id,
            reporter_id=principal.user_id,
            score=data.score,
            comment=data.comment,
            at=now,
        )
        if rated is None:
            await _rate_as_merged(conn, principal=principal, case_id=case_id, data=data, now=now)
            return
        await cases.record_event(
            conn,
            case_id=case_id,
            region_id=rated["region_id"],
            at=now,
            actor=principal,
            action="rate",
            from_status="closed",
            to_status="rated",
        )
        if case_rules.reopens_on_rating(data.score, closed_at=rated["closed_at"], now=now):
            await case_actions.reopen_after_rating(
                conn, case_id=case_id, reporter=principal, now=now
            )


async def _rate_as_merged(
    conn: Connection, *, principal: Principal, case_id: int, data: RatingIn, now: datetime
) -> None:
    """A merged reporter's score counts as their own report's rating; only the master's
    reporter's low score sends the case back (one voice reopens, not every duplicate's)."""
    row = await queries.get_for_reader(conn, case_id=case_id, user_id=principal.user_id)
    if row is None:
        raise _NOT_YOURS
    if row["relation"] == "following":
        raise Forbidden(
            "reports.followers_cannot_rate",
            "关注者不能评价，只有上报人可以评价",
            "Only those who reported it may rate it, not its followers",
        )
    rated = None
    if row["relation"] == "merged":
        rated = await queries.rate_as_merged(
            conn,
            duplicate_id=row["duplicate_id"],
            master_id=case_id,
            reporter_id=principal.user_id,
            score=data.score,
            comment=data.comment,
            at=now,
        )
    if rated is None:
        raise Conflict(
            "reports.not_ratable",
            "每次结案后可评价一次",
            "A report can be rated once each time it is closed",
        )
    await cases.record_event(
        conn,
        case_id=rated["id"],
        region_id=rated["region_id"],
        at=now,
        actor=principal,
        action="rate",
        from_status="merged",
        to_status="merged",
    )


async def follow(conn: Connection, *, principal: Principal, case_id: int, now: datetime) -> None:
    """关注: a resident subscribes to an open report of a kind offered to them nearby."""
    if principal.is_staff:
        raise Forbidden(
            "reports.residents_only",
            "只有居民可以关注上报",
            "Only residents may follow a report",
        )
    row = await queries.get_open_public(conn, case_id=case_id)
    # Ids run in sequence: a case not offered nearby is answered as if it did not exist.
    if row is None or not await _offered_nearby(conn, category=row["category_code"]):
        raise _NOT_YOURS
    if row["reporter_id"] != principal.user_id:
        await cases.follow(
            conn, case_id=case_id, user_id=principal.user_id, region_id=row["region_id"], at=now
        )


async def _offered_nearby(conn: Connection, *, category: str) -> bool:
    found = await categories.get_category(conn, code=category)
    return rules.offered_nearby(
        public=found.public,
        confidential=found.confidential,
        duplicate_radius_m=found.duplicate_radius_m,
    )


async def my_points(conn: Connection, *, principal: Principal) -> PointsOut:
    """举报奖励: the caller's points and where they came from."""
    rows = await queries.points_of(conn, user_id=principal.user_id)
    entries = [
        PointsEntryOut(
            tracking_no=r["tracking_no"], points=r["points"], reason=r["reason"], at=r["at"]
        )
        for r in rows
    ]
    return PointsOut(balance=sum(e.points for e in entries), entries=entries)
