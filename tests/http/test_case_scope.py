"""Authorisation that cannot leak: out of scope is 404 for every list, case and move."""

from __future__ import annotations

import asyncpg
import pytest

from tests.http.case_helpers import case, report, resident, staff
from tests.http.conftest import Client, Login

ACTIONS = {
    "dispatch": {"version": 1},
    "accept": {"version": 1},
    "return": {"version": 1, "note": "x"},
    "transfer": {"version": 1, "target": {"regionCode": "330106"}},
    "escalate": {"version": 1},
    "verify": {"version": 1, "passed": True},
    "reject": {"version": 1, "reason": "other"},
    "merge": {"version": 1, "masterId": 1},
    "extension": {"version": 1, "minutes": 10, "reason": "need time"},
    "extension/decision": {"version": 1, "approve": True},
    "comments": {"note": "hello"},
    "reveal": {"reason": "just looking"},
}


@pytest.fixture
async def admin(login: Login) -> dict[str, str]:
    return await login("demo-admin")


async def streets(dsn: str) -> tuple[str, str, str]:
    """The street of the demo point, another street, and a grid of that other street."""
    conn = await asyncpg.connect(dsn)
    try:
        other = await conn.fetchrow(
            "SELECT code, path FROM regions WHERE level = 'street' AND code <> '330106002' "
            "ORDER BY code LIMIT 1"
        )
        grid = await conn.fetchval(
            "SELECT code FROM regions WHERE level = 'grid' AND path LIKE $1 || '%' "
            "ORDER BY code LIMIT 1",
            other["path"],
        )
    finally:
        await conn.close()
    return "330106002", other["code"], grid


async def assert_invisible(client: Client, headers: dict[str, str], case_id: int) -> None:
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).status_code == 404
    listed = (await client.get("/api/v1/cases/", headers=headers)).json()
    assert case_id not in [item["id"] for item in listed["items"]]
    tasks = await client.get("/api/v1/me/tasks/", headers=headers)
    if tasks.status_code == 200:
        assert case_id not in [item["id"] for item in tasks.json()]
    for action, body in ACTIONS.items():
        response = await client.post(
            f"/api/v1/cases/{case_id}/{action}", headers=headers, json=body
        )
        assert response.status_code in {403, 404}, (action, response.status_code)
        if response.status_code == 403:  # the role may never do this: no existence revealed either
            assert response.json()["code"] in {
                "cases.role_forbidden",
                "cases.reveal_forbidden",
                "auth.forbidden",
            }


async def test_other_streets_and_grids_do_not_exist_for_you(
    client: Client, admin: dict[str, str], demo_database: str
) -> None:
    home_street, other_street, other_grid = await streets(demo_database)
    made = await report(client, await resident(client))
    for username, role, scope in [
        ("other-street", "dispatcher", other_street),
        ("other-grid", "worker", other_grid),
        ("other-supervisor", "supervisor", other_street),
    ]:
        headers = await staff(client, admin, username, role, regionCode=scope)
        await assert_invisible(client, headers, made["id"])
        counts = (await client.get("/api/v1/cases/", headers=headers)).json()["counts"]
        assert sum(counts.values()) == 0
    home = await staff(client, admin, "home-street", "dispatcher", regionCode=home_street)
    assert (await case(client, home, made["id"]))["id"] == made["id"]
    assert (await client.get("/api/v1/cases/", headers=home)).json()["counts"] == {"dispatched": 1}


async def test_departments_see_only_their_own_cases(client: Client, login: Login) -> None:
    reporter = await resident(client)
    vending = await report(client, reporter, category="street_vending")
    litter = await report(client, reporter)
    department = await login("demo-department")
    seen = await case(client, department, vending["id"])
    assert seen["department"]["code"] == "330106-cg"
    assert "accept" in seen["allowedActions"]
    await assert_invisible(client, department, litter["id"])


async def test_confidential_cases_are_seen_only_by_those_who_handle_them(
    client: Client, login: Login
) -> None:
    clue = await report(client, await resident(client), category="vice_clue", mediaIds=[])
    for username in ("demo-dispatcher", "demo-worker", "demo-department"):
        await assert_invisible(client, await login(username), clue["id"])
    supervisor = await login("demo-supervisor")
    seen = await case(client, supervisor, clue["id"])
    assert seen["confidential"] is True
    assert seen["department"]["code"] == "330106-ga"


async def test_list_filters_and_cursor_stay_in_scope(client: Client, login: Login) -> None:
    reporter = await resident(client)
    made = [await report(client, reporter, lat=30.2741 + i * 1e-5) for i in range(3)]
    dispatcher = await login("demo-dispatcher")
    page = (
        await client.get(
            "/api/v1/cases/",
            headers=dispatcher,
            params={"status": "dispatched", "category": "sanitation"},
        )
    ).json()
    assert [item["id"] for item in page["items"]] == [c["id"] for c in made]
    assert page["counts"] == {"dispatched": 3}
    found = (
        await client.get("/api/v1/cases/", headers=dispatcher, params={"q": made[1]["trackingNo"]})
    ).json()
    assert [item["id"] for item in found["items"]] == [made[1]["id"]]
    bad = await client.get("/api/v1/cases/", headers=dispatcher, params={"status": "lost"})
    assert bad.status_code == 422
    garbage = await client.get("/api/v1/cases/", headers=dispatcher, params={"cursor": "!!"})
    assert garbage.status_code == 422


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"category": "DROP TABLE"}, 400, "request.invalid"),
        ({"region": "../330106"}, 400, "request.invalid"),
        ({"status": "done"}, 422, "cases.bad_status"),
        ({"region": "999999"}, 422, "cases.unknown_region"),
    ],
)
async def test_the_queue_refuses_bad_filters_in_both_languages(
    client: Client, login: Login, params: dict[str, str], status: int, code: str
) -> None:
    response = await client.get(
        "/api/v1/cases/", headers=await login("demo-dispatcher"), params=params
    )
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["message"] and body["messageEn"]
