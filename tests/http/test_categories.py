"""Categories over HTTP: the phone's list and audited admin edits."""

from __future__ import annotations

import asyncpg

from tests.http.conftest import Client, Login

ADMIN_CATEGORIES = "/api/v1/admin/categories"


async def test_phone_gets_the_default_taxonomy_with_deadlines(client: Client) -> None:
    response = await client.get("/api/v1/categories/")
    assert response.status_code == 200
    by_code = {c["code"]: c for c in response.json()}
    assert by_code["fire_lane"]["name"] == "消防通道堵塞"
    assert by_code["fire_lane"]["nameEn"] == "Blocked fire lane"
    assert by_code["vice_clue"]["confidential"] is True
    assert by_code["gang_clue"]["confidential"] is True
    assert by_code["street_vending"]["ownerKind"] == "chengguan"
    emergency = by_code["urgent_hazard"]["deadlines"]
    assert (
        emergency["acceptMinutes"],
        emergency["resolveMinutes"],
        emergency["verifyMinutes"],
    ) == (1, 5, 30)
    presets = {p["code"] for p in (await client.get("/api/v1/categories/presets")).json()}
    assert {"emergency", "ordinary"} <= presets


async def test_admin_edit_is_applied_and_audited(
    client: Client, login: Login, demo_database: str
) -> None:
    admin = await login("demo-admin")
    response = await client.patch(
        f"{ADMIN_CATEGORIES}/streetlight",
        headers=admin,
        json={"preset": "urgent", "duplicateRadiusM": 80},
    )
    assert response.status_code == 200, response.text
    assert response.json()["deadlines"]["preset"] == "urgent"
    assert response.json()["duplicateRadiusM"] == 80
    conn = await asyncpg.connect(demo_database)
    try:
        row = await conn.fetchrow(
            "SELECT actor_id, detail FROM audit_log WHERE action = 'category.update' "
            "AND subject_id = 'streetlight'"
        )
    finally:
        await conn.close()
    assert row is not None
    assert row["actor_id"] is not None
    assert '"preset_code": "urgent"' in row["detail"] or '"urgent"' in row["detail"]


async def test_admin_creates_and_retires_a_category(client: Client, login: Login) -> None:
    admin = await login("demo-admin")
    body = {
        "code": "noise",
        "name": "噪音扰民",
        "nameEn": "Noise nuisance",
        "class": "environment",
        "ownerKind": "chengguan",
        "preset": "ordinary",
    }
    created = await client.post(ADMIN_CATEGORIES, headers=admin, json=body)
    assert created.status_code == 201, created.text
    assert (await client.post(ADMIN_CATEGORIES, headers=admin, json=body)).status_code == 409
    retired = await client.patch(f"{ADMIN_CATEGORIES}/noise", headers=admin, json={"active": False})
    assert retired.json()["active"] is False
    public = [c["code"] for c in (await client.get("/api/v1/categories/")).json()]
    assert "noise" not in public
    everything = [c["code"] for c in (await client.get(ADMIN_CATEGORIES, headers=admin)).json()]
    assert "noise" in everything


async def test_bad_category_edits_are_refused(client: Client, login: Login) -> None:
    admin = await login("demo-admin")
    wrong_owner = await client.patch(
        f"{ADMIN_CATEGORIES}/other", headers=admin, json={"ownerKind": "aliens", "preset": "never"}
    )
    assert wrong_owner.status_code == 422
    assert set(wrong_owner.json()["fields"]) == {"ownerKind", "preset"}
    missing = await client.patch(f"{ADMIN_CATEGORIES}/no_such", headers=admin, json={})
    assert missing.status_code == 404
    unknown_field = await client.patch(
        f"{ADMIN_CATEGORIES}/other", headers=admin, json={"colour": "red"}
    )
    assert unknown_field.status_code == 400
    negative = await client.patch(
        f"{ADMIN_CATEGORIES}/other", headers=admin, json={"duplicateRadiusM": -5}
    )
    assert negative.status_code == 400
    as_worker = await client.patch(
        f"{ADMIN_CATEGORIES}/other", headers=await login("demo-worker"), json={"active": False}
    )
    assert as_worker.status_code == 403
