"""The deadline engine against a real PostgreSQL: 催办 and 督办 exactly once, by any watcher."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import asyncpg
import pytest

from backend.clock import ManualClock
from backend.db.pool import connect, create_pool
from backend.db.types import Connection
from backend.duties import service, watcher
from backend.duties.service import NewDuty
from backend.media.storage import store_from_settings
from backend.push.sender import PushSender
from backend.settings import Settings, load_settings
from backend.worker.main import jobs

DUE = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
SETTINGS = Settings(duty_supervise_after_hours=24)
SUPERVISE = DUE + timedelta(hours=24)


@dataclass
class Tasks:
    """A subject kind for tests: remembers every stage it was told of; some are done in fact."""

    done_in_fact: set[int] = field(default_factory=set)
    stages: list[tuple[int, str]] = field(default_factory=list)

    async def settle(self, conn: Connection, duty: asyncpg.Record, *, now: datetime) -> bool:
        return bool(duty["subject_id"] in self.done_in_fact)

    async def on_stage(
        self, conn: Connection, duty: asyncpg.Record, *, stage: watcher.Stage, now: datetime
    ) -> None:
        # Written in the watcher's transaction, as a subject's timeline event would be.
        await conn.execute("SELECT 1")
        self.stages.append((duty["subject_id"], stage))


class IdleSender:
    async def drain(self) -> int:
        return 0


@pytest.fixture
async def conn(demo_database: str) -> AsyncIterator[Connection]:
    c = await connect(demo_database)
    try:
        yield c
    finally:
        await c.close()


async def people(conn: Connection) -> dict[str, Any]:
    rows = await conn.fetch(
        "SELECT u.username, u.id, u.region_id, u.department_id, r.path "
        "FROM users u LEFT JOIN regions r ON r.id = u.region_id WHERE u.username LIKE 'demo-%'"
    )
    return {row["username"].removeprefix("demo-"): row for row in rows}


def task(subject_id: int, owner: asyncpg.Record, **extra: Any) -> NewDuty:
    fields = {
        "subject_kind": "area_task",
        "subject_id": subject_id,
        "region_id": owner["region_id"],
        "region_path": owner["path"],
        "title": f"整治任务 {subject_id}",
        "due_at": DUE,
        "owner_user_id": owner["id"],
    }
    return NewDuty(**(fields | extra))


async def told(conn: Connection, kind: str) -> list[tuple[int, int]]:
    """(subject id, user id) of every notification of `kind`, in the order written."""
    rows = await conn.fetch(
        "SELECT (payload->>'subjectId')::bigint AS subject, user_id FROM outbox "
        "WHERE kind = $1 AND case_id IS NULL ORDER BY id",
        kind,
    )
    return [(row["subject"], row["user_id"]) for row in rows]


async def run_until_idle(conn: Connection, now: datetime, subjects: dict[str, Tasks]) -> None:
    # Batch after batch until a round finds nothing due.
    handled = 1
    while handled > 0:
        handled = await watcher.run_due(conn, now=now, subjects=subjects)


async def test_two_watchers_remind_and_supervise_each_duty_exactly_once(
    conn: Connection, demo_database: str
) -> None:
    staff = await people(conn)
    worker, supervisor, admin = staff["worker"], staff["supervisor"], staff["admin"]
    tasks = Tasks()
    ids = range(1, 301)  # more than one batch
    for subject_id in ids:
        await service.open_duty(
            conn, task(subject_id, worker, escalate_to=(admin["id"],)), settings=SETTINGS, now=DUE
        )
    watchers = [await connect(demo_database) for _ in range(2)]
    try:
        for now in (DUE - timedelta(seconds=1), DUE, DUE + timedelta(hours=1), SUPERVISE):
            await asyncio.gather(*(run_until_idle(w, now, {"area_task": tasks}) for w in watchers))
    finally:
        for w in watchers:
            await w.close()
    assert sorted(await told(conn, "duty_reminder")) == [(i, worker["id"]) for i in ids]
    supervised = sorted(await told(conn, "duty_supervision"))
    assert supervised == sorted(
        [(i, supervisor["id"]) for i in ids] + [(i, admin["id"]) for i in ids]
    )
    assert sorted(tasks.stages) == sorted(
        [(i, "remind") for i in ids] + [(i, "supervise") for i in ids]
    )
    status = await service.statuses(conn, subject_kind="area_task", subject_ids=[1], now=SUPERVISE)
    assert status[1].overdue and status[1].reminded_at == DUE
    assert status[1].supervised_at == SUPERVISE


async def test_a_duty_done_in_fact_or_completed_is_not_reminded(conn: Connection) -> None:
    worker = (await people(conn))["worker"]
    tasks = Tasks(done_in_fact={1})
    for subject_id in (1, 2, 3):
        await service.open_duty(conn, task(subject_id, worker), settings=SETTINGS, now=DUE)
    assert await service.complete(conn, subject_kind="area_task", subject_id=2, now=DUE)
    assert not await service.complete(conn, subject_kind="area_task", subject_id=2, now=DUE)
    await run_until_idle(conn, SUPERVISE, {"area_task": tasks})
    assert await told(conn, "duty_reminder") == [(3, worker["id"])]
    assert {subject for subject, _ in tasks.stages} == {3}
    status = await service.statuses(
        conn, subject_kind="area_task", subject_ids=[1, 2, 3, 4], now=SUPERVISE
    )
    assert set(status) == {1, 2, 3}
    assert status[1].state == "done" and status[1].done_at == SUPERVISE
    assert status[2].state == "done" and status[2].done_at == DUE and not status[2].overdue
    assert status[1].reminded_at is None and status[3].overdue


async def test_moving_the_due_time_reminds_again_at_the_new_one(conn: Connection) -> None:
    worker = (await people(conn))["worker"]
    tasks = Tasks()
    await service.open_duty(conn, task(1, worker), settings=SETTINGS, now=DUE)
    await run_until_idle(conn, DUE, {"area_task": tasks})
    later = DUE + timedelta(days=7)
    assert await service.move_due(
        conn, subject_kind="area_task", subject_id=1, due_at=later, settings=SETTINGS, now=DUE
    )
    await run_until_idle(conn, DUE + timedelta(days=2), {"area_task": tasks})  # old 督办 time
    assert tasks.stages == [(1, "remind")]
    [status] = (
        await service.statuses(conn, subject_kind="area_task", subject_ids=[1], now=DUE)
    ).values()
    assert status.due_at == later and status.reminded_at is None and not status.overdue
    await run_until_idle(conn, later, {"area_task": tasks})
    assert tasks.stages == [(1, "remind"), (1, "remind")]
    assert len(await told(conn, "duty_reminder")) == 2


async def test_a_subject_owes_one_duty_and_a_cancelled_one_is_quiet(conn: Connection) -> None:
    worker = (await people(conn))["worker"]
    first = await service.open_duty(conn, task(1, worker), settings=SETTINGS, now=DUE)
    again = await service.open_duty(
        conn, task(1, worker, title="另一个标题"), settings=SETTINGS, now=DUE
    )
    assert again == first
    assert await service.cancel(conn, subject_kind="area_task", subject_id=1, now=DUE)
    assert not await service.move_due(
        conn, subject_kind="area_task", subject_id=1, due_at=DUE, settings=SETTINGS, now=DUE
    )
    await run_until_idle(conn, SUPERVISE, {"area_task": Tasks()})
    assert await told(conn, "duty_reminder") == []
    assert await told(conn, "duty_supervision") == []


async def test_a_unit_that_owns_a_duty_is_reminded_through_its_handlers(
    conn: Connection,
) -> None:
    staff = await people(conn)
    worker, department = staff["worker"], staff["department"]
    grid = NewDuty(
        subject_kind="area_duty",
        subject_id=1,
        region_id=worker["region_id"],
        region_path=worker["path"],
        title="每日巡查",
        due_at=DUE,
        owner_region_id=worker["region_id"],
    )
    bureau = NewDuty(
        subject_kind="area_duty",
        subject_id=2,
        region_id=worker["region_id"],
        region_path=worker["path"],
        title="联合清查",
        due_at=DUE,
        owner_department_id=department["department_id"],
    )
    for duty in (grid, bureau):
        await service.open_duty(conn, duty, settings=SETTINGS, now=DUE)
    await run_until_idle(conn, DUE, {})  # a kind nobody registered is still reminded
    assert sorted(await told(conn, "duty_reminder")) == [
        (1, worker["id"]),
        (2, department["id"]),
    ]


async def test_a_failing_subject_holds_up_no_other_duty(conn: Connection) -> None:
    worker = (await people(conn))["worker"]

    class Broken(Tasks):
        async def settle(self, conn: Connection, duty: asyncpg.Record, *, now: datetime) -> bool:
            raise RuntimeError("the subject's own domain failed")

    tasks = Tasks()
    await service.open_duty(conn, task(1, worker), settings=SETTINGS, now=DUE)
    await service.open_duty(
        conn,
        NewDuty(
            subject_kind="broken",
            subject_id=1,
            region_id=worker["region_id"],
            region_path=worker["path"],
            title="坏的",
            due_at=DUE,
            owner_user_id=worker["id"],
        ),
        settings=SETTINGS,
        now=DUE,
    )
    await run_until_idle(conn, DUE, {"area_task": tasks, "broken": Broken()})
    assert await told(conn, "duty_reminder") == [(1, worker["id"])]
    assert tasks.stages == [(1, "remind")]


async def test_the_supervision_delay_is_a_setting(conn: Connection) -> None:
    staff = await people(conn)
    settings = load_settings({"GRIDREPORT_DUTY_SUPERVISE_AFTER_HOURS": "2.5"})
    await service.open_duty(conn, task(1, staff["worker"]), settings=settings, now=DUE)
    await run_until_idle(conn, DUE + timedelta(hours=2, minutes=29), {})
    assert await told(conn, "duty_supervision") == []
    await run_until_idle(conn, DUE + timedelta(hours=2, minutes=30), {})
    assert await told(conn, "duty_supervision") == [(1, staff["supervisor"]["id"])]


async def test_the_worker_watches_duties(
    conn: Connection, demo_database: str, tmp_path: Path
) -> None:
    worker = (await people(conn))["worker"]
    for subject_id in range(1, 251):
        chore = replace(task(subject_id, worker), subject_kind="test_chore")
        await service.open_duty(conn, chore, settings=SETTINGS, now=DUE)
    settings = Settings(data_dir=tmp_path)
    pool = await create_pool(settings, demo_database)
    store = store_from_settings(settings)
    try:
        idle = cast("PushSender", IdleSender())  # the job under test sends nothing itself
        every = jobs(pool, store, settings, ManualClock(DUE), idle)
        [watch] = [job for job in every if job.name == "watch duties"]
        assert await watch.run() == 250  # every batch, one after another
        assert await watch.run() == 0
    finally:
        await pool.close()
        await store.close()
    assert len(await told(conn, "duty_reminder")) == 250
