"""What staff see of cases: queues with tab counts, one case in full, the reveal of a reporter."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import msgspec

from backend.accounts.rules import Principal
from backend.areas.case_refs import KeyAreaRefOut, areas_of_cases
from backend.audit import service as audit
from backend.cases import queries, rules
from backend.cases.schemas import (
    CaseOut,
    CasePageOut,
    CaseSummaryOut,
    ContactOut,
    EventOut,
    ExtensionOut,
    PlaceOut,
)
from backend.cases.service import load, relation_of, scope_for
from backend.cases.sql import Where, scoped
from backend.db.types import Connection
from backend.errors import BadRequest, Forbidden, Invalid
from backend.media import service as media
from backend.media.links import PhotoLinks
from backend.regions.paths import subtree_bounds
from backend.reports.rules import ROLE_NAMES
from backend.supervision import lookup as supervision
from backend.supervision.schemas import FlagRefOut

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """A queue's filters, as the console sends them."""

    statuses: list[str] | None = None
    category: str | None = None
    region_path: str | None = None
    assignee_id: int | None = None
    overdue: bool | None = None
    text: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


def _filtered(scope: rules.Scope, f: CaseFilter, *, with_status: bool) -> Where:
    where = scoped(scope)
    if with_status and f.statuses:
        where.add("c.status = ANY({0}::text[])", f.statuses)
    if f.category:
        where.add("c.category_code = {0}", f.category)
    if f.region_path:
        lo, hi = subtree_bounds(f.region_path)
        where.add(
            "((c.region_path >= {0} AND c.region_path < {1}) "
            "OR (c.assigned_path >= {0} AND c.assigned_path < {1}))",
            lo,
            hi,
        )
    if f.assignee_id is not None:
        where.add("c.assignee_id = {0}", f.assignee_id)
    if f.overdue is not None:
        where.add("c.overdue = {0}", f.overdue)
    if f.text:
        where.add("(c.tracking_no = {0} OR c.description ILIKE '%' || {0} || '%')", f.text)
    if f.created_from:
        where.add("c.created_at >= {0}", f.created_from)
    if f.created_to:
        where.add("c.created_at < {0}", f.created_to)
    return where


def _encode_cursor(row: asyncpg.Record) -> str:
    due = row["due_at"].isoformat() if row["due_at"] else None
    return base64.urlsafe_b64encode(msgspec.json.encode([due, row["id"]])).decode().rstrip("=")


def _after_cursor(where: Where, cursor: str) -> None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        due, last_id = msgspec.json.decode(raw, type=tuple[datetime | None, int])
    except (ValueError, msgspec.DecodeError, msgspec.ValidationError):
        raise Invalid(
            "cases.bad_cursor", "分页参数无效", "Invalid cursor", fields={"cursor": "invalid"}
        ) from None
    if due is None:
        where.add("(c.due_at IS NULL AND c.id > {0})", last_id)
    else:
        where.add("(coalesce(c.due_at, 'infinity'), c.id) > ({0}::timestamptz, {1})", due, last_id)


def _place(code: str | None, name: str | None) -> PlaceOut | None:
    return PlaceOut(code=code, name=name) if code and name else None


def summary(
    row: asyncpg.Record, flag: FlagRefOut | None = None, key_area: KeyAreaRefOut | None = None
) -> CaseSummaryOut:
    """A queue row: never the reporter's identity."""
    return CaseSummaryOut(
        id=row["id"],
        tracking_no=row["tracking_no"],
        status=row["status"],
        version=row["version"],
        category=row["category_code"],
        priority=row["priority"],
        description=row["description"],
        region=PlaceOut(code=row["region_code"], name=row["region_name"]),
        assigned=_place(row["assigned_code"], row["assigned_name"]),
        department=_place(row["department_code"], row["department_name"]),
        due_at=row["due_at"],
        overdue=row["overdue"],
        escalations=row["escalations"],
        reworks=row["reworks"],
        created_at=row["created_at"],
        lat=row["lat"],
        lng=row["lng"],
        supervised=rules.under_supervision(row["status"], row["supervised_step"]),
        flag=flag,
        key_area=key_area,
    )


async def summaries(
    conn: Connection,
    rows: list[asyncpg.Record],
    *,
    now: datetime | None = None,
    timezone: str | None = None,
) -> list[CaseSummaryOut]:
    """Queue rows, each with the 挂牌督办 flag over the place it happened, if any, and (given
    `now`) the governed key area it lies in, one statement for the whole page."""
    flags = await supervision.flags_over(conn, paths=[row["region_path"] for row in rows])
    areas = (
        await areas_of_cases(conn, case_ids=[row["id"] for row in rows], now=now, timezone=timezone)
        if now is not None
        else {}
    )
    return [summary(row, flags.get(row["region_path"]), areas.get(row["id"])) for row in rows]


async def queue(
    conn: Connection,
    principal: Principal,
    f: CaseFilter,
    *,
    cursor: str | None,
    now: datetime | None = None,
    timezone: str | None = None,
) -> CasePageOut:
    """A page of the caller's queue by deadline, with counts per status for the tabs."""
    scope = scope_for(principal)
    page_where = _filtered(scope, f, with_status=True)
    if cursor:
        _after_cursor(page_where, cursor)
    rows = await queries.list_cases(conn, where=page_where, limit=PAGE_SIZE + 1)
    counts = await queries.count_by_status(conn, where=_filtered(scope, f, with_status=False))
    more = len(rows) > PAGE_SIZE
    return CasePageOut(
        items=await summaries(conn, rows[:PAGE_SIZE], now=now, timezone=timezone),
        counts=counts,
        next_cursor=_encode_cursor(rows[PAGE_SIZE - 1]) if more else None,
    )


