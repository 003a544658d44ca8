"""A case inside a flagged key area: the console's queue shows "挂牌 名称 1/2" on its row and the
badge opens the area's page; the worker's list shows the same badge."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, expect

from tests.browser.area_setup import AREA_NAME, sign_in
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_area_console import proposed_area_with_a_plan
from tests.browser.test_console import reports_by_residents
from tests.browser.test_loop import DESK, log_in, staff_page
from tests.browser.test_worker import WORKER_GRID, one_row
from tests.http.case_helpers import HOME


async def test_a_case_in_a_flagged_area_shows_the_area_and_opens_it(
    browser: Browser, api: str, demo_database: str
) -> None:
    grid = (await one_row(demo_database, WORKER_GRID))["code"]
    async with httpx.AsyncClient(base_url=api) as client:
        area_id = await proposed_area_with_a_plan(client, grid)
        headers, _ = await sign_in(client, "demo-supervisor")
        flagged = await client.post(
            f"/api/v1/areas/{area_id}/transitions",
            headers=headers,
            json={"action": "flag", "reason": "研判会决定挂牌督办", "level": "red"},
        )
        assert flagged.status_code == 200, flagged.text
    (made,) = await reports_by_residents(api, HOME)

    context, page = await staff_page(browser, api, DESK)
    await log_in(page, "/d/", "demo-dispatcher")
    await page.get_by_test_id("tab-all").click()
    row = page.locator(f'[data-testid="case-item"][data-case-id="{made["id"]}"]')
    badge = row.get_by_test_id("key-area-link")
    await expect(badge).to_contain_text(f"挂牌 {AREA_NAME} 1/2", timeout=10_000)
    await expect(badge.get_by_test_id("key-area")).to_have_attribute("data-level", "red")
    await page.screenshot(path=str(ARTIFACTS / "queue_key_area.png"), full_page=True)
    await badge.click()
    await expect(page).to_have_url(f"{api}/d/#/areas/{area_id}")
    await expect(page.get_by_test_id("area-page")).to_have_attribute("data-state", "flagged")
    await context.close()

    context, phone = await staff_page(browser, api, {"width": 390, "height": 844})
    await log_in(phone, "/w/", "demo-worker")
    item = phone.locator(f'[data-testid="task-item"][data-case-id="{made["id"]}"]')
    await expect(item.get_by_test_id("key-area")).to_contain_text(
        f"挂牌 {AREA_NAME} 1/2", timeout=10_000
    )
    await context.close()
