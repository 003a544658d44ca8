"""一地一策: an area's plan (who answers for it, which units, goals, deadline) and its tasks.

A new plan replaces the current one: the old one stays as history and its unfinished tasks
are cancelled with their duties. Each task owes a duty watched by the one deadline watcher.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from backend.accounts.rules import Principal
from backend.areas import lifecycle, plan_people, queries, rules, task_queries
from backend.areas.access import scope_path
from backend.areas.schemas import PlanIn, TaskIn
from backend.audit import service as audit
from backend.db.types import Connection
from backend.duties import service as duties
from backend.errors import Conflict, Forbidden, Invalid
from backend.push import service as push
from backend.settings import Settings

# States in which an area no longer takes a plan.
ENDED: frozenset[str] = frozenset({"closed", "dismissed"})
# Before listing the plan is a draft anyone who proposes may rewrite.
DRAFTING: frozenset[str] = frozenset({"candidate", "proposed", "relisted"})
# Being put right: the plan is replaced only by a leader, and never to move the deadline.
REMEDIATING: frozenset[str] = frozenset({"listed", "flagged", "extended"})
# Being accepted, lifted or watched: the plan is what is being judged; it stays as it is.
FROZEN: frozenset[str] = frozenset({"accepting", "lifted", "watching"})
_ENDED = Invalid(
    "areas.plan_closed",
    "该重点地区已销号或不予列管，不能再制定方案",
    "This area is closed or dismissed: it takes no plan",
)
_FROZEN = Conflict(
    "areas.plan_frozen",
    "该重点地区正在验收或回头看，整治方案不能再改动",
    "This area is being accepted or watched: its plan can no longer change",
)
_LEADERS_ONLY = Forbidden(
    "areas.plan_leaders_only",
    "列管后的整治方案只能由督导或管理员调整（挂牌督办的须区级）",
    "Once listed, only a supervisor or admin (of the district, when flagged) changes the plan",
)
_DEADLINE_FIXED = Invalid(
    "areas.deadline_fixed",
    "列管后整治期限只能通过延期申请调整",
    "Once listed, the deadline moves only through an extension",
    fields={"deadline": "must stay the area's deadline"},
)
_NO_PLAN = Invalid(
    "areas.no_plan",
    "该重点地区还没有整治方案",
    "This area has no plan yet",
    fields={"plan": "none"},
)


async def replace_plan(
    conn: Connection,
    principal: Principal,
    area_id: int,
    data: PlanIn,
    *,
    settings: Settings,
    now: datetime,
) -> None:
    """Write the area's plan and its tasks, in place of the current plan."""
    scope = scope_path(principal)
    area = await lifecycle.load_for_update(conn, area_id=area_id, scope_path=scope)
    _may_replace(area, principal, data)
    people_ids = {
        "firstResponsibleId": data.first_responsible_id,
        "directResponsibleId": data.direct_responsible_id,
    }
    people_ids |= {f"tasks[{i}].ownerId": t.owner_id for i, t in enumerate(data.tasks)}
    people = await plan_people.people_named(conn, area, scope, people_ids)
    lead_kind, lead = await plan_people.unit_of(conn, data.lead, "lead")
    problem = rules.plan_problem(
        area["level"],
        first_responsible_district=plan_people.district_leader(people[data.first_responsible_id]),
        lead_is_department=lead_kind == "department",
        lead_is_street=lead_kind == "region" and lead["level"] == "street",
    )
    if problem is not None:
        raise lifecycle.refusal(problem, field="plan")
    for index, task in enumerate(data.tasks):
        _check_due(task, now, f"tasks[{index}].dueAt")
    cooperating = [
        await plan_people.unit_of(conn, u, f"cooperating[{i}]")
        for i, u in enumerate(data.cooperating)
    ]
    await _retire(conn, area_id=area_id, now=now)
    plan_id = await task_queries.insert_plan(
        conn,
        values={
            "area_id": area_id,
            "first_responsible_id": data.first_responsible_id,
            "direct_responsible_id": data.direct_responsible_id,
            "lead_region_id": lead["id"] if lead_kind == "region" else None,
            "lead_department_id": lead["id"] if lead_kind == "department" else None,
            "cooperating_region_ids": [u["id"] for k, u in cooperating if k == "region"],
            "cooperating_department_ids": [u["id"] for k, u in cooperating if k == "department"],
            "goals": data.goals,
            "deadline": data.deadline,
            "created_by": principal.user_id,
            "created_at": now,
        },
    )
    if area["state"] in DRAFTING:
        await queries.set_deadline(conn, area_id=area_id, deadline=data.deadline)
    plan = {"id": plan_id, "first": data.first_responsible_id, "direct": data.direct_responsible_id}
    for index, task in enumerate(data.tasks):
        await create_task(conn, area, plan, task, f"tasks[{index}]", settings=settings, now=now)
    await _note(conn, area, principal, "plan", {"planId": plan_id, "tasks": len(data.tasks)}, now)


