"""Made for one thumb: every control a finger can hit is at least 44 px, and at 200 % text size
no screen needs sideways scrolling."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS, new_phone
from tests.browser.test_loop import log_in

# What a finger taps: buttons, links styled as tabs or buttons, fields, labels wrapping switches.
TARGETS = (
    "button, a.tab, a.button-link, a.card, select, .field input, .field textarea, "
    "label.switch, label.photo-pick, .leaflet-bar a"
)

SMALL_TARGETS_JS = """
(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
  .map((el) => ({ what: el.outerHTML.slice(0, 80), box: el.getBoundingClientRect() }))
  .filter(({ box }) => box.height < 43.5 || box.width < 43.5)
  .map(({ what, box }) => `${what} ${Math.round(box.width)}x${Math.round(box.height)}`)
"""

OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"


async def phone_at(browser: Browser, api: str, text_percent: int) -> Page:
    context = await new_phone(browser, api)
    page = await context.new_page()
    if text_percent != 100:
        # The phone's own text-size setting: the default font grows and every rem with it.
        cdp = await context.new_cdp_session(page)
        await cdp.send("Page.enable")
        size = 16 * text_percent // 100
        await cdp.send("Page.setFontSizes", {"fontSizes": {"standard": size, "fixed": size}})
    return page


SCREENS: list[tuple[str, str | None, str]] = [
    ("/", None, "category-sanitation"),
    ("/#/mine", None, "push-optin"),
    ("/#/area", None, "area-region"),
    ("/w/", "demo-worker", "nav-patrol"),
    ("/w/#/patrol", "demo-worker", "category-sanitation"),
    ("/d/", "demo-dispatcher", "tab-all"),
    ("/d/#/stats", "demo-dispatcher", "figures"),
]


async def open_screen(page: Page, path: str, user: str | None, ready: str) -> None:
    if user:
        await log_in(page, path.split("#")[0], user)
        await expect(page.get_by_test_id("logout")).to_be_visible(timeout=10_000)
        await page.goto(path)
    else:
        await page.goto(path)
    await expect(page.get_by_test_id(ready).first).to_be_visible(timeout=15_000)


@pytest.mark.parametrize(("path", "user", "ready"), SCREENS)
async def test_every_tap_target_is_big_enough(
    browser: Browser, api: str, path: str, user: str | None, ready: str
) -> None:
    page = await phone_at(browser, api, 100)
    await open_screen(page, path, user, ready)
    small: Any = await page.evaluate(SMALL_TARGETS_JS, TARGETS)
    assert small == []
    await page.context.close()


@pytest.mark.parametrize(("path", "user", "ready"), SCREENS)
async def test_at_double_text_size_nothing_scrolls_sideways(
    browser: Browser, api: str, path: str, user: str | None, ready: str
) -> None:
    page = await phone_at(browser, api, 200)
    await open_screen(page, path, user, ready)
    assert await page.evaluate("() => getComputedStyle(document.body).fontSize") == "32px"
    overflow = await page.evaluate(OVERFLOW_JS)
    name = path.strip("/#").replace("/", "_").replace("#", "") or "home"
    await page.screenshot(path=str(ARTIFACTS / f"text200_{name}.png"), full_page=True)
    assert overflow <= 0, f"{path} is {overflow}px wider than the phone at 200% text"
    await page.context.close()
