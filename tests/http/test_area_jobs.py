"""The key-area jobs under load and failure: a record racing the duty watcher, a day's
discovery that failed half way, and the minute job's second round of a day writing nothing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any, NoReturn

import httpx
import pytest

from backend.areas import candidates
from backend.areas.duty_subjects import SUBJECTS
from backend.clock import ManualClock
from backend.db.pool import connect
from backend.db.types import Connection
from backend.duties import service as duties
from backend.duties import watcher
from backend.hotspots import service as hotspots
from backend.places import backfill
from backend.settings import Settings
from tests.conftest import DEMO_PASSWORD
from tests.http.area_followup_helpers import fetch, governed_area, tend
from tests.http.area_helpers import AREAS, plan_body
from tests.http.case_helpers import report, resident
from tests.http.concurrent import concurrent_client
from tests.http.conftest import Client, Login

ROUNDS = 50
MONDAY = date(2026, 11, 23)  # the clock's first day


async def until(condition: Callable[[], Awaitable[bool]]) -> None:
    """Wait for a condition of the database (a minute at most, so a hang fails the test)."""
    for _ in range(6000):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never came true")


async def past_sweeps(
    dsn: str, area_id: int, *, weeks: int, settings: Settings, now: datetime
) -> list[int]:
    """The area's 联合清查 of so many past weeks, none recorded, each owed and past due."""
    conn = await connect(dsn)
    try:
        area = await conn.fetchrow(
            "SELECT region_id, region_path FROM key_areas WHERE id = $1", area_id
        )
        assert area is not None
        rows = []
        for week in range(1, weeks + 1):
            start = MONDAY - timedelta(weeks=week)
            row_id: int = await conn.fetchval(
                "INSERT INTO key_area_duties (area_id, kind, period_start, period_end) "
                "VALUES ($1, 'joint_sweep', $2, $3) RETURNING id",
                area_id,
                start,
                start + timedelta(days=6),
            )
            new = duties.NewDuty(
                subject_kind="area_duty",
                subject_id=row_id,
                region_id=area["region_id"],
                region_path=area["region_path"],
                title=f"联合清查 {start.isoformat()}",
                due_at=now - timedelta(hours=1),
            )
            await duties.open_duty(conn, new, settings=settings, now=now)
            rows.append(row_id)
    finally:
        await conn.close()
    return rows


async def staff_login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def waiting_for_a_lock(monitor: Connection, *, apart_from: list[int]) -> list[int]:
    """The sessions of this database, besides some, that wait for another's lock."""
    rows = await monitor.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> ALL($1::int[])",
        apart_from,
    )
    return [row["pid"] for row in rows]


