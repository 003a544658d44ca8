"""研判会 and 联席会议: decisions move the areas, all or none, and the meeting's 建议书."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from backend.clock import ManualClock
from tests.http.area_helpers import (
    AREAS,
    DISTRICT,
    HOME_STREET,
    create_area,
    me,
    move,
    plan_body,
    square,
    street_staff,
)
from tests.http.case_helpers import HOME, report, resident
from tests.http.conftest import Client, Login
from tests.http.test_stats_report import read_xlsx

MEETINGS = "/api/v1/area-meetings"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def proposed(
    client: Client, login: Login, clock: ManualClock, name: str, lat: float, *, planned: bool
) -> dict[str, Any]:
    """A proposed area around a point north of HOME, with a plan when asked."""
    dispatcher, supervisor = await login("demo-dispatcher"), await login("demo-supervisor")
    area = await create_area(
        client, dispatcher, name=name, grid=None, geometry=square(lat, HOME["lng"], 0.001)
    )
    await move(client, dispatcher, area["id"], "propose")
    if planned:
        owner = await me(client, await login("demo-worker"))
        body = plan_body(
            first=await me(client, supervisor),
            direct=await me(client, dispatcher),
            owners=[owner],
            due=clock.now() + timedelta(days=7),
        )
        response = await client.put(f"{AREAS}/{area['id']}/plan", headers=dispatcher, json=body)
        assert response.status_code == 200, response.text
    return area


def meeting(region: str, decisions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "judgement",
        "regionCode": region,
        "heldOn": date(2026, 11, 20).isoformat(),
        "units": ["区综治中心", "西湖公安分局"],
        "notes": "半月研判",
        "decisions": decisions,
    }


def decide(area: dict[str, Any], decision: str, level: str | None = None) -> dict[str, Any]:
    return {"areaId": area["id"], "decision": decision, "reason": "群众反映集中", "level": level}


async def state_of(client: Client, headers: dict[str, str], area: dict[str, Any]) -> str:
    state: str = (await client.get(f"{AREAS}/{area['id']}", headers=headers)).json()["state"]
    return state


async def test_one_refused_decision_refuses_the_whole_meeting(
    client: Client, login: Login, clock: ManualClock
) -> None:
    supervisor = await login("demo-supervisor")
    ready = await proposed(client, login, clock, "文鼎苑", HOME["lat"] + 0.004, planned=True)
    unplanned = await proposed(client, login, clock, "古荡夜市", HOME["lat"] + 0.008, planned=False)

    response = await client.post(
        MEETINGS,
        headers=supervisor,
        json=meeting(DISTRICT, [decide(ready, "list", "blue"), decide(unplanned, "list", "blue")]),
    )

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "areas.meeting_refused"
    assert list(body["fields"]) == [f"areas.{unplanned['id']}"]
    assert "一地一策" in body["fields"][f"areas.{unplanned['id']}"]
    assert await state_of(client, supervisor, ready) == "proposed"
    assert (await client.get(MEETINGS, headers=supervisor)).json() == []


async def test_a_meeting_lists_flags_dismisses_and_defers(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    supervisor = await login("demo-supervisor")
    flagged = await proposed(client, login, clock, "文鼎苑", HOME["lat"] + 0.004, planned=True)
    dismissed = await proposed(client, login, clock, "古荡夜市", HOME["lat"] + 0.008, planned=False)
    deferred = await proposed(client, login, clock, "益乐路", HOME["lat"] + 0.012, planned=False)
    citizen = await resident(client)
    await report(client, citizen, lat=HOME["lat"] + 0.004, lng=HOME["lng"])

    response = await client.post(
        MEETINGS,
        headers=supervisor,
        json=meeting(
            DISTRICT,
            [
                decide(flagged, "flag", "red"),
                decide(dismissed, "dismiss"),
                decide(deferred, "defer"),
            ],
        ),
    )

    assert response.status_code == 201, response.text
    held = response.json()
    assert [d["decision"] for d in held["decisions"]] == ["flag", "dismiss", "defer"]
    area = (await client.get(f"{AREAS}/{flagged['id']}", headers=supervisor)).json()
    assert (area["state"], area["level"], area["tier"]) == ("flagged", "red", "district")
    assert area["events"][-1]["detail"]["meetingId"] == held["id"]
    assert await state_of(client, supervisor, dismissed) == "dismissed"
    assert await state_of(client, supervisor, deferred) == "proposed"
    assert [m["id"] for m in (await client.get(MEETINGS, headers=supervisor)).json()] == [
        held["id"]
    ]
    assert (await client.get(f"{MEETINGS}/{held['id']}", headers=supervisor)).json() == held

    sheet = await client.get(f"{MEETINGS}/{held['id']}/proposal.xlsx", headers=supervisor)
    assert sheet.status_code == 200, sheet.text
    assert sheet.headers["content-type"].startswith(XLSX)
    assert sheet.headers["content-disposition"].startswith("attachment")
    pages, _ = read_xlsx(sheet.content)
    texts = {cell for rows in pages.values() for row in rows for cell in row if cell}
    assert {"文鼎苑", "古荡夜市", "益乐路", "群众反映集中"} <= texts


async def test_a_street_meeting_cannot_flag_and_a_street_sees_only_its_meetings(
    client: Client, login: Login, clock: ManualClock
) -> None:
    admin = await login("demo-admin")
    street_leader = await street_staff(client, admin, "xixi-leader", "supervisor")
    area = await proposed(client, login, clock, "文鼎苑", HOME["lat"] + 0.004, planned=True)

    refused = await client.post(
        MEETINGS, headers=street_leader, json=meeting(HOME_STREET, [decide(area, "flag", "red")])
    )
    assert refused.status_code == 422, refused.text
    assert f"areas.{area['id']}" in refused.json()["fields"]

    listed = await client.post(
        MEETINGS, headers=street_leader, json=meeting(HOME_STREET, [decide(area, "list", "blue")])
    )
    assert listed.status_code == 201, listed.text
    assert await state_of(client, street_leader, area) == "listed"
    elsewhere = await street_staff(client, admin, "beishan-leader", "supervisor", "330106001")
    assert (await client.get(MEETINGS, headers=elsewhere)).json() == []
    hidden = await client.get(f"{MEETINGS}/{listed.json()['id']}", headers=elsewhere)
    assert hidden.status_code == 404
    dispatcher = await login("demo-dispatcher")
    by_dispatcher = await client.post(
        MEETINGS, headers=dispatcher, json=meeting(DISTRICT, [decide(area, "flag", "red")])
    )
    assert by_dispatcher.status_code == 422
    assert "Your role may not do this" in by_dispatcher.json()["fields"][f"areas.{area['id']}"]
