"""挂牌督办 over HTTP: flag a region, see it on its cases, lift it by the bar or by override."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from backend.clock import ManualClock
from tests.http.case_helpers import case, move, photo, report, resident, staff
from tests.http.conftest import Client, Login

HOME_GRID, HOME_STREET, DISTRICT = "330106002003010", "330106002", "330106"
OTHER_STREET = "330106001"
FLAG = {"reason": "乱堆乱放反复出现，限期整改", "deadline": "2026-12-31"}


@pytest.fixture
async def admin(login: Login) -> dict[str, str]:
    return await login("demo-admin")


@pytest.fixture
async def supervisor(login: Login) -> dict[str, str]:
    return await login("demo-supervisor")


async def flag(
    client: Client, headers: dict[str, str], code: str, expect: int = 201, **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/regions/{code}/flags", headers=headers, json={**FLAG, **body}
    )
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def lift(
    client: Client, headers: dict[str, str], flag_id: int, expect: int = 200, **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/flags/{flag_id}/lift", headers=headers, json={"reason": "整改到位", **body}
    )
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def rated_case(client: Client, login: Login, score: int) -> dict[str, Any]:
    """A report at the demo point taken round the whole loop and rated by its reporter."""
    reporter = await resident(client)
    made = await report(client, reporter)
    worker, dispatcher = await login("demo-worker"), await login("demo-dispatcher")
    await move(client, worker, made["id"], "accept")
    after = await photo(client, worker, purpose="resolution", seed=score)
    await move(client, worker, made["id"], "resolve", note="已处置", mediaIds=[after])
    await move(client, dispatcher, made["id"], "verify", passed=True)
    rated = await client.post(
        f"/api/v1/reports/{made['id']}/rating", headers=reporter, json={"score": score}
    )
    assert rated.status_code == 200, rated.text
    return made


async def test_a_flag_shows_on_every_case_and_list_beneath_it(
    client: Client, login: Login, supervisor: dict[str, str], admin: dict[str, str]
) -> None:
    inside = await report(client, await resident(client))
    raised = await flag(client, supervisor, HOME_STREET)
    assert raised["regionCode"] == HOME_STREET
    assert (raised["reason"], raised["deadline"]) == (FLAG["reason"], FLAG["deadline"])
    assert (raised["active"], raised["overdue"], raised["liftedAt"]) == (True, False, None)
    assert raised["flaggedAt"].startswith("2026-11-23T08:00:00")
    expected = {k: raised[k] for k in ("id", "regionCode", "regionName", "reason", "deadline")}
    expected["flaggedAt"] = raised["flaggedAt"]
    dispatcher, worker = await login("demo-dispatcher"), await login("demo-worker")
    assert (await case(client, dispatcher, inside["id"]))["flag"] == expected
    queue = (await client.get("/api/v1/cases/", headers=dispatcher)).json()["items"]
    assert [item["flag"] for item in queue if item["id"] == inside["id"]] == [expected]
    tasks = (await client.get("/api/v1/me/tasks/", headers=worker)).json()
    assert [task["flag"] for task in tasks] == [expected]
    street = await staff(client, admin, "home-street", "dispatcher", regionCode=HOME_STREET)
    assert (await case(client, street, inside["id"]))["flag"] == expected
    grids = (await client.get("/api/v1/stats/hotspots", headers=street)).json()
    assert all(g["flag"] == expected for g in grids)
    # A district flag is overruled on this street's cases by the nearer street flag.
    await flag(client, supervisor, DISTRICT)
    assert (await case(client, dispatcher, inside["id"]))["flag"]["regionCode"] == HOME_STREET


async def test_cases_elsewhere_carry_no_flag(
    client: Client, login: Login, supervisor: dict[str, str]
) -> None:
    made = await report(client, await resident(client))
    await flag(client, supervisor, OTHER_STREET)
    dispatcher = await login("demo-dispatcher")
    assert (await case(client, dispatcher, made["id"]))["flag"] is None
    queue = (await client.get("/api/v1/cases/", headers=dispatcher)).json()["items"]
    assert [item["flag"] for item in queue] == [None]


async def test_only_supervisors_raise_and_lift_flags(
    client: Client, login: Login, supervisor: dict[str, str]
) -> None:
    raised = await flag(client, supervisor, HOME_GRID)
    for username in ("demo-dispatcher", "demo-worker", "demo-department"):
        headers = await login(username)
        refused = await flag(client, headers, HOME_STREET, expect=403)
        assert refused["code"] == "auth.forbidden"
        assert refused["message"] and refused["messageEn"]
        await lift(client, headers, raised["id"], expect=403, override=True)
    assert (await client.post(f"/api/v1/regions/{HOME_STREET}/flags", json=FLAG)).status_code == 401
    history = (await client.get(f"/api/v1/regions/{HOME_GRID}/flags", headers=supervisor)).json()
    assert [(h["id"], h["active"]) for h in history] == [(raised["id"], True)]


async def test_scope_a_street_supervisor_acts_only_on_their_street(
    client: Client, admin: dict[str, str], supervisor: dict[str, str]
) -> None:
    home = await flag(client, supervisor, HOME_GRID)
    other = await staff(client, admin, "other-supervisor", "supervisor", regionCode=OTHER_STREET)
    for code in (HOME_STREET, HOME_GRID, DISTRICT):
        hidden = await flag(client, other, code, expect=404)
        assert hidden["code"] == "regions.not_found"
        history = await client.get(f"/api/v1/regions/{code}/flags", headers=other)
        assert history.status_code == 404
    await lift(client, other, home["id"], expect=404, override=True)
    assert (await client.get(f"/api/v1/flags/{home['id']}", headers=other)).status_code == 404
    assert (await client.get("/api/v1/flags/", headers=other)).json() == []
    own = await flag(client, other, OTHER_STREET)
    listed = (await client.get("/api/v1/flags/", headers=other)).json()
    assert [f["id"] for f in listed] == [own["id"]]
    everything = (await client.get("/api/v1/flags/", headers=supervisor)).json()
    assert {f["id"] for f in everything} == {own["id"], home["id"]}


async def test_lifting_is_refused_until_the_exit_bar_is_met(
    client: Client, login: Login, supervisor: dict[str, str]
) -> None:
    raised = await flag(client, supervisor, HOME_GRID)
    refused = await lift(client, supervisor, raised["id"], expect=409)
    assert refused["code"] == "flags.exit_bar_unmet"
    assert list(refused["fields"]) == ["ratings"]
    assert "未达到摘牌条件" in refused["message"] and "0 件" in refused["message"]
    assert "exit bar is not met" in refused["messageEn"]
    measured = (await client.get(f"/api/v1/flags/{raised['id']}", headers=supervisor)).json()
    assert measured["exitBar"] == {
        "met": False,
        "rated": 0,
        "satisfied": 0,
        "satisfaction": None,
        "requiredSatisfaction": 0.9,
        "minRated": 1,
        "level": "none",
        "worstAllowedLevel": "yellow",
        "unmet": ["ratings"],
    }
    await rated_case(client, login, 5)
    measured = (await client.get(f"/api/v1/flags/{raised['id']}", headers=supervisor)).json()
    assert (measured["exitBar"]["met"], measured["exitBar"]["satisfaction"]) == (True, 1.0)
    lifted = await lift(client, supervisor, raised["id"])
    assert (lifted["active"], lifted["liftPath"], lifted["liftReason"]) == (
        False,
        "exit_bar",
        "整改到位",
    )
    assert lifted["exitBar"]["rated"] == 1
    again = await lift(client, supervisor, raised["id"], expect=409)
    assert again["code"] == "flags.already_lifted"
    dispatcher = await login("demo-dispatcher")
    queue = await client.get("/api/v1/cases/", headers=dispatcher, params={"status": "rated"})
    assert [item["flag"] for item in queue.json()["items"]] == [None]


async def test_an_unhappy_rating_and_a_red_grid_keep_the_flag(
    client: Client, login: Login, supervisor: dict[str, str]
) -> None:
    raised = await flag(client, supervisor, HOME_GRID)
    await rated_case(client, login, 2)
    reporter = await resident(client)
    for _ in range(2):
        await report(client, reporter, category="dispute", mediaIds=[])
    refused = await lift(client, supervisor, raised["id"], expect=409)
    # One satisfied of one rated would pass; a 2 of 5 is 0 %. Three reports make the grid red.
    assert set(refused["fields"]) == {"satisfaction", "level"}
    assert "0/1 = 0.0%" in refused["messageEn"] and "hotspot level is red" in refused["messageEn"]
    assert "满意率 0/1" in refused["message"] and "红色" in refused["message"]


async def test_a_supervisor_may_lift_with_a_written_reason_and_the_history_says_so(
    client: Client, supervisor: dict[str, str], clock: ManualClock, demo_database: str
) -> None:
    first = await flag(client, supervisor, HOME_GRID)
    await flag(client, supervisor, HOME_GRID, expect=409)
    lifted = await lift(
        client, supervisor, first["id"], override=True, reason="区里统一部署专项整治，先行摘牌"
    )
    assert (lifted["liftPath"], lifted["exitBar"]["met"]) == ("override", False)
    clock.advance(hours=2)
    second = await flag(client, supervisor, HOME_GRID, deadline="2026-11-23")
    history = (await client.get(f"/api/v1/regions/{HOME_GRID}/flags", headers=supervisor)).json()
    assert [(h["id"], h["active"], h["liftPath"]) for h in history] == [
        (second["id"], True, None),
        (first["id"], False, "override"),
    ]
    assert history[1]["liftReason"] == "区里统一部署专项整治，先行摘牌"
    assert history[1]["exitBar"]["unmet"] == ["ratings"]
    conn = await asyncpg.connect(demo_database)
    try:
        audited = await conn.fetch(
            "SELECT action, subject_id, detail FROM audit_log "
            "WHERE subject_type = 'region_flag' ORDER BY id"
        )
    finally:
        await conn.close()
    assert [(a["action"], int(a["subject_id"])) for a in audited] == [
        ("flags.raise", first["id"]),
        ("flags.lift", first["id"]),
        ("flags.raise", second["id"]),
    ]
    assert json.loads(audited[1]["detail"])["path"] == "override"
    assert json.loads(audited[0]["detail"]) == {"reason": FLAG["reason"], "deadline": "2026-12-31"}


async def test_a_flag_past_its_deadline_is_overdue(
    client: Client, login: Login, supervisor: dict[str, str], clock: ManualClock
) -> None:
    raised = await flag(client, supervisor, HOME_GRID, deadline="2026-11-24")
    clock.advance(days=1)
    fresh = await login("demo-supervisor")
    one = await client.get(f"/api/v1/flags/{raised['id']}", headers=fresh)
    assert one.json()["overdue"] is False  # the deadline day itself is still in time
    clock.advance(days=1)
    fresh = await login("demo-supervisor")
    listed = (await client.get("/api/v1/flags/", headers=fresh)).json()
    assert [(f["id"], f["overdue"]) for f in listed] == [(raised["id"], True)]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"deadline": "2026-11-22"}, 422, "flags.bad_deadline", "deadline"),
        ({"deadline": "2028-01-01"}, 422, "flags.bad_deadline", "deadline"),
        ({"deadline": "next week"}, 400, "request.invalid", "deadline"),
        ({"reason": ""}, 400, "request.invalid", "reason"),
        ({"reason": "x" * 501}, 400, "request.invalid", "reason"),
        ({"colour": "red"}, 400, "request.invalid", "colour"),
    ],
)
async def test_bad_flags_are_refused_in_both_languages(
    client: Client,
    supervisor: dict[str, str],
    body: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    refused = await flag(client, supervisor, HOME_GRID, expect=status, **body)
    assert (refused["code"], field in refused["fields"]) == (code, True)
    assert refused["message"] and refused["messageEn"]


async def test_bad_lifts_and_unknown_flags(client: Client, supervisor: dict[str, str]) -> None:
    raised = await flag(client, supervisor, HOME_GRID)
    missing = await client.post(f"/api/v1/regions/{HOME_GRID}/flags", headers=supervisor, json={})
    assert missing.status_code == 400
    assert (await lift(client, supervisor, raised["id"], expect=400, reason=""))["fields"]
    assert (await lift(client, supervisor, raised["id"], expect=400, override="yes"))["fields"]
    assert (await lift(client, supervisor, 999_999, expect=404))["code"] == "flags.not_found"
    unknown = await flag(client, supervisor, "999999", expect=404)
    assert unknown["code"] == "regions.not_found"
    bad_state = await client.get("/api/v1/flags/", headers=supervisor, params={"state": "gone"})
    assert bad_state.status_code == 400