async def detail(
    conn: Connection,
    links: PhotoLinks,
    principal: Principal,
    case_id: int,
    *,
    now: datetime,
    timezone: str | None = None,
) -> CaseOut:
    """One case in full for staff: a role or a masked contact where the reporter would be."""
    case = await load(conn, principal, case_id)
    photos = await media.photos_of_case(links, conn, case_id=case_id)
    events = await queries.timeline(conn, case_id=case_id)
    extensions = await queries.list_extensions(conn, case_id=case_id)
    flags = await supervision.flags_over(conn, paths=[case["region_path"]])
    areas = await areas_of_cases(conn, case_ids=[case_id], now=now, timezone=timezone)
    base = msgspec.structs.asdict(summary(case, flags.get(case["region_path"]), areas.get(case_id)))
    base["reporter"] = await _reporter_label(conn, principal, case)
    return CaseOut(
        **base,
        address=case["address"],
        confidential=case["confidential"],
        reject_reason=case["reject_reason"],
        master_case_id=case["master_case_id"],
        deadlines={
            "acceptBy": case["accept_due_at"],
            "resolveBy": case["resolve_due_at"],
            "verifyBy": case["verify_due_at"],
        },
        photos=photos["report"],
        after_photos=photos["resolution"],
        timeline=[_event(e) for e in events],
        extensions=[ExtensionOut(**dict(e)) for e in extensions],
        allowed_actions=rules.offered_actions(
            role=principal.role,
            status=case["status"],
            relation=relation_of(principal, case),
            due_at=case["due_at"],
            now=now,
            extension_pending=any(e["state"] == "pending" for e in extensions),
        ),
    )


async def _reporter_label(conn: Connection, principal: Principal, case: asyncpg.Record) -> str:
    """Workers and departments read "群众上报"; triage sees a masked contact at most."""
    if principal.role not in rules.TRIAGE_ROLES:
        return "群众上报"
    contact = await queries.reporter_contact(conn, case_id=case["id"])
    assert contact is not None
    return "群众上报 · " + rules.masked_phone(contact["phone"], anonymous=contact["anonymous"])


def _event(row: asyncpg.Record) -> EventOut:
    zh, en = ROLE_NAMES.get(row["actor_role"], ROLE_NAMES["system"])
    return EventOut(
        at=row["at"],
        action=row["action"],
        status=row["to_status"],
        actor=zh,
        actor_en=en,
        public=row["public"],
        note=row["note"],
    )


REVEAL_REASON_NEEDED = BadRequest(
    "cases.reveal_reason",
    "查看举报人信息须写明理由（至少10个字，不能只重复一个字）",
    "Give a real reason (at least 10 characters, not one character repeated) to see who "
    "reported this",
    fields={"reason": "at least 10 characters, not one character repeated"},
)


async def reveal(
    conn: Connection, principal: Principal, case_id: int, *, reason: str, now: datetime
) -> ContactOut:
    """Show a reporter's contact to a permitted dispatcher or supervisor; always audited."""
    if principal.role not in rules.TRIAGE_ROLES or not await queries.can_reveal(
        conn, user_id=principal.user_id
    ):
        raise Forbidden(
            "cases.reveal_forbidden",
            "您没有查看举报人信息的权限",
            "You are not permitted to see who reported this",
        )
    if not rules.reveal_reason_ok(reason):
        raise REVEAL_REASON_NEEDED
    case = await load(conn, principal, case_id)
    contact = await queries.reporter_contact(conn, case_id=case_id)
    assert contact is not None
    await audit.record(
        conn,
        actor_id=principal.user_id,
        action="reporter.reveal",
        subject=("case", str(case_id)),
        region_id=case["region_id"],
        detail={"reason": reason, "at": now.isoformat()},
    )
    if contact["anonymous"]:  # an anonymous reporter stays anonymous, whoever asks
        return ContactOut(nickname=None, phone=None, anonymous=True)
    return ContactOut(nickname=contact["nickname"], phone=contact["phone"], anonymous=False)


async def my_tasks(
    conn: Connection,
    principal: Principal,
    *,
    now: datetime | None = None,
    timezone: str | None = None,
) -> list[CaseSummaryOut]:
    """A handler's work: cases sent to their grid or department, and those they accepted."""
    where = scoped(scope_for(principal))
    if principal.role == "worker" and principal.region_path:
        lo, hi = subtree_bounds(principal.region_path)
        where.add(
            "c.department_id IS NULL AND c.assigned_path >= {0} AND c.assigned_path < {1}", lo, hi
        )
    where.add(
        "((c.status = 'dispatched') OR (c.status = 'accepted' AND c.assignee_id = {0}))",
        principal.user_id,
    )
    rows = await queries.list_cases(conn, where=where, limit=500)
    return await summaries(conn, rows, now=now, timezone=timezone)


async def summaries_of(
    conn: Connection, principal: Principal, case_ids: list[int]
) -> list[CaseSummaryOut]:
    """Queue rows of these cases, in the order given, leaving out those the caller may not see."""
    if not case_ids:
        return []
    where = scoped(scope_for(principal))
    where.add("c.id = ANY({0}::bigint[])", case_ids)
    rows = await queries.list_cases(conn, where=where, limit=len(case_ids))
    order = {case_id: i for i, case_id in enumerate(case_ids)}
    rows.sort(key=lambda row: order[row["id"]])
    return await summaries(conn, rows)
