"""The findings ledger: who may file and move, bad inputs refused, replays landing once,
filters and scope in the list."""

from __future__ import annotations

import uuid
from typing import Any

from backend.clock import ManualClock
from tests.http.area_followup_helpers import fetch
from tests.http.area_helpers import HOME_GRID, HOME_STREET, OTHER_STREET, me, street_staff
from tests.http.case_helpers import photo, resident
from tests.http.conftest import Client, Login
from tests.http.inspection_helpers import (
    FINDINGS,
    INSPECTIONS,
    department_id,
    file,
    finding,
    finding_of,
    inspection_body,
    later,
    move,
    report,
)


async def two_findings(
    client: Client, login: Login, clock: ManualClock, dsn: str
) -> dict[str, Any]:
    """An inspection of the home street: one finding for its grid, one for 城管."""
    supervisor = await login("demo-supervisor")
    dept = await department_id(dsn)
    body = inspection_body(
        [
            finding("垃圾桶满溢", later(clock.now(), days=2), responsibleRegionCode=HOME_GRID),
            finding("违规户外广告", later(clock.now(), days=3), responsibleDepartmentId=dept),
        ],
        day=clock.now(),
    )
    filed = await file(client, supervisor, body)
    return {
        "supervisor": supervisor,
        "inspection": filed,
        "grid": filed["findings"][0]["id"],
        "dept": filed["findings"][1]["id"],
        "department_id": dept,
    }


