"""Each move of the case loop: check it, compute what changes, write it (see service.write)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from backend.accounts.rules import Principal
from backend.cases import queries, rules
from backend.cases.schemas import (
    DispatchIn,
    ExtensionDecisionIn,
    ExtensionIn,
    MergeIn,
    RejectIn,
    ResolveIn,
    Target,
    TransferIn,
    VerifyIn,
    VersionedNoteIn,
)
from backend.cases.service import (
    NOT_FOUND,
    Step,
    handler_news,
    load,
    queue_news,
    relation_of,
    resident_news,
    scope_for,
    write,
)
from backend.categories import service as categories
from backend.categories.schemas import CategoryOut
from backend.db.types import Connection
from backend.errors import Conflict, Invalid
from backend.media import service as media


async def _category(conn: Connection, case: asyncpg.Record) -> CategoryOut:
    return await categories.get_category(conn, code=case["category_code"])


def _preset_of(category: CategoryOut) -> rules.Preset:
    deadlines = category.deadlines
    return rules.Preset(
        deadlines.accept_minutes, deadlines.resolve_minutes, deadlines.verify_minutes
    )


async def _preset(conn: Connection, case: asyncpg.Record) -> rules.Preset:
    return _preset_of(await _category(conn, case))


def _deadline(status: str, now: datetime, preset: rules.Preset) -> dict[str, Any]:
    """The columns of the step a case enters: its due time, and the scheduler's next look."""
    due = rules.due_for(status, now=now, preset=preset)
    step_column = {
        "dispatched": "accept_due_at",
        "submitted": "accept_due_at",
        "accepted": "resolve_due_at",
        "resolved": "verify_due_at",
    }.get(status)
    changes: dict[str, Any] = {
        "status": status,
        "due_at": due,
        "check_at": due,
        "overdue": False,
        "reminded_step": None,
        "supervised_step": None,
    }
    if step_column:
        changes[step_column] = due
    if status in ("submitted", "dispatched") and due is not None:
        # A new accept clock moves the promised resolve date with it, by the same rule.
        changes["resolve_due_at"] = rules.resolve_due(due, preset=preset)
    return changes


async def _checked(
    conn: Connection, principal: Principal, case_id: int, action: str
) -> asyncpg.Record:
    case = await load(conn, principal, case_id)
    rules.check_move(
        action, role=principal.role, status=case["status"], relation=relation_of(principal, case)
    )
    return case


def _check_holder(case: asyncpg.Record, *, owner_kind: str, department_kind: str | None) -> None:
    if not rules.may_hold(
        confidential=case["confidential"], owner_kind=owner_kind, department_kind=department_kind
    ):
        raise Invalid(
            "cases.target_not_cleared",
            "涉密线索只能转给负责该类线索的部门",
            "A confidential lead can go only to a department that handles its category",
            fields={"target": "not a department that handles this category"},
        )


async def _assignment(
    conn: Connection, case: asyncpg.Record, target: Target | None, *, owner_kind: str
) -> dict[str, Any]:
    """Where the case goes: the target given, or by default its category's owner."""
    if target is not None and (target.region_code is None) == (target.department_code is None):
        raise Invalid(
            "cases.bad_target",
            "请指定一个网格或一个部门",
            "Name one region or one department",
            fields={"target": "exactly one of regionCode, departmentCode"},
        )
    if target is not None and target.region_code is not None:
        _check_holder(case, owner_kind=owner_kind, department_kind=None)
        region = await queries.region_by_code(conn, code=target.region_code)
        if region is None:
            raise Invalid(
                "cases.unknown_region",
                "没有这个区域",
                "No such region",
                fields={"target.regionCode": "unknown"},
            )
        return {
            "assigned_region_id": region["id"],
            "assigned_path": region["path"],
            "department_id": None,
        }
    if target is not None and target.department_code is not None:
        department = await queries.department_by_code(conn, code=target.department_code)
        if department is None:
            raise Invalid(
                "cases.unknown_department",
                "没有这个部门",
                "No such department",
                fields={"target.departmentCode": "unknown"},
            )
        _check_holder(case, owner_kind=owner_kind, department_kind=department["kind"])
        return {"department_id": department["id"]}
    return await default_assignment(conn, case, owner_kind=owner_kind)


async def default_assignment(
    conn: Connection, case: asyncpg.Record, *, owner_kind: str
) -> dict[str, Any]:
    """The owner a category names: the grid the case is in, or the department of that kind."""
    if owner_kind == "grid":
        return {
            "assigned_region_id": case["region_id"],
            "assigned_path": case["region_path"],
            "department_id": None,
        }
    department_id = await queries.department_for(
        conn, kind=owner_kind, region_path=case["region_path"]
    )
    if department_id is None:
        raise Invalid(
            "cases.no_department",
            "此地没有负责该类问题的部门",
            "No department of that kind covers this place",
            fields={"target": "required"},
        )
    return {"department_id": department_id}


