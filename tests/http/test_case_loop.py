"""The case loop over HTTP: 派遣 → 签收 → 处置 → 核查 → 结案 → 评价, and its side roads."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from backend.cases import scheduler
from backend.clock import ManualClock
from backend.db.pool import connect
from tests.http.case_helpers import case, move, outbox, photo, report, resident, staff, user_id
from tests.http.conftest import Client, Login

HOME_GRID = "330106002003010"


@pytest.fixture
async def admin(login: Login) -> dict[str, str]:
    return await login("demo-admin")


async def other_street_grid(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        code: str = await conn.fetchval(
            "SELECT code FROM regions WHERE level = 'grid' AND path NOT LIKE '/330106/330106002/%' "
            "ORDER BY code LIMIT 1"
        )
        return code
    finally:
        await conn.close()


async def test_the_whole_loop_for_an_ordinary_report(
    client: Client, login: Login, demo_database: str
) -> None:
    reporter = await resident(client)
    worker, dispatcher = await login("demo-worker"), await login("demo-dispatcher")
    made = await report(client, reporter)
    assert made["status"] == "dispatched"
    tasks = (await client.get("/api/v1/me/tasks/", headers=worker)).json()
    assert [t["id"] for t in tasks] == [made["id"]]
    accepted = await move(client, worker, made["id"], "accept")
    assert accepted["status"] == "accepted"
    assert "resolve" in accepted["allowedActions"]
    after = await photo(client, worker, purpose="resolution", seed=7)
    resolved = await move(
        client,
        worker,
        made["id"],
        "resolve",
        note="已清理",
        mediaIds=[after],
        lat=30.2742,
        lng=120.1550,
    )
    assert resolved["status"] == "resolved"
    assert len(resolved["afterPhotos"]) == 1
    closed = await move(client, dispatcher, made["id"], "verify", passed=True, note="核查通过")
    assert closed["status"] == "closed"
    mine = (await client.get(f"/api/v1/reports/{made['id']}", headers=reporter)).json()
    assert mine["status"] == "closed"
    assert len(mine["afterPhotos"]) == 1
    assert [e["action"] for e in mine["timeline"]] == [
        "submit",
        "dispatch",
        "accept",
        "resolve",
        "verify_pass",
    ]
    rated = await client.post(
        f"/api/v1/reports/{made['id']}/rating", headers=reporter, json={"score": 5}
    )
    assert rated.json()["status"] == "rated"
    points = (await client.get("/api/v1/me/points/", headers=reporter)).json()
    assert points["balance"] == 2
    assert points["entries"][0]["trackingNo"] == made["trackingNo"]
    told = await outbox(demo_database, made["id"])
    me = await user_id(client, reporter)
    assert [kind for uid, kind in told if uid == me] == [
        "dispatched",
        "accepted",
        "resolved",
        "closed",
    ]
    assert (await user_id(client, worker), "new_task") in told


async def test_an_emergency_is_watched_by_the_scheduler(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    reporter, worker = await resident(client), await login("demo-worker")
    made = await report(client, reporter, category="urgent_hazard")
    supervisor_id = await user_id(client, await login("demo-supervisor"))
    assert (supervisor_id, "emergency") in await outbox(demo_database, made["id"])
    conn = await connect(demo_database)
    try:
        clock.advance(seconds=59)
        await scheduler.run_due(conn, now=clock.now())
        assert not (await case(client, worker, made["id"]))["overdue"]
        clock.advance(seconds=2)  # past the 1-minute accept deadline: 催办
        await scheduler.run_due(conn, now=clock.now())
        after_deadline = await case(client, worker, made["id"])
        assert after_deadline["overdue"] and not after_deadline["supervised"]
        assert (await user_id(client, worker), "reminder") in await outbox(
            demo_database, made["id"]
        )
        clock.advance(minutes=1)  # a second minute late: 督办
        await scheduler.run_due(conn, now=clock.now())
        await scheduler.run_due(conn, now=clock.now())
        kinds = [kind for _, kind in await outbox(demo_database, made["id"])]
        assert kinds.count("supervision") == 1
        assert kinds.count("reminder") == 1
        supervised = await case(client, worker, made["id"])
        actions = [e["action"] for e in supervised["timeline"]]
        assert actions.count("remind") == 1 and actions.count("supervise") == 1
        assert supervised["supervised"]  # the 督办 badge on the worker's task
        [task] = (await client.get("/api/v1/me/tasks/", headers=worker)).json()
        assert task["supervised"]
        accepted = await move(client, worker, made["id"], "accept")
        assert not accepted["overdue"] and not accepted["supervised"]
        resolve_by = accepted["deadlines"]["resolveBy"]
        assert resolve_by == made["deadlines"]["resolveBy"]  # as promised at filing
    finally:
        await conn.close()


async def test_two_schedulers_never_remind_twice(
    client: Client, clock: ManualClock, demo_database: str
) -> None:
    reporter = await resident(client)
    made = [await report(client, reporter, category="urgent_hazard") for _ in range(5)]
    clock.advance(minutes=3)
    conns = [await connect(demo_database) for _ in range(2)]
    try:
        await asyncio.gather(*(scheduler.run_due(c, now=clock.now()) for c in conns))
        await asyncio.gather(*(scheduler.run_due(c, now=clock.now()) for c in conns))
    finally:
        for c in conns:
            await c.close()
    for item in made:
        kinds = [kind for _, kind in await outbox(demo_database, item["id"])]
        assert kinds.count("supervision") == 1
        assert kinds.count("reminder") == 1


async def test_two_workers_accept_at_once_one_wins(
    client: Client, login: Login, admin: dict[str, str]
) -> None:
    made = await report(client, await resident(client))
    first = await login("demo-worker")
    second = await staff(client, admin, "grid-worker-2", "worker", regionCode=HOME_GRID)
    version = (await case(client, first, made["id"]))["version"]
    responses = await asyncio.gather(
        *(
            client.post(f"/api/v1/cases/{made['id']}/accept", headers=h, json={"version": version})
            for h in (first, second)
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    # Whether the loser read the case before or after the winner wrote it, it is told so.
    assert loser.json()["code"] in {"cases.stale", "cases.wrong_state"}


async def test_moves_from_the_wrong_state_or_role_are_refused(client: Client, login: Login) -> None:
    made = await report(client, await resident(client))
    worker, dispatcher = await login("demo-worker"), await login("demo-dispatcher")
    await move(client, dispatcher, made["id"], "verify", expect=409, passed=True)
    await move(client, worker, made["id"], "reject", expect=403, reason="other")
    await move(
        client,
        worker,
        made["id"],
        "resolve",
        expect=403,
        note="没签收就处置",
        mediaIds=[await photo(client, worker, "resolution")],
    )
    stale = await client.post(
        f"/api/v1/cases/{made['id']}/accept", headers=worker, json={"version": 99}
    )
    assert stale.status_code == 409
    assert (await client.get("/api/v1/cases/", headers=await resident(client))).status_code == 403


async def test_return_transfer_across_a_border_and_escalate(
    client: Client, login: Login, admin: dict[str, str], demo_database: str
) -> None:
    made = await report(client, await resident(client))
    worker, dispatcher = await login("demo-worker"), await login("demo-dispatcher")
    await move(client, worker, made["id"], "return", note="不属于本网格")
    assert (await case(client, dispatcher, made["id"]))["status"] == "submitted"
    neighbour = await other_street_grid(demo_database)
    neighbour_worker = await staff(client, admin, "neighbour", "worker", regionCode=neighbour)
    assert (
        await client.get(f"/api/v1/cases/{made['id']}", headers=neighbour_worker)
    ).status_code == 404
    moved = await move(
        client, dispatcher, made["id"], "transfer", target={"regionCode": neighbour}, note="接边"
    )
    assert moved["status"] == "dispatched"
    assert moved["assigned"]["code"] == neighbour
    tasks = (await client.get("/api/v1/me/tasks/", headers=neighbour_worker)).json()
    assert [t["id"] for t in tasks] == [made["id"]]
    await move(client, neighbour_worker, made["id"], "accept")
    # Up to the community of the case's own grid; the neighbour no longer sees it (204).
    await move(client, neighbour_worker, made["id"], "escalate", expect=204, note="需要社区协调")
    escalated = await case(client, dispatcher, made["id"])
    assert escalated["status"] == "submitted"
    assert escalated["escalations"] == 1
    assert escalated["assigned"]["code"] == neighbour[:12]


async def test_a_return_needs_a_reason(client: Client, login: Login) -> None:
    made = await report(client, await resident(client))
    worker = await login("demo-worker")
    version = (await case(client, worker, made["id"]))["version"]
    response = await client.post(
        f"/api/v1/cases/{made['id']}/return", headers=worker, json={"version": version, "note": " "}
    )
    assert response.status_code == 422


async def test_reject_tells_the_reporter_why(client: Client, login: Login) -> None:
    reporter = await resident(client)
    made = await report(client, reporter, category="dispute", mediaIds=[])
    assert made["status"] == "submitted"  # disputes are triaged by hand
    dispatcher = await login("demo-dispatcher")
    rejected = await move(
        client, dispatcher, made["id"], "reject", reason="not_our_remit", note="请拨打12345"
    )
    assert rejected["status"] == "rejected"
    mine = (await client.get(f"/api/v1/reports/{made['id']}", headers=reporter)).json()
    assert mine["status"] == "rejected"
    assert mine["timeline"][-1]["note"] == "请拨打12345"


async def test_merge_makes_the_duplicates_reporter_follow_the_master(
    client: Client, login: Login, demo_database: str
) -> None:
    first_reporter, second_reporter = await resident(client), await resident(client)
    master = await report(client, first_reporter)
    duplicate = await report(client, second_reporter)
    dispatcher = await login("demo-dispatcher")
    merged = await move(client, dispatcher, duplicate["id"], "merge", masterId=master["id"])
    assert merged["status"] == "merged"
    assert merged["masterCaseId"] == master["id"]
    await move(client, await login("demo-worker"), master["id"], "accept")
    second = await user_id(client, second_reporter)
    assert (second, "accepted") in await outbox(demo_database, master["id"])
    await move(client, dispatcher, duplicate["id"], "merge", expect=409, masterId=master["id"])


async def test_extension_before_the_deadline_approved_by_a_supervisor(
    client: Client, login: Login, clock: ManualClock
) -> None:
    made = await report(client, await resident(client))
    worker, supervisor = await login("demo-worker"), await login("demo-supervisor")
    accepted = await move(client, worker, made["id"], "accept")
    before = accepted["deadlines"]["resolveBy"]
    await move(client, worker, made["id"], "extension", minutes=120, reason="等待配件")
    await move(client, worker, made["id"], "extension", expect=409, minutes=60, reason="再等等")
    dispatcher = await login("demo-dispatcher")
    await move(client, dispatcher, made["id"], "extension/decision", expect=403, approve=True)
    decided = await move(client, supervisor, made["id"], "extension/decision", approve=True)
    assert decided["deadlines"]["resolveBy"] > before
    assert decided["extensions"][0]["state"] == "approved"
    clock.advance(days=10)
    worker = await login("demo-worker")  # a new day, a new login
    await move(client, worker, made["id"], "extension", expect=409, minutes=60, reason="太晚了")


async def test_failed_verification_and_an_unhappy_reporter_send_it_back(
    client: Client, login: Login
) -> None:
    reporter = await resident(client)
    made = await report(client, reporter)
    worker, dispatcher = await login("demo-worker"), await login("demo-dispatcher")

    async def resolve() -> None:
        await move(
            client,
            worker,
            made["id"],
            "resolve",
            note="处理完毕",
            mediaIds=[await photo(client, worker, "resolution", seed=len(str(worker)))],
        )

    await move(client, worker, made["id"], "accept")
    await resolve()
    failed = await move(client, dispatcher, made["id"], "verify", passed=False, note="仍有垃圾")
    assert (failed["status"], failed["reworks"]) == ("accepted", 1)
    await resolve()
    await move(client, dispatcher, made["id"], "verify", passed=True)
    unhappy = await client.post(
        f"/api/v1/reports/{made['id']}/rating",
        headers=reporter,
        json={"score": 1, "comment": "没处理干净"},
    )
    assert unhappy.status_code == 200
    assert unhappy.json()["status"] == "accepted"
    assert (await case(client, worker, made["id"]))["reworks"] == 2


async def test_comments_internal_and_public(client: Client, login: Login) -> None:
    reporter = await resident(client)
    made = await report(client, reporter)
    dispatcher = await login("demo-dispatcher")
    await move(client, dispatcher, made["id"], "comments", note="内部：注意安全", public=False)
    await move(client, dispatcher, made["id"], "comments", note="已安排人员处理", public=True)
    staff_view = [e["note"] for e in (await case(client, dispatcher, made["id"]))["timeline"]]
    assert {"内部：注意安全", "已安排人员处理"} <= set(staff_view)
    notes = [
        e["note"]
        for e in (await client.get(f"/api/v1/reports/{made['id']}", headers=reporter)).json()[
            "timeline"
        ]
    ]
    assert "已安排人员处理" in notes
    assert "内部：注意安全" not in notes


def _walk_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _walk_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _walk_keys(v)}
    return set()


async def test_staff_never_see_who_reported(client: Client, login: Login) -> None:
    reporter = await resident(client, nickname="热心的小李子", phone="13912345678")
    worker, dispatcher = await login("demo-worker"), await login("demo-dispatcher")
    made = await report(client, reporter, category="dispute", mediaIds=[])
    other = await report(client, reporter, category="dispute", mediaIds=[])
    third = await report(client, reporter, category="dispute", mediaIds=[])
    bodies: list[Any] = []

    async def seen(headers: dict[str, str], path: str) -> None:
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, path
        bodies.append(response.json())

    async def moved(headers: dict[str, str], case_id: int, action: str, **body: Any) -> None:
        bodies.append(await move(client, headers, case_id, action, **body))

    for headers in (worker, dispatcher):
        await seen(headers, "/api/v1/cases/")
    await seen(dispatcher, f"/api/v1/cases/{made['id']}")
    await moved(dispatcher, made["id"], "comments", note="已联系物业", public=True)
    await moved(dispatcher, made["id"], "dispatch")
    await seen(worker, "/api/v1/me/tasks/")
    await seen(worker, f"/api/v1/cases/{made['id']}")
    await moved(worker, made["id"], "accept")
    await moved(worker, made["id"], "extension", minutes=30, reason="等待业主")
    await moved(await login("demo-supervisor"), made["id"], "extension/decision", approve=True)
    await moved(
        worker,
        made["id"],
        "resolve",
        note="已调解",
        mediaIds=[await photo(client, worker, "resolution")],
    )
    await moved(dispatcher, made["id"], "verify", passed=False)
    await moved(dispatcher, other["id"], "transfer", target={"regionCode": HOME_GRID})
    await moved(dispatcher, other["id"], "merge", masterId=made["id"])
    await moved(dispatcher, third["id"], "escalate")
    await moved(dispatcher, third["id"], "reject", reason="other", note="请拨打12345")
    for body in bodies:
        text = str(body)
        assert "小李子" not in text
        assert "13912345678" not in text
        assert not {"reporterId", "reporter_id", "phone", "nickname", "userId"} & _walk_keys(body)
    assert (await case(client, worker, made["id"]))["reporter"] == "群众上报"
    assert "139****5678" in (await case(client, dispatcher, made["id"]))["reporter"]


async def test_revealing_a_reporter_needs_permission_and_is_audited(
    client: Client, login: Login, demo_database: str
) -> None:
    made = await report(client, await resident(client, phone="13912345678"))
    dispatcher, supervisor = await login("demo-dispatcher"), await login("demo-supervisor")
    refused = await client.post(
        f"/api/v1/cases/{made['id']}/reveal",
        headers=dispatcher,
        json={"reason": "需要电话回访核实情况"},
    )
    assert refused.status_code == 403
    no_reason = await client.post(f"/api/v1/cases/{made['id']}/reveal", headers=supervisor, json={})
    assert no_reason.status_code == 400
    shown = await client.post(
        f"/api/v1/cases/{made['id']}/reveal",
        headers=supervisor,
        json={"reason": "需要电话回访核实情况"},
    )
    assert shown.status_code == 200
    assert shown.json()["phone"] == "13912345678"
    conn = await asyncpg.connect(demo_database)
    try:
        audited = await conn.fetchrow(
            "SELECT detail FROM audit_log WHERE action = 'reporter.reveal' AND subject_id = $1",
            str(made["id"]),
        )
    finally:
        await conn.close()
    assert audited is not None
    assert "需要电话回访核实情况" in audited["detail"]
    anonymous = await report(client, await resident(client, phone="13800000000"), anonymous=True)
    hidden = await client.post(
        f"/api/v1/cases/{anonymous['id']}/reveal",
        headers=supervisor,
        json={"reason": "需要电话回访核实情况"},
    )
    assert hidden.json() == {"nickname": None, "phone": None, "anonymous": True}
