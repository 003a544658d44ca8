"""A key area's acceptance survey cannot be stuffed: devices made for the purpose, sending the
area's position, are not counted; one network gives a few answers at most; residents who
reported there answer as ever. The survey names no area, and asking for the surveys offered
(which sweeps positions) is limited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backend.clock import ManualClock
from backend.settings import Settings
from tests.http.area_followup_helpers import governed_area
from tests.http.case_helpers import HOME, report, resident
from tests.http.conftest import Client, Login
from tests.http.test_area_followup import begin_acceptance

AREA_NAME = "城东治安乱点"
SATISFIED = {"satisfaction": "satisfied", "safety": 5}


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The app's settings; a test changes some of them by parametrising this fixture."""
    changes: dict[str, Any] = getattr(request, "param", {})
    return Settings(
        data_dir=tmp_path,
        login_max_failures_per_user=5,
        login_max_failures_per_address=30,
        **changes,
    )


async def offers(client: Client, headers: dict[str, str], **point: float) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/surveys/offered", headers=headers, params=point)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def answer(
    client: Client, headers: dict[str, str], survey_id: int, **point: float
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/surveys/{survey_id}/answers",
        headers=headers,
        json={"answers": SATISFIED, **point},
    )
    body: dict[str, Any] = response.json()
    body["status"] = response.status_code
    return body


async def acceptance_of(client: Client, login: Login, area_id: int) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/areas/{area_id}/acceptance", headers=await login("demo-supervisor")
    )
    assert response.status_code == 200, response.text
    round_: dict[str, Any] = response.json()
    return round_


async def test_fresh_devices_at_the_area_cannot_lift_its_flag(
    client: Client, login: Login, demo_database: str, settings: Settings, clock: ManualClock
) -> None:
    area_id = await governed_area(demo_database, now=clock.now(), name=AREA_NAME)
    clock.advance(minutes=5)
    await begin_acceptance(demo_database, area_id, settings=settings, clock=clock)
    survey_id = (await acceptance_of(client, login, area_id))["surveyId"]
    for _ in range(settings.area_acceptance_min_answers):
        device = await resident(client)  # made after the survey opened, no report anywhere
        assert await offers(client, device, **HOME) == []
        refused = await answer(client, device, survey_id, **HOME)
        assert (refused["status"], refused["code"]) == (404, "surveys.not_found")
        assert refused["message"] and refused["messageEn"]
    measured = (await acceptance_of(client, login, area_id))["measure"]
    assert (measured["surveyAnswered"], measured["surveySatisfied"]) == (0, 0)
    decided = await client.post(
        f"/api/v1/areas/{area_id}/acceptance/decision",
        headers=await login("demo-supervisor"),
        json={"note": "验收"},
    )
    assert decided.status_code == 409, decided.text  # too few answers to decide anything


async def test_one_network_gives_its_share_and_reporters_still_answer(
    client: Client, login: Login, demo_database: str, settings: Settings, clock: ManualClock
) -> None:
    reporter = await resident(client)
    await report(client, reporter)  # on the area's grid before it was governed
    area_id = await governed_area(demo_database, now=clock.now(), name=AREA_NAME)
    share = settings.survey_answers_per_address_per_survey
    neighbours = [await resident(client) for _ in range(share + 2)]
    clock.advance(minutes=5)
    await begin_acceptance(demo_database, area_id, settings=settings, clock=clock)
    survey_id = (await acceptance_of(client, login, area_id))["surveyId"]
    for device in neighbours[:share]:
        assert [o["id"] for o in await offers(client, device, **HOME)] == [survey_id]
        assert (await answer(client, device, survey_id, **HOME))["status"] == 201
    for device in neighbours[share:]:
        refused = await answer(client, device, survey_id, **HOME)
        assert (refused["status"], refused["code"]) == (429, "surveys.address_share_used")
        assert refused["message"] and refused["messageEn"]
    # A resident who reported in the place answers from the same network, with no position.
    assert [o["id"] for o in await offers(client, reporter)] == [survey_id]
    assert (await answer(client, reporter, survey_id))["status"] == 201
    measured = (await acceptance_of(client, login, area_id))["measure"]
    assert (measured["surveyAnswered"], measured["surveySatisfied"]) == (share + 1, share + 1)


async def test_the_acceptance_survey_names_no_area(
    client: Client, login: Login, demo_database: str, settings: Settings, clock: ManualClock
) -> None:
    device = await resident(client)
    area_id = await governed_area(demo_database, now=clock.now(), name=AREA_NAME)
    clock.advance(minutes=5)
    await begin_acceptance(demo_database, area_id, settings=settings, clock=clock)
    (offer,) = await offers(client, device, **HOME)
    assert (offer["purpose"], offer["title"], offer["titleEn"]) == (
        "acceptance",
        "您所在区域治理满意度调查",
        "How satisfied are you with the work done where you live?",
    )
    assert AREA_NAME not in offer["title"] and str(area_id) not in offer["titleEn"]


@pytest.mark.parametrize(
    "settings",
    [{"survey_offers_per_hour": 2, "survey_offers_per_hour_per_address": 3}],
    indirect=True,
)
async def test_asking_for_surveys_is_limited_per_device_and_per_network(
    client: Client, clock: ManualClock
) -> None:
    a, b = await resident(client), await resident(client)
    for _ in range(2):
        await offers(client, a, **HOME)
    refused = await client.get("/api/v1/surveys/offered", headers=a, params=HOME)
    assert refused.status_code == 429, refused.text
    assert refused.json()["code"] == "surveys.offers_rate_limited"
    assert "device" in refused.json()["messageEn"] and refused.json()["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    await offers(client, b, **HOME)
    refused = await client.get("/api/v1/surveys/offered", headers=b, params=HOME)
    assert refused.status_code == 429, refused.text
    assert "network" in refused.json()["messageEn"]
    clock.advance(hours=1)
    assert await offers(client, a, **HOME) == []
