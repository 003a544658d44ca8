"""A key area lies within its region: a drawn outline stays inside the region's own (give or
take a few metres), a region place is the region or one beneath it, and cases are linked to it
by hand only when the caller sees them in their case list."""

from __future__ import annotations

from typing import Any

from shapely.geometry import box, mapping, shape

from backend.places.rules import BORDER_TOLERANCE_M
from backend.regions.routing import METRES_PER_DEGREE
from tests.http.area_helpers import (
    AREAS,
    DISTRICT,
    HOME_STREET,
    OTHER_STREET,
    create_area,
    square,
    street_staff,
)
from tests.http.case_helpers import HOME, report, resident
from tests.http.conftest import Client, Login

# A point in the neighbouring street (北山街道), and a grid of that street.
ELSEWHERE = {"lat": 30.2801, "lng": 120.1420}
OTHER_GRID = "330106001002017"


def refused_outside(body: dict[str, Any]) -> None:
    """Refused with the reason in both languages."""
    assert body["code"] == "areas.outside_region"
    assert "区域" in body["message"]
    assert "region" in body["messageEn"]


async def outline_of(client: Client, headers: dict[str, str], code: str) -> Any:
    response = await client.get(f"/api/v1/regions/{code}", headers=headers)
    assert response.status_code == 200, response.text
    return shape(response.json()["geometry"])


def over_the_border(street: Any, metres: float) -> dict[str, Any]:
    """The street's corner around HOME, drawn `metres` wider all round: over its border."""
    corner = street.intersection(
        box(HOME["lng"] - 0.004, HOME["lat"] - 0.004, HOME["lng"] + 0.004, HOME["lat"] + 0.004)
    )
    drawn: dict[str, Any] = mapping(corner.buffer(metres / METRES_PER_DEGREE))
    return {"type": drawn["type"], "coordinates": _lists(drawn["coordinates"])}


def _lists(value: Any) -> Any:
    return [_lists(v) for v in value] if isinstance(value, (list, tuple)) else value


async def evidence_of(client: Client, headers: dict[str, str], area_id: int) -> set[int]:
    response = await client.get(f"{AREAS}/{area_id}/cases", headers=headers)
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["items"]}


async def test_a_street_dispatcher_cannot_draw_an_area_over_another_street(
    client: Client, login: Login
) -> None:
    citizen = await resident(client)
    await report(client, citizen, **ELSEWHERE)
    street = await street_staff(client, await login("demo-admin"), "xixi-drawer", "dispatcher")

    across = square(ELSEWHERE["lat"], ELSEWHERE["lng"])
    body = await create_area(client, street, grid=None, geometry=across, expect=422)
    refused_outside(body)
    # Half in the street, half in the next one: refused too.
    straddling = square(HOME["lat"], HOME["lng"], half=0.02)
    body = await create_area(client, street, grid=None, geometry=straddling, expect=422)
    refused_outside(body)
    # Nothing was registered, and the other street's case was counted nowhere.
    assert (await client.get(AREAS, headers=street)).json()["items"] == []
    district = await login("demo-dispatcher")
    assert (await client.get(AREAS, headers=district)).json()["items"] == []


async def test_a_region_place_must_be_the_area_s_region_or_lie_beneath_it(
    client: Client, login: Login
) -> None:
    district = await login("demo-dispatcher")

    body = await create_area(client, district, region_code=HOME_STREET, grid=OTHER_GRID, expect=422)
    refused_outside(body)
    body = await create_area(client, district, region_code=HOME_STREET, grid=DISTRICT, expect=422)
    refused_outside(body)

    itself = await create_area(client, district, region_code=OTHER_STREET, grid=OTHER_STREET)
    beneath = await create_area(client, district, region_code=DISTRICT, grid=OTHER_GRID)
    assert (itself["coversRegionCode"], beneath["coversRegionCode"]) == (OTHER_STREET, OTHER_GRID)


async def test_an_outline_a_few_metres_over_the_border_is_taken_and_cut_to_the_region(
    client: Client, login: Login
) -> None:
    street = await street_staff(client, await login("demo-admin"), "xixi-drawer", "dispatcher")
    outline = await outline_of(client, street, HOME_STREET)
    citizen = await resident(client)
    inside = await report(client, citizen)

    too_far = over_the_border(outline, 3 * BORDER_TOLERANCE_M)
    refused_outside(await create_area(client, street, grid=None, geometry=too_far, expect=422))
    near = over_the_border(outline, BORDER_TOLERANCE_M / 2)
    assert not outline.covers(shape(near))

    area = await create_area(client, street, grid=None, geometry=near)

    kept = shape(area["geometry"])
    assert kept.difference(outline.buffer(1e-6)).is_empty
    assert kept.area >= 0.95 * shape(near).area
    assert area["reports30D"] == 1
    assert await evidence_of(client, street, area["id"]) == {inside["id"]}


async def test_cases_are_linked_by_hand_only_when_the_caller_sees_them(
    client: Client, login: Login
) -> None:
    citizen = await resident(client)
    beyond = await report(client, citizen, **ELSEWHERE)
    clue = await report(client, citizen, category="vice_clue", mediaIds=[])
    street = await street_staff(client, await login("demo-admin"), "xixi-linker", "dispatcher")
    # A grid of the home street away from HOME, holding none of these cases by position.
    area = await create_area(
        client,
        street,
        grid=None,
        geometry=square(HOME["lat"] + 0.008, HOME["lng"], 0.001),
        caseIds=[beyond["id"], clue["id"]],
    )
    assert area["reports30D"] == 0

    linked = await client.post(
        f"{AREAS}/{area['id']}/cases",
        headers=street,
        json={"caseIds": [beyond["id"], clue["id"]]},
    )

    assert linked.status_code == 200, linked.text
    assert linked.json()["linked"] == 0
    supervisor = await login("demo-supervisor")
    assert await evidence_of(client, supervisor, area["id"]) == set()
    # A supervisor, who sees clues, brings the clue in as evidence of a new candidate.
    other = await create_area(
        client,
        supervisor,
        name="文鼎苑",
        grid=None,
        geometry=square(HOME["lat"] + 0.004, HOME["lng"], 0.001),
        caseIds=[clue["id"]],
    )
    assert await evidence_of(client, supervisor, other["id"]) == {clue["id"]}
    assert await evidence_of(client, await login("demo-dispatcher"), other["id"]) == set()
