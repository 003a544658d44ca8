"""The shell of the case loop: load a case in scope, check the move, write it in one go.

Every move is one transaction that updates the case (only if its version is still the one
the caller saw: concurrent moves on a case cannot both win), appends one timeline event,
and queues the notifications it causes in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from backend.accounts.rules import Principal
from backend.cases import queries, rules
from backend.cases.rules import Scope
from backend.db.types import Connection
from backend.errors import Conflict, NotFound

NOT_FOUND = NotFound("cases.not_found", "找不到该案件", "No such case")
STALE = Conflict(
    "cases.stale",
    "案件已被他人更新，请刷新后重试",
    "Someone else changed this case; reload and try again",
)


def scope_for(principal: Principal) -> Scope:
    """The part of the city whose cases this staff member may see."""
    return rules.scope_of(
        role=principal.role,
        region_path=principal.region_path,
        department_id=principal.department_id,
    )


async def seal_category(conn: Connection, *, category_code: str) -> int:
    """A category made confidential: all its cases become confidential too (same transaction)."""
    return await queries.seal_category(conn, category_code=category_code)


def relation_of(principal: Principal, case: asyncpg.Record) -> set[str]:
    """How the caller stands to the case: its handler (grid worker, department), its assignee."""
    relation = set()
    if principal.role == "department" and case["department_id"] == principal.department_id:
        relation.add("handler")
    if (
        principal.role == "worker"
        and case["department_id"] is None
        and principal.region_path
        and (case["assigned_path"] or "").startswith(principal.region_path)
    ):
        relation.add("handler")
    if case["assignee_id"] == principal.user_id:
        relation |= {"assignee", "handler"}
    return relation


async def load(
    conn: Connection, principal: Principal, case_id: int, *, lock: bool = False
) -> asyncpg.Record:
    """A case the caller may see; 404 otherwise (existence is not revealed)."""
    case = await queries.get_in_scope(
        conn, case_id=case_id, scope=scope_for(principal), for_update=lock
    )
    if case is None:
        raise NOT_FOUND
    return case


@dataclass
class Step:
    """A move about to be written: what changes, what the timeline says, who is told."""

    action: str
    changes: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    public: bool = True
    detail: dict[str, Any] = field(default_factory=dict)
    notify: list[tuple[int, str]] = field(default_factory=list)  # (user id, kind)


async def write(
    conn: Connection,
    case: asyncpg.Record,
    step: Step,
    *,
    actor: Principal | None,
    version: int | None,
    now: datetime,
) -> None:
    """Update the case (optimistically), append the event, queue the notifications."""
    to_status = step.changes.get("status", case["status"])
    if version is not None:
        if version != case["version"]:
            raise STALE
        changes = {**step.changes, "updated_at": now}
        if not await queries.update_case(
            conn, case_id=case["id"], version=version, changes=changes
        ):
            raise STALE
    region_id = step.changes.get("region_id", case["region_id"])
    await queries.insert_event(
        conn,
        case_id=case["id"],
        region_id=region_id,
        at=now,
        actor_id=actor.user_id if actor else None,
        actor_role=actor.role if actor else "system",
        action=step.action,
        from_status=case["status"],
        to_status=to_status,
        note=step.note,
        public=step.public,
        detail=step.detail,
    )
    await queue_news(conn, case, step.notify, now=now, status=to_status, region_id=region_id)


async def queue_news(
    conn: Connection,
    case: asyncpg.Record,
    news: list[tuple[int, str]],
    *,
    now: datetime,
    status: str | None = None,
    region_id: int | None = None,
) -> None:
    """Put (user, kind) notifications about a case in the outbox; no personal data in them."""
    status = status or case["status"]
    payload = {"caseId": case["id"], "trackingNo": case["tracking_no"], "status": status}
    region = region_id or case["region_id"]
    await queries.insert_outbox(
        conn, rows=[(user_id, case["id"], region, kind, payload, now) for user_id, kind in news]
    )


async def public_timeline(conn: Connection, *, case_id: int) -> list[asyncpg.Record]:
    """What the reporter may read of a case's timeline."""
    return await queries.timeline(conn, case_id=case_id, public_only=True)


async def record_event(
    conn: Connection,
    *,
    case_id: int,
    region_id: int,
    at: datetime,
    actor: Principal,
    action: str,
    from_status: str | None,
    to_status: str,
) -> None:
    """A timeline event written by another domain (intake, rating) in its own transaction."""
    await queries.insert_event(
        conn,
        case_id=case_id,
        region_id=region_id,
        at=at,
        actor_id=actor.user_id,
        actor_role=actor.role,
        action=action,
        from_status=from_status,
        to_status=to_status,
    )


async def follow(
    conn: Connection, *, case_id: int, user_id: int, region_id: int, at: datetime
) -> None:
    """A resident follows a case (关注): they are told of it as its reporter is."""
    await queries.add_follower(conn, case_id=case_id, user_id=user_id, region_id=region_id, at=at)


async def resident_news(conn: Connection, case: asyncpg.Record, kind: str) -> list[tuple[int, str]]:
    """The reporter and followers of a case, each to be told `kind`."""
    return [(user_id, kind) for user_id in await queries.followers(conn, case_id=case["id"])]


async def handler_news(
    conn: Connection, *, assigned_path: str | None, department_id: int | None, kind: str
) -> list[tuple[int, str]]:
    """The workers of a grid, or the users of a department, each to be told `kind`."""
    users = await queries.handlers_of(
        conn, assigned_path=assigned_path, department_id=department_id
    )
    return [(user_id, kind) for user_id in users]


async def supervisors(conn: Connection, *, region_path: str) -> list[int]:
    """The supervisors (督办/领导) whose region holds this path."""
    return await queries.supervisors_of(conn, region_path=region_path)


async def ratings_in_place(
    conn: Connection, *, place_id: int, since: datetime, satisfied_at_or_above: int
) -> tuple[int, int]:
    """Ratings of the cases placed in a place since `since`: (rated, satisfied)."""
    row = await queries.ratings_in_place(
        conn, place_id=place_id, since=since, satisfied_at_or_above=satisfied_at_or_above
    )
    return row["rated"], row["satisfied"]