async def dispatch(
    conn: Connection, principal: Principal, case_id: int, data: DispatchIn, now: datetime
) -> None:
    """派遣: send a case to a grid's workers or a department (default: its category's owner)."""
    await _route(conn, principal, case_id, data, now, action="dispatch")


async def transfer(
    conn: Connection, principal: Principal, case_id: int, data: TransferIn, now: datetime
) -> None:
    """转办: to another grid (also across a border, 接边) or a department."""
    await _route(conn, principal, case_id, data, now, action="transfer")


async def _route(
    conn: Connection,
    principal: Principal,
    case_id: int,
    data: DispatchIn | TransferIn,
    now: datetime,
    *,
    action: str,
) -> None:
    async with conn.transaction():
        case = await _checked(conn, principal, case_id, action)
        category = await _category(conn, case)
        assignment = await _assignment(conn, case, data.target, owner_kind=category.owner_kind)
        await send(
            conn,
            case,
            principal=principal,
            version=data.version,
            now=now,
            preset=_preset_of(category),
            assignment=assignment,
            action=action,
            note=data.note or None,
        )


async def send(
    conn: Connection,
    case: asyncpg.Record,
    *,
    principal: Principal | None,
    version: int,
    now: datetime,
    preset: rules.Preset,
    assignment: dict[str, Any],
    action: str,
    note: str | None,
) -> None:
    """Write a dispatch or transfer: new owner, accept deadline, the handlers told."""
    changes = {**assignment, "assignee_id": None, **_deadline("dispatched", now, preset)}
    merged = {**dict(case), **changes}
    notify = await handler_news(
        conn,
        assigned_path=merged["assigned_path"],
        department_id=merged["department_id"],
        kind="new_task",
    )
    if action == "dispatch":
        notify += await resident_news(conn, case, "dispatched")
    await write(
        conn,
        case,
        Step(action, changes, note, public=action == "dispatch", notify=notify),
        actor=principal,
        version=version,
        now=now,
    )


async def accept(
    conn: Connection, principal: Principal, case_id: int, data: VersionedNoteIn, now: datetime
) -> None:
    """签收: the first handler wins; the others get 409."""
    async with conn.transaction():
        case = await _checked(conn, principal, case_id, "accept")
        preset = await _preset(conn, case)
        due = rules.resolve_due(case["accept_due_at"], preset=preset)
        changes = {
            "assignee_id": principal.user_id,
            "accepted_at": now,
            **_deadline("accepted", now, preset),
            "resolve_due_at": due,
            "due_at": due,
            "check_at": due,
        }
        notify = await resident_news(conn, case, "accepted")
        await write(
            conn,
            case,
            Step("accept", changes, data.note or None, notify=notify),
            actor=principal,
            version=data.version,
            now=now,
        )


async def give_back(
    conn: Connection, principal: Principal, case_id: int, data: VersionedNoteIn, now: datetime
) -> None:
    """退回: not my remit; back to triage with a reason."""
    if not data.note.strip():
        raise Invalid(
            "cases.reason_required",
            "请说明退回原因",
            "Say why the case goes back",
            fields={"note": "required"},
        )
    async with conn.transaction():
        case = await _checked(conn, principal, case_id, "return")
        changes = {
            "assignee_id": None,
            "department_id": None,
            "assigned_region_id": case["region_id"],
            "assigned_path": case["region_path"],
            **_deadline("submitted", now, await _preset(conn, case)),
        }
        await write(
            conn,
            case,
            Step("return", changes, data.note, public=False),
            actor=principal,
            version=data.version,
            now=now,
        )


async def escalate(
    conn: Connection, principal: Principal, case_id: int, data: VersionedNoteIn, now: datetime
) -> None:
    """上报: up the region tree (小事不出网格、大事不出社区), back into triage there."""
    async with conn.transaction():
        case = await _checked(conn, principal, case_id, "escalate")
        current = await queries.region_by_id(
            conn, region_id=case["assigned_region_id"] or case["region_id"]
        )
        parent_id = current["parent_id"] if current else None
        if parent_id is None:
            raise Conflict(
                "cases.top_of_tree", "已是最高一级，无法再上报", "There is no level above this one"
            )
        parent = await queries.region_by_id(conn, region_id=parent_id)
        assert parent is not None
        changes = {
            "assigned_region_id": parent["id"],
            "assigned_path": parent["path"],
            "department_id": None,
            "assignee_id": None,
            "escalations": case["escalations"] + 1,
            **_deadline("submitted", now, await _preset(conn, case)),
        }
        step = Step(
            "escalate", changes, data.note or None, public=False, detail={"to": parent["code"]}
        )
        await write(conn, case, step, actor=principal, version=data.version, now=now)


