"""挂牌督办: raise a flag on a region, list its history, measure its exit bar, lift it (摘牌).

Every change is one transaction that writes the flag and its audit row together.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from backend.accounts.rules import Principal
from backend.audit import service as audit
from backend.db.types import Connection
from backend.errors import Conflict, Invalid, NotFound
from backend.hotspots import service as hotspots
from backend.regions.paths import subtree_bounds
from backend.settings import Settings
from backend.supervision import queries, rules
from backend.supervision.rules import ExitBar, Measure
from backend.supervision.schemas import ExitBarOut, FlagIn, FlagOut, LiftIn

FlagState = Literal["active", "lifted", "all"]
_UNKNOWN_REGION = NotFound("regions.not_found", "找不到该区域", "No such region")
_UNKNOWN_FLAG = NotFound("flags.not_found", "找不到该挂牌记录", "No such flag")
_ALREADY_FLAGGED = Conflict(
    "flags.already_active",
    "该区域已在挂牌督办中，请先摘牌",
    "This region is already flagged; lift that flag first",
)
_ALREADY_LIFTED = Conflict("flags.already_lifted", "该挂牌已摘牌", "This flag was already lifted")


def _today(settings: Settings, now: datetime) -> date:
    return now.astimezone(ZoneInfo(settings.timezone)).date()


def exit_bar_of(settings: Settings) -> ExitBar:
    """The exit bar as configured."""
    return ExitBar(
        satisfied_percent=settings.flag_exit_satisfied_percent,
        min_rated=settings.flag_exit_min_rated,
        worst_level=settings.flag_exit_worst_level,
    )


def _flag_out(row: asyncpg.Record, *, today: date, exit_bar: ExitBarOut | None = None) -> FlagOut:
    active = row["lifted_at"] is None
    measured = row["lift_measure"]
    return FlagOut(
        id=row["id"],
        region_code=row["region_code"],
        region_name=row["region_name"],
        reason=row["reason"],
        deadline=row["deadline"],
        flagged_at=row["flagged_at"],
        active=active,
        overdue=rules.overdue(row["deadline"], today=today, active=active),
        lifted_at=row["lifted_at"],
        lift_reason=row["lift_reason"],
        lift_path=row["lift_path"],
        exit_bar=exit_bar or (msgspec.convert(measured, ExitBarOut) if measured else None),
    )


async def raise_flag(
    conn: Connection,
    principal: Principal,
    *,
    code: str,
    data: FlagIn,
    settings: Settings,
    now: datetime,
) -> FlagOut:
    """挂牌: flag a region of the caller's subtree with a reason and a deadline."""
    today = _today(settings, now)
    problem = rules.deadline_problem(data.deadline, today=today)
    if problem is not None:
        raise Invalid("flags.bad_deadline", *problem, fields={"deadline": problem[1]})
    lo, hi = hotspots.subtree_of(principal)
    async with conn.transaction():
        region = await queries.region_in_scope(conn, code=code, lo=lo, hi=hi)
        if region is None:
            raise _UNKNOWN_REGION
        flag_id = await queries.insert_flag(
            conn,
            region_id=region["id"],
            reason=data.reason,
            deadline=data.deadline,
            user_id=principal.user_id,
            at=now,
        )
        if flag_id is None:
            raise _ALREADY_FLAGGED
        await audit.record(
            conn,
            actor_id=principal.user_id,
            action="flags.raise",
            subject=("region_flag", str(flag_id)),
            region_id=region["id"],
            detail={"reason": data.reason, "deadline": data.deadline.isoformat()},
        )
        row = await queries.flag_in_scope(conn, flag_id=flag_id, lo=lo, hi=hi)
    assert row is not None  # just written, in the caller's own scope
    return _flag_out(row, today=today)


async def history(
    conn: Connection, principal: Principal, *, code: str, settings: Settings, now: datetime
) -> list[FlagOut]:
    """Every flag a region of the caller's subtree has had, newest first."""
    lo, hi = hotspots.subtree_of(principal)
    region = await queries.region_in_scope(conn, code=code, lo=lo, hi=hi)
    if region is None:
        raise _UNKNOWN_REGION
    rows = await queries.flags_of_region(conn, region_id=region["id"], lo=lo, hi=hi)
    today = _today(settings, now)
    return [_flag_out(row, today=today) for row in rows]


async def flags(
    conn: Connection, principal: Principal, *, state: FlagState, settings: Settings, now: datetime
) -> list[FlagOut]:
    """The flags on regions of the caller's subtree: active ones, lifted ones, or all."""
    lo, hi = hotspots.subtree_of(principal)
    active = {"active": True, "lifted": False, "all": None}[state]
    rows = await queries.flags_in_scope(conn, lo=lo, hi=hi, active=active)
    today = _today(settings, now)
    return [_flag_out(row, today=today) for row in rows]


