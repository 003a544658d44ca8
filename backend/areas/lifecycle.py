"""The one way a key area changes state: rules decide, then the row, its event, the audit
log, the evidence photos and the pushes are written together in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from backend.accounts.rules import Principal
from backend.areas import queries, rules, task_queries
from backend.audit import service as audit
from backend.cases import service as cases
from backend.db.types import Connection
from backend.errors import Forbidden, Invalid, NotFound
from backend.media import service as media
from backend.places import service as places
from backend.push import service as push
from backend.regions.paths import codes_of, subtree_bounds
from backend.settings import Settings

NO_SUCH_AREA = NotFound("areas.not_found", "找不到该重点地区", "No such key area")
SYSTEM = rules.Actor(role="system", district_level=True)
# Decisions the area's responsible people and the supervisors of its region are told of.
TOLD_OF: frozenset[str] = frozenset({"list", "flag", "escalate", "lift", "relist"})
# States that end an area's governing: its place no longer takes new cases.
ENDED: frozenset[str] = frozenset({"dismissed", "closed"})
_BAD_PHOTOS = Invalid(
    "areas.bad_photos",
    "照片无效：不存在、不是您上传的或已被使用",
    "A photo is unknown, not yours, or already used",
    fields={"mediaIds": "invalid"},
)


def scope_range(scope_path: str | None) -> tuple[str | None, str | None]:
    """A region path as a range [lo, hi); None is the whole city."""
    if scope_path is None:
        return None, None
    return subtree_bounds(scope_path)


def actor_of(principal: Principal | None) -> rules.Actor:
    """The rules' view of the caller: a district's (or the city's) staff decide flags."""
    if principal is None:
        return SYSTEM
    if principal.region_path is None:
        district = principal.role == "admin"
    else:
        district = len(codes_of(principal.region_path)) == 1
    return rules.Actor(role=principal.role, district_level=district)


def refusal(refused: rules.Refused, *, field: str | None = None) -> Forbidden | Invalid:
    """A rules refusal as the error the client gets: who-may refusals are 403, the rest 422."""
    fields = {field: refused.en} if field else None
    if refused.code in rules.ROLE_CODES:
        return Forbidden(refused.code, refused.zh, refused.en, fields=fields)
    return Invalid(refused.code, refused.zh, refused.en, fields=fields)


async def load_for_update(
    conn: Connection, *, area_id: int, scope_path: str | None
) -> asyncpg.Record:
    """The area, locked for a change; NotFound when absent or out of scope (None: whole city)."""
    lo, hi = scope_range(scope_path)
    row = await queries.area_for_update(conn, area_id=area_id, lo=lo, hi=hi)
    if row is None:
        raise NO_SUCH_AREA
    return row


async def facts_of(conn: Connection, area: asyncpg.Record) -> tuple[rules.Facts, asyncpg.Record]:
    """What the rules need to know of the area, and its current plan's facts."""
    plan = await queries.plan_facts(conn, area_id=area["id"])
    has_plan = plan["plan_id"] is not None
    if has_plan and area["state"] == "relisted":
        # The plan that failed to hold is no plan for the relisting: a new one is needed.
        has_plan = await task_queries.plan_since_relist(conn, area_id=area["id"])
    facts = rules.Facts(
        state=area["state"],
        tier=area["tier"],
        has_plan=has_plan,
        open_tasks=plan["open_tasks"] or 0,
    )
    return facts, plan


def _changes(
    area: asyncpg.Record,
    facts: rules.Facts,
    action: rules.Action,
    to_state: str,
    *,
    level: str | None,
    now: datetime,
) -> dict[str, Any]:
    changes: dict[str, Any] = {"state": to_state, "tier": rules.tier_after(facts, action)}
    if level is not None:
        changes["level"] = level
    stamp = {"listed": "listed_at", "flagged": "flagged_at", "lifted": "lifted_at"}.get(to_state)
    if stamp is not None and to_state != area["state"]:
        changes[stamp] = now
    return changes


async def transition(
    conn: Connection,
    area: asyncpg.Record,
    action: rules.Action,
    *,
    actor: Principal | None,
    reason: str | None,
    now: datetime,
    settings: Settings,
    level: str | None = None,
    media_ids: Sequence[uuid.UUID] = (),
    detail: dict[str, Any] | None = None,
) -> asyncpg.Record:
    """Take one step of the lifecycle (actor None: the system); the updated area row."""
    del settings  # part of the interface: what a step may come to need from configuration
    facts, plan = await facts_of(conn, area)
    try:
        to_state = rules.next_state(facts, action, actor_of(actor))
    except rules.Refused as refused:
        raise refusal(refused) from None
    changes = _changes(area, facts, action, to_state, level=level, now=now)
    updated = await queries.update_state(conn, area_id=area["id"], changes=changes, now=now)
    event_id = await queries.insert_event(
        conn,
        area_id=area["id"],
        region_id=area["region_id"],
        at=now,
        actor_id=actor.user_id if actor else None,
        actor_role=actor.role if actor else "system",
        action=action,
        from_state=area["state"],
        to_state=to_state,
        reason=reason,
        detail=detail,
    )
    await _attach(conn, area, event_id, actor=actor, media_ids=media_ids, now=now)
    if to_state in ENDED:
        # A new candidate for the same spot starts afresh instead of meeting this place.
        await places.deactivate(conn, place_id=area["place_id"])
    await _audit(conn, area, action, to_state, actor=actor, reason=reason, level=level)
    if action in TOLD_OF:
        await _tell(conn, updated, plan, action=action, now=now)
    return updated


async def _attach(
    conn: Connection,
    area: asyncpg.Record,
    event_id: int,
    *,
    actor: Principal | None,
    media_ids: Sequence[uuid.UUID],
    now: datetime,
) -> None:
    if not media_ids:
        return
    if actor is None:
        raise _BAD_PHOTOS
    attached = await media.attach_to_subject(
        conn,
        media_ids=list(media_ids),
        uploader_id=actor.user_id,
        subject_kind="area_event",
        subject_id=event_id,
        region_id=area["region_id"],
        now=now,
    )
    if not attached:
        raise _BAD_PHOTOS
    await queries.set_event_media(conn, event_id=event_id, media_ids=list(media_ids))


async def _audit(
    conn: Connection,
    area: asyncpg.Record,
    action: str,
    to_state: str,
    *,
    actor: Principal | None,
    reason: str | None,
    level: str | None,
) -> None:
    detail: dict[str, Any] = {"from": area["state"], "to": to_state}
    if reason:
        detail["reason"] = reason
    if level:
        detail["level"] = level
    await audit.record(
        conn,
        actor_id=actor.user_id if actor else None,
        action=f"areas.{action}",
        subject=("key_area", str(area["id"])),
        region_id=area["region_id"],
        detail=detail,
    )


async def _tell(
    conn: Connection, area: asyncpg.Record, plan: asyncpg.Record, *, action: str, now: datetime
) -> None:
    """area_decision pushes: ids, the state and the area's name; never a person's data."""
    people = [plan["first_responsible_id"], plan["direct_responsible_id"]]
    people += sorted(await cases.supervisors(conn, region_path=area["region_path"]))
    payload = {
        "areaId": area["id"],
        "action": action,
        "state": area["state"],
        "title": area["name"],
    }
    told = list(dict.fromkeys(p for p in people if p is not None))
    await push.notify(
        conn,
        user_ids=told,
        kind="area_decision",
        region_id=area["region_id"],
        payload=payload,
        now=now,
    )
