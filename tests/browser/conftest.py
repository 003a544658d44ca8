"""Headless Chromium (Debian's, never a downloaded one) driven by Playwright, phone-sized.

Every test gets a fresh browser context on a real `gridreport serve`; its screenshots are
kept under test-artifacts/ for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
HOME = {"latitude": 30.2741, "longitude": 120.1551, "accuracy": 12}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_PRESENT = Path(CHROMIUM).exists()

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM_PRESENT:
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        await launched.close()


async def new_phone(browser: Browser, base_url: str) -> BrowserContext:
    """A phone on the demo street corner, GPS allowed, speaking Chinese."""
    return await browser.new_context(
        viewport=PHONE,
        base_url=base_url,
        locale="zh-CN",
        geolocation=HOME,
        permissions=["geolocation"],
        service_workers="allow",
        is_mobile=True,
        has_touch=True,
    )


@pytest.fixture
async def phone_context(browser: Browser, api: str) -> AsyncIterator[BrowserContext]:
    context = await new_phone(browser, api)
    yield context
    await context.close()


@pytest.fixture
async def phone(
    phone_context: BrowserContext, request: pytest.FixtureRequest
) -> AsyncIterator[Page]:
    page = await phone_context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # makes the folder
    csp = [e for e in errors if "Content Security Policy" in e]
    assert csp == [], csp
