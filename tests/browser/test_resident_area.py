"""治安动态 without GPS: the resident chooses a place on the map, and the app remembers it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import ARTIFACTS, PHONE


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
