"""一地一策 and its tasks on the phone: plan, accept, report, done with photos, 催办 and 督办."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from backend.clock import ManualClock
from tests.http.area_followup_helpers import area_outbox, watch_duties
from tests.http.area_helpers import (
    AREAS,
    OTHER_STREET,
    create_area,
    me,
    move,
    plan_body,
    street_staff,
)
from tests.http.case_helpers import photo
from tests.http.conftest import Client, Login

TASKS = "/api/v1/tasks"


async def listed_area(
    client: Client, login: Login, clock: ManualClock, *, tasks: int = 1, due_hours: float = 48
) -> dict[str, Any]:
    """A blue area listed by its street with a plan whose tasks the demo worker owns."""
    dispatcher = await login("demo-dispatcher")
    supervisor = await login("demo-supervisor")
    worker = await login("demo-worker")
    area = await create_area(client, dispatcher)
    await move(client, dispatcher, area["id"], "propose")
    first, direct, owner = await me(client, supervisor), await me(client, dispatcher), None
    owner = await me(client, worker)
    due = clock.now() + timedelta(hours=due_hours)
    planned = await client.put(
        f"{AREAS}/{area['id']}/plan",
        headers=dispatcher,
        json=plan_body(first=first, direct=direct, owners=[owner] * tasks, due=due),
    )
    assert planned.status_code == 200, planned.text
    listed = await move(client, supervisor, area["id"], "list", level="blue")
    assert listed["state"] == "listed" and listed["tier"] == "street"
    return {
        "area": listed,
        "tasks": [t["id"] for t in listed["tasks"]],
        "dispatcher": dispatcher,
        "supervisor": supervisor,
        "worker": worker,
        "ids": {"first": first, "direct": direct, "owner": owner},
    }


async def step(
    client: Client,
    headers: dict[str, str],
    task_id: int,
    kind: str,
    *,
    expect: int = 201,
    client_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body = {"clientId": client_id or str(uuid.uuid4()), "kind": kind, **extra}
    response = await client.post(f"{TASKS}/{task_id}/updates", headers=headers, json=body)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_a_plan_gives_each_owner_a_task_with_a_push(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    setup = await listed_area(client, login, clock, tasks=2)
    area = setup["area"]
    assert area["plan"]["firstResponsible"]["id"] == setup["ids"]["first"]
    assert area["plan"]["cooperating"][0]["kind"] == "department"
    assert area["progress"] == {"tasks": 2, "done": 0, "overdue": 0, "dutiesOverdue": 0}
    pushes = await area_outbox(demo_database)
    assert [(u, k) for u, k, _ in pushes if k == "area_task"] == [
        (setup["ids"]["owner"], "area_task")
    ] * 2
    decided = {u for u, k, _ in pushes if k == "area_decision"}
    assert {setup["ids"]["first"], setup["ids"]["direct"]} <= decided

    mine = (await client.get(f"{TASKS}/mine", headers=setup["worker"])).json()
    assert [t["id"] for t in mine] == setup["tasks"]
    assert mine[0]["areaName"] == area["name"]
    assert mine[0]["areaProgress"]["tasks"] == 2


async def test_a_replayed_done_lands_once_and_shows_its_photo(
    client: Client, login: Login, clock: ManualClock
) -> None:
    setup = await listed_area(client, login, clock)
    worker, task_id = setup["worker"], setup["tasks"][0]
    accepted = await step(client, worker, task_id, "accept")
    assert accepted["state"] == "accepted"
    after = await photo(client, worker, purpose="evidence", seed=7)
    client_id = str(uuid.uuid4())

    done = await step(client, worker, task_id, "done", client_id=client_id, mediaIds=[after])
    again = await step(
        client, worker, task_id, "done", client_id=client_id, mediaIds=[after], expect=200
    )

    assert done["state"] == again["state"] == "done"
    assert done["late"] is False
    assert len(again["photos"]) == 1
    area = (await client.get(f"{AREAS}/{setup['area']['id']}", headers=setup["supervisor"])).json()
    assert [e["action"] for e in area["events"]].count("task_done") == 1
    assert area["progress"]["done"] == 1
    assert area["tasks"][0]["photos"] == again["photos"]
    # The plan's last task done: the area goes to acceptance on its own.
    assert area["state"] == "accepting"


async def test_done_needs_evidence_and_only_the_owner_reports(
    client: Client, login: Login, clock: ManualClock
) -> None:
    setup = await listed_area(client, login, clock)
    task_id = setup["tasks"][0]
    bare = await step(client, setup["worker"], task_id, "done", note="好了", expect=422)
    assert bare["code"] == "areas.done_needs_evidence"
    assert bare["message"] and bare["messageEn"]
    other = await step(client, setup["supervisor"], task_id, "progress", note="进展", expect=403)
    assert other["code"] == "areas.not_task_owner"
    done = await step(client, setup["worker"], task_id, "done", note="摊点已全部清理完毕")
    assert done["state"] == "done"


async def test_a_late_task_is_reminded_then_supervised_and_marked_late(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    setup = await listed_area(client, login, clock, due_hours=2)
    task_id, ids = setup["tasks"][0], setup["ids"]
    before = await area_outbox(demo_database)

    clock.advance(hours=3)
    await watch_duties(demo_database, now=clock.now())
    reminded = (await area_outbox(demo_database))[len(before) :]
    assert [(u, k) for u, k, _ in reminded] == [(ids["owner"], "duty_reminder")]
    assert reminded[0][2]["subjectKind"] == "area_task"
    assert reminded[0][2]["subjectId"] == task_id

    clock.advance(hours=24)
    await watch_duties(demo_database, now=clock.now())
    supervised = (await area_outbox(demo_database))[len(before) + 1 :]
    assert {k for _, k, _ in supervised} == {"duty_supervision"}
    assert {ids["first"], ids["direct"]} <= {u for u, _, _ in supervised}

    worker, supervisor = await login("demo-worker"), await login("demo-supervisor")
    task = (await client.get(f"{TASKS}/{task_id}", headers=worker)).json()
    assert task["overdue"] and task["reminded"] and task["supervised"]
    done = await step(client, worker, task_id, "done", note="已延迟完成整改")
    assert done["late"] is True and done["overdue"] is False
    area = (await client.get(f"{AREAS}/{setup['area']['id']}", headers=supervisor)).json()
    stages = [e for e in area["events"] if e["action"] in ("remind", "supervise")]
    assert [(e["action"], e["detail"]["taskId"]) for e in stages] == [
        ("remind", task_id),
        ("supervise", task_id),
    ]


async def test_tasks_of_an_area_elsewhere_are_not_found(
    client: Client, login: Login, clock: ManualClock
) -> None:
    setup = await listed_area(client, login, clock)
    admin = await login("demo-admin")
    stranger = await street_staff(client, admin, "beishan-dispatcher", "dispatcher", OTHER_STREET)
    neighbour = await street_staff(client, admin, "xixi-supervisor", "supervisor")
    task_id = setup["tasks"][0]

    missing = await client.get(f"{TASKS}/{task_id}", headers=stranger)
    assert missing.status_code == 404
    assert (await client.get(f"{TASKS}/mine", headers=stranger)).json() == []
    seen = await client.get(f"{TASKS}/{task_id}", headers=neighbour)
    assert seen.status_code == 200
    refused = await client.put(
        f"{AREAS}/{setup['area']['id']}/plan",
        headers=stranger,
        json=plan_body(
            first=setup["ids"]["first"],
            direct=setup["ids"]["direct"],
            owners=[setup["ids"]["owner"]],
            due=clock.now() + timedelta(days=1),
        ),
    )
    assert refused.status_code == 404


async def test_a_new_plan_cancels_the_old_plans_open_tasks(
    client: Client, login: Login, clock: ManualClock
) -> None:
    setup = await listed_area(client, login, clock, tasks=2)
    area_id, ids = setup["area"]["id"], setup["ids"]
    deadline = date.fromisoformat(setup["area"]["deadline"])
    # Once listed, a leader changes the plan, and the deadline stays.
    replanned = await client.put(
        f"{AREAS}/{area_id}/plan",
        headers=setup["supervisor"],
        json=plan_body(
            first=ids["first"],
            direct=ids["direct"],
            owners=[ids["owner"]],
            due=clock.now() + timedelta(days=3),
            deadline=deadline,
        ),
    )
    assert replanned.status_code == 200, replanned.text
    assert len(replanned.json()["tasks"]) == 1
    old = (await client.get(f"{TASKS}/{setup['tasks'][0]}", headers=setup["worker"])).json()
    assert old["state"] == "cancelled"
    mine = (await client.get(f"{TASKS}/mine", headers=setup["worker"])).json()
    assert [t["id"] for t in mine] == [replanned.json()["tasks"][0]["id"]]
    # A red level needs a district leader as first responsible: a street's is refused.
    admin = await login("demo-admin")
    street_leader = await street_staff(client, admin, "xixi-leader", "supervisor")
    red = plan_body(
        first=await me(client, street_leader),
        direct=ids["direct"],
        owners=[ids["owner"]],
        due=clock.now() + timedelta(days=3),
        deadline=deadline,
    )
    await client.post(
        f"{AREAS}/{area_id}/transitions",
        headers=setup["supervisor"],
        json={"action": "flag", "reason": "升级挂牌", "level": "red"},
    )
    refused = await client.put(f"{AREAS}/{area_id}/plan", headers=setup["supervisor"], json=red)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "areas.plan_red_leader"
