"""A key area's whole life over HTTP, on a clock the test moves: a grid turning red is found,
flagged by a meeting, put right by tasks (one late: 催办 then 督办), fails its acceptance,
is extended, passes, is lifted and watched, rebounds, and is relisted with 一票否决."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from backend.clock import ManualClock
from backend.settings import Settings
from tests.http.area_followup_helpers import area_outbox, fetch, tend, watch_duties
from tests.http.area_helpers import (
    AREAS,
    DISTRICT,
    HOME_GRID,
    HOME_STREET,
    OTHER_STREET,
    me,
    plan_body,
    street_staff,
)
from tests.http.case_helpers import report, resident
from tests.http.conftest import Client, Login

TASKS = "/api/v1/tasks"


async def call(
    client: Client,
    method: str,
    url: str,
    headers: dict[str, str],
    expect: int = 200,
    body: dict[str, Any] | None = None,
) -> Any:
    response = await client.request(method, url, headers=headers, json=body)
    assert response.status_code == expect, (url, response.text)
    return response.json()


async def done(client: Client, worker: dict[str, str], task_id: int) -> dict[str, Any]:
    """The task's owner marks it done on the phone, with a note as evidence."""
    body = {"clientId": str(uuid.uuid4()), "kind": "done", "note": "问题已整改到位，现场已清理"}
    result: dict[str, Any] = await call(
        client, "POST", f"{TASKS}/{task_id}/updates", worker, 201, body
    )
    return result


async def answers(
    client: Client, headers: dict[str, str], survey_id: int, *, satisfied: int, not_: int
) -> None:
    """Answers taken down at 入户走访: so many satisfied, so many not."""
    entries = [{"answers": {"satisfaction": "satisfied", "safety": 4}}] * satisfied
    entries += [{"answers": {"satisfaction": "dissatisfied", "safety": 2}}] * not_
    body = {"channel": "visit", "entries": entries}
    await call(client, "POST", f"/api/v1/surveys/{survey_id}/entries", headers, 201, body)


def pushes_about(
    pushes: list[tuple[int, str, dict[str, Any]]], kind: str, task_id: int
) -> list[int]:
    return [
        user
        for user, k, payload in pushes
        if k == kind
        and payload.get("subjectKind") == "area_task"
        and payload.get("subjectId") == task_id
    ]


