"""治安动态 without GPS: the resident chooses a place on the map, and the app remembers it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.conftest import ARTIFACTS, HOME, PHONE

# The phone's position is asked for, and answers only when the test says (a slow GPS fix).
HELD_POSITION = """
(() => {
  const held = [];
  window.heldFixes = held;
  let asked;
  window.positionAsked = new Promise((resolve) => { asked = resolve; });
  const geolocation = {
    getCurrentPosition(ok, fail) { held.push({ ok, fail }); asked(true); },
    watchPosition() { return 0; },
    clearWatch() {},
  };
  Object.defineProperty(Navigator.prototype, 'geolocation', {
    get: () => geolocation,
    configurable: true,
  });
})();
"""
# Far from the map's centre, in another part of the city.
FAR_AWAY = {"latitude": 30.31, "longitude": 120.10}
# Until the page has drawn what a callback just set (its effects run after the next frame).
SETTLED = """new Promise((r) =>
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0))))"""
# The service worker has the app and every view precached and answers for the page.
CONTROLLED = """navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller
  || new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r)))
  .then(() => true)"""


@pytest.fixture
async def no_gps_phone(browser: Browser, api: str) -> AsyncIterator[Page]:
    """A phone whose owner refused the app their position."""
    context: BrowserContext = await browser.new_context(
        viewport=PHONE,
        base_url=api,
        locale="zh-CN",
        permissions=[],
        service_workers="allow",
        is_mobile=True,
        has_touch=True,
    )
    page = await context.new_page()
    yield page
    await context.close()


async def test_without_gps_the_area_is_chosen_on_the_map_and_remembered(
    no_gps_phone: Page,
) -> None:
    phone = no_gps_phone
    await phone.goto("/#/area")
    chooser = phone.get_by_test_id("area-chooser")
    await expect(chooser).to_be_visible(timeout=20_000)
    await expect(phone.get_by_test_id("area-show-here")).to_be_disabled()
    the_map = phone.get_by_test_id("area-map")
    await expect(the_map).to_have_attribute("data-state", "ready", timeout=15_000)
    await the_map.scroll_into_view_if_needed()
    box = await the_map.bounding_box()
    assert box is not None
    await phone.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await phone.get_by_test_id("area-show-here").click()

    page = phone.get_by_test_id("area-page")
    await expect(page).to_have_attribute("data-phase", "ready", timeout=20_000)
    region = phone.get_by_test_id("area-region")
    await expect(region).not_to_be_empty()
    chosen = await region.get_attribute("data-code")
    assert chosen
    await expect(chooser).to_have_count(0)
    await phone.screenshot(path=str(ARTIFACTS / "resident_area_chosen.png"))

    # Next time, still without GPS, the region chosen comes back without the map.
    await phone.reload()
    await expect(page).to_have_attribute("data-phase", "ready", timeout=20_000)
    await expect(region).to_have_attribute("data-code", chosen)
    await expect(chooser).to_have_count(0)


async def choose_the_map_centre(phone: Page) -> None:
    the_map = phone.get_by_test_id("area-map")
    await expect(the_map).to_have_attribute("data-state", "ready", timeout=15_000)
    await the_map.scroll_into_view_if_needed()
    box = await the_map.bounding_box()
    assert box is not None
    await phone.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await phone.get_by_test_id("area-show-here").click()


async def test_a_late_position_does_not_replace_the_region_chosen_on_the_map(phone: Page) -> None:
    await phone.add_init_script(HELD_POSITION)
    asked: list[str] = []
    phone.on("request", lambda r: asked.append(r.url) if "/api/v1/area-page" in r.url else None)
    await phone.goto("/#/area")
    page = phone.get_by_test_id("area-page")
    await expect(page).to_have_attribute("data-phase", "locating", timeout=20_000)
    await phone.evaluate("window.positionAsked")

    # Tired of waiting, the resident chooses on the map.
    await phone.get_by_test_id("area-choose").click()
    await choose_the_map_centre(phone)
    await expect(page).to_have_attribute("data-phase", "ready", timeout=20_000)
    region = phone.get_by_test_id("area-region")
    chosen = await region.get_attribute("data-code")
    assert chosen

    # Then the phone's position arrives, far away: the page stays on the region chosen.
    await phone.evaluate(
        "([lat, lng]) => window.heldFixes[0].ok("
        "{ coords: { latitude: lat, longitude: lng, accuracy: 10 }, timestamp: Date.now() })",
        [FAR_AWAY["latitude"], FAR_AWAY["longitude"]],
    )
    await phone.evaluate(SETTLED)
    assert await page.get_attribute("data-phase") == "ready"
    assert await region.get_attribute("data-code") == chosen
    # Widening still works from the region chosen, and the late position was never asked about.
    await phone.get_by_test_id("area-widen").click()
    await expect(page).to_have_attribute("data-phase", "ready", timeout=20_000)
    await expect(region).not_to_have_attribute("data-code", chosen)
    assert not [url for url in asked if "lat=30.310000" in url], asked
    await expect(phone.get_by_test_id("area-chooser")).to_have_count(0)


async def test_each_tab_shows_its_own_view_and_asks_only_for_its_own_data(phone: Page) -> None:
    reports: list[str] = []
    phone.on("request", lambda r: reports.append(r.url) if "/api/v1/reports/" in r.url else None)
    async with phone.expect_request(lambda r: r.url.endswith("/api/v1/reports/999999")):
        await phone.goto("/#/r/999999")
    await expect(phone.get_by_test_id("new-report")).to_be_visible(timeout=20_000)

    await phone.get_by_test_id("area-tab").click()
    await expect(phone.get_by_test_id("area-page")).to_have_attribute(
        "data-phase", "ready", timeout=20_000
    )
    await expect(phone.get_by_test_id("report-detail")).to_have_count(0)
    assert [u for u in reports if not u.endswith("/reports/999999")] == []


async def test_offline_the_page_says_what_it_shows_and_dates_the_copy_kept(
    phone: Page, phone_context: BrowserContext
) -> None:
    await phone.goto("/")
    await phone.evaluate(CONTROLLED)

    # Offline at the first visit: nothing is kept yet, and the page says so.
    await phone_context.set_offline(True)
    await phone.get_by_test_id("area-tab").click()
    error = phone.get_by_test_id("area-error")
    await expect(error).to_contain_text("手机上还没有数据", timeout=20_000)
    await expect(error).not_to_contain_text("显示上次的数据")
    region = phone.get_by_test_id("area-region")
    await expect(region).to_have_count(0)

    # Online again, it comes by itself.
    await phone_context.set_offline(False)
    page = phone.get_by_test_id("area-page")
    await expect(page).to_have_attribute("data-phase", "ready", timeout=20_000)
    name = await region.text_content()
    assert name

    # Started again offline, at once: the kept copy, marked with the day its figures are of,
    # never the browser's copy passed off as this moment's.
    await phone_context.set_offline(True)
    await phone.reload()
    await expect(error).to_contain_text("离线，显示上次的数据", timeout=20_000)
    await expect(phone.get_by_test_id("area-updated")).to_contain_text("数据截至")
    await expect(region).to_have_text(name)
    await phone.screenshot(path=str(ARTIFACTS / "resident_area_offline_start.png"))
    await phone_context.set_offline(False)
    await expect(page).to_have_attribute("data-phase", "ready", timeout=20_000)
    await expect(phone.get_by_test_id("area-updated")).to_have_count(0)


async def test_a_part_whose_code_did_not_come_says_so_and_comes_once_online(
    browser: Browser, api: str
) -> None:
    # No service worker: each view's code comes from the network when first opened.
    context = await browser.new_context(
        viewport=PHONE,
        base_url=api,
        locale="zh-CN",
        geolocation=HOME,
        permissions=["geolocation"],
        service_workers="block",
        is_mobile=True,
        has_touch=True,
    )
    phone = await context.new_page()
    views = re.compile(r"/assets/(AreaPage|SurveyOffer)-")

    async def lost(route: Route) -> None:
        await route.abort("internetdisconnected")

    await phone.route(views, lost)
    await phone.goto("/")
    await expect(phone.get_by_test_id("category-sanitation")).to_be_visible(timeout=20_000)
    await phone.get_by_test_id("area-tab").click()
    problem = phone.get_by_test_id("later-problem")
    await expect(problem).to_contain_text("此部分需要联网加载一次", timeout=20_000)
    # The survey offer above may as well come later: it shows nothing, not an error.
    await expect(problem).to_have_count(1)
    await expect(phone.locator("main")).not_to_contain_text("Failed")
    # 重试 asks for the code again.
    async with phone.expect_request(lambda r: "/assets/AreaPage-" in r.url):
        await phone.get_by_test_id("later-retry").click()
    await expect(problem).to_contain_text("此部分需要联网加载一次")

    # The network is back: the page comes by itself. The page must have seen itself offline
    # first, or going back online is no change to it and fires no event.
    await phone.unroute(views)
    await context.set_offline(True)
    await phone.wait_for_function("() => !navigator.onLine")
    await context.set_offline(False)
    await expect(phone.get_by_test_id("area-page")).to_be_visible(timeout=20_000)
    await expect(problem).to_have_count(0)
    await context.close()
