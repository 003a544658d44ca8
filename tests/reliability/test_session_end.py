"""An ended session closes its live streams at once, whichever process ended it.

A real server holds the dispatcher's stream open. Deactivation through the admin API, a
password reset from the `gridreport` command (another process, reaching the server only
through PostgreSQL) and a logout each close the matching streams; the server re-checks a
stream's token only every 15 s, so a stream closed well within that bound was closed by
the notification.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from backend.accounts.rules import token_digest
from tests.conftest import DEMO_PASSWORD
from tests.servers import Server, free_port

pytestmark = pytest.mark.slow
HOME = (30.2741, 120.1551)
STREAMS_PER_USER = 2
CLOSED_WITHIN_SECONDS = 10  # below the 15 s token re-check: only the notification is this fast
RECHECK_SECONDS = 15  # how often an open stream re-checks its token, busy or idle


@dataclass
class Feed:
    """One console's open stream, read in the background."""

    events: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    live: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def api(demo_database: str, tmp_path: Path) -> Iterator[str]:
    env = {
        "DATABASE_URL": demo_database,
        "GRIDREPORT_LIVE_STREAMS_PER_USER": str(STREAMS_PER_USER),
    }
    server = Server(tmp_path / "var", free_port(), env, demo=False)
    try:
        server.wait_ready()
        yield server.base
    finally:
        server.stop(signal.SIGTERM)


async def login(
    client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD
) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@asynccontextmanager
async def feed(base: str, headers: dict[str, str]) -> AsyncIterator[Feed]:
    """An open stream; `ended` is set when the server closes it."""
    opened = Feed()

    async def read() -> None:
        async with (
            httpx.AsyncClient(base_url=base, timeout=None) as client,
            client.stream("GET", "/api/v1/stream", headers=headers) as response,
        ):
            assert response.status_code == 200
            data = ""
            async for line in response.aiter_lines():
                if line.startswith(": live"):
                    opened.live.set()
                elif line.startswith("data:"):
                    data = line.partition(":")[2].strip()
                elif line == "" and data:
                    await opened.events.put(json.loads(data))
                    data = ""
        opened.ended.set()

    reader = asyncio.create_task(read())
    async with asyncio.timeout(15):
        await opened.live.wait()
    try:
        yield opened
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


async def closed_at_once(opened: Feed) -> None:
    async with asyncio.timeout(CLOSED_WITHIN_SECONDS):
        await opened.ended.wait()


async def next_about(opened: Feed, case_id: int) -> dict[str, Any]:
    """The first event about `case_id` (events about other cases are passed over)."""
    event = await opened.events.get()
    while event["caseId"] != case_id:
        event = await opened.events.get()
    return event


async def stream_status(base: str, headers: dict[str, str]) -> httpx.Response:
    """The answer to opening one more stream, read up to its first line and closed."""
    async with (
        httpx.AsyncClient(base_url=base, timeout=15) as client,
        client.stream("GET", "/api/v1/stream", headers=headers) as response,
    ):
        if response.status_code != 200:
            await response.aread()
        return response


async def user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    found: int = (await client.get("/api/v1/me", headers=headers)).json()["id"]
    return found


