"""网格员绩效 at the supervisor's desk and 我的绩效 on the grid worker's phone: the figures the
API gives for the same period, sortable at the desk, readable on the phone without signal."""

from __future__ import annotations

import math
from typing import Any

import httpx
from playwright.async_api import Browser, Page, expect

from tests.browser.area_setup import sign_in
from tests.browser.conftest import ARTIFACTS, PHONE
from tests.browser.test_loop import log_in, staff_page
from tests.browser.test_oversight_console import desk
from tests.browser.test_phone_fit import SMALL_TARGETS_JS, TARGETS
from tests.http.case_helpers import report

FIGURES = (
    "handled",
    "onTime",
    "onTimeRate",
    "reworked",
    "reworkRate",
    "rated",
    "ratingAvg",
    "satisfactionRate",
    "patrolReports",
    "dutiesDone",
    "dutiesOverdue",
)


def shown(key: str, value: Any) -> str:
    """A figure as the screens write it: rates in percent with one decimal, the mean with two."""
    if value is None:
        return "—"
    if key.endswith("Rate"):
        return f"{math.floor(value * 1000 + 0.5) / 10:.1f}%"
    if key == "ratingAvg":
        return f"{value:.2f}"
    return str(value)


async def patrol_reports_filed(api: str, count: int) -> tuple[dict[str, str], int]:
    """The demo worker files reports found on patrol; their headers and user id."""
    async with httpx.AsyncClient(base_url=api) as client:
        worker, worker_id = await sign_in(client, "demo-worker")
        for n in range(count):
            await report(client, worker, lat=30.2741 + 0.0001 * (n + 1))
    return worker, worker_id


async def answer(api: str, username: str, path: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=api) as client:
        headers, _ = await sign_in(client, username)
        response = await client.get(f"/api/v1/performance/{path}", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
    return body


async def no_small_targets(page: Page, selector: str) -> None:
    small: Any = await page.evaluate(SMALL_TARGETS_JS, selector)
    assert small == []


async def test_a_supervisor_reads_the_workers_figures_at_the_desk(
    browser: Browser, api: str
) -> None:
    _, worker_id = await patrol_reports_filed(api, 2)
    expected = await answer(api, "demo-supervisor", "workers")
    row = next(w for w in expected["workers"] if w["userId"] == worker_id)
    assert row["patrolReports"] == 2

    context, page = await desk(browser, api, "demo-supervisor")
    await page.get_by_test_id("nav-performance").click()
    await expect(page.get_by_test_id("nav-performance")).to_have_class("tab active")
    await expect(page.get_by_test_id("performance-period")).to_contain_text(
        expected["period"]["label"]
    )
    shown_row = page.locator(f"[data-testid=performance-row][data-user-id='{worker_id}']")
    await expect(shown_row).to_contain_text(row["name"])
    for key in FIGURES:
        await expect(shown_row.get_by_test_id(f"cell-{key}")).to_have_text(shown(key, row[key]))
    await expect(page.get_by_test_id("performance-row")).to_have_count(len(expected["workers"]))
    await expect(page.get_by_test_id("performance-truncated")).to_have_count(0)

    # The most patrol reports first once sorted by them, descending.
    await page.get_by_test_id("sort-patrolReports").click()
    header = page.locator("th", has=page.get_by_test_id("sort-patrolReports"))
    await expect(header).to_have_attribute("aria-sort", "descending")
    most = max(w["patrolReports"] for w in expected["workers"])
    await expect(
        page.get_by_test_id("performance-row").first.get_by_test_id("cell-patrolReports")
    ).to_have_text(str(most))
    await no_small_targets(page, "[data-testid=performance] button")
    await page.screenshot(path=str(ARTIFACTS / "performance_desk.png"), full_page=True)
    await context.close()


async def test_the_worker_reads_their_own_figures_on_the_phone_even_offline(
    browser: Browser, api: str
) -> None:
    await patrol_reports_filed(api, 1)
    mine = await answer(api, "demo-worker", "mine")
    assert len(mine["workers"]) == 1
    theirs = mine["workers"][0]
    assert theirs["patrolReports"] == 1

    context, phone = await staff_page(browser, api, PHONE)
    await log_in(phone, "/w/", "demo-worker")
    await phone.get_by_test_id("nav-performance").click()
    this_month = phone.get_by_test_id("my-month-this")
    await expect(this_month).to_have_attribute("data-period", mine["period"]["label"])
    for key in FIGURES:
        await expect(this_month.get_by_test_id(f"my-{key}").locator("dd")).to_have_text(
            shown(key, theirs[key])
        )
    await expect(phone.get_by_test_id("my-month-last")).to_be_visible()
    await no_small_targets(phone, TARGETS)
    await phone.screenshot(path=str(ARTIFACTS / "performance_phone.png"), full_page=True)

    # Without signal the copy kept on the phone is shown, marked as such.
    await context.set_offline(True)
    await phone.get_by_test_id("nav-patrol").click()
    await phone.get_by_test_id("nav-performance").click()
    await expect(phone.get_by_test_id("performance-offline")).to_be_visible()
    await expect(this_month.get_by_test_id("my-patrolReports").locator("dd")).to_have_text("1")
    await context.close()


async def test_only_a_grid_worker_has_my_performance_on_the_phone(
    browser: Browser, api: str
) -> None:
    context, phone = await staff_page(browser, api, PHONE)
    await log_in(phone, "/w/", "demo-department")
    await expect(phone.get_by_test_id("logout")).to_be_visible(timeout=10_000)
    await expect(phone.get_by_test_id("nav-patrol")).to_be_visible()
    await expect(phone.get_by_test_id("nav-performance")).to_have_count(0)
    await phone.goto("/w/#/performance")
    await expect(phone.get_by_test_id("nav-patrol")).to_be_visible()
    await expect(phone.get_by_test_id("my-performance")).to_have_count(0)
    await context.close()
