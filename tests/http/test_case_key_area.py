"""A case inside a governed key area carries the area and its plan's progress wherever staff
see the case (the queue, the worker's list, the case page), and never in a resident's view."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from backend.clock import ManualClock
from tests.http.area_followup_helpers import governed_area
from tests.http.area_helpers import create_area, me, move, plan_body, square
from tests.http.case_helpers import HOME, report, resident
from tests.http.conftest import Client, Login

AREAS, TASKS = "/api/v1/areas", "/api/v1/tasks"
NAME = "城东夜市"


async def flagged_area(client: Client, login: Login, clock: ManualClock) -> dict[str, Any]:
    """A red area flagged by the district around HOME, with three tasks of the demo worker:
    two done, and one past its due time."""
    dispatcher, supervisor = await login("demo-dispatcher"), await login("demo-supervisor")
    worker = await login("demo-worker")
    area = await create_area(
        client, dispatcher, name=NAME, geometry=square(HOME["lat"], HOME["lng"])
    )
    await move(client, dispatcher, area["id"], "propose")
    plan = plan_body(
        first=await me(client, supervisor),
        direct=await me(client, dispatcher),
        owners=[await me(client, worker)] * 3,
        due=clock.now() + timedelta(days=5),
    )
    plan["tasks"][2]["dueAt"] = (clock.now() + timedelta(hours=2)).isoformat()
    planned = await client.put(f"{AREAS}/{area['id']}/plan", headers=dispatcher, json=plan)
    assert planned.status_code == 200, planned.text
    flagged = await move(client, supervisor, area["id"], "flag", level="red")
    assert (flagged["state"], flagged["tier"]) == ("flagged", "district")
    later_first = sorted(flagged["tasks"], key=lambda t: t["dueAt"], reverse=True)
    for task in later_first[:2]:
        body = {"clientId": str(uuid.uuid4()), "kind": "done", "note": "摊点已清理，现场已恢复"}
        done = await client.post(f"{TASKS}/{task['id']}/updates", headers=worker, json=body)
        assert done.status_code == 201, done.text
    clock.advance(hours=3)
    return flagged


async def test_a_case_in_a_flagged_area_shows_the_area_and_its_progress_to_staff_only(
    client: Client, login: Login, clock: ManualClock
) -> None:
    area = await flagged_area(client, login, clock)
    reporter = await resident(client)
    inside = await report(client, reporter)
    outside = await report(client, reporter, lat=HOME["lat"] + 0.004, lng=HOME["lng"] + 0.004)
    expected = {
        "id": area["id"],
        "name": NAME,
        "state": "flagged",
        "tier": "district",
        "level": "red",
        "deadline": area["deadline"],
        "overdue": False,
        "progress": {"tasks": 3, "done": 2, "overdue": 1},
    }

    dispatcher = await login("demo-dispatcher")
    queue = await client.get("/api/v1/cases/", headers=dispatcher)
    assert queue.status_code == 200, queue.text
    rows = {row["id"]: row for row in queue.json()["items"]}
    assert rows[inside["id"]]["keyArea"] == expected
    assert rows[outside["id"]].get("keyArea") is None

    page = (await client.get(f"/api/v1/cases/{inside['id']}", headers=dispatcher)).json()
    assert page["keyArea"] == expected
    other = (await client.get(f"/api/v1/cases/{outside['id']}", headers=dispatcher)).json()
    assert other.get("keyArea") is None

    worker = await login("demo-worker")
    mine = {
        row["id"]: row for row in (await client.get("/api/v1/me/tasks/", headers=worker)).json()
    }
    assert mine[inside["id"]]["keyArea"] == expected
    if outside["id"] in mine:
        assert mine[outside["id"]].get("keyArea") is None

    own = await client.get(f"/api/v1/reports/{inside['id']}", headers=reporter)
    listed = await client.get("/api/v1/me/reports/", headers=reporter)
    for seen in (own, listed):
        assert seen.status_code == 200, seen.text
        assert "keyArea" not in seen.text and NAME not in seen.text


async def test_a_case_in_an_area_not_yet_governed_shows_none(
    client: Client, login: Login, clock: ManualClock
) -> None:
    dispatcher = await login("demo-dispatcher")
    area = await create_area(
        client, dispatcher, name=NAME, geometry=square(HOME["lat"], HOME["lng"])
    )
    assert area["state"] == "candidate"
    inside = await report(client, await resident(client))
    page = (await client.get(f"/api/v1/cases/{inside['id']}", headers=dispatcher)).json()
    assert page.get("keyArea") is None


async def test_of_two_areas_over_a_case_the_flag_is_shown_before_the_listing(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    await governed_area(
        demo_database, now=clock.now(), state="listed", level="red", tier="street", name="街道列管"
    )
    flagged = await governed_area(
        demo_database, now=clock.now(), state="flagged", level="blue", name="区级挂牌"
    )
    inside = await report(client, await resident(client))
    page = (
        await client.get(f"/api/v1/cases/{inside['id']}", headers=await login("demo-dispatcher"))
    ).json()
    assert page["keyArea"]["id"] == flagged
    assert (page["keyArea"]["name"], page["keyArea"]["tier"]) == ("区级挂牌", "district")
    assert page["keyArea"]["progress"] == {"tasks": 0, "done": 0, "overdue": 0}
