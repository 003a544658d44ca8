"""延期整治: after a failed acceptance the area may ask for more time; a supervisor approves
(the area and its plan get the new deadline, the area is extended) or refuses (it goes back
to being listed or flagged)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.accounts.rules import Principal
from backend.areas import acceptance, lifecycle
from backend.areas import followup_queries as queries
from backend.areas import queries as area_sql
from backend.areas.access import scope_path
from backend.areas.followup_schemas import ExtensionDecisionIn, ExtensionIn, ExtensionOut
from backend.areas.rules import Action
from backend.audit import service as audit
from backend.clock import city_today
from backend.db.types import Connection
from backend.errors import Conflict, Invalid, NotFound
from backend.settings import Settings
from backend.supervision.rules import deadline_problem

_NOT_FAILED = Conflict(
    "areas.extension_needs_failure",
    "只有验收未通过、仍在验收中的重点地区才能申请延期",
    "An extension is asked only after a failed acceptance, while the area is being accepted",
)
_PENDING = Conflict(
    "areas.extension_pending", "已有待审批的延期申请", "An extension request is already pending"
)
_DECIDED = Conflict(
    "areas.extension_decided", "该延期申请已审批", "This extension request was already decided"
)
_NO_EXTENSION = NotFound(
    "areas.extension_not_found", "找不到该延期申请", "No such extension request"
)


def extension_out(row: asyncpg.Record, area_state: str) -> ExtensionOut:
    return ExtensionOut(
        id=row["id"],
        area_id=row["area_id"],
        reason=row["reason"],
        new_deadline=row["new_deadline"],
        state=row["state"],
        requested_at=row["requested_at"],
        decided_at=row["decided_at"],
        decision_note=row["decision_note"],
        area_state=area_state,
    )


async def request(
    conn: Connection,
    principal: Principal,
    *,
    area_id: int,
    data: ExtensionIn,
    settings: Settings,
    now: datetime,
) -> ExtensionOut:
    """Ask for more time after a failed acceptance, with a reason and a new deadline."""
    problem = deadline_problem(data.new_deadline, today=city_today(settings.timezone, now))
    if problem is not None:
        raise Invalid("areas.bad_deadline", *problem, fields={"newDeadline": problem[1]})
    async with conn.transaction():
        area = await lifecycle.load_for_update(
            conn, area_id=area_id, scope_path=scope_path(principal)
        )
        outcome = await queries.last_outcome(conn, area_id=area_id)
        still_open = await queries.open_acceptance(conn, area_id=area_id)
        if area["state"] != "accepting" or outcome != "failed" or still_open is not None:
            raise _NOT_FAILED
        ext_id = await queries.insert_extension(
            conn,
            area_id=area_id,
            user_id=principal.user_id,
            at=now,
            reason=data.reason,
            deadline=data.new_deadline,
        )
        if ext_id is None:
            raise _PENDING
        await _record(conn, principal, area, "extension_requested", ext_id, data.reason, now)
        row = await queries.extension(conn, area_id=area_id, extension_id=ext_id)
    assert row is not None  # written just above
    return extension_out(row, area["state"])


async def decide(
    conn: Connection,
    principal: Principal,
    *,
    area_id: int,
    extension_id: int,
    data: ExtensionDecisionIn,
    settings: Settings,
    now: datetime,
) -> ExtensionOut:
    """Approve (延期: new deadline, area extended) or refuse (back to listed or flagged)."""
    async with conn.transaction():
        area = await lifecycle.load_for_update(
            conn, area_id=area_id, scope_path=scope_path(principal)
        )
        row = await queries.extension(conn, area_id=area_id, extension_id=extension_id, lock=True)
        if row is None:
            raise _NO_EXTENSION
        if row["state"] != "pending":
            raise _DECIDED
        action: Action = "extend" if data.approve else "refuse_extension"
        moved = await lifecycle.transition(
            conn,
            area,
            action,
            actor=principal,
            reason=data.note,
            now=now,
            settings=settings,
            detail={"extensionId": extension_id, "newDeadline": row["new_deadline"].isoformat()},
        )
        if data.approve:
            await queries.move_deadline(conn, area_id=area_id, deadline=row["new_deadline"], at=now)
        decided = await queries.decide_extension(
            conn,
            extension_id=extension_id,
            state="approved" if data.approve else "refused",
            user_id=principal.user_id,
            at=now,
            note=data.note,
        )
        await _audit(conn, principal, area, f"extension_{decided['state']}", extension_id)
        # Refused, the area is back to being put right with its tasks done: measured again.
        if await acceptance.begin_if_ready(conn, moved, settings=settings, now=now):
            moved = await lifecycle.load_for_update(conn, area_id=area_id, scope_path=None)
    return extension_out(decided, moved["state"])


async def _record(
    conn: Connection,
    principal: Principal,
    area: asyncpg.Record,
    action: str,
    extension_id: int,
    reason: str,
    now: datetime,
) -> None:
    await area_sql.insert_event(
        conn,
        area_id=area["id"],
        region_id=area["region_id"],
        at=now,
        actor_id=principal.user_id,
        actor_role=principal.role,
        action=action,
        from_state=area["state"],
        to_state=area["state"],
        reason=reason,
        detail={"extensionId": extension_id},
    )
    await _audit(conn, principal, area, action, extension_id)


async def _audit(
    conn: Connection, principal: Principal, area: asyncpg.Record, action: str, extension_id: int
) -> None:
    await audit.record(
        conn,
        actor_id=principal.user_id,
        action=f"areas.{action}",
        subject=("key_area", str(area["id"])),
        region_id=area["region_id"],
        detail={"extensionId": extension_id},
    )
