"""The key-area register: 排查发现 (new candidates and their merging), the register's pages,
one area in full, its lifecycle steps, its evidence and its level history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from backend.accounts.rules import Principal
from backend.areas import (
    acceptance,
    area_page,
    cursors,
    lifecycle,
    queries,
    register_queries,
    views,
)
from backend.areas.access import scope_path
from backend.areas.lifecycle import NO_SUCH_AREA, scope_range
from backend.areas.schemas import (
    AreaOut,
    AreaPageOut,
    AreaSummaryOut,
    LevelDayOut,
    TransitionIn,
)
from backend.audit import service as audit
from backend.cases.service import scope_for
from backend.clock import city_today
from backend.db.types import Connection
from backend.duties import service as duties
from backend.errors import Invalid, NotFound
from backend.media.links import PhotoLinks
from backend.places import service as places
from backend.settings import Settings

PAGE_SIZE = 50
REPORTS_WINDOW = timedelta(days=30)
_NO_REGION = NotFound("regions.not_found", "找不到该区域", "No such region")
ONE_PLACE = Invalid(
    "areas.place_required",
    "请选择一个区域或绘制一个范围（二者选一）",
    "Give either a region or a drawn outline, not both",
    fields={"place": "one of regionCode or geometry"},
)


async def region_in_scope(conn: Connection, principal: Principal, code: str) -> asyncpg.Record:
    """A region of the caller's subtree by code; NotFound otherwise."""
    lo, hi = scope_range(scope_path(principal))
    region = await queries.region_in_range(conn, code=code, lo=lo, hi=hi)
    if region is None:
        raise _NO_REGION
    return region


class _Where:
    """Conditions on the register, numbered after the page query's own $1 and $2."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def add(self, template: str, *values: Any) -> None:
        numbers = [f"${len(self.args) + i + 3}" for i in range(len(values))]
        self.parts.append(template.format(*numbers))
        self.args.extend(values)

    def sql(self) -> str:
        return " AND ".join(self.parts) or "TRUE"


async def page(
    conn: Connection,
    principal: Principal,
    *,
    state: str | None,
    area_type: str | None,
    level: str | None,
    region_code: str | None,
    cursor: str | None,
    settings: Settings,
    now: datetime,
) -> AreaPageOut:
    """A page of the register, newest change first, within the caller's subtree."""
    lo, hi = scope_range(scope_path(principal))
    where = _Where()
    if lo is not None:
        where.add("k.region_path >= {0} AND k.region_path < {1}", lo, hi)
    if region_code:
        region = await region_in_scope(conn, principal, region_code)
        where.add("k.region_path >= {0} AND k.region_path < {1}", *scope_range(region["path"]))
    for column, value in (("k.state", state), ("k.area_type", area_type), ("k.level", level)):
        if value:
            where.add(f"{column} = {{0}}", value)
    if cursor:
        where.add("(k.updated_at, k.id) < ({0}::timestamptz, {1}::bigint)", *cursors.decode(cursor))
    rows = await register_queries.area_page(
        conn,
        where=where.sql(),
        args=where.args,
        since=now - REPORTS_WINDOW,
        now=now,
        limit=PAGE_SIZE + 1,
        confidential=scope_for(principal).confidential,
    )
    items = await summaries(conn, rows[:PAGE_SIZE], settings=settings, now=now)
    more = len(rows) > PAGE_SIZE
    return AreaPageOut(
        items=items, next=cursors.encode(items[-1].updated_at, items[-1].id) if more else None
    )


async def duties_overdue(conn: Connection, *, area_ids: list[int], now: datetime) -> dict[int, int]:
    """How many level duties (联合清查, 巡查 …) each area owes past their time."""
    owed = await register_queries.open_area_duties(conn, area_ids=area_ids)
    if not owed:
        return {}
    status = await duties.statuses(
        conn, subject_kind="area_duty", subject_ids=[row["id"] for row in owed], now=now
    )
    counts: dict[int, int] = {}
    for row in owed:
        found = status.get(row["id"])
        if found is not None and found.overdue:
            counts[row["area_id"]] = counts.get(row["area_id"], 0) + 1
    return counts


async def summaries(
    conn: Connection, rows: list[asyncpg.Record], *, settings: Settings, now: datetime
) -> list[AreaSummaryOut]:
    """Register rows with their plan's progress, two statements for the whole page."""
    late = await duties_overdue(conn, area_ids=[row["id"] for row in rows], now=now)
    today = city_today(settings.timezone, now)
    return [views.summary(row, duties_overdue=late.get(row["id"], 0), today=today) for row in rows]


