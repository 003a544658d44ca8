"""The dispatcher's live feed over a real server: scoped, and resumable by Last-Event-ID."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from shapely.geometry import shape

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.slow
HOME = (30.2741, 120.1551)


async def login(
    client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD
) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def submit(client: httpx.AsyncClient, lat: float, lng: float) -> int:
    token = (await client.post("/api/v1/auth/device", json={})).json()["token"]
    body = {"clientId": str(uuid.uuid4()), "category": "dispute", "lat": lat, "lng": lng}
    response = await client.post(
        "/api/v1/reports/", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    case_id: int = response.json()["id"]
    return case_id


@asynccontextmanager
async def feed(base: str, headers: dict[str, str]) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    """Read the stream in the background; events arrive on the queue."""
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    ready = asyncio.Event()

    async def read() -> None:
        async with (
            httpx.AsyncClient(base_url=base, timeout=None) as client,
            client.stream("GET", "/api/v1/stream", headers=headers) as response,
        ):
            assert response.status_code == 200
            message: dict[str, str] = {}
            async for line in response.aiter_lines():
                if line.startswith(": live"):
                    ready.set()
                elif line.startswith(("id:", "data:")):
                    key, _, value = line.partition(":")
                    message[key] = value.strip()
                elif line == "" and message.get("data"):
                    await events.put({"id": int(message["id"]), **json.loads(message["data"])})
                    message = {}

    reader = asyncio.create_task(read())
    async with asyncio.timeout(15):
        await ready.wait()
    try:
        yield events
    finally:
        reader.cancel()


async def next_for(events: asyncio.Queue[dict[str, Any]], case_id: int) -> dict[str, Any]:
    async with asyncio.timeout(15):
        while True:
            event = await events.get()
            if event["caseId"] == case_id:
                return event


async def test_dispatchers_see_changes_in_their_scope_live(api: str) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        admin = await login(client, "demo-admin")
        streets = (
            await client.get("/api/v1/regions/", params={"parent": "330106"}, headers=admin)
        ).json()
        home_street = (
            await client.get("/api/v1/regions/locate", params={"lat": HOME[0], "lng": HOME[1]})
        ).json()["chain"][1]["code"]
        other = next(s["code"] for s in streets if s["code"] != home_street)
        outline = (await client.get(f"/api/v1/regions/{other}", headers=admin)).json()["geometry"]
        point = shape(outline).representative_point()
        created = await client.post(
            "/api/v1/admin/users",
            headers=admin,
            json={
                "username": "other-street",
                "password": "a-long-password",
                "role": "dispatcher",
                "regionCode": other,
            },
        )
        assert created.status_code == 201
        district = await login(client, "demo-dispatcher")
        street = await login(client, "other-street", "a-long-password")
        async with feed(api, district) as everything, feed(api, street) as theirs:
            home_case = await submit(client, *HOME)
            submitted = await next_for(everything, home_case)
            assert submitted["action"] == "submit"
            assert submitted["status"] == "submitted"
            their_case = await submit(client, point.y, point.x)
            first_of_theirs = await theirs.get()
            assert first_of_theirs["caseId"] == their_case  # never the other street's case
            assert (await next_for(everything, their_case))["caseId"] == their_case


async def test_a_reconnect_with_last_event_id_misses_nothing(api: str) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        dispatcher = await login(client, "demo-dispatcher")
        async with feed(api, dispatcher) as events:
            first = await next_for(events, await submit(client, *HOME))
        missed_case = await submit(client, *HOME)  # while the console is away
        resumed = {**dispatcher, "Last-Event-ID": str(first["id"])}
        async with feed(api, resumed) as events:
            replayed = await next_for(events, missed_case)
            assert replayed["action"] == "submit"
            assert replayed["id"] > first["id"]