async def resolve(
    conn: Connection, principal: Principal, case_id: int, data: ResolveIn, now: datetime
) -> None:
    """处置反馈: the fix, proven by at least one after-photo."""
    async with conn.transaction():
        case = await _checked(conn, principal, case_id, "resolve")
        if not await media.attach(
            conn,
            media_ids=data.media_ids,
            uploader_id=principal.user_id,
            case_id=case["id"],
            region_id=case["region_id"],
            purpose="resolution",
            now=now,
        ):
            raise Invalid(
                "cases.unknown_media",
                "处置照片不存在或已被使用",
                "An after-photo is unknown, not yours, or already used",
                fields={"mediaIds": "unknown or already used"},
            )
        changes = {
            "resolved_at": now,
            "resolve_lat": data.lat,
            "resolve_lng": data.lng,
            **_deadline("resolved", now, await _preset(conn, case)),
        }
        notify = await resident_news(conn, case, "resolved")
        await write(
            conn,
            case,
            Step("resolve", changes, data.note, notify=notify),
            actor=principal,
            version=data.version,
            now=now,
        )


async def verify(
    conn: Connection, principal: Principal, case_id: int, data: VerifyIn, now: datetime
) -> None:
    """核查: pass closes the case (and credits the reporter); fail sends it back (返工)."""
    action = "verify_pass" if data.passed else "verify_fail"
    async with conn.transaction():
        case = await _checked(conn, principal, case_id, action)
        category = await _category(conn, case)
        preset = _preset_of(category)
        if data.passed:
            changes = {**_deadline("closed", now, preset), "closed_at": now}
            notify = await resident_news(conn, case, "closed")
            await _credit_reporter(conn, case, category.reward_points, now)
        else:
            changes = {**_deadline("accepted", now, preset), "reworks": case["reworks"] + 1}
            notify = [(case["assignee_id"], "reopened")] if case["assignee_id"] else []
        step = Step(action, changes, data.note or None, public=data.passed, notify=notify)
        await write(conn, case, step, actor=principal, version=data.version, now=now)


async def _credit_reporter(
    conn: Connection, case: asyncpg.Record, points: int, now: datetime
) -> None:
    """举报奖励: a case closed as valid earns its reporter the category's points."""
    if points > 0:
        await queries.award_points(
            conn,
            user_id=case["reporter_id"],
            case_id=case["id"],
            region_id=case["region_id"],
            points=points,
            at=now,
        )


async def reject(
    conn: Connection, principal: Principal, case_id: int, data: RejectIn, now: datetime
) -> None:
    """不予受理: with a reason from the list, which the reporter sees."""
    async with conn.transaction():
        case = await _checked(conn, principal, case_id, "reject")
        changes = {
            **_deadline("rejected", now, await _preset(conn, case)),
            "reject_reason": data.reason,
            "closed_at": now,
        }
        notify = await resident_news(conn, case, "rejected")
        step = Step(
            "reject", changes, data.note or None, detail={"reason": data.reason}, notify=notify
        )
        await write(conn, case, step, actor=principal, version=data.version, now=now)


async def merge(
    conn: Connection, principal: Principal, case_id: int, data: MergeIn, now: datetime
) -> None:
    """合并: a duplicate joins its master; its reporter and followers follow the master from
    now on, unless the master is confidential."""
    async with conn.transaction():
        case = await _checked(conn, principal, case_id, "merge")
        master = await queries.get_in_scope(
            conn, case_id=data.master_id, scope=scope_for(principal)
        )
        if master is None or master["id"] == case["id"] or master["status"] not in rules.OPEN:
            raise Invalid(
                "cases.bad_master",
                "只能合并到另一件未办结的案件",
                "Merge into another open case",
                fields={"masterId": "not an open case"},
            )
        if not master["confidential"]:
            await _hand_over_followers(conn, case, master, now=now)
        changes = {
            **_deadline("merged", now, await _preset(conn, case)),
            "master_case_id": master["id"],
            "closed_at": now,
        }
        notify = await resident_news(conn, case, "merged")
        step = Step(
            "merge",
            changes,
            data.note or None,
            detail={"master": master["tracking_no"]},
            notify=notify,
        )
        await write(conn, case, step, actor=principal, version=data.version, now=now)


async def _hand_over_followers(
    conn: Connection, case: asyncpg.Record, master: asyncpg.Record, *, now: datetime
) -> None:
    """The duplicate's reporter and followers follow the master; never a confidential one,
    which no resident but its own reporter may read."""
    await queries.add_follower(
        conn,
        case_id=master["id"],
        user_id=case["reporter_id"],
        region_id=master["region_id"],
        at=now,
    )
    await queries.copy_followers(
        conn,
        from_case_id=case["id"],
        to_case_id=master["id"],
        region_id=master["region_id"],
        at=now,
    )


