"""A key area's evidence and its mark on case lists stay within the area's own region: a case
of a neighbouring street is never linked to it by hand, and never shows it."""

from __future__ import annotations

from backend.clock import ManualClock
from backend.db.pool import connect
from tests.http.area_followup_helpers import governed_area
from tests.http.area_helpers import OTHER_STREET
from tests.http.case_helpers import report, resident, staff
from tests.http.conftest import Client, Login

# A spot in the neighbouring street, outside the home street where the area lies.
ELSEWHERE = {"lat": 30.2801, "lng": 120.1420}
NAME = "城东治安乱点"


async def neighbour_dispatcher(client: Client, login: Login) -> dict[str, str]:
    admin = await login("demo-admin")
    return await staff(
        client, admin, "lj-sun", "dispatcher", regionCode=OTHER_STREET, displayName="邻街调度孙"
    )


async def key_areas_in_queue(client: Client, headers: dict[str, str]) -> dict[int, object]:
    queue = await client.get("/api/v1/cases/", headers=headers)
    assert queue.status_code == 200, queue.text
    return {case["id"]: case.get("keyArea") for case in queue.json()["items"]}


async def test_a_district_supervisor_cannot_link_a_neighbouring_streets_case_to_an_area(
    client: Client, login: Login, demo_database: str, clock: ManualClock
) -> None:
    area_id = await governed_area(demo_database, now=clock.now(), name=NAME)
    citizen = await resident(client)
    far = await report(client, citizen, lat=ELSEWHERE["lat"], lng=ELSEWHERE["lng"])
    neighbour = await neighbour_dispatcher(client, login)
    assert far["id"] in await key_areas_in_queue(client, neighbour)
    supervisor = await login("demo-supervisor")

    linked = await client.post(
        f"/api/v1/areas/{area_id}/cases", headers=supervisor, json={"caseIds": [far["id"]]}
    )

    assert linked.status_code == 200, linked.text
    assert linked.json() == {"linked": 0}
    evidence = await client.get(f"/api/v1/areas/{area_id}/cases", headers=supervisor)
    assert far["id"] not in [case["id"] for case in evidence.json()["items"]]
    assert (await key_areas_in_queue(client, neighbour))[far["id"]] is None


async def test_a_case_of_another_street_placed_in_an_area_does_not_show_the_area(
    client: Client, login: Login, demo_database: str, clock: ManualClock
) -> None:
    area_id = await governed_area(demo_database, now=clock.now(), name=NAME)
    citizen = await resident(client)
    far = await report(client, citizen, lat=ELSEWHERE["lat"], lng=ELSEWHERE["lng"])
    # A link written before hand links were held to the area's region.
    conn = await connect(demo_database)
    try:
        await conn.execute(
            "INSERT INTO case_places (place_id, case_id, case_created_at, how) "
            "SELECT k.place_id, c.id, c.created_at, 'hand' FROM key_areas k, cases c "
            "WHERE k.id = $1 AND c.id = $2",
            area_id,
            far["id"],
        )
    finally:
        await conn.close()
    neighbour = await neighbour_dispatcher(client, login)

    assert (await key_areas_in_queue(client, neighbour))[far["id"]] is None
