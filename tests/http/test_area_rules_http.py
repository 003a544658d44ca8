"""The rules of a key area's life as a user meets them: what may change when, and by whom."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from backend.areas import acceptance
from backend.clock import ManualClock
from backend.db.pool import connect
from backend.settings import Settings
from tests.http.area_followup_helpers import fetch, governed_area, tend
from tests.http.area_helpers import (
    AREAS,
    DISTRICT,
    create_area,
    me,
    move,
    plan_body,
    square,
)
from tests.http.case_helpers import HOME, report, resident
from tests.http.concurrent import concurrent_client
from tests.http.conftest import Client, Login
from tests.http.test_area_followup import begin_acceptance
from tests.http.test_areas_tasks import listed_area, step

ZONE = ZoneInfo("Asia/Shanghai")


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


async def satisfied_answers(client: Client, login: Login, survey_id: int, count: int) -> None:
    """Answers taken down at 入户走访 by an admin who is not on the area's plan."""
    entries = [{"answers": {"satisfaction": "satisfied", "safety": 5}}] * count
    body = {"channel": "visit", "entries": entries}
    admin = await login("demo-admin")
    await call(client, "POST", f"/api/v1/surveys/{survey_id}/entries", admin, 201, body)


async def test_relisting_is_not_a_transition_step(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    area_id = await governed_area(demo_database, now=clock.now(), state="watching")
    supervisor = await login("demo-supervisor")
    body = {"action": "relist", "reason": "回头看发现问题反弹"}
    response = await client.post(f"{AREAS}/{area_id}/transitions", headers=supervisor, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["messageEn"]
    area = await call(client, "GET", f"{AREAS}/{area_id}", supervisor)
    assert area["state"] == "watching"
    vetoes = await fetch(demo_database, "SELECT id FROM region_vetoes WHERE area_id = $1", area_id)
    assert vetoes == []


async def test_a_listed_area_s_plan_is_changed_only_by_a_leader_and_keeps_its_deadline(
    client: Client, login: Login, clock: ManualClock
) -> None:
    setup = await listed_area(client, login, clock, tasks=2)
    area_id, ids = setup["area"]["id"], setup["ids"]
    deadline = setup["area"]["deadline"]
    url = f"{AREAS}/{area_id}/plan"
    due = clock.now() + timedelta(days=3)

    def plan(deadline_day: str) -> dict[str, Any]:
        body = plan_body(first=ids["first"], direct=ids["direct"], owners=[ids["owner"]], due=due)
        return {**body, "deadline": deadline_day}

    later = (datetime.fromisoformat(deadline) + timedelta(days=90)).date().isoformat()
    refused = await call(client, "PUT", url, setup["dispatcher"], 403, plan(deadline))
    assert refused["code"] == "areas.plan_leaders_only" and refused["message"]
    moved = await call(client, "PUT", url, setup["supervisor"], 422, plan(later))
    assert moved["code"] == "areas.deadline_fixed"
    area = await call(client, "GET", f"{AREAS}/{area_id}", setup["supervisor"])
    assert area["deadline"] == deadline
    assert [t["state"] for t in area["tasks"]] == ["open", "open"]

    await call(client, "PUT", url, setup["supervisor"], 200, plan(deadline))
    area = await call(client, "GET", f"{AREAS}/{area_id}", setup["supervisor"])
    assert area["deadline"] == deadline and len(area["tasks"]) == 1

    # Once its tasks are done the plan is what acceptance judges: it no longer changes.
    await step(client, setup["worker"], area["tasks"][0]["id"], "done", note="占道摊点已清理完毕")
    area = await call(client, "GET", f"{AREAS}/{area_id}", setup["supervisor"])
    assert area["state"] == "accepting"
    frozen = await call(client, "PUT", url, setup["supervisor"], 409, plan(deadline))
    assert frozen["code"] == "areas.plan_frozen"
    task = {
        "ownerId": ids["owner"],
        "unit": {"regionCode": "330106002003010"},
        "measure": "再清理一次",
        "dueAt": due.isoformat(),
    }
    extra = await call(client, "POST", f"{AREAS}/{area_id}/tasks", setup["supervisor"], 409, task)
    assert extra["code"] == "areas.plan_frozen"


async def proposed_with_tasks_done(
    client: Client, login: Login, clock: ManualClock, name: str, lat: float
) -> tuple[int, dict[str, str]]:
    """A proposed area drawn around a point north of HOME, whose plan's only task its owner
    has already done."""
    dispatcher, supervisor = await login("demo-dispatcher"), await login("demo-supervisor")
    worker = await login("demo-worker")
    spot = square(lat, HOME["lng"], 0.001)
    area = await create_area(client, dispatcher, name=name, grid=None, geometry=spot)
    await move(client, dispatcher, area["id"], "propose")
    body = plan_body(
        first=await me(client, supervisor),
        direct=await me(client, dispatcher),
        owners=[await me(client, worker)],
        due=clock.now() + timedelta(days=2),
    )
    planned = await call(client, "PUT", f"{AREAS}/{area['id']}/plan", dispatcher, 200, body)
    del planned
    page = await call(client, "GET", f"{AREAS}/{area['id']}", supervisor)
    await step(client, worker, page["tasks"][0]["id"], "done", note="摊点已全部清理")
    page = await call(client, "GET", f"{AREAS}/{area['id']}", supervisor)
    assert page["state"] == "proposed"
    return area["id"], supervisor


async def test_tasks_done_before_listing_send_the_area_to_acceptance(
    client: Client,
    login: Login,
    clock: ManualClock,
    demo_database: str,
    settings: Settings,
) -> None:
    area_id, supervisor = await proposed_with_tasks_done(
        client, login, clock, "先行整改小区", HOME["lat"] + 0.003
    )
    listed = await move(client, supervisor, area_id, "list", level="blue")
    assert listed["state"] == "accepting"
    round_ = await call(client, "GET", f"{AREAS}/{area_id}/acceptance", supervisor)
    assert round_["surveyId"] is not None and round_["outcome"] is None

    # Listed by a 研判会 instead: the sweep of the worker begins its acceptance.
    other_id, supervisor = await proposed_with_tasks_done(
        client, login, clock, "另一处小区", HOME["lat"] + 0.006
    )
    meeting = {
        "kind": "judgement",
        "regionCode": DISTRICT,
        "heldOn": clock.now().astimezone(ZONE).date().isoformat(),
        "units": ["区综治中心"],
        "decisions": [
            {"areaId": other_id, "decision": "list", "reason": "整改已完成待验收", "level": "blue"}
        ],
    }
    await call(client, "POST", "/api/v1/area-meetings", supervisor, 201, meeting)
    conn = await connect(demo_database)
    try:
        await acceptance.begin_ready(conn, settings=settings, now=clock.now())
        assert await acceptance.begin_ready(conn, settings=settings, now=clock.now()) == 0
    finally:
        await conn.close()
    page = await call(client, "GET", f"{AREAS}/{other_id}", supervisor)
    assert page["state"] == "accepting"
    rounds = await fetch(
        demo_database, "SELECT id FROM key_area_acceptances WHERE area_id = $1", other_id
    )
    assert len(rounds) == 1


async def waiting_on_tasks(conn: asyncpg.Connection) -> int:
    """How many sessions wait for a lock on a task."""
    waiting: int = await conn.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND query LIKE '%key_area_tasks%'"
    )
    return waiting


async def test_a_replayed_step_racing_the_first_lands_once(
    client: Client,
    login: Login,
    clock: ManualClock,
    demo_database: str,
    settings: Settings,
) -> None:
    setup = await listed_area(client, login, clock, tasks=2)
    worker, task_id = setup["worker"], setup["tasks"][0]
    body = {"clientId": str(uuid.uuid4()), "kind": "done", "note": "占道摊点已清理完毕"}
    # The lock is held on one connection and the waits are seen on another: a transaction
    # sees the activity of the others as it was when it first looked.
    holder, looker = await connect(demo_database), await connect(demo_database)
    try:
        async with concurrent_client(settings, demo_database, clock) as phone:
            async with holder.transaction():
                # The task is busy elsewhere: both sendings of the step wait for it.
                await holder.execute(
                    "SELECT 1 FROM key_area_tasks WHERE id = $1 FOR UPDATE", task_id
                )
                sent = [
                    asyncio.create_task(
                        phone.post(f"/api/v1/tasks/{task_id}/updates", headers=worker, json=body)
                    )
                    for _ in range(2)
                ]
                # Another process's wait shows only in the database: poll it.
                while await waiting_on_tasks(looker) < 2:
                    assert not any(t.done() for t in sent), [
                        t.result().text for t in sent if t.done()
                    ]
                    await asyncio.sleep(0.05)
            answers = await asyncio.gather(*sent)
    finally:
        await holder.close()
        await looker.close()
    assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
    assert {a.json()["state"] for a in answers} == {"done"}
    updates = await fetch(
        demo_database, "SELECT id FROM key_area_task_updates WHERE task_id = $1", task_id
    )
    assert len(updates) == 1


async def test_the_watch_runs_to_the_same_day_in_the_city_after_a_late_evening_lift(
    client: Client,
    login: Login,
    clock: ManualClock,
    demo_database: str,
    settings: Settings,
) -> None:
    # 29 February 2028, 01:00 in the city: still the 28th in UTC.
    lift_at = datetime(2028, 2, 28, 17, 0, tzinfo=UTC)
    clock.advance(seconds=(lift_at - clock.now()).total_seconds())
    area_id = await governed_area(
        demo_database, now=clock.now(), state="listed", level="blue", tier="street"
    )
    await begin_acceptance(demo_database, area_id, settings=settings, clock=clock)
    supervisor = await login("demo-supervisor")
    base = f"{AREAS}/{area_id}"
    round_ = await call(client, "GET", f"{base}/acceptance", supervisor)
    await satisfied_answers(client, login, round_["surveyId"], settings.area_acceptance_min_answers)
    passed = await call(
        client, "POST", f"{base}/acceptance/decision", supervisor, 200, {"note": "验收通过"}
    )
    assert (passed["outcome"], passed["areaState"]) == ("passed", "watching")
    until = datetime.fromisoformat(passed["watchUntil"]).astimezone(ZONE)
    assert until.date().isoformat() == "2029-02-28"  # a year on from the 29th, clamped
    area = await call(client, "GET", base, supervisor)
    rechecks = sorted(t["dueAt"] for t in area["tasks"] if t["kind"] == "recheck")
    first = datetime.fromisoformat(rechecks[0]).astimezone(ZONE)
    assert first.date().isoformat() == "2028-03-29"


async def watched_area(dsn: str, clock: ManualClock, *, baseline: dict[str, Any]) -> int:
    """An area lifted today into a month of 回头看, with what it showed when it was governed."""
    area_id = await governed_area(dsn, now=clock.now(), state="watching")
    await fetch(
        dsn,
        "UPDATE key_areas SET lifted_at = $2, watch_until = $3, baseline = $4 WHERE id = $1",
        area_id,
        clock.now(),
        clock.now() + timedelta(days=30),
        baseline,
    )
    return area_id


async def alerts(dsn: str, area_id: int) -> int:
    rows = await fetch(
        dsn,
        "SELECT id FROM key_area_events WHERE area_id = $1 AND action = 'recurrence_alert'",
        area_id,
    )
    return len(rows)


async def test_a_rebound_is_the_same_problems_coming_back(
    client: Client,
    login: Login,
    clock: ManualClock,
    demo_database: str,
    settings: Settings,
) -> None:
    baseline = {"reports": 1, "days": 30, "categories": {"sanitation": 1}}
    area_id = await watched_area(demo_database, clock, baseline=baseline)
    reporter = await resident(client)
    await report(client, reporter, category="streetlight")  # another problem
    clock.advance(days=1)
    await tend(demo_database, settings=settings, now=clock.now())
    assert await alerts(demo_database, area_id) == 0

    await report(client, reporter, category="sanitation")  # the problem it was governed for
    clock.advance(days=1)
    await tend(demo_database, settings=settings, now=clock.now())
    assert await alerts(demo_database, area_id) == 1
    event = await fetch(
        demo_database,
        "SELECT detail FROM key_area_events WHERE area_id = $1 AND action = 'recurrence_alert'",
        area_id,
    )
    assert event[0]["detail"]["reports"] == 1


async def test_a_watched_area_is_looked_at_once_a_city_day(
    client: Client,
    login: Login,
    clock: ManualClock,
    demo_database: str,
    settings: Settings,
) -> None:
    baseline = {"reports": 1, "days": 30, "categories": {"sanitation": 1}}
    area_id = await watched_area(demo_database, clock, baseline=baseline)
    await tend(demo_database, settings=settings, now=clock.now())  # today's look: quiet
    await report(client, await resident(client))
    clock.advance(hours=1)
    await tend(demo_database, settings=settings, now=clock.now())
    assert await alerts(demo_database, area_id) == 0  # looked at already today

    clock.advance(days=1)
    await tend(demo_database, settings=settings, now=clock.now())
    await tend(demo_database, settings=settings, now=clock.now())
    assert await alerts(demo_database, area_id) == 1
