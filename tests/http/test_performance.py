"""Grid workers' performance over HTTP, checked against cases made here: handled by the worker
who did the 处置, on time, reworked, rated, patrol reports and duties; a worker sees only
their own record, supervisors their workers, nobody else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from backend.cases import scheduler
from backend.clock import ManualClock
from backend.db.pool import connect
from backend.duties import service as duties
from backend.oversight import performance
from backend.settings import Settings
from tests.http.case_helpers import (
    HOME,
    move,
    photo,
    report,
    resident,
    staff,
    user_id,
)
from tests.http.conftest import Client, Login

HOME_GRID, OTHER_STREET = "330106002003010", "330106001"
PERFORMANCE = "/api/v1/performance"


async def resolve(client: Client, worker: dict[str, str], case_id: int, seed: int) -> None:
    after = await photo(client, worker, purpose="resolution", seed=seed)
    await move(client, worker, case_id, "resolve", note="已处置", mediaIds=[after])


async def rate(client: Client, reporter: dict[str, str], case_id: int, score: int) -> None:
    response = await client.post(
        f"/api/v1/reports/{case_id}/rating", headers=reporter, json={"score": score}
    )
    assert response.status_code == 200, response.text


async def handle(
    client: Client, worker: dict[str, str], dispatcher: dict[str, str], case_id: int
) -> None:
    """签收, 处置, 核查通过."""
    await move(client, worker, case_id, "accept")
    await resolve(client, worker, case_id, seed=case_id)
    await move(client, dispatcher, case_id, "verify", passed=True)


async def read(client: Client, headers: dict[str, str], path: str, expect: int = 200) -> Any:
    response = await client.get(path, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


async def worker_duties(dsn: str, worker_id: int, *, settings: Settings, now: Any) -> None:
    """Two duties of the worker due within the month: one done in time, one left undone."""
    conn = await connect(dsn)
    try:
        region = await conn.fetchrow("SELECT id, path FROM regions WHERE code = $1", HOME_GRID)
        for subject_id in (1, 2):
            await duties.open_duty(
                conn,
                duties.NewDuty(
                    subject_kind="test_chore",
                    subject_id=subject_id,
                    region_id=region["id"],
                    region_path=region["path"],
                    title=f"巡查 {subject_id}",
                    due_at=now + timedelta(hours=1),
                    owner_user_id=worker_id,
                ),
                settings=settings,
                now=now,
            )
        await duties.complete(conn, subject_kind="test_chore", subject_id=1, now=now)
    finally:
        await conn.close()


async def scheduler_round(dsn: str, *, now: Any) -> int:
    """The case deadline scheduler, looped until nothing is due, as the worker runs it."""
    conn = await connect(dsn)
    handled = 0
    try:
        while (batch := await scheduler.run_due(conn, now=now)) > 0:
            handled += batch
    finally:
        await conn.close()
    return handled


async def test_worker_performance_counts_the_cases_each_worker_handled(
    client: Client, login: Login, demo_database: str, settings: Settings, clock: ManualClock
) -> None:
    admin, dispatcher = await login("demo-admin"), await login("demo-dispatcher")
    worker = await login("demo-worker")
    other = await staff(client, admin, "worker-b", "worker", regionCode=HOME_GRID)
    me, other_id = await user_id(client, worker), await user_id(client, other)

    happy_reporter, unhappy_reporter = await resident(client), await resident(client)
    on_time = await report(client, happy_reporter)
    await handle(client, worker, dispatcher, on_time["id"])
    await rate(client, happy_reporter, on_time["id"], 5)

    reworked = await report(client, unhappy_reporter)
    await move(client, worker, reworked["id"], "accept")
    await resolve(client, worker, reworked["id"], seed=1)
    await move(client, dispatcher, reworked["id"], "verify", passed=False, note="未清理干净")
    await resolve(client, worker, reworked["id"], seed=2)
    await move(client, dispatcher, reworked["id"], "verify", passed=True)
    await rate(client, unhappy_reporter, reworked["id"], 2)

    urgent = await report(client, await resident(client), category="urgent_hazard")
    clock.advance(seconds=61)  # past its 1-minute 签收 deadline: 催办
    await scheduler_round(demo_database, now=clock.now())
    await handle(client, worker, dispatcher, urgent["id"])

    by_other = await report(client, await resident(client))
    await handle(client, other, dispatcher, by_other["id"])
    await report(client, worker, lat=HOME["lat"] + 0.0001)  # found on patrol
    await worker_duties(demo_database, me, settings=settings, now=clock.now())
    clock.advance(hours=2)  # past both duties' due time

    supervisor = await login("demo-supervisor")
    seen = await read(client, supervisor, f"{PERFORMANCE}/workers?period=2026-11")
    assert (seen["period"]["from"], seen["period"]["to"]) == ("2026-11-01", "2026-11-30")
    rows = {row["userId"]: row for row in seen["workers"]}
    assert set(rows) == {me, other_id}
    mine = rows[me]
    assert mine["region"] == {"code": HOME_GRID, "name": mine["region"]["name"]}
    figures = {k: v for k, v in mine.items() if k not in ("userId", "name", "region")}
    assert figures == {
        "handled": 3,
        "onTime": 2,
        "onTimeRate": 0.6667,
        "reworked": 1,
        "reworkRate": 0.3333,
        "rated": 2,
        "ratingAvg": 3.5,
        "satisfactionRate": 0.5,
        "patrolReports": 1,
        "dutiesDone": 1,
        "dutiesOverdue": 1,
    }
    theirs = rows[other_id]
    assert (theirs["handled"], theirs["onTime"], theirs["rated"], theirs["ratingAvg"]) == (
        1,
        1,
        0,
        None,
    )
    assert (theirs["patrolReports"], theirs["dutiesDone"], theirs["dutiesOverdue"]) == (0, 0, 0)

    worker = await login("demo-worker")
    own = await read(client, worker, f"{PERFORMANCE}/mine?period=2026-11")
    assert own["workers"] == [mine]
    # Another month counts nothing.
    october = await read(client, worker, f"{PERFORMANCE}/mine?period=2026-10")
    assert (october["workers"][0]["handled"], october["workers"][0]["onTimeRate"]) == (0, None)


async def test_only_the_worker_and_their_supervisors_see_a_worker_s_record(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    worker = await login("demo-worker")
    await read(client, worker, f"{PERFORMANCE}/workers", 403)
    other_street = await staff(client, admin, "sup-other", "supervisor", regionCode=OTHER_STREET)
    assert (await read(client, other_street, f"{PERFORMANCE}/workers"))["workers"] == []
    for name in ("demo-dispatcher", "demo-department", "demo-supervisor", "demo-admin"):
        await read(client, await login(name), f"{PERFORMANCE}/mine", 403)
    await read(client, await login("demo-dispatcher"), f"{PERFORMANCE}/workers", 403)
    await read(client, await login("demo-department"), f"{PERFORMANCE}/workers", 403)
    somebody = await resident(client)
    await read(client, somebody, f"{PERFORMANCE}/workers", 403)
    await read(client, somebody, f"{PERFORMANCE}/mine", 403)
    await read(client, worker, f"{PERFORMANCE}/mine?period=2026-13", 422)
    listed = await read(client, admin, f"{PERFORMANCE}/workers")
    assert [row["name"] for row in listed["workers"]] == ["演示网格员"]


async def test_a_case_sent_back_that_overruns_its_second_round_is_not_on_time(
    client: Client, login: Login, demo_database: str, clock: ManualClock
) -> None:
    dispatcher, worker = await login("demo-dispatcher"), await login("demo-worker")
    me = await user_id(client, worker)
    urgent = await report(client, await resident(client), category="urgent_hazard")
    await move(client, worker, urgent["id"], "accept")
    await resolve(client, worker, urgent["id"], seed=1)  # well within its deadlines
    await move(client, dispatcher, urgent["id"], "verify", passed=False, note="险情仍在")
    clock.advance(minutes=10)  # the second round overruns its 5-minute 处置 deadline: 催办
    await scheduler_round(demo_database, now=clock.now())
    conn = await connect(demo_database)
    try:
        steps = [
            r["action"]
            for r in await conn.fetch(
                "SELECT action FROM case_events WHERE case_id = $1 ORDER BY id", urgent["id"]
            )
        ]
    finally:
        await conn.close()
    assert steps.index("remind") > steps.index("verify_fail")
    dispatcher, worker = await login("demo-dispatcher"), await login("demo-worker")
    await resolve(client, worker, urgent["id"], seed=2)
    await move(client, dispatcher, urgent["id"], "verify", passed=True)

    own = await read(client, worker, f"{PERFORMANCE}/mine?period=2026-11")
    [row] = own["workers"]
    assert row["userId"] == me
    assert (row["handled"], row["onTime"], row["reworked"]) == (1, 0, 1)


async def test_more_workers_than_one_answer_holds_are_said_to_be_left_out(
    client: Client, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await login("demo-admin")
    await staff(client, admin, "worker-c", "worker", regionCode=HOME_GRID)
    whole = await read(client, admin, f"{PERFORMANCE}/workers")
    assert (len(whole["workers"]), whole["truncated"]) == (2, False)
    monkeypatch.setattr(performance, "WORKERS_LIMIT", 1)
    cut = await read(client, admin, f"{PERFORMANCE}/workers")
    assert (len(cut["workers"]), cut["truncated"]) == (1, True)
