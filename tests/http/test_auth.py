"""Logging in, device tokens, expiry, logout and throttling, over HTTP."""

from __future__ import annotations

from backend.clock import ManualClock
from tests.conftest import DEMO_PASSWORD
from tests.http.conftest import Client, Login

LOGIN = "/api/v1/auth/login"


async def test_staff_login_gives_a_token_that_identifies_the_user(
    client: Client, login: Login
) -> None:
    headers = await login("demo-dispatcher")
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["username"] == "demo-dispatcher"
    assert me.json()["role"] == "dispatcher"
    assert me.json()["regionCode"] == "330106"


async def test_wrong_password_and_unknown_user_look_the_same(client: Client) -> None:
    wrong = await client.post(LOGIN, json={"username": "demo-worker", "password": "nope"})
    unknown = await client.post(LOGIN, json={"username": "nobody-here", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "auth.invalid_credentials"
    assert wrong.json()["message"] and wrong.json()["messageEn"]


async def test_token_is_stored_only_as_a_hash(
    client: Client, login: Login, demo_database: str
) -> None:
    import asyncpg

    token = (await login("demo-worker"))["Authorization"].removeprefix("Bearer ")
    conn = await asyncpg.connect(demo_database)
    try:
        stored = await conn.fetch("SELECT token_hash FROM auth_tokens")
    finally:
        await conn.close()
    assert stored
    assert all(token.encode() not in bytes(row["token_hash"]) for row in stored)


async def test_token_expires(client: Client, login: Login, clock: ManualClock) -> None:
    headers = await login("demo-worker")
    clock.advance(hours=11, minutes=59)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    clock.advance(minutes=2)
    expired = await client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["code"] == "auth.invalid_token"


async def test_logout_revokes_the_token(client: Client, login: Login) -> None:
    headers = await login("demo-worker")
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_missing_or_garbage_token_is_401(client: Client) -> None:
    assert (await client.get("/api/v1/me")).status_code == 401
    garbage = await client.get("/api/v1/me", headers={"Authorization": "Bearer grt_made-up"})
    assert garbage.status_code == 401
    basic = await client.get("/api/v1/me", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert basic.status_code == 401


async def test_login_guesses_on_a_username_must_wait(client: Client, clock: ManualClock) -> None:
    for _ in range(3):
        response = await client.post(LOGIN, json={"username": "demo-admin", "password": "guess"})
        assert response.status_code == 401
    # From the same place, even the right password waits: it could be the next guess.
    throttled = await client.post(LOGIN, json={"username": "demo-admin", "password": DEMO_PASSWORD})
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "auth.throttled"
    wait = int(throttled.headers["Retry-After"])
    assert 0 < wait <= 15 * 60
    # Other users are not affected, and the wait passes.
    other = await client.post(LOGIN, json={"username": "demo-worker", "password": DEMO_PASSWORD})
    assert other.status_code == 200
    clock.advance(seconds=wait)
    again = await client.post(LOGIN, json={"username": "demo-admin", "password": DEMO_PASSWORD})
    assert again.status_code == 200


async def test_login_is_throttled_per_address(client: Client) -> None:
    # 30 failures from one address, spread over many usernames, close that address.
    for n in range(30):
        response = await client.post(LOGIN, json={"username": f"guess-{n}", "password": "x"})
        assert response.status_code == 401
    blocked = await client.post(LOGIN, json={"username": "demo-worker", "password": DEMO_PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0


async def test_resident_device_token_without_a_name(client: Client) -> None:
    response = await client.post("/api/v1/auth/device", json={})
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["role"] == "resident"
    assert body["user"]["username"] is None and body["user"]["nickname"] is None
    headers = {"Authorization": f"Bearer {body['token']}"}
    updated = await client.patch(
        "/api/v1/me",
        headers=headers,
        json={"nickname": "小李", "phone": "13800138000", "locale": "en"},
    )
    assert updated.status_code == 200
    assert updated.json()["nickname"] == "小李"
    assert updated.json()["locale"] == "en"
    bad_phone = await client.patch("/api/v1/me", headers=headers, json={"phone": "<script>"})
    assert bad_phone.status_code == 400
    assert "phone" in bad_phone.json()["fields"]


async def test_resident_token_lasts_months_not_hours(client: Client, clock: ManualClock) -> None:
    token = (await client.post("/api/v1/auth/device", json={"locale": "zh-CN"})).json()["token"]
    clock.advance(days=30)
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200


async def test_bad_login_bodies_are_clear_400s(client: Client) -> None:
    cases = [
        b"{not json",
        b'{"username": "demo-worker"}',
        b'{"username": "demo-worker", "password": "x", "admin": true}',
        b'{"username": 5, "password": "x"}',
        b"[]",
    ]
    for raw in cases:
        response = await client.post(
            LOGIN, content=raw, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, raw
        assert response.json()["code"] in {"request.invalid", "request.bad"}
        assert response.json()["messageEn"]


async def test_admin_creates_staff_others_may_not(client: Client, login: Login) -> None:
    new = {
        "username": "street-dispatcher",
        "password": "a-long-password",
        "role": "dispatcher",
        "regionCode": "330106001",
    }
    as_dispatcher = await client.post(
        "/api/v1/admin/users", json=new, headers=await login("demo-dispatcher")
    )
    assert as_dispatcher.status_code == 403
    admin = await login("demo-admin")
    created = await client.post("/api/v1/admin/users", json=new, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["regionCode"] == "330106001"
    again = await client.post("/api/v1/admin/users", json=new, headers=admin)
    assert again.status_code == 409
    no_scope = await client.post(
        "/api/v1/admin/users",
        headers=admin,
        json={"username": "lost-worker", "password": "a-long-password", "role": "worker"},
    )
    assert no_scope.status_code == 422
    assert no_scope.json()["code"] == "accounts.bad_scope"
    logged_in = await client.post(
        LOGIN, json={"username": "street-dispatcher", "password": "a-long-password"}
    )
    assert logged_in.status_code == 200
