"""Login throttling behind the bundled nginx: guesses slow down, strangers cannot lock a staff
member out, parallel guesses get no extra checks, and password checks never stall the API."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable

import asyncpg
import httpx
import pytest
from argon2 import PasswordHasher

from backend.clock import ManualClock
from backend.settings import Settings
from tests.conftest import DEMO_PASSWORD
from tests.http.concurrent import behind_nginx, concurrent_client, relayed_from

LOGIN = "/api/v1/auth/login"
DEVICE_COOKIE = "gridreport_device"
ATTACKER = "203.0.113.9"
OFFICE = "198.51.100.7"


def guess(
    client: httpx.AsyncClient, address: str, password: str = "guess"
) -> Awaitable[httpx.Response]:
    return client.post(
        LOGIN,
        json={"username": "demo-admin", "password": password},
        headers=relayed_from(address),
    )


async def test_guesses_from_one_address_wait_longer_each_time_and_the_owner_is_not_locked_out(
    settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    settings = behind_nginx(
        settings, login_free_tries=3, login_first_wait_seconds=2, login_max_failures_per_user=20
    )
    async with concurrent_client(settings, demo_database, clock) as client:
        for _ in range(3):
            assert (await guess(client, ATTACKER)).status_code == 401
        waits = []
        for _ in range(3):
            throttled = await guess(client, ATTACKER)
            assert throttled.status_code == 429
            assert throttled.json()["code"] == "auth.throttled"
            assert throttled.json()["message"] and throttled.json()["messageEn"]
            waits.append(int(throttled.headers["Retry-After"]))
            clock.advance(seconds=waits[-1])
            assert (await guess(client, ATTACKER)).status_code == 401
        assert waits == [2, 4, 8]
        # The owner, at the office, is not slowed by the stranger's guesses.
        owner = await guess(client, OFFICE, DEMO_PASSWORD)
        assert owner.status_code == 200, owner.text


async def test_the_username_ceiling_stops_guesses_from_everywhere_but_not_a_known_browser(
    settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    settings = behind_nginx(settings, login_max_failures_per_user=4)
    async with concurrent_client(settings, demo_database, clock) as client:
        first = await guess(client, OFFICE, DEMO_PASSWORD)
        assert first.status_code == 200
        known = first.cookies[DEVICE_COOKIE]
        assert "httponly" in first.headers["set-cookie"].lower()
        client.cookies.clear()
        answers = [(await guess(client, f"203.0.113.{n}")).status_code for n in range(1, 9)]
        assert answers == [401] * 4 + [429] * 4
        # The right password from a browser never used before waits too: it could be a guess.
        elsewhere = await guess(client, "192.0.2.1", DEMO_PASSWORD)
        assert elsewhere.status_code == 429
        # The owner's own browser gets in, from anywhere; a wrong password there is still wrong.
        cookie = {"Cookie": f"{DEVICE_COOKIE}={known}"}
        wrong = await client.post(
            LOGIN,
            json={"username": "demo-admin", "password": "guess"},
            headers={**relayed_from("192.0.2.1"), **cookie},
        )
        assert wrong.status_code == 401
        owner = await client.post(
            LOGIN,
            json={"username": "demo-admin", "password": DEMO_PASSWORD},
            headers={**relayed_from("192.0.2.1"), **cookie},
        )
        assert owner.status_code == 200, owner.text
        # Someone else's cookie opens nothing for this username.
        stranger = await client.post(
            LOGIN,
            json={"username": "demo-worker", "password": "guess"},
            headers={**relayed_from(ATTACKER), **cookie},
        )
        assert stranger.status_code == 401


async def test_forty_parallel_guesses_get_no_more_password_checks_than_the_limit(
    settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    settings = behind_nginx(settings, login_free_tries=3, login_max_failures_per_user=5)
    async with concurrent_client(settings, demo_database, clock) as client:
        one_address = await asyncio.gather(*(guess(client, ATTACKER) for _ in range(40)))
        assert sorted(a.status_code for a in one_address) == [401] * 3 + [429] * 37
        many_addresses = await asyncio.gather(
            *(guess(client, f"198.18.0.{n}") for n in range(1, 41))
        )
        # Three failures are already counted for the username: two more may be checked.
        assert sorted(a.status_code for a in many_addresses) == [401] * 2 + [429] * 38


async def test_forged_forwarding_headers_from_an_untrusted_peer_change_nothing(
    settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    # No trusted proxy: every guess comes from the peer, whatever address it claims.
    async with concurrent_client(settings, demo_database, clock, peer=ATTACKER) as client:
        answers = [(await guess(client, f"192.0.2.{n}")).status_code for n in range(1, 6)]
    assert answers == [401] * 3 + [429] * 2


async def test_healthz_answers_while_eight_logins_check_their_passwords(
    settings: Settings, demo_database: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    checking, health_answered = threading.Semaphore(0), threading.Event()
    verify = PasswordHasher.verify

    def held_verify(self: PasswordHasher, stored: str | bytes, password: str | bytes) -> bool:
        # A password check that lasts until /healthz has answered. Checked on the event loop,
        # it would keep /healthz from answering: after a while it gives up waiting, so the
        # test fails by the order of the answers instead of hanging.
        checking.release()
        if not health_answered.wait(timeout=30):
            health_answered.set()
        return verify(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", held_verify)
    settings = behind_nginx(settings, login_free_tries=20, login_max_failures_per_user=20)
    finished: list[str] = []
    async with concurrent_client(settings, demo_database, clock) as client:

        async def log_in(n: int) -> int:
            answer = await guess(client, f"198.51.100.{n}", DEMO_PASSWORD)
            finished.append("login")
            return answer.status_code

        logins = [asyncio.create_task(log_in(n)) for n in range(1, 9)]
        while not checking.acquire(blocking=False):
            assert not all(task.done() for task in logins)
            await asyncio.sleep(0.01)
        health = await client.get("/healthz")
        finished.append("healthz")
        health_answered.set()
        statuses = await asyncio.gather(*logins)
    assert health.status_code == 200
    assert statuses == [200] * 8
    assert finished == ["healthz"] + ["login"] * 8


async def test_an_admin_unlocks_a_username_that_strangers_guessed_at(
    settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    conn = await asyncpg.connect(demo_database)
    try:
        worker_id = await conn.fetchval("SELECT id FROM users WHERE username = 'demo-worker'")
    finally:
        await conn.close()
    settings = behind_nginx(settings, login_max_failures_per_user=3)
    async with concurrent_client(settings, demo_database, clock) as client:
        admin = await client.post(
            LOGIN,
            json={"username": "demo-admin", "password": DEMO_PASSWORD},
            headers=relayed_from(OFFICE),
        )
        client.cookies.clear()
        auth = {"Authorization": f"Bearer {admin.json()['token']}"}

        def worker_login(address: str, password: str) -> Awaitable[httpx.Response]:
            body = {"username": "demo-worker", "password": password}
            return client.post(LOGIN, json=body, headers=relayed_from(address))

        for n in range(1, 4):
            assert (await worker_login(f"203.0.113.{n}", "guess")).status_code == 401
        assert (await worker_login("192.0.2.1", DEMO_PASSWORD)).status_code == 429
        not_admin = await client.post(
            f"/api/v1/admin/users/{worker_id}/unlock", headers=relayed_from(OFFICE)
        )
        assert not_admin.status_code == 401
        unlocked = await client.post(f"/api/v1/admin/users/{worker_id}/unlock", headers=auth)
        assert unlocked.status_code == 200, unlocked.text
        assert (await worker_login("192.0.2.1", DEMO_PASSWORD)).status_code == 200
