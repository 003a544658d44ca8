"""Notifications per second through the push sender, against a bare webpush_async loop.

Both send to the same local push-service emulator (which checks VAPID and decrypts every
message), in the same run. Ours: outbox rows in PostgreSQL, leased and sent by PushSender
(the worker's sender) with its bounded concurrency. Baseline: one `webpush_async` call after
another over one shared aiohttp session, no database. Run:
    .venv/bin/python bench/push.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

# The repo root instead of bench/, whose queue.py would hide the standard library's queue.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import aiohttp
import asyncpg
from pywebpush import webpush_async

from backend.clock import SystemClock
from backend.db import migrate
from backend.db.embedded import EmbeddedPostgres
from backend.db.pool import connect, create_pool
from backend.push.sender import PushSender
from backend.push.vapid import load_vapid, public_key_b64
from backend.settings import Settings
from tests.push.emulator import PushEmulator

NOTIFICATIONS = 600
DEVICES = 60
ROUNDS = 3
REMOTE_LATENCY = 0.03
REMOTE_LATENCY = 0.03


async def queue(conn: asyncpg.Connection, devices: list[dict[str, object]]) -> None:
    for info in devices:
        user = await conn.fetchval("INSERT INTO users (role) VALUES ('resident') RETURNING id")
        keys = info["keys"]
        assert isinstance(keys, dict)
        await conn.execute(
            "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at) "
            "VALUES ($1, $2, $3, $4, now())",
            user,
            info["endpoint"],
            keys["p256dh"],
            keys["auth"],
        )
        await conn.execute(
            "INSERT INTO outbox (user_id, kind, payload, created_at, next_attempt_at) "
            "SELECT $1, 'dispatched', '{\"trackingNo\": \"20261123-000001\"}'::jsonb, now(), now() "
            "FROM generate_series(1, $2)",
            user,
            NOTIFICATIONS // DEVICES,
        )


async def ours(settings: Settings, dsn: str, push: PushEmulator) -> float:
    conn = await connect(dsn)
    await queue(conn, [push.subscribe().info for _ in range(DEVICES)])
    await conn.close()
    pool = await create_pool(settings, dsn)
    before = len(push.deliveries)
    async with aiohttp.ClientSession() as session:
        sender = PushSender(
            pool=pool,
            vapid=load_vapid(settings),
            settings=settings,
            clock=SystemClock(),
            session=session,
        )
        started = time.perf_counter()
        taken = await sender.drain()
        elapsed = time.perf_counter() - started
    await pool.close()
    assert taken == NOTIFICATIONS
    assert len(push.deliveries) - before == NOTIFICATIONS
    return NOTIFICATIONS / elapsed


async def baseline(settings: Settings, push: PushEmulator) -> float:
    devices = [push.subscribe().info for _ in range(DEVICES)]
    vapid = load_vapid(settings)
    payload = json.dumps({"title": "已受理", "body": "20261123-000001", "tag": "n1"}).encode()
    before = len(push.deliveries)
    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        for n in range(NOTIFICATIONS):
            await webpush_async(
                subscription_info=devices[n % DEVICES],
                data=payload,
                vapid_private_key=vapid,
                vapid_claims={"sub": settings.vapid_subject},
                ttl=3600,
                aiohttp_session=session,
            )
        elapsed = time.perf_counter() - started
    assert len(push.deliveries) - before == NOTIFICATIONS
    return NOTIFICATIONS / elapsed


async def run(scratch: Path, dsn: str, latency: float) -> tuple[float, float]:
    """Median rates of the sender and of the bare loop, with a push service `latency` away."""
    settings = Settings(data_dir=scratch, push_allow_loopback=True)
    conn = await connect(dsn)
    await migrate.migrate(conn)
    await conn.close()
    ours_rates, baseline_rates = [], []
    key = public_key_b64(load_vapid(settings))
    async with PushEmulator(expected_vapid_key=key, latency=latency) as push:
        for round_no in range(ROUNDS):
            ours_rates.append(await ours(settings, dsn, push))
            baseline_rates.append(await baseline(settings, push))
            print(
                f"latency {latency * 1000:.0f} ms, round {round_no + 1}: "
                f"sender {ours_rates[-1]:.0f}/s, bare loop {baseline_rates[-1]:.0f}/s"
            )
    return statistics.median(ours_rates), statistics.median(baseline_rates)


def main() -> None:
    # A push service on this machine answers at once; a real one is tens of milliseconds away,
    # which is where sending concurrently, as the worker does, pays.
    with tempfile.TemporaryDirectory() as scratch:
        server = EmbeddedPostgres(Path(scratch) / "pg")
        dsn = server.start()
        try:
            local = asyncio.run(run(Path(scratch), dsn, 0.0))
            remote = asyncio.run(run(Path(scratch), dsn, REMOTE_LATENCY))
        finally:
            server.stop()
    for name, (mine, bare) in (("local", local), ("30 ms away", remote)):
        print(f"{name}: push sender {mine:.0f}/s, bare webpush_async loop {bare:.0f}/s")
    print(
        json.dumps(
            {
                "bench": "push",
                "notifications": NOTIFICATIONS,
                "latency_ms": REMOTE_LATENCY * 1000,
                "ours_per_s": round(remote[0], 1),
                "baseline_per_s": round(remote[1], 1),
                "ratio": round(remote[0] / remote[1], 2),
                "local_ours_per_s": round(local[0], 1),
                "local_baseline_per_s": round(local[1], 1),
                "local_ratio": round(local[0] / local[1], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
