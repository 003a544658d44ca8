"""`GET /api/v1/duties/mine`: the phone's list of the caller's own open duties."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import ManualClock
from backend.db.pool import connect
from backend.duties import service, watcher
from backend.duties.service import NewDuty
from backend.settings import Settings
from tests.http.case_helpers import resident, user_id
from tests.http.conftest import Client, Login


async def test_my_duties_are_mine_only_soonest_first_with_their_state(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    worker, department = await login("demo-worker"), await login("demo-department")
    worker_id, department_id = await user_id(client, worker), await user_id(client, department)
    now = clock.now()
    conn = await connect(demo_database)
    try:
        place = await conn.fetchrow(
            "SELECT r.id, r.path FROM users u JOIN regions r ON r.id = u.region_id WHERE u.id = $1",
            worker_id,
        )
        duties = [
            (1, "清理楼道杂物", worker_id, timedelta(hours=30)),
            (2, "夜间巡查", worker_id, timedelta(hours=2)),
            (3, "联合清查", department_id, timedelta(hours=1)),
            (4, "已完成的任务", worker_id, timedelta(hours=3)),
        ]
        for subject_id, title, owner, due_in in duties:
            duty = NewDuty(
                subject_kind="area_task",
                subject_id=subject_id,
                region_id=place["id"],
                region_path=place["path"],
                title=title,
                due_at=now + due_in,
                owner_user_id=owner,
            )
            await service.open_duty(conn, duty, settings=Settings(), now=now)
        await service.complete(conn, subject_kind="area_task", subject_id=4, now=now)
        clock.advance(hours=2)  # the patrol falls due: 催办
        await watcher.run_due(conn, now=clock.now(), subjects={})
    finally:
        await conn.close()

    mine = (await client.get("/api/v1/duties/mine", headers=worker)).json()
    assert [d["title"] for d in mine] == ["夜间巡查", "清理楼道杂物"]
    patrol, litter = mine
    assert patrol["subjectKind"] == "area_task" and patrol["subjectId"] == 2
    assert patrol["overdue"] and patrol["remindedAt"] is not None
    assert patrol["supervisedAt"] is None
    assert not litter["overdue"] and litter["remindedAt"] is None
    theirs = (await client.get("/api/v1/duties/mine", headers=department)).json()
    assert [d["title"] for d in theirs] == ["联合清查"]
    assert theirs[0]["overdue"]  # due an hour ago, not yet reminded by any watcher


async def test_residents_have_no_duties(client: Client) -> None:
    answer = await client.get("/api/v1/duties/mine", headers=await resident(client))
    assert answer.status_code == 403
    assert answer.json()["message"] and answer.json()["messageEn"]
    assert (await client.get("/api/v1/duties/mine")).status_code == 401