async def summary_row(
    conn: Connection, principal: Principal, area_id: int, *, now: datetime
) -> asyncpg.Record:
    """One area as the register reads it, in the caller's subtree; NotFound otherwise."""
    lo, hi = scope_range(scope_path(principal))
    where = _Where()
    where.add("k.id = {0}", area_id)
    if lo is not None:
        where.add("k.region_path >= {0} AND k.region_path < {1}", lo, hi)
    rows = await register_queries.area_page(
        conn,
        where=where.sql(),
        args=where.args,
        since=now - REPORTS_WINDOW,
        now=now,
        limit=1,
        confidential=scope_for(principal).confidential,
    )
    if not rows:
        raise NO_SUCH_AREA
    return rows[0]


async def detail(
    conn: Connection,
    principal: Principal,
    area_id: int,
    *,
    settings: Settings,
    now: datetime,
    links: PhotoLinks | None = None,
) -> AreaOut:
    """One area in full: its place, plan, tasks and timeline."""
    row = await summary_row(conn, principal, area_id, now=now)
    base = (await summaries(conn, [row], settings=settings, now=now))[0]
    return await area_page.full(conn, row, base, links=links, now=now)


async def transition(
    conn: Connection,
    principal: Principal,
    area_id: int,
    data: TransitionIn,
    *,
    settings: Settings,
    now: datetime,
    links: PhotoLinks | None = None,
) -> AreaOut:
    """One step of the lifecycle taken by hand: propose, dismiss, list or flag."""
    async with conn.transaction():
        area = await lifecycle.load_for_update(
            conn, area_id=area_id, scope_path=scope_path(principal)
        )
        if data.action in ("list", "flag") and data.level is None and area["level"] is None:
            raise Invalid(
                "areas.level_required",
                "列管或挂牌须确定红、黄、蓝等级",
                "Listing or flagging needs a level (red, yellow or blue)",
                fields={"level": "required"},
            )
        await lifecycle.transition(
            conn,
            area,
            data.action,
            actor=principal,
            reason=data.reason,
            now=now,
            settings=settings,
            level=data.level,
            media_ids=data.media_ids,
        )
        if data.action in ("list", "flag"):
            # Tasks finished before the decision: the area goes straight to acceptance.
            moved = await lifecycle.load_for_update(conn, area_id=area_id, scope_path=None)
            await acceptance.begin_if_ready(conn, moved, settings=settings, now=now)
    return await detail(conn, principal, area_id, settings=settings, now=now, links=links)


def hand_link_path(caller_path: str | None, area_path: str) -> str | None:
    """The subtree whose cases may be linked by hand to an area: the area's region as far as
    the caller sees it (None: the two do not meet). A case of a neighbouring street linked to
    an area would show that area on the neighbour's queue and count in the area's figures."""
    if caller_path is None or area_path.startswith(caller_path):
        return area_path
    if caller_path.startswith(area_path):
        return caller_path
    return None


async def link_cases(
    conn: Connection, principal: Principal, area_id: int, case_ids: list[int], *, now: datetime
) -> int:
    """Cases linked by hand as the area's evidence; only cases the caller may see that lie
    in the area's region."""
    path = scope_path(principal)
    async with conn.transaction():
        area = await lifecycle.load_for_update(conn, area_id=area_id, scope_path=path)
        within = hand_link_path(path, area["region_path"])
        linked = 0
        if within is not None:
            linked = await places.link_cases(
                conn,
                place_id=area["place_id"],
                case_ids=case_ids,
                scope_path=within,
                confidential=scope_for(principal).confidential,
            )
        await queries.touch(conn, area_id=area_id, now=now)
        await audit.record(
            conn,
            actor_id=principal.user_id,
            action="areas.link_cases",
            subject=("key_area", str(area_id)),
            region_id=area["region_id"],
            detail={"caseIds": case_ids, "linked": linked},
        )
    return linked


async def levels(
    conn: Connection, principal: Principal, area_id: int, *, settings: Settings, now: datetime
) -> list[LevelDayOut]:
    """The area's hotspot level, day by day, over the last year."""
    row = await summary_row(conn, principal, area_id, now=now)
    since = city_today(settings.timezone, now) - timedelta(days=366)
    history = await places.level_history(conn, place_id=row["place_id"], since=since)
    return [LevelDayOut(day=h["day"], alert=h["alert"], reports=h["reports"]) for h in history]
