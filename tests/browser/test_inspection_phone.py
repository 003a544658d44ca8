"""督查 on the phone: an inspection filed on site with no signal, sent once the signal is back
and seen in the ledger once; the responsible grid worker's 签收 and 整改反馈 made offline,
landed once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page, Route, expect

from tests.browser.conftest import ARTIFACTS, PHONE
from tests.browser.test_loop import log_in, staff_page
from tests.browser.test_worker import WORKER_GRID, one_row
from tests.conftest import DEMO_PASSWORD
from tests.http.photos import jpeg

FINDING = "消防通道被杂物堵塞"


async def headers_of(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    login = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


async def ledger(client: httpx.AsyncClient, headers: dict[str, str], grid: str) -> list[Any]:
    got = await client.get("/api/v1/findings", params={"region": grid}, headers=headers)
    assert got.status_code == 200, got.text
    items: list[Any] = got.json()["items"]
    return items


async def count(dsn: str, sql: str, *args: object) -> int:
    found: int = (await one_row(dsn, f"SELECT count(*) AS n FROM ({sql}) AS q", *args))["n"]
    return found


async def signed_in(browser: Browser, api: str, username: str) -> tuple[Any, Page]:
    context, phone = await staff_page(browser, api, PHONE)
    await log_in(phone, "/w/", username)
    await expect(phone.get_by_test_id("logout")).to_be_visible(timeout=10_000)
    return context, phone


async def test_an_inspection_filed_offline_lands_in_the_ledger_once(
    browser: Browser, api: str, demo_database: str, tmp_path: Path
) -> None:
    grid = (await one_row(demo_database, WORKER_GRID))["code"]
    picture = tmp_path / "finding.jpg"
    picture.write_bytes(jpeg(1600, 1200, seed=21))

    context, phone = await signed_in(browser, api, "demo-supervisor")
    # A supervisor has no cases of their own: the phone opens at 督查, without 我的任务.
    page = phone.get_by_test_id("inspect")
    await expect(page).to_have_attribute("data-filer", "true", timeout=15_000)
    await expect(phone.get_by_test_id("nav-list")).to_have_count(0)
    await expect(phone.get_by_test_id("nav-inspect")).to_have_class("tab active")
    # Where the phone stands was read while there was signal: the grid is kept for offline.
    await expect(page).to_have_attribute("data-here", grid, timeout=15_000)

    await context.set_offline(True)
    await phone.get_by_test_id("inspect-new").click()
    await expect(phone.get_by_test_id("inspect-region")).to_have_value(grid)
    await expect(phone.get_by_test_id("inspect-position")).to_have_attribute(
        "data-located", "true", timeout=15_000
    )
    await phone.get_by_test_id("inspect-manner").select_option("covert")
    await phone.get_by_test_id("inspect-finding-text").fill(FINDING)
    await phone.get_by_test_id("inspect-submit").click()
    # The phone says what the server would refuse before anything is stored.
    await expect(phone.get_by_test_id("inspect-problem")).to_contain_text("督查组")
    await phone.get_by_test_id("inspect-team").fill("区综治办第二督查组")
    await phone.get_by_test_id("inspect-finding-photo-input").set_input_files(str(picture))
    await expect(phone.get_by_test_id("inspect-finding-photos")).to_have_attribute(
        "data-count", "1", timeout=15_000
    )
    await expect(phone.get_by_test_id("inspect-finding-unit")).to_have_value(grid)
    await phone.get_by_test_id("inspect-submit").click()
    await expect(phone.get_by_test_id("inspect-notice")).to_contain_text("联网后自动提交")
    await expect(phone.get_by_test_id("pending-inspect")).to_have_attribute("data-count", "1")
    job = phone.get_by_test_id("inspect-job")
    await expect(job).to_have_attribute("data-state", "pending")
    await phone.screenshot(path=str(ARTIFACTS / "inspection_filed_offline.png"))
    assert await count(demo_database, "SELECT id FROM inspections") == 0

    # Back online, the first answer is lost on its way to the phone, after the server stored it.
    lost: list[object] = []

    async def lose_the_first_answer(route: Route) -> None:
        if route.request.method == "POST" and not lost:
            lost.append(await route.fetch())
            await route.abort()
        else:
            await route.continue_()

    await phone.route("**/api/v1/inspections", lose_the_first_answer)
    async with phone.expect_event("requestfailed", lambda r: "/inspections" in r.url):
        await context.set_offline(False)
    assert await count(demo_database, "SELECT id FROM inspections") == 1
    await expect(job).to_have_attribute("data-state", "pending")
    # The phone sends it again (on the next reconnect, or its half-minute retry): the same body
    # with the same clientId and the photo's kept media id, which the server answers with the
    # inspection it already holds.
    await phone.evaluate("() => window.dispatchEvent(new Event('online'))")
    await expect(phone.get_by_test_id("pending-inspect")).to_have_count(0, timeout=45_000)
    await expect(job).to_have_attribute("data-state", "sent")
    async with httpx.AsyncClient(base_url=api) as client:
        supervisor = await headers_of(client, "demo-supervisor")
        found = [f for f in await ledger(client, supervisor, grid) if f["text"] == FINDING]
        assert len(found) == 1, found
        assert found[0]["state"] == "open"
        assert found[0]["responsible"]["code"] == grid
        assert len(found[0]["photos"]) == 1
        inspection = await client.get(
            f"/api/v1/inspections/{found[0]['inspectionId']}", headers=supervisor
        )
        assert inspection.status_code == 200, inspection.text
        filed = inspection.json()
        assert (filed["manner"], filed["team"]) == ("covert", "区综治办第二督查组")
        assert filed["lat"] is not None
    assert await count(demo_database, "SELECT id FROM inspections") == 1
    assert await count(demo_database, "SELECT id FROM findings") == 1
    await context.close()


async def a_finding_for_the_grid(client: httpx.AsyncClient, grid: str) -> int:
    """An inspection filed over HTTP by the demo supervisor, its finding on the worker's grid."""
    supervisor = await headers_of(client, "demo-supervisor")
    due = datetime.now(UTC) + timedelta(days=3)
    body = {
        "clientId": str(uuid.uuid4()),
        "manner": "open",
        "plan": "scheduled",
        "focus": "special",
        "team": "街道平安办",
        "regionCode": grid,
        "day": datetime.now(UTC).date().isoformat(),
        "mediaIds": [],
        "findings": [{"text": FINDING, "deadline": due.isoformat(), "responsibleRegionCode": grid}],
    }
    filed = await client.post("/api/v1/inspections", json=body, headers=supervisor)
    assert filed.status_code == 201, filed.text
    finding_id: int = filed.json()["findings"][0]["id"]
    return finding_id


