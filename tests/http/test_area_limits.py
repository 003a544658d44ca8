"""Key area writes and task steps are limited per staff member and hour: a runaway client
gets a bilingual 429 with the wait, and a replayed offline step is not counted twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backend.clock import ManualClock
from backend.settings import Settings
from tests.http.area_helpers import HOME_STREET, create_area, me, move, plan_body
from tests.http.case_helpers import report, resident
from tests.http.conftest import Client, Login, _client

AREAS, TASKS = "/api/v1/areas", "/api/v1/tasks"


def assert_throttled(response: Any, code: str) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == code
    assert response.json()["message"] and response.json()["messageEn"]
    assert 0 < int(response.headers["Retry-After"]) <= 3600


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        login_max_failures_per_user=5,
        login_max_failures_per_address=30,
        area_writes_per_hour=4,
        area_task_steps_per_hour=2,
    )


@pytest.fixture
async def client(
    settings: Settings, demo_database: str, clock: ManualClock
) -> AsyncIterator[Client]:
    async for c in _client(settings, demo_database, clock):
        yield c


async def test_area_writes_of_one_person_are_limited_per_hour(
    client: Client, login: Login, clock: ManualClock
) -> None:
    dispatcher, supervisor = await login("demo-dispatcher"), await login("demo-supervisor")
    citizen = await resident(client)
    case = await report(client, citizen)
    area = await create_area(client, dispatcher)
    linked = await client.post(
        f"{AREAS}/{area['id']}/cases", headers=dispatcher, json={"caseIds": [case["id"]]}
    )
    assert linked.status_code == 200, linked.text
    await move(client, dispatcher, area["id"], "propose")
    plan = plan_body(
        first=await me(client, supervisor),
        direct=await me(client, dispatcher),
        owners=[await me(client, dispatcher)],
        due=clock.now() + timedelta(days=5),
    )
    planned = await client.put(f"{AREAS}/{area['id']}/plan", headers=dispatcher, json=plan)
    assert planned.status_code == 200, planned.text

    refused = await client.post(
        f"{AREAS}/{area['id']}/cases", headers=dispatcher, json={"caseIds": [case["id"]]}
    )
    assert_throttled(refused, "areas.rate_limited")
    meeting = await client.post(
        "/api/v1/area-meetings/",
        headers=dispatcher,
        json={"kind": "judgement", "regionCode": HOME_STREET, "heldOn": "2026-01-01"},
    )
    assert_throttled(meeting, "areas.rate_limited")
    # Another person's writes are their own.
    await move(client, supervisor, area["id"], "flag", level="red")

    clock.advance(hours=1, seconds=1)
    again = await client.post(
        f"{AREAS}/{area['id']}/cases", headers=dispatcher, json={"caseIds": [case["id"]]}
    )
    assert again.status_code == 200, again.text


async def test_task_steps_are_limited_per_hour_and_a_replay_is_not_counted(
    client: Client, login: Login, clock: ManualClock
) -> None:
    dispatcher, supervisor = await login("demo-dispatcher"), await login("demo-supervisor")
    worker = await login("demo-worker")
    area = await create_area(client, dispatcher)
    await move(client, dispatcher, area["id"], "propose")
    plan = plan_body(
        first=await me(client, supervisor),
        direct=await me(client, dispatcher),
        owners=[await me(client, worker)],
        due=clock.now() + timedelta(days=5),
    )
    planned = await client.put(f"{AREAS}/{area['id']}/plan", headers=dispatcher, json=plan)
    assert planned.status_code == 200, planned.text
    flagged = await move(client, supervisor, area["id"], "flag", level="red")
    task_id = flagged["tasks"][0]["id"]

    def step(note: str) -> dict[str, str]:
        return {"clientId": str(uuid.uuid4()), "kind": "progress", "note": note}

    first = step("已约谈摊主")
    sent = await client.post(f"{TASKS}/{task_id}/updates", headers=worker, json=first)
    assert sent.status_code == 201, sent.text
    replayed = await client.post(f"{TASKS}/{task_id}/updates", headers=worker, json=first)
    assert replayed.status_code == 200, replayed.text
    second = await client.post(
        f"{TASKS}/{task_id}/updates", headers=worker, json=step("已清理半数摊点")
    )
    assert second.status_code == 201, second.text

    third = step("摊点已全部清理")
    refused = await client.post(f"{TASKS}/{task_id}/updates", headers=worker, json=third)
    assert_throttled(refused, "areas.task_steps_limited")

    clock.advance(hours=1, seconds=1)
    # The refused step was not stored: sent again, it lands as a new step.
    later = await client.post(f"{TASKS}/{task_id}/updates", headers=worker, json=third)
    assert later.status_code == 201, later.text
