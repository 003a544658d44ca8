"""Web Push end to end: a case move, the outbox, the sender, a push service that checks all."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.clock import ManualClock
from backend.db.pool import create_pool
from backend.push.sender import PushSender, push_session
from backend.push.vapid import load_vapid, public_key_b64
from backend.settings import Settings
from tests.http.case_helpers import move, report, resident
from tests.http.conftest import Client, Login
from tests.http.listeners import ConnectionRecorder
from tests.push.emulator import PushEmulator, TestSubscription, make_subscription


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path, push_allow_loopback=True, push_timeout_seconds=1.0, push_max_attempts=3
    )


@pytest.fixture
async def push(settings: Settings) -> AsyncIterator[PushEmulator]:
    key = public_key_b64(load_vapid(settings))
    async with PushEmulator(expected_vapid_key=key) as emulator:
        yield emulator


@pytest.fixture
async def sender(
    settings: Settings, demo_database: str, clock: ManualClock
) -> AsyncIterator[PushSender]:
    pool = await create_pool(settings, demo_database)
    async with push_session(settings) as session:
        yield PushSender(
            pool=pool, vapid=load_vapid(settings), settings=settings, clock=clock, session=session
        )
    await pool.close()


async def subscribed(
    client: Client, push: PushEmulator, headers: dict[str, str]
) -> TestSubscription:
    device = push.subscribe()
    response = await client.post("/api/v1/push/subscriptions", headers=headers, json=device.info)
    assert response.status_code == 204, response.text
    return device


async def outbox_states(dsn: str) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT kind, state FROM outbox ORDER BY id")
    finally:
        await conn.close()
    return [(row["kind"], row["state"]) for row in rows]


async def test_a_case_move_reaches_the_reporters_phone(
    client: Client, push: PushEmulator, sender: PushSender, login: Login
) -> None:
    reporter = await resident(client, nickname="小李子", phone="13912345678")
    phone = await subscribed(client, push, reporter)
    made = await report(client, reporter)
    await sender.drain_once()
    [dispatched] = push.deliveries_for(phone.id)
    message = dispatched.payload_json
    assert message["title"] == "已受理"
    assert made["trackingNo"] in message["body"]
    assert message["url"] == f"/reports/{made['id']}"
    assert message["tag"].startswith("n")
    assert dispatched.urgency == "normal"
    assert dispatched.ttl > 0
    assert len(dispatched.payload_bytes) < 3000
    for secret in ("小李子", "13912345678"):
        assert secret not in dispatched.payload_bytes.decode()
    await move(client, await login("demo-worker"), made["id"], "accept")
    await sender.drain_once()
    assert [d.payload_json["title"] for d in push.deliveries_for(phone.id)] == ["已受理", "已签收"]


async def test_workers_hear_of_new_tasks_in_their_language(
    client: Client, push: PushEmulator, sender: PushSender, login: Login
) -> None:
    worker = await login("demo-worker")
    assert (
        await client.patch("/api/v1/me", headers=worker, json={"locale": "en"})
    ).status_code == 200
    phone = await subscribed(client, push, worker)
    made = await report(client, await resident(client), category="urgent_hazard")
    await sender.drain_once()
    [task] = push.deliveries_for(phone.id)
    assert task.payload_json["title"] == "New task"
    assert task.payload_json["url"] == f"/w/#/c/{made['id']}"
    assert task.urgency == "high"


async def test_a_gone_subscription_is_deleted(
    client: Client, push: PushEmulator, sender: PushSender, demo_database: str
) -> None:
    reporter = await resident(client)
    phone = await subscribed(client, push, reporter)
    push.respond(phone.id, 410)
    await report(client, reporter)
    await sender.drain_once()
    conn = await asyncpg.connect(demo_database)
    try:
        assert await conn.fetchval("SELECT count(*) FROM push_subscriptions") == 0
    finally:
        await conn.close()
    assert ("dispatched", "sent") in await outbox_states(demo_database)


async def test_a_failure_is_retried_and_delivered_once(
    client: Client, push: PushEmulator, sender: PushSender, clock: ManualClock, demo_database: str
) -> None:
    reporter = await resident(client)
    phone = await subscribed(client, push, reporter)
    push.respond(phone.id, 500)
    await report(client, reporter)
    await sender.drain_once()
    assert push.deliveries_for(phone.id) == []
    assert [a.status for a in push.attempts_for(phone.id)] == [500]
    assert await sender.drain_once() == 0  # not due again yet
    clock.advance(minutes=2)
    await sender.drain_once()
    assert len(push.deliveries_for(phone.id)) == 1
    clock.advance(hours=1)
    await sender.drain_once()
    assert len(push.deliveries_for(phone.id)) == 1
    assert ("dispatched", "sent") in await outbox_states(demo_database)


async def test_retry_after_is_honoured_and_hopeless_rows_die(
    client: Client, push: PushEmulator, sender: PushSender, clock: ManualClock, demo_database: str
) -> None:
    reporter = await resident(client)
    phone = await subscribed(client, push, reporter)
    push.respond(phone.id, 429, 503, 503)
    await report(client, reporter)
    await sender.drain_once()
    clock.advance(seconds=59)
    assert await sender.drain_once() == 0  # Retry-After: 60
    for _ in range(3):
        clock.advance(hours=1)
        await sender.drain_once()
    assert ("dispatched", "dead") in await outbox_states(demo_database)
    assert push.deliveries_for(phone.id) == []


async def test_a_hanging_push_service_does_not_stall_the_others(
    client: Client, push: PushEmulator, sender: PushSender
) -> None:
    slow, fast = await resident(client), await resident(client)
    stuck = await subscribed(client, push, slow)
    quick = await subscribed(client, push, fast)
    push.respond(stuck.id, "hang")
    await report(client, slow)
    await report(client, fast, lat=30.2742)
    async with asyncio.timeout(10):
        await sender.drain_once()
    assert len(push.deliveries_for(quick.id)) == 1
    assert push.deliveries_for(stuck.id) == []


async def test_subscriptions_are_one_per_endpoint_and_validated(
    client: Client, push: PushEmulator, settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    first, second = await resident(client), await resident(client)
    device = await subscribed(client, push, first)
    again = await client.post("/api/v1/push/subscriptions", headers=first, json=device.info)
    assert again.status_code == 204
    moved = await client.post("/api/v1/push/subscriptions", headers=second, json=device.info)
    assert moved.status_code == 204
    conn = await asyncpg.connect(demo_database)
    try:
        assert await conn.fetchval("SELECT count(*) FROM push_subscriptions") == 1
    finally:
        await conn.close()
    gone = await client.post(
        "/api/v1/push/subscriptions/delete", headers=first, json={"endpoint": device.endpoint}
    )
    assert gone.status_code == 404  # it belongs to the second resident now
    strict = dataclasses.replace(settings, push_allow_loopback=False)
    async with AsyncTestClient(app=create_app(strict, dsn=demo_database, clock=clock)) as other:
        for endpoint in ["http://push.example.com/x", device.endpoint, "https://10.0.0.1/x"]:
            bad = await other.post(
                "/api/v1/push/subscriptions",
                headers=first,
                json={**device.info, "endpoint": endpoint},
            )
            assert bad.status_code == 400, endpoint
            assert bad.json()["fields"]["endpoint"], endpoint
    key = (await client.get("/api/v1/push/key")).json()["publicKey"]
    assert (
        key == (await client.get("/api/v1/push/key")).json()["publicKey"] == push.expected_vapid_key
    )


async def test_endpoints_at_addresses_are_refused_in_every_notation(
    client: Client, push: PushEmulator, settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    device = push.subscribe()
    strict = dataclasses.replace(settings, push_allow_loopback=False)
    async with AsyncTestClient(app=create_app(strict, dsn=demo_database, clock=clock)) as other:
        headers = await resident(other)
        refused = ["0x7f.1", "2130706433", "0177.0.0.1", "[::1]", "[::ffff:7f00:1]"]
        refused += ["169.254.169.254", "localhost", "push.localhost", "999.1.1.1"]
        for host in refused:
            bad = await other.post(
                "/api/v1/push/subscriptions",
                headers=headers,
                json={**device.info, "endpoint": f"https://{host}:8443/push/x"},
            )
            assert bad.status_code == 400, host
            body = bad.json()
            assert body["code"] == "push.bad_endpoint"
            assert body["message"] and body["messageEn"]


async def stored_subscriptions(dsn: str, endpoints: list[str]) -> None:
    """Subscriptions of the newest resident, written as if before endpoints were checked."""
    conn = await asyncpg.connect(dsn)
    try:
        user_id = await conn.fetchval("SELECT max(id) FROM users WHERE role = 'resident'")
        for endpoint in endpoints:
            keys = make_subscription("https://push.example.com").info["keys"]
            await conn.execute(
                "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at) "
                "VALUES ($1, $2, $3, $4, now())",
                user_id,
                endpoint,
                keys["p256dh"],
                keys["auth"],
            )
    finally:
        await conn.close()


async def test_a_push_is_never_sent_to_an_endpoint_that_reaches_loopback(
    client: Client, settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    strict = dataclasses.replace(settings, push_allow_loopback=False)
    hosts = ["0x7f.1", "localhost", "2130706433", "[::ffff:127.0.0.1]", "127.0.0.1"]
    reporter = await resident(client)
    pool = await create_pool(strict, demo_database)
    try:
        with ConnectionRecorder() as listener:
            endpoints = [f"https://{h}:{listener.port}/push/{n}" for n, h in enumerate(hosts)]
            await stored_subscriptions(demo_database, endpoints)
            await report(client, reporter)
            async with push_session(strict) as session:
                sender = PushSender(
                    pool=pool,
                    vapid=load_vapid(strict),
                    settings=strict,
                    clock=clock,
                    session=session,
                )
                await sender.drain_once()
                clock.advance(hours=2)
                assert await sender.drain_once() == 0  # failed for good, not retried
    finally:
        await pool.close()
    assert listener.connections == []
    assert ("dispatched", "dead") in await outbox_states(demo_database)
    conn = await asyncpg.connect(demo_database)
    try:
        assert await conn.fetchval("SELECT count(*) FROM push_subscriptions") == 0
    finally:
        await conn.close()


async def test_the_pushes_of_one_case_carry_its_order(
    client: Client, push: PushEmulator, sender: PushSender, login: Login
) -> None:
    reporter = await resident(client)
    phone = await subscribed(client, push, reporter)
    made = await report(client, reporter)
    await move(client, await login("demo-worker"), made["id"], "accept")
    await sender.drain_once()
    # Sent side by side, they may arrive in either order: their sequence tells the phone which
    # is newer.
    messages = sorted(
        (d.payload_json for d in push.deliveries_for(phone.id)), key=lambda m: m["seq"]
    )
    assert [m["title"] for m in messages] == ["已受理", "已签收"]
    assert [m["case"] for m in messages] == [made["id"], made["id"]]