async def test_only_inspectors_file_and_bad_inspections_are_refused(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    supervisor, worker = await login("demo-supervisor"), await login("demo-worker")
    dept = await department_id(demo_database)
    due = later(clock.now(), days=2)
    good = [finding("井盖缺失", due, responsibleRegionCode=HOME_GRID)]
    refused = await client.post(
        INSPECTIONS, headers=worker, json=inspection_body(good, day=clock.now())
    )
    assert refused.status_code == 403
    anonymous = await resident(client)
    assert (
        await client.post(INSPECTIONS, headers=anonymous, json=inspection_body(good, day=due))
    ).status_code == 403

    async def refuse(findings: list[dict[str, Any]], field: str, **extra: Any) -> None:
        body = inspection_body(findings, day=clock.now(), **extra)
        answer = await file(client, supervisor, body, expect=422)
        assert answer["code"] == "oversight.bad_inspection"
        assert answer["message"] and answer["messageEn"]
        assert field in answer["fields"], answer

    both = finding("x", due, responsibleRegionCode=HOME_GRID, responsibleDepartmentId=dept)
    await refuse([both], "findings[0].responsibleRegionCode")
    await refuse([finding("x", due)], "findings[0].responsibleRegionCode")
    outsider = await me(client, await login("demo-department"))
    await refuse(
        [finding("x", due, responsibleRegionCode=HOME_GRID, responsibleUserId=outsider)],
        "findings[0].responsibleUserId",
    )
    await refuse(
        [finding("x", later(clock.now(), hours=-1), responsibleRegionCode=HOME_GRID)],
        "findings[0].deadline",
    )
    await refuse(good, "regionCode", regionCode="999999999")
    await refuse(
        [finding("x", due, responsibleRegionCode=HOME_GRID, categoryCode="no_such_kind")],
        "findings[0].categoryCode",
    )
    await refuse(
        [finding("x", due, responsibleDepartmentId=999999)], "findings[0].responsibleDepartmentId"
    )
    admin = await login("demo-admin")
    elsewhere = await street_staff(client, admin, "beishan-inspector", "dispatcher", OTHER_STREET)
    foreign = await file(client, elsewhere, inspection_body(good, day=clock.now()), expect=422)
    assert "regionCode" in foreign["fields"]

    # Malformed bodies never reach the rules.
    empty = await client.post(
        INSPECTIONS, headers=supervisor, json=inspection_body([], day=clock.now())
    )
    assert empty.status_code == 400
    unknown = await client.post(
        INSPECTIONS, headers=supervisor, json=inspection_body(good, day=clock.now(), x=1)
    )
    assert unknown.status_code == 400
    naive = [{"text": "x", "deadline": "2030-01-01T08:00:00", "responsibleRegionCode": HOME_GRID}]
    assert await file(client, supervisor, inspection_body(naive, day=clock.now()), expect=422)
    assert len(await fetch(demo_database, "SELECT id FROM findings")) == 0
    taken = await photo(client, worker, purpose="evidence")
    stolen = inspection_body(good, day=clock.now(), mediaIds=[taken])
    assert (await file(client, supervisor, stolen, expect=422))["code"] == "oversight.bad_photos"


async def test_moves_belong_to_the_unit_or_the_inspectors_and_replay_once(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    setup = await two_findings(client, login, clock, demo_database)
    supervisor, worker = setup["supervisor"], await login("demo-worker")
    department = await login("demo-department")
    grid, dept = setup["grid"], setup["dept"]

    wrong = await move(client, supervisor, grid, "accept", expect=403)
    assert wrong["code"] == "oversight.not_your_move" and wrong["messageEn"]
    assert (await move(client, department, grid, "accept", expect=404))["code"] == (
        "oversight.finding_not_found"
    )
    assert (await move(client, worker, dept, "accept", expect=404))["code"]
    assert (await move(client, worker, grid, "close", expect=403))["code"]
    early = await move(client, supervisor, grid, "close", expect=409)
    assert early["code"] == "oversight.finding_state"

    client_id = str(uuid.uuid4())
    first = await move(client, worker, grid, "accept", client_id=client_id)
    replay = await move(client, worker, grid, "accept", client_id=client_id, expect=200)
    assert first["state"] == replay["state"] == "rectifying"
    events = (await finding_of(client, worker, grid))["events"]
    assert [e["action"] for e in events] == ["file", "accept"]
    reused = await move(client, department, dept, "accept", client_id=str(uuid.uuid4()))
    assert reused["state"] == "rectifying"
    elsewhere = await move(client, worker, dept, "accept", client_id=client_id, expect=409)
    assert elsewhere["code"] == "oversight.client_id_reused"

    bare = await move(client, worker, grid, "report", note="", expect=422)
    assert bare["code"] == "oversight.move_incomplete"
    assert set(bare["fields"]) == {"note", "mediaIds"}
    await report(client, worker, grid)
    await move(client, supervisor, grid, "recheck", note="复查通过")
    no_deadline = await move(client, supervisor, grid, "reopen", note="返工", expect=422)
    assert "deadline" in no_deadline["fields"]
    naive = await move(
        client, supervisor, grid, "reopen", note="返工", deadline="2030-01-01T08:00:00", expect=422
    )
    assert "deadline" in naive["fields"]
    assert (await move(client, supervisor, grid, "close"))["state"] == "closed"

    stranger = await street_staff(
        client, await login("demo-admin"), "beishan-supervisor", "supervisor", OTHER_STREET
    )
    assert (await client.get(f"{FINDINGS}/{grid}", headers=stranger)).status_code == 404
    assert (
        await client.get(f"{INSPECTIONS}/{setup['inspection']['id']}", headers=stranger)
    ).status_code == 404
    assert (await client.get(FINDINGS, headers=stranger)).json()["items"] == []


async def test_the_ledger_filters_and_scopes(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    setup = await two_findings(client, login, clock, demo_database)
    supervisor, grid, dept = setup["supervisor"], setup["grid"], setup["dept"]
    department, worker = await login("demo-department"), await login("demo-worker")
    await move(client, department, dept, "accept")

    async def ids(headers: dict[str, str], **params: Any) -> list[int]:
        response = await client.get(FINDINGS, headers=headers, params=params)
        assert response.status_code == 200, response.text
        return [f["id"] for f in response.json()["items"]]

    assert await ids(supervisor) == [dept, grid]
    assert await ids(supervisor, state="rectifying") == [dept]
    assert await ids(supervisor, state="open") == [grid]
    assert await ids(supervisor, departmentId=setup["department_id"]) == [dept]
    assert await ids(supervisor, region=HOME_GRID) == [grid]
    assert await ids(supervisor, region=HOME_STREET) == [dept, grid]
    assert await ids(supervisor, inspectionId=setup["inspection"]["id"]) == [dept, grid]
    assert await ids(supervisor, overdue="true") == []
    assert await ids(department) == [dept]
    assert await ids(worker) == [grid]
    # Who answers for one of its findings reads the inspection too.
    inspection_id = setup["inspection"]["id"]
    seen = (await client.get(INSPECTIONS, headers=worker)).json()["items"]
    assert [i["id"] for i in seen] == [inspection_id]
    by_department = await client.get(f"{INSPECTIONS}/{inspection_id}", headers=department)
    assert by_department.status_code == 200
    first = (await client.get(FINDINGS, headers=supervisor, params={"cursor": dept})).json()
    assert [f["id"] for f in first["items"]] == [grid]
    bad = await client.get(FINDINGS, headers=supervisor, params={"state": "lost"})
    assert bad.status_code == 400
    unknown = await client.get(FINDINGS, headers=supervisor, params={"region": "000"})
    assert unknown.status_code == 422

    clock.advance(days=2, hours=1)
    supervisor = await login("demo-supervisor")
    assert await ids(supervisor, overdue="true") == [grid]
    units = (await client.get(f"{FINDINGS}/units", headers=supervisor)).json()
    counts = {u["code"]: (u["open"], u["overdue"], u["closed"]) for u in units}
    assert counts == {HOME_GRID: (1, 1, 0), "330106-cg": (1, 0, 0)}
    period = {"from": "2026-11-25", "to": "2026-11-25"}
    only_grid = (await client.get(f"{FINDINGS}/units", headers=supervisor, params=period)).json()
    assert [u["code"] for u in only_grid] == [HOME_GRID]
    backwards = {"from": "2026-11-25", "to": "2026-11-01"}
    assert (
        await client.get(f"{FINDINGS}/units", headers=supervisor, params=backwards)
    ).status_code == 422
    listed = (await client.get(INSPECTIONS, headers=supervisor)).json()
    assert [i["id"] for i in listed["items"]] == [setup["inspection"]["id"]]
    assert listed["next"] is None


async def test_an_inspection_shows_each_reader_only_the_findings_they_may_see(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    setup = await two_findings(client, login, clock, demo_database)
    supervisor, grid, dept = setup["supervisor"], setup["grid"], setup["dept"]
    department, worker = await login("demo-department"), await login("demo-worker")
    inspection_id = setup["inspection"]["id"]

    async def shown(headers: dict[str, str]) -> tuple[list[int], list[list[int]]]:
        one = await client.get(f"{INSPECTIONS}/{inspection_id}", headers=headers)
        assert one.status_code == 200, one.text
        listed = (await client.get(INSPECTIONS, headers=headers)).json()["items"]
        return [f["id"] for f in one.json()["findings"]], [
            [f["id"] for f in i["findings"]] for i in listed
        ]

    assert await shown(department) == ([dept], [[dept]])
    assert await shown(worker) == ([grid], [[grid]])
    assert await shown(supervisor) == ([grid, dept], [[grid, dept]])
    # The street's own staff hold the inspected region: the whole inspection.
    admin = await login("demo-admin")
    street = await street_staff(client, admin, "xihu-street-supervisor", "supervisor")
    assert await shown(street) == ([grid, dept], [[grid, dept]])


async def test_a_clientid_sent_again_with_another_body_is_refused(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    setup = await two_findings(client, login, clock, demo_database)
    supervisor, worker, grid = setup["supervisor"], await login("demo-worker"), setup["grid"]
    due = later(clock.now(), days=2)
    body = inspection_body([finding("井盖缺失", due, responsibleRegionCode=HOME_GRID)], day=due)
    filed = await file(client, supervisor, body)
    assert (await file(client, supervisor, body, expect=200))["id"] == filed["id"]
    other = {**body, "findings": [finding("路面塌陷", due, responsibleRegionCode=HOME_GRID)]}
    refused = await file(client, supervisor, other, expect=409)
    assert refused["code"] == "oversight.client_id_reused" and refused["messageEn"]
    assert len(await fetch(demo_database, "SELECT id FROM inspections")) == 2

    await move(client, worker, grid, "accept")
    client_id = str(uuid.uuid4())
    evidence = await photo(client, worker, purpose="evidence", seed=5)
    sent = {"note": "已清理", "mediaIds": [evidence]}
    first = await move(client, worker, grid, "report", client_id=client_id, **sent)
    again = await move(client, worker, grid, "report", client_id=client_id, expect=200, **sent)
    assert first["state"] == again["state"] == "reported"
    changed = await move(
        client,
        worker,
        grid,
        "report",
        client_id=client_id,
        expect=409,
        note="另一份反馈",
        mediaIds=[evidence],
    )
    assert changed["code"] == "oversight.client_id_reused"
    fewer = await move(
        client, worker, grid, "report", client_id=client_id, expect=409, note="已清理"
    )
    assert fewer["code"] == "oversight.client_id_reused"
    other_action = await move(client, worker, grid, "accept", client_id=client_id, expect=409)
    assert other_action["code"] == "oversight.client_id_reused"
    events = (await finding_of(client, worker, grid))["events"]
    assert [e["action"] for e in events] == ["file", "accept", "report"]


async def test_far_deadlines_and_periods_and_blank_texts_are_refused(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    setup = await two_findings(client, login, clock, demo_database)
    supervisor, worker, grid = setup["supervisor"], await login("demo-worker"), setup["grid"]
    far = "9999-12-31T00:00:00+08:00"
    body = inspection_body(
        [{"text": "井盖缺失", "deadline": far, "responsibleRegionCode": HOME_GRID}],
        day=clock.now(),
    )
    answer = await file(client, supervisor, body, expect=422)
    assert "findings[0].deadline" in answer["fields"] and answer["messageEn"]
    within = later(clock.now(), days=300)
    blank_team = inspection_body(
        [finding("井盖缺失", within, responsibleRegionCode=HOME_GRID)], day=clock.now(), team="  "
    )
    assert "team" in (await file(client, supervisor, blank_team, expect=422))["fields"]
    blank_text = inspection_body(
        [finding(" \t ", within, responsibleRegionCode=HOME_GRID)], day=clock.now()
    )
    assert "findings[0].text" in (await file(client, supervisor, blank_text, expect=422))["fields"]

    await move(client, worker, grid, "accept")
    await report(client, worker, grid)
    await move(client, supervisor, grid, "recheck", note="未整改到位")
    reopen = await move(client, supervisor, grid, "reopen", note="返工", deadline=far, expect=422)
    assert "deadline" in reopen["fields"]

    for params, field in (({"to": "9999-12-31"}, "to"), ({"from": "0001-01-01"}, "from")):
        units = await client.get(f"{FINDINGS}/units", headers=supervisor, params=params)
        assert units.status_code == 422, units.text
        assert field in units.json()["fields"]


async def test_who_rectifies_a_finding_cannot_pass_it(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    admin, supervisor = await login("demo-admin"), await login("demo-supervisor")
    dispatcher = await street_staff(client, admin, "xihu-street-dispatcher", "dispatcher")
    dept = await department_id(demo_database)
    due = later(clock.now(), days=2)
    outside = inspection_body(
        [finding("违规户外广告", due, responsibleDepartmentId=dept)], day=clock.now()
    )
    # A street's staff may not hand a finding to a district department.
    refused = await file(client, dispatcher, outside, expect=422)
    assert "findings[0].responsibleDepartmentId" in refused["fields"]
    inspected = inspection_body(
        [finding("x", due, responsibleRegionCode=HOME_GRID)], day=clock.now(), departmentId=dept
    )
    assert "departmentId" in (await file(client, dispatcher, inspected, expect=422))["fields"]

    own = inspection_body(
        [finding("消防通道堵塞", due, responsibleRegionCode=HOME_STREET)], day=due
    )
    finding_id = (await file(client, dispatcher, own))["findings"][0]["id"]
    await move(client, dispatcher, finding_id, "accept")
    await report(client, dispatcher, finding_id)
    alone = await move(client, dispatcher, finding_id, "recheck", note="已整改", expect=403)
    assert alone["code"] == "oversight.own_finding" and alone["message"] and alone["messageEn"]
    await move(client, supervisor, finding_id, "recheck", note="已整改")
    for action, extra in (("close", {}), ("reopen", {"note": "返工", "deadline": due.isoformat()})):
        answer = await move(client, dispatcher, finding_id, action, expect=403, **extra)
        assert answer["code"] == "oversight.own_finding"
    assert (await move(client, supervisor, finding_id, "close"))["state"] == "closed"
