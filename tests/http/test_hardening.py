"""What a browser keeps, where a page may send a form, why a reporter is revealed, and text
that cannot be drawn as something else."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.clock import ManualClock
from backend.settings import Settings
from tests.http.case_helpers import case, report, resident
from tests.http.conftest import Client, Login

REVERSE = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "abc\u202egpj.exe" shows as "abcexe.jpg"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


async def test_private_answers_are_never_stored_by_a_browser_or_proxy(
    client: Client, login: Login
) -> None:
    me = await resident(client)
    dispatcher = await login("demo-dispatcher")
    made = await report(client, me)
    answers = [
        await client.get("/api/v1/me", headers=me),
        await client.get("/api/v1/me/reports", headers=me),
        await client.get("/api/v1/cases/", headers=dispatcher),
        await client.get(f"/api/v1/cases/{made['id']}", headers=dispatcher),
        await client.get("/api/v1/cases/export.csv", headers=dispatcher),
        await client.get("/api/v1/cases/", headers={}),  # the refusal too
        await client.post("/api/v1/auth/device", json={}),  # a fresh token
    ]
    for answer in answers:
        assert answer.status_code < 500, answer.text
        assert answer.headers["cache-control"] == "no-store", answer.request.url


@pytest.fixture
def built_pwa(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    for page in ["index.html", "w/index.html", "d/index.html"]:
        (dist / page).parent.mkdir(parents=True, exist_ok=True)
        (dist / page).write_text("<!doctype html><title>随手拍</title>")
    (dist / "assets").mkdir()
    return dist


async def test_the_pages_send_forms_only_to_their_own_site(
    settings: Settings, demo_database: str, built_pwa: Path
) -> None:
    app = create_app(settings, dsn=demo_database, clock=ManualClock(), pwa_dist=built_pwa)
    async with AsyncTestClient(app=app) as client:
        for path in ["/", "/w/", "/d/"]:
            policy = (await client.get(path)).headers["content-security-policy"]
            assert "form-action 'self'" in [part.strip() for part in policy.split(";")], path


@pytest.mark.parametrize(
    "reason",
    [
        "",
        "核实一下",
        "需要回访核实情况",
        "aaaaaaaaaaaaaaa",
        "哈 哈 哈 哈 哈 哈 哈 哈 哈 哈",
        " " * 12,
    ],
    ids=["empty", "four", "eight", "one-letter", "one-character-spaced", "blank"],
)
async def test_a_reveal_needs_a_real_reason(client: Client, login: Login, reason: str) -> None:
    made = await report(client, await resident(client, phone="13912345678"))
    answer = await client.post(
        f"/api/v1/cases/{made['id']}/reveal",
        headers=await login("demo-supervisor"),
        json={"reason": reason},
    )
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "cases.reveal_reason"
    assert body["message"] and body["messageEn"] and body["message"] != body["messageEn"]
    assert set(body["fields"]) == {"reason"}


async def test_a_reason_of_ten_characters_reveals(client: Client, login: Login) -> None:
    made = await report(client, await resident(client, phone="13912345678"))
    answer = await client.post(
        f"/api/v1/cases/{made['id']}/reveal",
        headers=await login("demo-supervisor"),
        json={"reason": "需要电话回访核实情况"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["phone"] == "13912345678"


async def test_stored_text_carries_no_bidirectional_controls(client: Client, login: Login) -> None:
    me = await resident(client, nickname=f"小{REVERSE}明")
    assert (await client.get("/api/v1/me", headers=me)).json()["nickname"] == "小明"
    made = await report(client, me, description=f"楼道{BIDI}堆放杂物 gpj{REVERSE}.exe")
    shown = await case(client, await login("demo-dispatcher"), made["id"])
    assert shown["description"] == "楼道堆放杂物 gpj.exe"


async def test_admin_text_carries_no_bidirectional_controls(client: Client, login: Login) -> None:
    admin = await login("demo-admin")
    renamed = await client.patch(
        "/api/v1/admin/categories/streetlight", headers=admin, json={"name": f"路灯{REVERSE}损坏"}
    )
    assert renamed.status_code == 200, renamed.text
    listed = {c["code"]: c for c in (await client.get("/api/v1/categories/")).json()}
    assert listed["streetlight"]["name"] == "路灯损坏"


async def test_a_name_made_only_of_bidirectional_controls_is_refused(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    renamed = await client.patch(
        "/api/v1/admin/categories/streetlight", headers=admin, json={"name": BIDI}
    )
    assert renamed.status_code == 400, renamed.text
    assert "name" in renamed.json()["fields"]
    assert renamed.json()["message"] and renamed.json()["messageEn"]
    listed = {c["code"]: c for c in (await client.get("/api/v1/categories/")).json()}
    assert listed["streetlight"]["name"]