async def request_extension(
    conn: Connection, principal: Principal, case_id: int, data: ExtensionIn, now: datetime
) -> None:
    """延期: asked before the deadline passes, one request at a time."""
    async with conn.transaction():
        case = await _checked(conn, principal, case_id, "request_extension")
        if rules.extension_too_late(case["due_at"], now=now):
            raise Conflict(
                "cases.extension_too_late",
                "已超过处置时限，不能再申请延期",
                "The deadline has passed; an extension must be asked before it",
            )
        if await queries.pending_extension(conn, case_id=case["id"]) is not None:
            raise Conflict(
                "cases.extension_pending", "已有待审批的延期申请", "An extension is already waiting"
            )
        await queries.insert_extension(
            conn,
            case_id=case["id"],
            region_id=case["region_id"],
            user_id=principal.user_id,
            at=now,
            minutes=data.minutes,
            reason=data.reason,
        )
        step = Step(
            "request_extension", {}, data.reason, public=False, detail={"minutes": data.minutes}
        )
        await write(conn, case, step, actor=principal, version=data.version, now=now)


async def decide_extension(
    conn: Connection, principal: Principal, case_id: int, data: ExtensionDecisionIn, now: datetime
) -> None:
    """A supervisor approves (the deadline moves) or denies an extension."""
    async with conn.transaction():
        case = await _checked(conn, principal, case_id, "decide_extension")
        pending = await queries.pending_extension(conn, case_id=case["id"])
        if pending is None:
            raise Conflict("cases.no_extension", "没有待审批的延期申请", "No extension is waiting")
        await queries.decide_extension(
            conn,
            extension_id=pending["id"],
            user_id=principal.user_id,
            at=now,
            approved=data.approve,
            note=data.note,
        )
        changes: dict[str, Any] = {}
        if data.approve:
            due = case["resolve_due_at"] + timedelta(minutes=pending["minutes"])
            changes = {
                "resolve_due_at": due,
                "due_at": due,
                "check_at": due,
                "overdue": False,
                "reminded_step": None,
                "supervised_step": None,
            }
        action = "approve_extension" if data.approve else "deny_extension"
        notify = [(case["assignee_id"], action)] if case["assignee_id"] else []
        await write(
            conn,
            case,
            Step(action, changes, data.note or None, public=False, notify=notify),
            actor=principal,
            version=data.version,
            now=now,
        )


async def comment(
    conn: Connection, principal: Principal, case_id: int, note: str, public: bool, now: datetime
) -> None:
    """A note on the timeline: internal, or public for the reporter to read."""
    async with conn.transaction():
        case = await _checked(conn, principal, case_id, "comment")
        await write(
            conn,
            case,
            Step("comment", {}, note, public=public),
            actor=principal,
            version=None,
            now=now,
        )


async def reopen_after_rating(
    conn: Connection, *, case_id: int, reporter: Principal, now: datetime
) -> None:
    """返工 at the reporter's word: a low rating soon after closing sends the case back."""
    case = await queries.get_in_scope(
        conn, case_id=case_id, scope=rules.Scope(True, None, None, True)
    )
    if case is None:
        raise NOT_FOUND
    changes = {
        **_deadline("accepted", now, await _preset(conn, case)),
        "reworks": case["reworks"] + 1,
        "closed_at": None,
    }
    notify = [(case["assignee_id"], "reopened")] if case["assignee_id"] else []
    await write(
        conn,
        case,
        Step("reopen", changes, None, notify=notify),
        actor=reporter,
        version=case["version"],
        now=now,
    )


async def auto_dispatch(
    conn: Connection, *, case_id: int, category: CategoryOut, now: datetime
) -> None:
    """On intake, where the category allows: straight to its owner, no triage (inside the
    intake transaction). A case no department can take stays in triage."""
    case = await queries.get_in_scope(
        conn, case_id=case_id, scope=rules.Scope(True, None, None, True)
    )
    assert case is not None
    if case["priority"] == "emergency":
        supervisors = await queries.supervisors_of(conn, region_path=case["region_path"])
        await queue_news(conn, case, [(user_id, "emergency") for user_id in supervisors], now=now)
    if not category.auto_dispatch:
        return
    try:
        assignment = await default_assignment(conn, case, owner_kind=category.owner_kind)
    except Invalid:
        return
    await send(
        conn,
        case,
        principal=None,
        version=case["version"],
        now=now,
        preset=_preset_of(category),
        assignment=assignment,
        action="dispatch",
        note=None,
    )