async def one(
    conn: Connection, principal: Principal, *, flag_id: int, settings: Settings, now: datetime
) -> FlagOut:
    """One flag; an active one with its exit bar measured now."""
    lo, hi = hotspots.subtree_of(principal)
    row = await queries.flag_in_scope(conn, flag_id=flag_id, lo=lo, hi=hi)
    if row is None:
        raise _UNKNOWN_FLAG
    today = _today(settings, now)
    if row["lifted_at"] is not None:
        return _flag_out(row, today=today)
    bar = exit_bar_of(settings)
    measure = await _measure(conn, row, settings=settings, now=now)
    return _flag_out(row, today=today, exit_bar=_exit_bar_out(measure, bar))


async def _measure(
    conn: Connection, row: asyncpg.Record, *, settings: Settings, now: datetime
) -> Measure:
    """Ratings since the flag was raised and the hotspot level, for the flagged subtree."""
    lo, hi = subtree_bounds(row["region_path"])
    ratings = await queries.ratings_since(
        conn,
        lo=lo,
        hi=hi,
        since=row["flagged_at"],
        until=now,
        satisfied_at_or_above=rules.SATISFIED_AT_OR_ABOVE,
    )
    alert = await hotspots.alert_of(
        conn, region_path=row["region_path"], settings=settings, now=now
    )
    return Measure(rated=ratings["rated"], satisfied=ratings["satisfied"], alert=alert)


def _exit_bar_out(measure: Measure, bar: ExitBar) -> ExitBarOut:
    missing = rules.unmet(measure, bar)
    return ExitBarOut(
        met=not missing,
        rated=measure.rated,
        satisfied=measure.satisfied,
        satisfaction=measure.satisfaction,
        required_satisfaction=bar.satisfied_percent / 100,
        min_rated=bar.min_rated,
        level=measure.alert,
        worst_allowed_level=bar.worst_level,
        unmet=[u.code for u in missing],
    )


async def lift(
    conn: Connection,
    principal: Principal,
    *,
    flag_id: int,
    data: LiftIn,
    settings: Settings,
    now: datetime,
) -> FlagOut:
    """摘牌: by the exit bar when the region meets it, else by written override if asked."""
    lo, hi = hotspots.subtree_of(principal)
    bar = exit_bar_of(settings)
    async with conn.transaction():
        row = await queries.flag_in_scope(conn, flag_id=flag_id, lo=lo, hi=hi, lock=True)
        if row is None:
            raise _UNKNOWN_FLAG
        if row["lifted_at"] is not None:
            raise _ALREADY_LIFTED
        measure = await _measure(conn, row, settings=settings, now=now)
        missing = rules.unmet(measure, bar)
        path = rules.lift_path(missing, override=data.override)
        if path is None:
            raise _refused(missing)
        snapshot = _exit_bar_out(measure, bar)
        await _write_lift(conn, principal, row, data=data, path=path, snapshot=snapshot, now=now)
        lifted = await queries.flag_in_scope(conn, flag_id=flag_id, lo=lo, hi=hi)
    assert lifted is not None  # locked above, in the caller's own scope
    return _flag_out(lifted, today=_today(settings, now))


async def _write_lift(
    conn: Connection,
    principal: Principal,
    row: asyncpg.Record,
    *,
    data: LiftIn,
    path: str,
    snapshot: ExitBarOut,
    now: datetime,
) -> None:
    measure: dict[str, Any] = msgspec.to_builtins(snapshot)
    await queries.lift_flag(
        conn,
        flag_id=row["id"],
        user_id=principal.user_id,
        at=now,
        reason=data.reason,
        path=path,
        measure=measure,
    )
    await audit.record(
        conn,
        actor_id=principal.user_id,
        action="flags.lift",
        subject=("region_flag", str(row["id"])),
        region_id=row["region_id"],
        detail={"path": path, "reason": data.reason, "exitBar": measure},
    )


def _refused(missing: list[rules.Unmet]) -> Conflict:
    return Conflict(
        "flags.exit_bar_unmet",
        "未达到摘牌条件："
        + "；".join(u.zh for u in missing)
        + "。如确需摘牌，请写明理由后强制摘牌。",
        "The exit bar is not met: "
        + "; ".join(u.en for u in missing)
        + ". To lift anyway, give a written reason with override.",
        fields={u.code: u.en for u in missing},
    )
