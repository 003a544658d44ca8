"""研判会 (half-monthly) and 联席会议 (monthly): what they decided moves the areas.

A meeting lands whole or not at all: one decision its rules refuse refuses the meeting, with
each refused area's reason, and nothing of it is written.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import asyncpg

from backend.accounts.rules import Principal
from backend.areas import acceptance, lifecycle, meeting_queries, proposal_document, rules, service
from backend.areas.access import scope_path
from backend.areas.lifecycle import scope_range
from backend.areas.schemas import DecisionIn, MeetingIn, MeetingOut
from backend.audit import service as audit
from backend.cases.service import scope_for
from backend.db.types import Connection
from backend.errors import DomainError, Invalid, NotFound
from backend.places import service as places
from backend.regions.paths import codes_of
from backend.settings import Settings

LIST_LIMIT = 100
TOP_CATEGORIES = 3
_NO_SUCH_MEETING = NotFound("areas.meeting_not_found", "找不到该会议记录", "No such meeting")
# Who must hold the meeting for a decision: a street or above lists, a district flags.
DECIDING_DEPTH = {"list": 2, "flag": 1}


class _Refusal(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def _depth_refusal(decision: str, region: asyncpg.Record) -> _Refusal | None:
    depth = DECIDING_DEPTH.get(decision)
    if depth is None or len(codes_of(region["path"])) <= depth:
        return None
    if decision == "flag":
        return _Refusal("挂牌督办须由区（县）级会议决定", "Only a district's meeting flags an area")
    return _Refusal(
        "列管须由街道（乡镇）及以上的会议决定", "Only a street's meeting or above lists"
    )


async def _decide(
    conn: Connection,
    principal: Principal,
    region: asyncpg.Record,
    meeting_id: int,
    decision: DecisionIn,
    *,
    settings: Settings,
    now: datetime,
) -> None:
    """Move one area as decided; a _Refusal says why it cannot be."""
    try:
        area = await lifecycle.load_for_update(
            conn, area_id=decision.area_id, scope_path=region["path"]
        )
    except NotFound:
        raise _Refusal("找不到该重点地区", "No such key area in the meeting's region") from None
    await meeting_queries.insert_decision(
        conn,
        meeting_id=meeting_id,
        area_id=decision.area_id,
        decision=decision.decision,
        level=decision.level,
        reason=decision.reason,
    )
    if decision.decision == "defer":
        return
    refused = _depth_refusal(decision.decision, region)
    if refused is not None:
        raise refused
    if decision.decision in ("list", "flag") and decision.level is None and area["level"] is None:
        raise _Refusal("列管或挂牌须确定红、黄、蓝等级", "Listing or flagging needs a level")
    action: rules.Action = decision.decision
    try:
        moved = await lifecycle.transition(
            conn,
            area,
            action,
            actor=principal,
            reason=decision.reason,
            now=now,
            settings=settings,
            level=decision.level,
            detail={"meetingId": meeting_id},
        )
    except DomainError as error:
        raise _Refusal(error.message_zh, error.message_en) from None
    # A plan whose tasks were all done before the decision goes to 验收 at once.
    await acceptance.begin_if_ready(conn, moved, settings=settings, now=now)


async def record(
    conn: Connection, principal: Principal, data: MeetingIn, *, settings: Settings, now: datetime
) -> MeetingOut:
    """A meeting and its decisions; 422 naming each area whose decision its rules refuse."""
    repeated = [a for a, n in Counter(d.area_id for d in data.decisions).items() if n > 1]
    if repeated:
        raise Invalid(
            "areas.decided_twice",
            "同一会议对同一地区只能作出一项决定",
            "A meeting decides once per area",
            fields={f"areas.{a}": "decided twice" for a in repeated},
        )
    async with conn.transaction():
        region = await service.region_in_scope(conn, principal, data.region_code)
        meeting_id = await meeting_queries.insert_meeting(
            conn,
            region=region,
            kind=data.kind,
            held_on=data.held_on,
            units=list(data.units),
            notes=data.notes,
            created_by=principal.user_id,
            now=now,
        )
        refusals: dict[int, _Refusal] = {}
        for decision in data.decisions:
            try:
                await _decide(
                    conn, principal, region, meeting_id, decision, settings=settings, now=now
                )
            except _Refusal as refusal:
                refusals[decision.area_id] = refusal
        if refusals:
            raise _refused(refusals)
        await audit.record(
            conn,
            actor_id=principal.user_id,
            action="areas.meeting",
            subject=("key_area_meeting", str(meeting_id)),
            region_id=region["id"],
            detail={"decisions": len(data.decisions)},
        )
    return await one(conn, principal, meeting_id)


def _refused(refusals: dict[int, _Refusal]) -> Invalid:
    return Invalid(
        "areas.meeting_refused",
        "会议决定未能执行：" + "；".join(f"地区 {a}：{r.zh}" for a, r in refusals.items()),
        "The meeting's decisions cannot be carried out: "
        + "; ".join(f"area {a}: {r.en}" for a, r in refusals.items()),
        fields={f"areas.{a}": f"{r.zh} {r.en}" for a, r in refusals.items()},
    )


def _out(row: asyncpg.Record, decisions: list[asyncpg.Record]) -> MeetingOut:
    return MeetingOut(
        id=row["id"],
        kind=row["kind"],
        region_code=row["region_code"],
        region_name=row["region_name"],
        held_on=row["held_on"],
        units=list(row["units"]),
        notes=row["notes"],
        decisions=[
            DecisionIn(
                area_id=d["area_id"], decision=d["decision"], reason=d["reason"], level=d["level"]
            )
            for d in decisions
        ],
        created_at=row["created_at"],
    )


async def listing(conn: Connection, principal: Principal) -> list[MeetingOut]:
    """Meetings held in the caller's subtree, latest first."""
    lo, hi = scope_range(scope_path(principal))
    rows = await meeting_queries.meetings_in_range(conn, lo=lo, hi=hi, limit=LIST_LIMIT)
    decisions = await meeting_queries.decisions_of(conn, meeting_ids=[r["id"] for r in rows])
    by_meeting: dict[int, list[asyncpg.Record]] = {}
    for d in decisions:
        by_meeting.setdefault(d["meeting_id"], []).append(d)
    return [_out(row, by_meeting.get(row["id"], [])) for row in rows]