async def test_a_key_area_from_a_red_grid_to_its_relisting(
    client: Client, login: Login, clock: ManualClock, demo_database: str, settings: Settings
) -> None:
    dsn = demo_database
    await tend(dsn, settings=settings, now=clock.now())  # today's levels: all quiet

    # 排查: a day of reports in one grid turns it red; the job proposes it as a key area.
    clock.advance(days=1)
    reporter = await resident(client)
    for _ in range(4):
        await report(client, reporter)
    await tend(dsn, settings=settings, now=clock.now())
    supervisor, dispatcher = await login("demo-supervisor"), await login("demo-dispatcher")
    (found,) = (await call(client, "GET", AREAS, supervisor))["items"]
    area_id = found["id"]
    base = f"{AREAS}/{area_id}"
    assert found["state"] == "proposed"

    # 一地一策, then the 研判会 flags it red.
    clock.advance(hours=2)
    worker = await login("demo-worker")
    ids = {
        "first": await me(client, supervisor),
        "direct": await me(client, dispatcher),
        "owner": await me(client, worker),
    }
    due = clock.now() + timedelta(days=3)
    plan = plan_body(first=ids["first"], direct=ids["direct"], owners=[ids["owner"]] * 2, due=due)
    await call(client, "PUT", f"{base}/plan", dispatcher, 200, plan)
    meeting = {
        "kind": "judgement",
        "regionCode": DISTRICT,
        "heldOn": clock.now().date().isoformat(),
        "units": ["区综治中心", "派出所", "城管"],
        "decisions": [
            {"areaId": area_id, "decision": "flag", "reason": "网格红色预警", "level": "red"}
        ],
    }
    await call(client, "POST", "/api/v1/area-meetings", supervisor, 201, meeting)
    area = await call(client, "GET", base, supervisor)
    assert (area["state"], area["level"], area["tier"]) == ("flagged", "red", "district")
    on_time, late = [t["id"] for t in area["tasks"]]
    # A red area owes a weekly 联合清查 while it is being put right.
    await tend(dsn, settings=settings, now=clock.now())
    sweeps = await call(client, "GET", f"{base}/duties", supervisor)
    assert [(d["kind"], d["dutyState"]) for d in sweeps] == [("joint_sweep", "open")]

    # One task done on time; the other is reminded at its due time (催办), then the leaders
    # are told a day later (督办), and it is done late.
    assert (await done(client, worker, on_time))["late"] is False
    before = (await fetch(dsn, "SELECT coalesce(max(id), 0) AS m FROM outbox"))[0]["m"]
    clock.advance(days=3, hours=1)
    await watch_duties(dsn, now=clock.now())
    pushes = await area_outbox(dsn, since_id=before)
    assert pushes_about(pushes, "duty_reminder", late) == [ids["owner"]]
    assert pushes_about(pushes, "duty_supervision", late) == []
    clock.advance(hours=settings.duty_supervise_after_hours)
    await watch_duties(dsn, now=clock.now())
    pushes = await area_outbox(dsn, since_id=before)
    assert {ids["first"], ids["direct"]} <= set(pushes_about(pushes, "duty_supervision", late))
    worker = await login("demo-worker")
    assert (await done(client, worker, late))["late"] is True

    # The last task done: 验收. 8 of 10 satisfied is below the 90 % bar.
    supervisor, dispatcher = await login("demo-supervisor"), await login("demo-dispatcher")
    first_round = await call(client, "GET", f"{base}/acceptance", supervisor)
    assert first_round["areaState"] == "accepting"
    admin = await login("demo-admin")  # not on the plan: the plan's people grade not their work
    await answers(client, admin, first_round["surveyId"], satisfied=8, not_=2)
    failed = await call(
        client, "POST", f"{base}/acceptance/decision", supervisor, 200, {"note": "第一次验收"}
    )
    assert failed["outcome"] == "failed" and failed["areaState"] == "accepting"
    assert failed["measure"]["satisfaction"] == 0.8
    assert [s["en"] for s in failed["shortfall"]] == ["Satisfaction 80.0 %, below the bar of 90 %"]

    # 延期整治: asked, approved, one more task, done.
    new_deadline = (clock.now() + timedelta(days=60)).date().isoformat()
    asked = await call(
        client,
        "POST",
        f"{base}/extensions",
        dispatcher,
        201,
        {"reason": "仍有群众不满意，需补充整改", "newDeadline": new_deadline},
    )
    approved = await call(
        client,
        "POST",
        f"{base}/extensions/{asked['id']}/decision",
        supervisor,
        200,
        {"approve": True, "note": "同意延期"},
    )
    assert approved["areaState"] == "extended"
    area = await call(client, "GET", base, supervisor)
    assert (area["state"], area["deadline"], area["plan"]["deadline"]) == (
        "extended",
        new_deadline,
        new_deadline,
    )
    task = {
        "ownerId": ids["owner"],
        "unit": {"regionCode": HOME_GRID},
        "measure": "补装路灯两盏",
        "dueAt": (clock.now() + timedelta(days=5)).isoformat(),
    }
    await call(client, "POST", f"{base}/tasks", dispatcher, 201, task)
    mine = await call(client, "GET", f"{TASKS}/mine", worker)
    (extra,) = [t["id"] for t in mine if t["state"] == "open" and t["areaId"] == area_id]
    await done(client, worker, extra)

    # The second round: 9 of 10 is exactly the bar. Lifted (摘牌) and watched (回头看).
    second_round = await call(client, "GET", f"{base}/acceptance", supervisor)
    assert second_round["surveyId"] != first_round["surveyId"]
    await answers(client, await login("demo-admin"), second_round["surveyId"], satisfied=9, not_=1)
    passed = await call(
        client, "POST", f"{base}/acceptance/decision", supervisor, 200, {"note": "复验通过"}
    )
    assert (passed["outcome"], passed["areaState"]) == ("passed", "watching")
    lifted_at = clock.now()
    assert passed["watchUntil"][:10] == (lifted_at + timedelta(days=365)).date().isoformat()
    area = await call(client, "GET", base, supervisor)
    rechecks = [t for t in area["tasks"] if t["kind"] == "recheck"]
    assert len(rechecks) == 4 and all(t["owner"]["id"] == ids["direct"] for t in rechecks)
    sweeps = await call(client, "GET", f"{base}/duties", supervisor)
    assert [d["dutyState"] for d in sweeps] == ["cancelled"]  # no longer owed once lifted
    report_file = await client.get(f"{base}/acceptance-report.xlsx", headers=supervisor)
    assert report_file.status_code == 200, report_file.text
    assert report_file.content[:2] == b"PK"

    # A month on, the grid is quiet: no alert.
    clock.advance(days=31)
    await tend(dsn, settings=settings, now=clock.now())
    assert (await call(client, "GET", base, await login("demo-supervisor")))["state"] == "watching"
    alerts = "SELECT count(*) AS n FROM key_area_events WHERE area_id = $1 AND action = $2"
    assert (await fetch(dsn, alerts, area_id, "recurrence_alert"))[0]["n"] == 0

    # 复发: the same problems come back; the next day's look tells the supervisors, once.
    before = (await fetch(dsn, "SELECT coalesce(max(id), 0) AS m FROM outbox"))[0]["m"]
    for _ in range(4):
        await report(client, reporter)
    await tend(dsn, settings=settings, now=clock.now())
    assert (await fetch(dsn, alerts, area_id, "recurrence_alert"))[0]["n"] == 0
    clock.advance(days=1)
    await tend(dsn, settings=settings, now=clock.now())
    clock.advance(hours=1)
    await tend(dsn, settings=settings, now=clock.now())
    assert (await fetch(dsn, alerts, area_id, "recurrence_alert"))[0]["n"] == 1
    told = [
        user
        for user, kind, payload in await area_outbox(dsn, since_id=before)
        if kind == "area_decision" and payload["action"] == "recurrence_alert"
    ]
    assert ids["first"] in told  # the district's supervisor

    # Confirmed: relisted, and its street carries 一票否决 for the year.
    supervisor = await login("demo-supervisor")
    relisted = await call(
        client, "POST", f"{base}/recurrence", supervisor, 200, {"reason": "回头看发现问题反弹"}
    )
    assert relisted["state"] == "relisted"
    year = relisted["vetoYear"]
    for code in (HOME_STREET, DISTRICT):
        standing = await call(
            client, "GET", f"/api/v1/regions/{code}/standing?year={year}", supervisor
        )
        assert (standing["eligible"], standing["vetoed"]) == (False, True), code
        assert standing["vetoes"][0]["areaId"] == area_id
    neighbour = await call(
        client, "GET", f"/api/v1/regions/{OTHER_STREET}/standing?year={year}", supervisor
    )
    assert (neighbour["eligible"], neighbour["vetoed"]) == (True, False)

    figures = await call(client, "GET", f"{base}/figures", supervisor)
    assert (figures["before"]["total"], figures["after"]["total"]) == (4, 4)

    # Relisted: the re-checks of the watch are called off, and the old plan that failed to
    # hold does not list it again: a new plan does.
    area = await call(client, "GET", base, supervisor)
    assert {t["state"] for t in area["tasks"] if t["kind"] == "recheck"} == {"cancelled"}
    recheck_ids = [t["id"] for t in area["tasks"] if t["kind"] == "recheck"]
    owed = await fetch(
        dsn,
        "SELECT state FROM duties WHERE subject_kind = 'area_task' AND subject_id = ANY($1)",
        recheck_ids,
    )
    assert {d["state"] for d in owed} == {"cancelled"}
    again = {"action": "list", "reason": "复发后重新列管", "level": "red"}
    stale = await call(client, "POST", f"{base}/transitions", supervisor, 422, again)
    assert stale["code"] == "areas.plan_required"
    dispatcher = await login("demo-dispatcher")
    due = clock.now() + timedelta(days=10)
    new_plan = plan_body(first=ids["first"], direct=ids["direct"], owners=[ids["owner"]], due=due)
    await call(client, "PUT", f"{base}/plan", dispatcher, 200, new_plan)
    relisted_again = await call(client, "POST", f"{base}/transitions", supervisor, 200, again)
    assert relisted_again["state"] == "listed"

    # Another street's dispatcher does not see the area at all.
    admin = await login("demo-admin")
    other = await street_staff(client, admin, "other-dispatcher", "dispatcher", OTHER_STREET)
    for url in (base, f"{base}/acceptance", f"{base}/figures", f"{base}/duties"):
        missing = await call(client, "GET", url, other, 404)
        assert missing["code"] == "areas.not_found", url
