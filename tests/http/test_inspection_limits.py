"""Inspections, moves on findings and ledger exports are limited per staff member and hour: a
runaway client gets a bilingual 429 with the wait, and a replayed inspection or move is not
counted twice."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from backend.clock import ManualClock
from backend.settings import Settings
from tests.http.area_helpers import HOME_GRID
from tests.http.conftest import Client, Login
from tests.http.inspection_helpers import (
    FINDINGS,
    INSPECTIONS,
    file,
    finding,
    inspection_body,
    later,
    move,
    report,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        login_max_failures_per_user=5,
        login_max_failures_per_address=30,
        inspection_writes_per_hour=2,
        findings_exports_per_hour=2,
    )


async def test_a_runaway_inspector_is_throttled_and_replays_are_free(
    client: Client, login: Login, clock: ManualClock
) -> None:
    supervisor, worker = await login("demo-supervisor"), await login("demo-worker")
    due = later(clock.now(), days=2)
    body = inspection_body([finding("路灯损坏", due, responsibleRegionCode=HOME_GRID)], day=due)
    filed = await file(client, supervisor, body)
    for _ in range(3):
        await file(client, supervisor, body, expect=200)
    await file(client, supervisor, inspection_body(body["findings"], day=due))
    throttled = await client.post(
        INSPECTIONS, headers=supervisor, json=inspection_body(body["findings"], day=due)
    )
    assert throttled.status_code == 429, throttled.text
    assert throttled.json()["code"] == "oversight.rate_limited"
    assert throttled.json()["message"] and throttled.json()["messageEn"]
    assert 0 < int(throttled.headers["Retry-After"]) <= 3600

    # The worker's own allowance: a replayed move counts once.
    finding_id = filed["findings"][0]["id"]
    client_id = str(uuid.uuid4())
    await move(client, worker, finding_id, "accept", client_id=client_id)
    await move(client, worker, finding_id, "accept", client_id=client_id, expect=200)
    reported = await report(client, worker, finding_id)
    assert reported["state"] == "reported"

    clock.advance(hours=1, minutes=1)
    supervisor = await login("demo-supervisor")
    await file(client, supervisor, inspection_body(body["findings"], day=due))


async def test_ledger_exports_are_limited_per_person_and_hour(
    client: Client, login: Login, clock: ManualClock
) -> None:
    supervisor, admin = await login("demo-supervisor"), await login("demo-admin")
    export = f"{FINDINGS}/export"
    for _ in range(2):
        assert (await client.get(export, headers=supervisor)).status_code == 200
    throttled = await client.get(export, headers=supervisor)
    assert throttled.status_code == 429, throttled.text
    assert throttled.json()["code"] == "oversight.export_rate_limited"
    assert throttled.json()["message"] and throttled.json()["messageEn"]
    assert 0 < int(throttled.headers["Retry-After"]) <= 3600
    # Another person's allowance is their own.
    assert (await client.get(export, headers=admin)).status_code == 200

    clock.advance(hours=1, minutes=1)
    supervisor = await login("demo-supervisor")
    assert (await client.get(export, headers=supervisor)).status_code == 200
