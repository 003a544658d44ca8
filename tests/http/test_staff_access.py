"""The off-switch for staff: an admin deactivates, reactivates and resets passwords, over HTTP."""

from __future__ import annotations

import asyncpg

from tests.conftest import DEMO_PASSWORD
from tests.http.conftest import Client, Login

LOGIN = "/api/v1/auth/login"
USERS = "/api/v1/admin/users"
NEW_PASSWORD = "a-brand-new-password"


async def user_id(client: Client, headers: dict[str, str]) -> int:
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200, me.text
    found: int = me.json()["id"]
    return found


async def log_in(client: Client, username: str, password: str = DEMO_PASSWORD) -> int:
    response = await client.post(LOGIN, json={"username": username, "password": password})
    return response.status_code


async def audited(dsn: str, subject_id: int) -> list[tuple[str, int | None]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT action, actor_id FROM audit_log WHERE subject_type = 'user' "
            "AND subject_id = $1 AND action <> 'user.create' ORDER BY id",
            str(subject_id),
        )
    finally:
        await conn.close()
    return [(row["action"], row["actor_id"]) for row in rows]


async def test_deactivated_staff_lose_every_session_and_cannot_log_in(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    desk, phone = await login("demo-dispatcher"), await login("demo-dispatcher")
    dispatcher = await user_id(client, desk)

    off = await client.post(f"{USERS}/{dispatcher}/deactivate", headers=admin)
    assert off.status_code == 200, off.text
    assert off.json()["active"] is False
    for session in (desk, phone):
        gone = await client.get("/api/v1/me", headers=session)
        assert gone.status_code == 401
        assert gone.json()["code"] == "auth.invalid_token"

    refused = await client.post(
        LOGIN, json={"username": "demo-dispatcher", "password": DEMO_PASSWORD}
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.deactivated"
    assert "停用" in refused.json()["message"]
    assert "deactivated" in refused.json()["messageEn"]
    # Without the password, a deactivated account looks like any wrong login.
    assert await log_in(client, "demo-dispatcher", "not-the-password") == 401


async def test_a_reactivated_account_logs_in_again_but_old_sessions_stay_ended(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    old = await login("demo-worker")
    worker = await user_id(client, old)
    assert (await client.post(f"{USERS}/{worker}/deactivate", headers=admin)).status_code == 200
    on = await client.post(f"{USERS}/{worker}/reactivate", headers=admin)
    assert on.status_code == 200, on.text
    assert on.json()["active"] is True
    assert await log_in(client, "demo-worker") == 200
    assert (await client.get("/api/v1/me", headers=old)).status_code == 401


async def test_password_reset_ends_old_sessions_and_the_new_password_works(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    old = await login("demo-supervisor")
    supervisor = await user_id(client, old)
    reset = await client.post(
        f"{USERS}/{supervisor}/password", headers=admin, json={"password": NEW_PASSWORD}
    )
    assert reset.status_code == 200, reset.text
    assert (await client.get("/api/v1/me", headers=old)).status_code == 401
    assert await log_in(client, "demo-supervisor") == 401
    assert await log_in(client, "demo-supervisor", NEW_PASSWORD) == 200


async def test_a_short_new_password_is_refused(client: Client, login: Login) -> None:
    admin = await login("demo-admin")
    worker = await user_id(client, await login("demo-worker"))
    short = await client.post(f"{USERS}/{worker}/password", headers=admin, json={"password": "x"})
    assert short.status_code == 400
    assert short.json()["message"] and short.json()["messageEn"]
    assert await log_in(client, "demo-worker") == 200


async def test_every_change_is_in_the_audit_log(
    client: Client, login: Login, demo_database: str
) -> None:
    admin = await login("demo-admin")
    admin_id = await user_id(client, admin)
    worker = await user_id(client, await login("demo-worker"))
    for action, body in (("deactivate", None), ("reactivate", None), ("password", NEW_PASSWORD)):
        payload = {"password": body} if body else None
        changed = await client.post(f"{USERS}/{worker}/{action}", headers=admin, json=payload)
        assert changed.status_code == 200, changed.text
    assert await audited(demo_database, worker) == [
        ("user.deactivate", admin_id),
        ("user.reactivate", admin_id),
        ("user.password_reset", admin_id),
    ]


async def test_only_an_admin_switches_staff_and_only_within_their_scope(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    worker_session = await login("demo-worker")
    worker = await user_id(client, worker_session)
    dispatcher_session = await login("demo-dispatcher")
    dispatcher = await user_id(client, dispatcher_session)
    grid = (await client.get("/api/v1/me", headers=worker_session)).json()["regionCode"]

    by_dispatcher = await client.post(f"{USERS}/{worker}/deactivate", headers=dispatcher_session)
    assert by_dispatcher.status_code == 403
    created = await client.post(
        USERS,
        headers=admin,
        json={
            "username": "grid-admin",
            "password": "a-long-password",
            "role": "admin",
            "regionCode": grid,
        },
    )
    assert created.status_code == 201, created.text
    grid_admin_session = await client.post(
        LOGIN, json={"username": "grid-admin", "password": "a-long-password"}
    )
    grid_admin = {"Authorization": f"Bearer {grid_admin_session.json()['token']}"}
    outside = await client.post(f"{USERS}/{dispatcher}/deactivate", headers=grid_admin)
    assert outside.status_code == 404
    assert outside.json()["code"] == "accounts.not_found"
    assert (await client.get("/api/v1/me", headers=dispatcher_session)).status_code == 200
    inside = await client.post(f"{USERS}/{worker}/deactivate", headers=grid_admin)
    assert inside.status_code == 200


async def test_a_scoped_admin_creates_staff_only_within_their_area(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    grid = (await client.get("/api/v1/me", headers=await login("demo-worker"))).json()
    district = (await client.get("/api/v1/me", headers=await login("demo-dispatcher"))).json()
    made = await client.post(
        USERS,
        headers=admin,
        json={
            "username": "area-admin",
            "password": "a-long-password",
            "role": "admin",
            "regionCode": grid["regionCode"],
        },
    )
    assert made.status_code == 201, made.text
    session = await client.post(
        LOGIN, json={"username": "area-admin", "password": "a-long-password"}
    )
    area_admin = {"Authorization": f"Bearer {session.json()['token']}"}
    beyond = [
        {"username": "city-admin-2", "role": "admin"},
        {
            "username": "district-dispatcher-2",
            "role": "dispatcher",
            "regionCode": district["regionCode"],
        },
    ]
    for account in beyond:
        refused = await client.post(
            USERS, headers=area_admin, json={**account, "password": "a-long-password"}
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "accounts.out_of_scope"
        assert refused.json()["message"] and refused.json()["messageEn"]
        assert await log_in(client, account["username"], "a-long-password") == 401
    inside = await client.post(
        USERS,
        headers=area_admin,
        json={
            "username": "grid-worker-2",
            "password": "a-long-password",
            "role": "worker",
            "regionCode": grid["regionCode"],
        },
    )
    assert inside.status_code == 201, inside.text
    assert await log_in(client, "grid-worker-2", "a-long-password") == 200


async def test_residents_unknown_ids_and_oneself_are_not_switched(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    device = (await client.post("/api/v1/auth/device", json={})).json()
    resident = device["user"]["id"]
    for target in (resident, 999_999_999):
        missing = await client.post(f"{USERS}/{target}/deactivate", headers=admin)
        assert missing.status_code == 404
    resident_headers = {"Authorization": f"Bearer {device['token']}"}
    assert (await client.get("/api/v1/me", headers=resident_headers)).status_code == 200
    myself = await client.post(f"{USERS}/{await user_id(client, admin)}/deactivate", headers=admin)
    assert myself.status_code == 422
    assert myself.json()["code"] == "accounts.deactivate_self"
    assert (await client.get("/api/v1/me", headers=admin)).status_code == 200
