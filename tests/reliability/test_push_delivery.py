"""Notifications survive a worker killed mid-batch, and two live workers never double-send."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from backend.push.vapid import load_vapid, public_key_b64
from backend.settings import Settings
from tests.push.emulator import PushEmulator

pytestmark = pytest.mark.slow

NOTIFICATIONS = 500
DEVICES = 50


@pytest.fixture
async def push(tmp_path: Path) -> AsyncIterator[PushEmulator]:
    key = public_key_b64(load_vapid(Settings(data_dir=tmp_path)))
    async with PushEmulator(expected_vapid_key=key) as emulator:
        yield emulator


def start_worker(dsn: str, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "GRIDREPORT_DATA_DIR": str(data_dir),
        "GRIDREPORT_PUSH_ALLOW_LOOPBACK": "true",
        "GRIDREPORT_PUSH_LEASE_SECONDS": "3",
        "GRIDREPORT_PUSH_CONCURRENCY": "8",
        "GRIDREPORT_LOG_LEVEL": "warning",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def queue_notifications(dsn: str, push: PushEmulator) -> set[str]:
    """DEVICES residents with one phone each, and NOTIFICATIONS outbox rows among them."""
    conn = await asyncpg.connect(dsn)
    try:
        users = [
            await conn.fetchval("INSERT INTO users (role) VALUES ('resident') RETURNING id")
            for _ in range(DEVICES)
        ]
        for user in users:
            info = push.subscribe().info
            await conn.execute(
                "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at) "
                "VALUES ($1, $2, $3, $4, now())",
                user,
                info["endpoint"],
                info["keys"]["p256dh"],
                info["keys"]["auth"],
            )
        ids = await conn.fetch(
            "INSERT INTO outbox (user_id, kind, payload, created_at, next_attempt_at) "
            "SELECT u, 'dispatched', '{\"trackingNo\": \"20261123-000001\"}'::jsonb, now(), now() "
            "FROM unnest($1::bigint[]) AS u, generate_series(1, $2) RETURNING id",
            users,
            NOTIFICATIONS // DEVICES,
        )
    finally:
        await conn.close()
    return {f"n{row['id']}" for row in ids}


def tags(push: PushEmulator) -> Counter[str]:
    return Counter(d.payload_json["tag"] for d in push.deliveries)


async def test_a_killed_worker_loses_nothing(
    push: PushEmulator, demo_database: str, tmp_path: Path
) -> None:
    expected = await queue_notifications(demo_database, push)
    worker = start_worker(demo_database, tmp_path)
    try:
        async with asyncio.timeout(60):
            await push.wait_until(lambda: len(push.deliveries) >= NOTIFICATIONS // 5)
        worker.send_signal(signal.SIGKILL)  # mid-batch: some sent, some leased, most waiting
        worker.wait()
        partial = len(tags(push).keys() & expected)
        assert partial < NOTIFICATIONS
        worker = start_worker(demo_database, tmp_path)
        async with asyncio.timeout(90):
            await push.wait_until(lambda: expected <= tags(push).keys())
    finally:
        worker.kill()
        worker.wait()
    counts = tags(push)
    repeats = sum(n - 1 for tag, n in counts.items() if tag in expected)
    print(f"\n{NOTIFICATIONS} notifications, {partial} before the kill, {repeats} repeats after it")
    assert expected <= counts.keys()


async def test_two_live_workers_send_nothing_twice(
    push: PushEmulator, demo_database: str, tmp_path: Path
) -> None:
    expected = await queue_notifications(demo_database, push)
    workers = [start_worker(demo_database, tmp_path) for _ in range(2)]
    try:
        async with asyncio.timeout(90):
            await push.wait_until(lambda: expected <= tags(push).keys())
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait()
    counts = tags(push)
    assert {tag: n for tag, n in counts.items() if n > 1} == {}
    assert counts.keys() == expected