async def _meeting(conn: Connection, principal: Principal, meeting_id: int) -> asyncpg.Record:
    lo, hi = scope_range(scope_path(principal))
    row = await meeting_queries.meeting_in_range(conn, meeting_id=meeting_id, lo=lo, hi=hi)
    if row is None:
        raise _NO_SUCH_MEETING
    return row


async def one(conn: Connection, principal: Principal, meeting_id: int) -> MeetingOut:
    """One meeting with its decisions."""
    row = await _meeting(conn, principal, meeting_id)
    return _out(row, await meeting_queries.decisions_of(conn, meeting_ids=[meeting_id]))


async def proposal(
    conn: Connection, principal: Principal, meeting_id: int, *, settings: Settings, now: datetime
) -> tuple[bytes, str]:
    """研判会建议书 as XLSX, and its file name."""
    row = await _meeting(conn, principal, meeting_id)
    decisions = await meeting_queries.decisions_of(conn, meeting_ids=[meeting_id])
    # The sheet's figures are the reader's: confidential cases only for who may see them.
    visible = scope_for(principal).confidential
    areas = [
        await _proposal_area(conn, d, confidential=visible, settings=settings, now=now)
        for d in decisions
    ]
    sheet = proposal_document.ProposalSheet(
        region_name=row["region_name"],
        meeting_kind=row["kind"],
        held_on=row["held_on"],
        units=list(row["units"]),
        notes=row["notes"],
        window_days=settings.hotspot_window_days,
        areas=areas,
        generated_at=now,
        timezone=settings.timezone,
    )
    name = f"proposal-{row['region_code']}-{row['held_on'].isoformat()}.xlsx"
    return proposal_document.proposal_workbook(sheet), name


async def _proposal_area(
    conn: Connection,
    decision: asyncpg.Record,
    *,
    confidential: bool,
    settings: Settings,
    now: datetime,
) -> proposal_document.ProposalArea:
    """One area's evidence figures, as they stand now, as the reader may see them."""
    place_id = decision["place_id"]
    # The level is the city's, of every case; the counts beside it are the reader's own.
    alert, _ = await places.current_level(conn, place_id=place_id, settings=settings, now=now)
    window = timedelta(days=settings.hotspot_window_days)
    previous = await places.count_in_window(
        conn, place_id=place_id, start=now - 2 * window, end=now - window, confidential=confidential
    )
    recent = await places.reports_in_window(
        conn, place_id=place_id, start=now - window, end=now, confidential=confidential
    )
    top = Counter(r["category_code"] for r in recent).most_common(TOP_CATEGORIES)
    names = await meeting_queries.category_names(conn, codes=[code for code, _ in top])
    return proposal_document.ProposalArea(
        name=decision["name"],
        area_type=decision["area_type"],
        region_name=decision["region_name"],
        problems=decision["problems"],
        alert=alert,
        reports=len(recent),
        previous_reports=previous,
        cases_linked=await meeting_queries.linked_count(
            conn, place_id=place_id, confidential=confidential
        ),
        top_categories=[(names.get(code, code), n) for code, n in top],
        decision=decision["decision"],
        level=decision["level"],
        reason=decision["reason"],
    )
