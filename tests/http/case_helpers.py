"""Helpers for tests of the case loop: residents, staff, reports and moves over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from tests.http.conftest import Client
from tests.http.photos import jpeg, multipart_file

HOME = {"lat": 30.2741, "lng": 120.1551}
STAFF_PASSWORD = "a-long-password"


async def resident(
    client: Client, *, nickname: str | None = None, phone: str | None = None
) -> dict[str, str]:
    token = (await client.post("/api/v1/auth/device", json={})).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    if nickname or phone:
        response = await client.patch(
            "/api/v1/me", headers=headers, json={"nickname": nickname, "phone": phone}
        )
        assert response.status_code == 200, response.text
    return headers


async def staff(
    client: Client, admin: dict[str, str], username: str, role: str, **scope: Any
) -> dict[str, str]:
    body = {"username": username, "password": STAFF_PASSWORD, "role": role, **scope}
    created = await client.post("/api/v1/admin/users", headers=admin, json=body)
    assert created.status_code == 201, created.text
    login = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": STAFF_PASSWORD}
    )
    return {"Authorization": f"Bearer {login.json()['token']}"}


async def photo(
    client: Client, headers: dict[str, str], purpose: str = "report", seed: int = 0
) -> str:
    response = await client.post(
        "/api/v1/media/",
        headers=headers,
        files=multipart_file(jpeg(seed=seed)),
        data={"purpose": purpose},
    )
    assert response.status_code == 201, response.text
    media_id: str = response.json()["id"]
    return media_id


async def report(
    client: Client,
    headers: dict[str, str],
    category: str = "sanitation",
    lat: float = HOME["lat"],
    lng: float = HOME["lng"],
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "clientId": str(uuid.uuid4()),
        "category": category,
        "lat": lat,
        "lng": lng,
        "description": "楼道堆放杂物",
        "mediaIds": [await photo(client, headers)],
        **extra,
    }
    response = await client.post("/api/v1/reports/", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def case(client: Client, headers: dict[str, str], case_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def move(
    client: Client,
    headers: dict[str, str],
    case_id: int,
    action: str,
    expect: int = 200,
    **body: Any,
) -> dict[str, Any]:
    """Take a move with the case's current version (read first, as a console would)."""
    if "version" not in body and action != "comments":
        body["version"] = (await case(client, headers, case_id))["version"]
    response = await client.post(f"/api/v1/cases/{case_id}/{action}", headers=headers, json=body)
    assert response.status_code == expect, (action, response.text)
    result: dict[str, Any] = response.json() if response.content else {}
    return result


async def outbox(dsn: str, case_id: int) -> list[tuple[int, str]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT user_id, kind FROM outbox WHERE case_id = $1 ORDER BY id", case_id
        )
    finally:
        await conn.close()
    return [(row["user_id"], row["kind"]) for row in rows]


async def user_id(client: Client, headers: dict[str, str]) -> int:
    me: int = (await client.get("/api/v1/me", headers=headers)).json()["id"]
    return me
