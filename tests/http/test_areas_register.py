"""The key-area register: candidates on a region or a spot, merging, scope, lifecycle steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.areas import discovery
from backend.clock import ManualClock
from backend.db.pool import connect
from backend.settings import Settings
from tests.http.area_helpers import (
    AREAS,
    DISTRICT,
    HOME_GRID,
    HOME_STREET,
    OTHER_STREET,
    create_area,
    move,
    square,
    street_staff,
)
from tests.http.case_helpers import HOME, photo, report, resident
from tests.http.conftest import Client, Login

# A point in another street (北山街道), far outside the outline drawn around HOME.
ELSEWHERE = {"lat": 30.2801, "lng": 120.1420}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        login_max_failures_per_user=5,
        login_max_failures_per_address=30,
        reports_per_hour=200,
        reports_per_hour_per_address=500,
    )


async def test_a_candidate_on_a_grid_counts_the_cases_routed_into_it(
    client: Client, login: Login, clock: ManualClock
) -> None:
    citizen = await resident(client)
    inside = await report(client, citizen)
    await report(client, citizen, **ELSEWHERE)
    dispatcher = await login("demo-dispatcher")

    area = await create_area(client, dispatcher)

    assert area["state"] == "candidate"
    assert area["coversRegionCode"] == HOME_GRID
    assert area["regionCode"] == HOME_STREET
    assert area["reports30D"] == 1
    assert [e["action"] for e in area["events"]] == ["create"]
    evidence = (await client.get(f"{AREAS}/{area['id']}/cases", headers=dispatcher)).json()
    assert [c["trackingNo"] for c in evidence["items"]] == [inside["trackingNo"]]
    # A case reported later in the grid is the area's evidence too.
    clock.advance(minutes=5)
    later = await report(client, citizen)
    evidence = (await client.get(f"{AREAS}/{area['id']}/cases", headers=dispatcher)).json()
    assert [c["trackingNo"] for c in evidence["items"]] == [
        later["trackingNo"],
        inside["trackingNo"],
    ]


async def test_a_drawn_candidate_counts_the_cases_inside_its_outline(
    client: Client, login: Login
) -> None:
    citizen = await resident(client)
    await report(client, citizen)
    await report(client, citizen, lat=HOME["lat"] + 0.0005, lng=HOME["lng"] - 0.0005)
    await report(client, citizen, **ELSEWHERE)
    dispatcher = await login("demo-dispatcher")

    area = await create_area(client, dispatcher, geometry=square(HOME["lat"], HOME["lng"]))

    assert area["coversRegionCode"] is None
    assert area["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert area["reports30D"] == 2
    lat, lng = area["centroid"]
    assert abs(lat - HOME["lat"]) < 0.001 and abs(lng - HOME["lng"]) < 0.001


async def test_a_second_candidate_for_the_same_place_merges_into_the_first(
    client: Client, login: Login
) -> None:
    citizen = await resident(client)
    elsewhere = await report(client, citizen, **ELSEWHERE)
    dispatcher = await login("demo-dispatcher")
    first = await create_area(client, dispatcher, name="嘉绿苑")

    merged = await create_area(
        client, dispatcher, name="嘉绿苑夜市", expect=200, caseIds=[elsewhere["id"]]
    )

    assert merged["mergedInto"] == first["id"]
    assert merged["id"] == first["id"]
    assert [e["action"] for e in merged["events"]] == ["create", "merge"]
    assert merged["events"][1]["detail"]["name"] == "嘉绿苑夜市"
    # A case of a neighbouring street is not the area's evidence: only cases of its region are.
    assert merged["events"][1]["detail"]["linked"] == 0
    evidence = (await client.get(f"{AREAS}/{first['id']}/cases", headers=dispatcher)).json()
    assert elsewhere["trackingNo"] not in [c["trackingNo"] for c in evidence["items"]]
    page = (await client.get(AREAS, headers=dispatcher)).json()
    assert [a["id"] for a in page["items"]] == [first["id"]]


async def test_a_street_dispatcher_sees_only_the_areas_under_their_street(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    district = await login("demo-dispatcher")
    home = await create_area(client, district, name="嘉绿苑")
    other = await create_area(
        client,
        district,
        name="北山路夜市",
        region_code=OTHER_STREET,
        grid=None,
        geometry=square(ELSEWHERE["lat"], ELSEWHERE["lng"]),
    )
    street = await street_staff(client, admin, "xixi-dispatcher", "dispatcher")

    page = (await client.get(AREAS, headers=street)).json()
    assert [a["id"] for a in page["items"]] == [home["id"]]
    assert (await client.get(f"{AREAS}/{home['id']}", headers=street)).status_code == 200
    for path in ("", "/cases", "/levels"):
        response = await client.get(f"{AREAS}/{other['id']}{path}", headers=street)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["code"] == "areas.not_found"
    refused = await client.post(
        f"{AREAS}/{other['id']}/transitions",
        headers=street,
        json={"action": "propose", "reason": "建议整治"},
    )
    assert refused.status_code == 404
    # Nor can they register a candidate in another street.
    await create_area(
        client,
        street,
        region_code=OTHER_STREET,
        grid=None,
        geometry=square(ELSEWHERE["lat"], ELSEWHERE["lng"]),
        expect=404,
    )
    district_page = (await client.get(AREAS, headers=district)).json()
    assert {a["id"] for a in district_page["items"]} == {home["id"], other["id"]}
    filtered = await client.get(AREAS, headers=district, params={"regionCode": OTHER_STREET})
    assert [a["id"] for a in filtered.json()["items"]] == [other["id"]]


async def test_a_dispatcher_cannot_flag_and_nobody_lists_without_a_plan(
    client: Client, login: Login
) -> None:
    dispatcher = await login("demo-dispatcher")
    supervisor = await login("demo-supervisor")
    area = await create_area(client, dispatcher)
    taken = await photo(client, supervisor, purpose="evidence", seed=3)
    not_theirs = await move(client, dispatcher, area["id"], "propose", expect=422, mediaIds=[taken])
    assert not_theirs["code"] == "areas.bad_photos"
    shot = await photo(client, dispatcher, purpose="evidence", seed=4)
    proposed = await move(client, dispatcher, area["id"], "propose", mediaIds=[shot])
    assert proposed["state"] == "proposed"
    assert len(proposed["events"][-1]["photos"]) == 1

    refused = await move(client, dispatcher, area["id"], "flag", level="red", expect=403)
    assert refused["code"] == "areas.role_forbidden"
    assert refused["message"] and refused["messageEn"]

    no_plan = await move(client, supervisor, area["id"], "list", level="blue", expect=422)
    assert no_plan["code"] == "areas.plan_required"
    assert "一地一策" in no_plan["message"]
    still = (await client.get(f"{AREAS}/{area['id']}", headers=supervisor)).json()
    assert still["state"] == "proposed"
    assert [e["action"] for e in still["events"]] == ["create", "propose"]
    # A step the lifecycle does not have from here is refused with its reason too.
    wrong = await move(client, supervisor, area["id"], "propose", expect=422)
    assert wrong["code"] == "areas.not_allowed"


async def test_the_registers_first_page_holds_thirty_areas_newest_change_first(
    client: Client, login: Login, clock: ManualClock
) -> None:
    dispatcher = await login("demo-dispatcher")
    created = []
    for i in range(30):
        clock.advance(minutes=1)
        # Thirty spots apart from each other, all inside the district.
        lat = HOME["lat"] - 0.016 + (i // 6) * 0.006
        lng = HOME["lng"] - 0.03 + (i % 6) * 0.009
        area = await create_area(
            client,
            dispatcher,
            name=f"重点地区 {i}",
            region_code=DISTRICT,
            grid=None,
            geometry=square(lat, lng, half=0.002),
        )
        created.append(area["id"])

    page = (await client.get(AREAS, headers=dispatcher)).json()

    assert [a["id"] for a in page["items"]] == created[::-1]
    assert page["next"] is None
    first = page["items"][0]
    assert first["progress"] == {"tasks": 0, "done": 0, "overdue": 0, "dutiesOverdue": 0}
    assert first["state"] == "candidate" and first["reports30D"] == 0
    for params, count in (
        ({"state": "proposed"}, 0),
        ({"state": "candidate", "type": "back_street"}, 30),
        ({"type": "market"}, 0),
        ({"level": "red"}, 0),
    ):
        found = await client.get(AREAS, headers=dispatcher, params=params)
        assert len(found.json()["items"]) == count, params


async def discover(dsn: str, settings: Settings, clock: ManualClock) -> int:
    conn = await connect(dsn)
    try:
        return await discovery.discover(conn, settings=settings, now=clock.now())
    finally:
        await conn.close()


async def test_a_grid_turning_red_is_proposed_with_its_cases(
    client: Client, login: Login, clock: ManualClock, settings: Settings, demo_database: str
) -> None:
    assert await discover(demo_database, settings, clock) == 0
    clock.advance(days=1)
    citizen = await resident(client)
    made = [await report(client, citizen) for _ in range(4)]

    assert await discover(demo_database, settings, clock) == 1
    assert await discover(demo_database, settings, clock) == 0

    dispatcher = await login("demo-dispatcher")
    page = (await client.get(AREAS, headers=dispatcher)).json()
    assert len(page["items"]) == 1
    area = (await client.get(f"{AREAS}/{page['items'][0]['id']}", headers=dispatcher)).json()
    assert (area["state"], area["source"]) == ("proposed", "level")
    assert (area["coversRegionCode"], area["regionCode"]) == (HOME_GRID, HOME_STREET)
    assert area["name"] == area["coversRegionName"]
    assert area["reports30D"] == 4
    assert [(e["action"], e["actorRole"]) for e in area["events"]] == [
        ("create", "system"),
        ("propose", "system"),
    ]
    evidence = (await client.get(f"{AREAS}/{area['id']}/cases", headers=dispatcher)).json()
    assert {c["id"] for c in evidence["items"]} == {m["id"] for m in made}


async def test_a_grid_turning_red_under_an_area_adds_to_that_area(
    client: Client, login: Login, clock: ManualClock, settings: Settings, demo_database: str
) -> None:
    dispatcher = await login("demo-dispatcher")
    assert await discover(demo_database, settings, clock) == 0
    first = await create_area(client, dispatcher)
    clock.advance(days=1)
    citizen = await resident(client)
    for _ in range(4):
        await report(client, citizen)

    assert await discover(demo_database, settings, clock) == 1

    dispatcher = await login("demo-dispatcher")
    page = (await client.get(AREAS, headers=dispatcher)).json()
    assert [a["id"] for a in page["items"]] == [first["id"]]
    area = (await client.get(f"{AREAS}/{first['id']}", headers=dispatcher)).json()
    assert [e["action"] for e in area["events"]] == ["create", "merge"]
    assert area["events"][1]["detail"]["after"] == "red"
    assert area["reports30D"] == 4
    levels = (await client.get(f"{AREAS}/{first['id']}/levels", headers=dispatcher)).json()
    assert levels == [{"day": clock.now().date().isoformat(), "alert": "red", "reports": 4}]


async def test_a_candidate_after_a_dismissal_starts_afresh(client: Client, login: Login) -> None:
    dispatcher = await login("demo-dispatcher")
    first = await create_area(client, dispatcher)
    await move(client, dispatcher, first["id"], "dismiss")

    second = await create_area(client, dispatcher, name="嘉绿苑再排查")
    third = await create_area(client, dispatcher, name="嘉绿苑夜市", expect=200)

    assert second["id"] != first["id"] and second["state"] == "candidate"
    assert third["mergedInto"] == second["id"]


async def test_department_staff_are_sent_to_their_tasks_from_every_area_page(
    client: Client, login: Login
) -> None:
    area = await create_area(client, await login("demo-dispatcher"))
    department = await login("demo-department")

    pages = (
        f"{AREAS}/",
        f"{AREAS}/{area['id']}",
        f"{AREAS}/{area['id']}/figures",
        f"{AREAS}/{area['id']}/duties",
        f"{AREAS}/{area['id']}/acceptance",
        "/api/v1/area-meetings/",
        "/api/v1/area-figures/",
    )
    for page in pages:
        refused = await client.get(page, headers=department)
        assert refused.status_code == 403, page
        body = refused.json()
        assert body["code"] == "areas.staff_only", page
        assert body["message"] and body["messageEn"]
    steps = await client.post(
        f"{AREAS}/{area['id']}/transitions",
        headers=department,
        json={"action": "propose", "reason": "x"},
    )
    assert steps.json()["code"] == "areas.staff_only"
    assert (await client.get("/api/v1/tasks/mine", headers=department)).status_code == 200
    citizen = await resident(client)
    assert (await client.get(f"{AREAS}/", headers=citizen)).json()["code"] == "auth.forbidden"


async def test_a_candidate_found_by_a_patrol_says_so_and_the_system_source_is_not_a_callers(
    client: Client, login: Login
) -> None:
    dispatcher = await login("demo-dispatcher")

    area = await create_area(client, dispatcher, source="patrol")

    assert area["source"] == "patrol"
    # Only the daily level check proposes as the system ('level'); a caller cannot claim it.
    refused = await client.post(
        AREAS,
        headers=dispatcher,
        json={
            "name": "另一处",
            "areaType": "market",
            "regionCode": HOME_STREET,
            "place": {"regionCode": HOME_GRID},
            "source": "level",
        },
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "request.invalid"