def gridreport(dsn: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        input=stdin,
        env={**os.environ, "DATABASE_URL": dsn},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_deactivating_a_dispatcher_closes_their_open_stream(api: str) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        admin = await login(client, "demo-admin")
        dispatcher = await login(client, "demo-dispatcher")
        async with feed(api, dispatcher) as console:
            target = await user_id(client, dispatcher)
            off = await client.post(f"/api/v1/admin/users/{target}/deactivate", headers=admin)
            assert off.status_code == 200, off.text
            await closed_at_once(console)
        assert (await client.get("/api/v1/me", headers=dispatcher)).status_code == 401
        refused = await client.post(
            "/api/v1/auth/login",
            json={"username": "demo-dispatcher", "password": DEMO_PASSWORD},
        )
        assert refused.status_code == 403
        assert refused.json()["code"] == "auth.deactivated"
        assert refused.json()["message"] and refused.json()["messageEn"]
        on = await client.post(f"/api/v1/admin/users/{target}/reactivate", headers=admin)
        assert on.status_code == 200, on.text
        again = await login(client, "demo-dispatcher")
        async with feed(api, again) as reopened:
            assert reopened.live.is_set() and not reopened.ended.is_set()


async def test_a_password_reset_from_the_command_line_closes_the_stream(
    api: str, demo_database: str
) -> None:
    new_password = "a-brand-new-password"
    async with httpx.AsyncClient(base_url=api) as client:
        old = await login(client, "demo-dispatcher")
        async with feed(api, old) as console:
            reset = await asyncio.to_thread(
                gridreport,
                demo_database,
                "reset-password",
                "--username",
                "demo-dispatcher",
                "--password-stdin",
                stdin=new_password + "\n",
            )
            assert reset.returncode == 0, reset.stderr
            await closed_at_once(console)
        assert (await client.get("/api/v1/me", headers=old)).status_code == 401
        new = await login(client, "demo-dispatcher", new_password)
        assert (await client.get("/api/v1/me", headers=new)).status_code == 200


async def test_logout_closes_the_streams_of_that_login_only(api: str) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        desk, laptop = (
            await login(client, "demo-dispatcher"),
            await login(client, "demo-dispatcher"),
        )
        async with feed(api, desk) as on_desk, feed(api, laptop) as on_laptop:
            out = await client.post("/api/v1/auth/logout", headers=desk)
            assert out.status_code == 204
            await closed_at_once(on_desk)
            case_id = await submit(client)
            async with asyncio.timeout(15):  # the other login's console still gets news
                await next_about(on_laptop, case_id)
            assert not on_laptop.ended.is_set()


async def test_one_stream_more_than_the_limit_is_refused_until_one_closes(api: str) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        dispatcher = await login(client, "demo-dispatcher")
        async with contextlib.AsyncExitStack() as consoles:
            first = await consoles.enter_async_context(feed(api, dispatcher))
            for _ in range(STREAMS_PER_USER - 1):
                await consoles.enter_async_context(feed(api, dispatcher))
            refused = await stream_status(api, dispatcher)
            assert refused.status_code == 429
            assert refused.json()["code"] == "live.too_many_streams"
            assert refused.json()["message"] and refused.json()["messageEn"]
            assert not first.ended.is_set()  # the limit refuses the newcomer, closes nobody
            supervisor = await login(client, "demo-supervisor")  # another account is not held back
            async with feed(api, supervisor) as others:
                assert others.live.is_set() and not others.ended.is_set()
        # Once the consoles are closed the server frees their places as it notices.
        async with asyncio.timeout(15):
            answer = await stream_status(api, dispatcher)
            while answer.status_code == 429:
                answer = await stream_status(api, dispatcher)
        assert answer.status_code == 200


async def test_a_busy_stream_notices_an_ended_session_without_its_notification(
    api: str, demo_database: str
) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        console_login = await login(client, "demo-dispatcher")
        desk = await login(client, "demo-dispatcher")
        case_id = await submit(client)
        async with feed(api, console_login) as console:
            await revoke_without_notice(demo_database, console_login)
            # News keeps arriving far more often than the 15 s idle re-check would fire; the
            # stream must still end once its token's re-check is due.
            async with asyncio.timeout(2 * RECHECK_SECONDS + CLOSED_WITHIN_SECONDS):
                while not console.ended.is_set():
                    commented = await client.post(
                        f"/api/v1/cases/{case_id}/comments", headers=desk, json={"note": "跟进"}
                    )
                    assert commented.status_code == 200, commented.text
                    await next_event_or_end(console)
        assert (await client.get("/api/v1/me", headers=console_login)).status_code == 401
        assert (await client.get("/api/v1/me", headers=desk)).status_code == 200


async def revoke_without_notice(dsn: str, headers: dict[str, str]) -> None:
    """End one login in the database alone, as if its notification had been missed."""
    token = headers["Authorization"].removeprefix("Bearer ")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "UPDATE auth_tokens SET revoked_at = now() WHERE token_hash = $1", token_digest(token)
        )
    finally:
        await conn.close()


async def next_event_or_end(opened: Feed) -> None:
    """Wait for the stream's next event, or for the stream to end."""
    waits = {asyncio.ensure_future(opened.events.get()), asyncio.ensure_future(opened.ended.wait())}
    _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for waiting in pending:
        waiting.cancel()


async def submit(client: httpx.AsyncClient) -> int:
    token = (await client.post("/api/v1/auth/device", json={})).json()["token"]
    body = {"clientId": str(uuid.uuid4()), "category": "dispute", "lat": HOME[0], "lng": HOME[1]}
    response = await client.post(
        "/api/v1/reports/", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    case_id: int = response.json()["id"]
    return case_id
