"""Confidential leads (黄赌毒, 涉黑涉恶): only their handlers and supervisors ever see them."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.http.case_helpers import HOME, case, move, report, resident
from tests.http.conftest import Client, Login
from tests.http.test_exports import export, tracking_numbers
from tests.reliability import test_live_feed as live

ADMIN_CATEGORIES = "/api/v1/admin/categories"
HEAT = {
    "bbox": "120.0,30.1,120.3,30.4",
    "zoom": "13",
    "from": "2026-11-01T00:00:00Z",
    "to": "2026-11-30T00:00:00Z",
}


async def queue(client: Client, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/api/v1/cases/", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def heat_count(client: Client, headers: dict[str, str]) -> int:
    response = await client.get("/api/v1/stats/heatmap", headers=headers, params=HEAT)
    assert response.status_code == 200, response.text
    return sum(f["properties"]["count"] for f in response.json()["features"])


async def make_confidential(client: Client, admin: dict[str, str], code: str) -> None:
    response = await client.patch(
        f"{ADMIN_CATEGORIES}/{code}", headers=admin, json={"confidential": True}
    )
    assert response.status_code == 200, response.text
    assert response.json()["confidential"] is True


async def test_a_category_made_confidential_takes_its_earlier_cases_with_it(
    client: Client, login: Login
) -> None:
    lead = await report(client, await resident(client), category="telecom_fraud", mediaIds=[])
    dispatcher = await login("demo-dispatcher")
    assert (await case(client, dispatcher, lead["id"]))["confidential"] is False
    before = await queue(client, dispatcher)
    assert lead["id"] in [item["id"] for item in before["items"]]
    assert lead["trackingNo"] in tracking_numbers(await export(client, dispatcher))
    heat_before = await heat_count(client, dispatcher)

    await make_confidential(client, await login("demo-admin"), "telecom_fraud")

    response = await client.get(f"/api/v1/cases/{lead['id']}", headers=dispatcher)
    assert response.status_code == 404
    after = await queue(client, dispatcher)
    assert lead["id"] not in [item["id"] for item in after["items"]]
    assert sum(after["counts"].values()) == sum(before["counts"].values()) - 1
    assert lead["trackingNo"] not in tracking_numbers(await export(client, dispatcher))
    assert await heat_count(client, dispatcher) == heat_before - 1
    supervisor = await login("demo-supervisor")
    assert (await case(client, supervisor, lead["id"]))["confidential"] is True


async def test_cases_of_a_confidential_category_stay_confidential_when_it_is_opened_again(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    await make_confidential(client, admin, "telecom_fraud")
    lead = await report(client, await resident(client), category="telecom_fraud", mediaIds=[])
    opened = await client.patch(
        f"{ADMIN_CATEGORIES}/telecom_fraud", headers=admin, json={"confidential": False}
    )
    assert opened.status_code == 200, opened.text
    dispatcher = await login("demo-dispatcher")
    response = await client.get(f"/api/v1/cases/{lead['id']}", headers=dispatcher)
    assert response.status_code == 404


async def test_admins_manage_categories_not_leads(client: Client, login: Login) -> None:
    lead = await report(client, await resident(client), category="vice_clue", mediaIds=[])
    admin = await login("demo-admin")
    response = await client.get(f"/api/v1/cases/{lead['id']}", headers=admin)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "cases.not_found" and body["message"] and body["messageEn"]
    assert lead["id"] not in [item["id"] for item in (await queue(client, admin))["items"]]
    assert lead["trackingNo"] not in tracking_numbers(await export(client, admin))
    supervisor = await login("demo-supervisor")
    assert (await case(client, supervisor, lead["id"]))["id"] == lead["id"]


async def test_a_lead_goes_only_to_a_department_that_handles_its_category(
    client: Client, login: Login
) -> None:
    lead = await report(client, await resident(client), category="gang_clue", mediaIds=[])
    supervisor = await login("demo-supervisor")
    for target in ({"departmentCode": "330106-cg"}, {"regionCode": "330106002"}):
        response = await client.post(
            f"/api/v1/cases/{lead['id']}/transfer",
            headers=supervisor,
            json={
                "version": (await case(client, supervisor, lead["id"]))["version"],
                "target": target,
            },
        )
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["code"] == "cases.target_not_cleared"
        assert body["message"] and body["messageEn"] and "target" in body["fields"]
    assert (await case(client, supervisor, lead["id"]))["department"]["code"] == "330106-ga"
    await move(client, supervisor, lead["id"], "transfer", target={"departmentCode": "330106-ga"})
    moved = await case(client, supervisor, lead["id"])
    assert moved["status"] == "dispatched" and moved["department"]["code"] == "330106-ga"


async def file_report(client: httpx.AsyncClient, category: str) -> int:
    token = (await client.post("/api/v1/auth/device", json={})).json()["token"]
    body = {
        "clientId": str(uuid.uuid4()),
        "category": category,
        "lat": HOME["lat"],
        "lng": HOME["lng"],
    }
    response = await client.post(
        "/api/v1/reports/", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    case_id: int = response.json()["id"]
    return case_id


async def events_until(events: asyncio.Queue[dict[str, Any]], case_id: int) -> list[int]:
    """The cases of the events that arrive up to the first one of this case."""
    seen = []
    async with asyncio.timeout(15):
        while not seen or seen[-1] != case_id:
            seen.append((await events.get())["caseId"])
    return seen


@pytest.mark.slow
async def test_the_live_feed_leaves_out_a_case_whose_category_turned_confidential(
    api: str,
) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        dispatcher = await live.login(client, "demo-dispatcher")
        supervisor = await live.login(client, "demo-supervisor")
        lead = await file_report(client, "telecom_fraud")
        async with live.feed(api, dispatcher) as events:
            patched = await client.patch(
                f"{ADMIN_CATEGORIES}/telecom_fraud",
                headers=await live.login(client, "demo-admin"),
                json={"confidential": True},
            )
            assert patched.status_code == 200, patched.text
            noted = await client.post(
                f"/api/v1/cases/{lead}/comments", headers=supervisor, json={"note": "已核实线索"}
            )
            assert noted.status_code == 200, noted.text
            later = await file_report(client, "dispute")
            assert lead not in await events_until(events, later)
        replay = {**dispatcher, "Last-Event-ID": "0"}
        async with live.feed(api, replay) as events:
            assert lead not in await events_until(events, later)
