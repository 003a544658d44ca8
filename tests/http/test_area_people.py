"""The choices of an area's forms: staff to name on its plan, its units, and the place that
selected cases propose."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.settings import Settings
from tests.http.area_helpers import (
    AREAS,
    DISTRICT,
    HOME_GRID,
    HOME_STREET,
    OTHER_STREET,
    create_area,
)
from tests.http.case_helpers import report, resident, staff
from tests.http.conftest import Client, Login

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


async def named(
    client: Client, admin: dict[str, str], username: str, name: str, role: str, region: str
) -> dict[str, str]:
    return await staff(client, admin, username, role, regionCode=region, displayName=name)


async def test_the_plan_names_staff_of_the_area_street_district_and_departments_only(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    await resident(client, nickname="网格居民", phone="13800000000")
    street_dispatcher = await named(
        client, admin, "jd-wang", "街道调度王", "dispatcher", HOME_STREET
    )
    await named(client, admin, "wg-li", "网格员李", "worker", HOME_GRID)
    await named(client, admin, "lj-zhao", "邻街网格员赵", "worker", OTHER_STREET)
    area = await create_area(client, street_dispatcher)

    response = await client.get(f"{AREAS}/{area['id']}/people", headers=street_dispatcher)

    assert response.status_code == 200, response.text
    people = {p["displayName"]: p for p in response.json()["items"]}
    assert {"街道调度王", "网格员李", "演示督办员", "演示城管队员", "演示管理员"} <= set(people)
    assert "邻街网格员赵" not in people
    assert "网格居民" not in response.text and "13800000000" not in response.text
    assert all(p["role"] != "resident" for p in people.values())
    assert "username" not in response.text and "phone" not in response.text
    assert people["演示城管队员"]["departmentName"] == "西湖区城市管理局"
    assert people["网格员李"]["role"] == "worker" and people["网格员李"]["regionName"]

    narrowed = await client.get(
        f"{AREAS}/{area['id']}/people", headers=street_dispatcher, params={"q": "网格"}
    )
    assert [p["displayName"] for p in narrowed.json()["items"]] == ["网格员李"]
    supervisors = await client.get(
        f"{AREAS}/{area['id']}/people", headers=street_dispatcher, params={"role": "supervisor"}
    )
    assert {p["role"] for p in supervisors.json()["items"]} == {"supervisor"}
    wildcard = await client.get(
        f"{AREAS}/{area['id']}/people", headers=street_dispatcher, params={"q": "%"}
    )
    assert wildcard.json()["items"] == []

    units = (await client.get(f"{AREAS}/{area['id']}/units", headers=street_dispatcher)).json()
    codes = {r["code"] for r in units["regions"]}
    assert {DISTRICT, HOME_STREET, HOME_GRID} <= codes
    assert OTHER_STREET not in codes
    assert "330106-cg" in {d["code"] for d in units["departments"]}


async def test_staff_outside_the_area_scope_get_no_names(client: Client, login: Login) -> None:
    admin = await login("demo-admin")
    dispatcher = await login("demo-dispatcher")
    area = await create_area(client, dispatcher)
    neighbour = await named(client, admin, "lj-sun", "邻街调度孙", "dispatcher", OTHER_STREET)
    worker = await login("demo-worker")

    for path in ("people", "units"):
        outside = await client.get(f"{AREAS}/{area['id']}/{path}", headers=neighbour)
        assert outside.status_code == 404, outside.text
        assert outside.json()["message"] and outside.json()["messageEn"]
        assert (await client.get(f"{AREAS}/{area['id']}/{path}", headers=worker)).status_code == 403
    missing = await client.get(f"{AREAS}/999999/people", headers=dispatcher)
    assert missing.status_code == 404


async def test_selected_cases_propose_their_street_with_the_cases_linked(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    citizen = await resident(client)
    first = await report(client, citizen)
    second = await report(client, citizen)
    elsewhere = await report(client, citizen, lat=ELSEWHERE["lat"], lng=ELSEWHERE["lng"])
    street_dispatcher = await named(
        client, admin, "jd-zhou", "街道调度周", "dispatcher", HOME_STREET
    )

    response = await client.get(
        f"{AREAS}/proposal",
        headers=street_dispatcher,
        params={"caseIds": [first["id"], second["id"], elsewhere["id"]]},
    )

    assert response.status_code == 200, response.text
    proposal = response.json()
    # The case in another street is not this dispatcher's to link.
    assert proposal["caseIds"] == [first["id"], second["id"]]
    assert proposal["regionCode"] == HOME_STREET
    assert proposal["placeCode"] == HOME_GRID
    area = await create_area(
        client,
        street_dispatcher,
        region_code=proposal["regionCode"],
        grid=proposal["placeCode"],
        caseIds=proposal["caseIds"],
    )
    evidence = (await client.get(f"{AREAS}/{area['id']}/cases", headers=street_dispatcher)).json()
    assert {c["id"] for c in evidence["items"]} == {first["id"], second["id"]}

    # A district dispatcher selecting cases of two streets is offered their common district.
    dispatcher = await login("demo-dispatcher")
    wide = await client.get(
        f"{AREAS}/proposal",
        headers=dispatcher,
        params={"caseIds": [first["id"], elsewhere["id"]]},
    )
    assert wide.json()["regionCode"] == DISTRICT
    none = await client.get(
        f"{AREAS}/proposal", headers=street_dispatcher, params={"caseIds": [elsewhere["id"]]}
    )
    assert none.status_code == 404