async def test_records_racing_the_duty_watcher_each_land_once_without_a_deadlock(
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    area_id = await governed_area(demo_database, now=clock.now(), level="red")
    rows = await past_sweeps(
        demo_database, area_id, weeks=ROUNDS + 1, settings=settings, now=clock.now()
    )
    caplog.set_level(logging.WARNING)
    watching, monitor, holder = [await connect(demo_database) for _ in range(3)]
    body = {"units": "街道、派出所、城管", "findings": "清理杂物三处"}

    async def watch() -> int:
        return await watcher.run_due(watching, now=clock.now(), subjects=SUBJECTS)

    try:
        async with concurrent_client(settings, demo_database, clock) as client:
            dispatcher = await staff_login(client, "demo-dispatcher")

            def record(row_id: int) -> Awaitable[httpx.Response]:
                url = f"{AREAS}/{area_id}/duties/{row_id}/record"
                return client.post(url, headers=dispatcher, json=body)

            # The worst order, set up on purpose: the watcher holds the duty and reaches for
            # the row while the record holds the area and reaches for the row too.
            first = rows[0]
            held = holder.transaction()
            await held.start()
            await holder.execute("SELECT 1 FROM key_area_duties WHERE id = $1 FOR UPDATE", first)
            quiet = [watching.get_server_pid(), monitor.get_server_pid()]
            watched = asyncio.ensure_future(watch())
            await until(
                lambda: _done_or_waiting(watched, monitor, watching.get_server_pid(), quiet)
            )
            recorded = asyncio.ensure_future(record(first))
            await until(lambda: _someone_waits(monitor, quiet))
            await held.rollback()
            answers = [(await recorded).status_code]
            await watched

            # And the orders chance gives, many times over.
            for row_id in rows[1:]:
                answer, _ = await asyncio.gather(record(row_id), watch())
                answers.append(answer.status_code)
            dispatcher = await staff_login(client, "demo-dispatcher")
            listed = await client.get(f"{AREAS}/{area_id}/duties", headers=dispatcher)
    finally:
        for conn in (watching, monitor, holder):
            await conn.close()

    assert answers == [200] * len(rows)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    standing = {d["id"]: d for d in listed.json()}
    assert all(standing[r]["dutyState"] == "done" and standing[r]["doneAt"] for r in rows)
    events = await fetch(
        demo_database,
        "SELECT detail->>'areaDutyId' AS row, count(*) AS n FROM key_area_events "
        "WHERE area_id = $1 AND action = 'duty_recorded' GROUP BY 1",
        area_id,
    )
    assert {int(e["row"]): e["n"] for e in events} == dict.fromkeys(rows, 1)


async def _done_or_waiting(
    task: asyncio.Future[Any], monitor: Connection, pid: int, quiet: list[int]
) -> bool:
    if task.done():
        return True
    others = [p for p in quiet if p != pid]
    return pid in await waiting_for_a_lock(monitor, apart_from=others)


async def _someone_waits(monitor: Connection, quiet: list[int]) -> bool:
    return bool(await waiting_for_a_lock(monitor, apart_from=quiet))


async def test_a_new_plan_racing_the_watcher_on_its_overdue_task_lands_without_a_deadlock(
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    deadline = date(2026, 12, 31)
    first_area = await governed_area(demo_database, now=clock.now(), name="城西农贸市场")
    area_id = await governed_area(demo_database, now=clock.now())
    caplog.set_level(logging.WARNING)
    watching, monitor, holder = [await connect(demo_database) for _ in range(3)]
    quiet = [watching.get_server_pid(), monitor.get_server_pid()]

    try:
        async with concurrent_client(settings, demo_database, clock) as client:
            supervisor = await staff_login(client, "demo-supervisor")
            ids = {
                name: (
                    await client.get("/api/v1/me", headers=await staff_login(client, name))
                ).json()["id"]
                for name in ("demo-supervisor", "demo-dispatcher", "demo-worker")
            }

            def plan(area: int, *, due_hours: float) -> Awaitable[httpx.Response]:
                body = plan_body(
                    first=ids["demo-supervisor"],
                    direct=ids["demo-dispatcher"],
                    owners=[ids["demo-worker"]],
                    due=clock.now() + timedelta(hours=due_hours),
                    deadline=deadline,
                )
                return client.put(f"{AREAS}/{area}/plan", headers=supervisor, json=body)

            assert (await plan(first_area, due_hours=1)).status_code == 200
            assert (await plan(area_id, due_hours=2)).status_code == 200
            old_task = (await fetch(demo_database, _OPEN_TASK, area_id))[0]["id"]
            clock.advance(hours=3)  # both tasks overdue: the watcher takes both duties at once

            # The worst order, set up on purpose: the watcher holds both duties and is kept on
            # the first area's task while a new plan of the second area holds that area and
            # reaches for its old task's duty.
            held = holder.transaction()
            await held.start()
            await holder.execute("SELECT 1 FROM key_areas WHERE id = $1 FOR UPDATE", first_area)
            watched = asyncio.ensure_future(
                watcher.run_due(watching, now=clock.now(), subjects=SUBJECTS)
            )
            await until(
                lambda: _done_or_waiting(watched, monitor, watching.get_server_pid(), quiet)
            )
            replanned = asyncio.ensure_future(plan(area_id, due_hours=24))
            await until(lambda: _done_or_someone_waits(replanned, monitor, quiet))
            await held.rollback()
            answer = await replanned
            await watched
            # The watcher looks again at what it found busy, and the first task is reminded.
            clock.advance(minutes=10)
            handled = 1
            while handled > 0:
                handled = await watcher.run_due(watching, now=clock.now(), subjects=SUBJECTS)
    finally:
        for conn in (watching, monitor, holder):
            await conn.close()

    assert answer.status_code == 200, answer.text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    [old] = await fetch(demo_database, "SELECT state FROM key_area_tasks WHERE id = $1", old_task)
    assert old["state"] == "cancelled"
    reminded = await fetch(
        demo_database,
        "SELECT area_id FROM key_area_events WHERE action = 'remind' ORDER BY id",
    )
    assert first_area in [e["area_id"] for e in reminded]


_OPEN_TASK = "SELECT id FROM key_area_tasks WHERE area_id = $1 AND state = 'open'"


async def _done_or_someone_waits(
    task: asyncio.Future[Any], monitor: Connection, quiet: list[int]
) -> bool:
    return task.done() or await _someone_waits(monitor, quiet)


class ProposalInterruptedError(Exception):
    """A failure in the middle of a proposal."""


async def test_a_grid_whose_proposal_failed_is_proposed_by_the_next_round(
    client: Client,
    login: Login,
    clock: ManualClock,
    demo_database: str,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await tend(demo_database, settings=settings, now=clock.now())  # today's levels: all quiet
    clock.advance(days=1)
    reporter = await resident(client)
    for _ in range(4):
        await report(client, reporter)

    register = candidates.register
    failed: list[int] = []

    async def fails_once(*args: Any, **kwargs: Any) -> Any:
        if not failed:
            failed.append(1)
            raise ProposalInterruptedError("connection reset while proposing")
        return await register(*args, **kwargs)

    monkeypatch.setattr(candidates, "register", fails_once)
    with pytest.raises(ProposalInterruptedError):
        await tend(demo_database, settings=settings, now=clock.now())
    supervisor = await login("demo-supervisor")
    assert (await client.get(AREAS, headers=supervisor)).json()["items"] == []

    clock.advance(minutes=1)
    await tend(demo_database, settings=settings, now=clock.now())
    (found,) = (await client.get(AREAS, headers=supervisor)).json()["items"]
    area = (await client.get(f"{AREAS}/{found['id']}", headers=supervisor)).json()
    assert (area["state"], area["source"]) == ("proposed", "level")
    assert [e["action"] for e in area["events"]] == ["create", "propose"]
    kept = await fetch(
        demo_database,
        "SELECT count(*) AS n FROM level_history WHERE day = $1 AND region_id IS NOT NULL",
        clock.now().date(),
    )
    grids = await fetch(demo_database, "SELECT count(*) AS n FROM regions WHERE level = 'grid'")
    assert kept[0]["n"] == grids[0]["n"]


async def row_versions(dsn: str) -> dict[str, Any]:
    """Every row version the key-area jobs could write, and the numbers they could draw."""
    versions: dict[str, Any] = {}
    for table in ("key_areas", "key_area_duties", "duties", "key_area_events", "level_history"):
        rows = await fetch(dsn, f"SELECT ctid::text AS at, xmin::text AS by FROM {table}")
        versions[table] = sorted((r["at"], r["by"]) for r in rows)
    for table in ("key_area_duties", "duties"):
        (row,) = await fetch(dsn, f"SELECT pg_get_serial_sequence('{table}', 'id') AS seq")
        (drawn,) = await fetch(dsn, f"SELECT last_value FROM {row['seq']}")
        versions[f"{table} numbers"] = drawn["last_value"]
    return versions


def refuse(what: str) -> Callable[..., Awaitable[NoReturn]]:
    async def refused(*args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError(f"{what} ran again the same day")

    return refused


async def test_a_second_round_the_same_day_writes_nothing(
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    area_id = await governed_area(demo_database, now=clock.now(), level="red")
    assert await tend(demo_database, settings=settings, now=clock.now()) == 1  # the week's sweep
    (sweep,) = await fetch(
        demo_database, "SELECT kind FROM key_area_duties WHERE area_id = $1", area_id
    )
    assert sweep["kind"] == "joint_sweep"
    before = await row_versions(demo_database)

    # The day's levels are kept: neither the city's hotspot survey nor the catch-up runs again.
    monkeypatch.setattr(hotspots, "city_levels", refuse("the city's hotspot survey"))
    monkeypatch.setattr(backfill, "catch_up", refuse("the catch-up of new places"))
    for _ in range(3):
        clock.advance(minutes=1)
        assert await tend(demo_database, settings=settings, now=clock.now()) == 0
    assert await row_versions(demo_database) == before
