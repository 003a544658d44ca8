"""The whole loop in browsers: a resident reports, a grid worker fixes it with an after-photo,
a dispatcher verifies and closes it, and the resident sees it closed and rates it."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import ARTIFACTS, CHROMIUM_PRESENT, HOME, PHONE
from tests.browser.test_resident import TRACKING, fill_report
from tests.conftest import DEMO_PASSWORD
from tests.http.photos import jpeg

DESK = {"width": 1280, "height": 800}


@pytest.fixture
def photos(tmp_path: Path) -> tuple[Path, Path]:
    before, after = tmp_path / "before.jpg", tmp_path / "after.jpg"
    before.write_bytes(jpeg(3000, 2000, seed=1))
    after.write_bytes(jpeg(1600, 1200, seed=99))
    return before, after


async def staff_page(
    browser: Browser, api: str, viewport: dict[str, int]
) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(
        viewport=viewport,
        base_url=api,
        locale="zh-CN",
        geolocation=HOME,
        permissions=["geolocation"],
    )
    return context, await context.new_page()


async def log_in(page: Page, path: str, username: str) -> None:
    await page.goto(path)
    await page.get_by_test_id("username").fill(username)
    await page.get_by_test_id("password").fill(DEMO_PASSWORD)
    await page.get_by_test_id("login").click()


async def only_case_id(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        case_id: int = await conn.fetchval("SELECT id FROM cases")
    finally:
        await conn.close()
    return case_id


async def test_report_fix_verify_close_rate(
    browser: Browser, phone: Page, api: str, demo_database: str, photos: tuple[Path, Path]
) -> None:
    assert CHROMIUM_PRESENT
    before, after = photos
    await fill_report(phone, before)
    await phone.get_by_test_id("send").click()
    await expect(phone.get_by_test_id("tracking-no")).to_have_text(TRACKING, timeout=20_000)
    case_id = await only_case_id(demo_database)

    worker_context, worker = await staff_page(browser, api, PHONE)
    await log_in(worker, "/w/", "demo-worker")
    await worker.locator(f'[data-testid="task-item"][data-case-id="{case_id}"]').click()
    await worker.get_by_test_id("action-accept").click()
    await expect(worker.get_by_test_id("case-status")).to_have_attribute("data-status", "accepted")
    await worker.get_by_test_id("action-resolve").click()
    await worker.get_by_test_id("resolve-photo-input").set_input_files(str(after))
    await expect(worker.get_by_test_id("resolve-photos")).to_have_attribute(
        "data-count", "1", timeout=15_000
    )
    await worker.get_by_test_id("resolve-note").fill("已清理干净")
    await worker.get_by_test_id("resolve-submit").click()
    await expect(worker.get_by_test_id("case-status")).to_have_attribute(
        "data-status", "resolved", timeout=20_000
    )
    await worker.screenshot(path=str(ARTIFACTS / "worker_case_resolved.png"), full_page=True)
    await worker_context.close()

    desk_context, desk = await staff_page(browser, api, DESK)
    await log_in(desk, "/d/", "demo-dispatcher")
    await desk.get_by_test_id("tab-resolved").click()
    await desk.locator(f'[data-testid="case-item"][data-case-id="{case_id}"]').click()
    await desk.get_by_test_id("action-verify-pass").click()
    await expect(desk.get_by_test_id("case-status")).to_have_attribute("data-status", "closed")
    await desk.screenshot(path=str(ARTIFACTS / "dispatcher_case_closed.png"), full_page=True)
    await desk_context.close()

    await phone.goto(f"/reports/{case_id}")
    status = phone.get_by_test_id("report-status").first
    await expect(status).to_have_attribute("data-status", "closed", timeout=10_000)
    await phone.get_by_test_id("rate-4").click()
    await phone.get_by_test_id("rate-submit").click()
    await expect(status).to_have_attribute("data-status", "rated", timeout=10_000)