async def test_the_responsible_worker_accepts_and_reports_offline(
    browser: Browser, api: str, demo_database: str, tmp_path: Path
) -> None:
    grid = (await one_row(demo_database, WORKER_GRID))["code"]
    after = tmp_path / "after.jpg"
    after.write_bytes(jpeg(1600, 1200, seed=22))
    async with httpx.AsyncClient(base_url=api) as client:
        finding_id = await a_finding_for_the_grid(client, grid)

    context, phone = await signed_in(browser, api, "demo-worker")
    await phone.get_by_test_id("nav-inspect").click()
    item = phone.get_by_test_id("my-finding")
    await expect(item).to_have_count(1, timeout=15_000)
    await expect(item).to_have_attribute("data-finding-id", str(finding_id))
    # A grid worker answers for findings but does not file inspections.
    await expect(phone.get_by_test_id("inspect")).to_have_attribute("data-filer", "false")
    await item.click()
    page = phone.get_by_test_id("finding")
    await expect(page).to_have_attribute("data-finding-id", str(finding_id), timeout=10_000)
    state = phone.get_by_test_id("finding-state")
    await expect(state).to_have_attribute("data-state", "open")

    await context.set_offline(True)
    await phone.get_by_test_id("finding-accept").click()
    await expect(state).to_have_attribute("data-state", "rectifying", timeout=10_000)
    await phone.get_by_test_id("finding-report").click()
    await phone.get_by_test_id("report-note").fill("杂物已清理，通道恢复畅通")
    await phone.get_by_test_id("report-submit").click()
    await expect(phone.get_by_test_id("report-problem")).to_contain_text("整改后")
    await phone.get_by_test_id("report-photo-input").set_input_files(str(after))
    await expect(phone.get_by_test_id("report-photos")).to_have_attribute(
        "data-count", "1", timeout=15_000
    )
    await phone.get_by_test_id("report-submit").click()
    await expect(state).to_have_attribute("data-state", "reported", timeout=10_000)
    await expect(phone.get_by_test_id("pending-inspect")).to_have_attribute("data-count", "2")
    row = await one_row(demo_database, "SELECT state FROM findings WHERE id = $1", finding_id)
    assert row["state"] == "open"  # nothing reached the server while offline

    await context.set_offline(False)
    await expect(phone.get_by_test_id("pending-inspect")).to_have_count(0, timeout=30_000)
    async with httpx.AsyncClient(base_url=api) as client:
        supervisor = await headers_of(client, "demo-supervisor")
        got = await client.get(f"/api/v1/findings/{finding_id}", headers=supervisor)
        assert got.status_code == 200, got.text
        finding = got.json()
        assert finding["state"] == "reported"
        assert len(finding["evidence"]) == 1
        moves = [e["action"] for e in finding["events"] if e["action"] in ("accept", "report")]
        assert moves == ["accept", "report"]
    await context.close()