def _may_replace(area: asyncpg.Record, principal: Principal, data: PlanIn) -> None:
    """Whether the caller may put a new plan in place of the area's current one now."""
    state = area["state"]
    if state in ENDED:
        raise _ENDED
    if state in FROZEN:
        raise _FROZEN
    if state not in REMEDIATING:
        return
    actor = lifecycle.actor_of(principal)
    if actor.role not in ("supervisor", "admin"):
        raise _LEADERS_ONLY
    if area["tier"] == "district" and not actor.district_level:
        raise _LEADERS_ONLY
    if data.deadline != area["deadline"]:
        raise _DEADLINE_FIXED


def _check_due(task: TaskIn, now: datetime, field: str) -> None:
    if task.due_at.tzinfo is None or task.due_at <= now:
        raise Invalid(
            "areas.bad_due",
            "任务的完成时限须为带时区的将来时间",
            "A task's due time must be in the future, with its time zone",
            fields={field: "must be a future time with an offset"},
        )


async def _retire(conn: Connection, *, area_id: int, now: datetime) -> None:
    old = await task_queries.retire_plan(conn, area_id=area_id)
    if old is None:
        return
    for task_id in await task_queries.cancel_open_tasks(conn, plan_id=old):
        await duties.cancel(conn, subject_kind="area_task", subject_id=task_id, now=now)


async def add_task(
    conn: Connection,
    principal: Principal,
    area_id: int,
    data: TaskIn,
    *,
    settings: Settings,
    now: datetime,
) -> int:
    """One more task on the area's current plan."""
    scope = scope_path(principal)
    area = await lifecycle.load_for_update(conn, area_id=area_id, scope_path=scope)
    if area["state"] in ENDED:
        raise _ENDED
    if area["state"] in FROZEN:
        raise _FROZEN
    current = await task_queries.current_plan(conn, area_id=area_id)
    if current is None:
        raise _NO_PLAN
    await plan_people.people_named(conn, area, scope, {"ownerId": data.owner_id})
    _check_due(data, now, "dueAt")
    plan = {
        "id": current["id"],
        "first": current["first_responsible_id"],
        "direct": current["direct_responsible_id"],
    }
    task_id = await create_task(conn, area, plan, data, "", settings=settings, now=now)
    await _note(conn, area, principal, "task_added", {"taskId": task_id}, now)
    return task_id


async def create_task(
    conn: Connection,
    area: asyncpg.Record,
    plan: dict[str, int],
    task: TaskIn,
    field: str,
    *,
    settings: Settings,
    now: datetime,
) -> int:
    """A task, its duty (催办 to its owner, 督办 to the plan's leaders) and its push."""
    kind, unit = await plan_people.unit_of(conn, task.unit, f"{field}.unit" if field else "unit")
    task_id = await task_queries.insert_task(
        conn,
        values={
            "area_id": area["id"],
            "plan_id": plan["id"],
            "region_id": area["region_id"],
            "region_path": area["region_path"],
            "owner_id": task.owner_id,
            "unit_region_id": unit["id"] if kind == "region" else None,
            "unit_department_id": unit["id"] if kind == "department" else None,
            "measure": task.measure,
            "due_at": task.due_at,
            "created_at": now,
        },
    )
    await duties.open_duty(
        conn,
        duties.NewDuty(
            subject_kind="area_task",
            subject_id=task_id,
            region_id=area["region_id"],
            region_path=area["region_path"],
            title=f"{area['name']}：{task.measure}",
            due_at=task.due_at,
            owner_user_id=task.owner_id,
            escalate_to=(plan["first"], plan["direct"]),
        ),
        settings=settings,
        now=now,
    )
    payload = {
        "taskId": task_id,
        "areaId": area["id"],
        "title": area["name"],
        "dueAt": task.due_at.isoformat(),
    }
    await push.notify(
        conn,
        user_ids=[task.owner_id],
        kind="area_task",
        region_id=area["region_id"],
        payload=payload,
        now=now,
    )
    return task_id


async def _note(
    conn: Connection,
    area: asyncpg.Record,
    principal: Principal,
    action: str,
    detail: dict[str, Any],
    now: datetime,
) -> None:
    """A step of the plan on the area's timeline and in the audit log."""
    await queries.insert_event(
        conn,
        area_id=area["id"],
        region_id=area["region_id"],
        at=now,
        actor_id=principal.user_id,
        actor_role=principal.role,
        action=action,
        from_state=area["state"],
        to_state=area["state"],
        reason=None,
        detail=detail,
    )
    await queries.touch(conn, area_id=area["id"], now=now)
    await audit.record(
        conn,
        actor_id=principal.user_id,
        action=f"areas.{action}",
        subject=("key_area", str(area["id"])),
        region_id=area["region_id"],
        detail=detail,
    )
