"""A resident with a phone: 随手拍 online, and offline with the outbox."""

from __future__ import annotations

import math
import re
from pathlib import Path

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import HOME, PHONE
from tests.http import case_helpers
from tests.http.photos import jpeg

TRACKING = re.compile(r"\d{8}-\d{6}")


@pytest.fixture
def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(jpeg(3000, 2000))
    return path


async def cases_with_photos(dsn: str) -> list[tuple[int, int]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT c.id, count(m.id) AS photos FROM cases c "
            "LEFT JOIN media m ON m.case_id = c.id GROUP BY c.id ORDER BY c.id"
        )
    finally:
        await conn.close()
    return [(row["id"], row["photos"]) for row in rows]


async def fill_report(phone: Page, photo_file: Path) -> None:
    await phone.goto("/")
    await phone.get_by_test_id("category-sanitation").click()
    await phone.get_by_test_id("photo-input").set_input_files(str(photo_file))
    # Shrinking happens on the phone and takes a moment: send once the photo is in the form,
    # and once the phone knows where it is.
    await expect(phone.get_by_test_id("photo-item")).to_have_count(1, timeout=15_000)
    await expect(phone.get_by_test_id("location")).to_contain_text("已定位", timeout=15_000)
    await phone.get_by_test_id("description").fill("楼道里堆满了垃圾")


async def test_a_resident_reports_with_a_photo(
    phone: Page, photo_file: Path, demo_database: str
) -> None:
    await fill_report(phone, photo_file)
    await phone.get_by_test_id("send").click()
    await expect(phone.get_by_test_id("tracking-no")).to_have_text(TRACKING, timeout=20_000)
    assert [photos for _, photos in await cases_with_photos(demo_database)] == [1]


async def test_offline_the_report_waits_and_arrives_once(
    phone: Page, phone_context: BrowserContext, photo_file: Path, demo_database: str
) -> None:
    await fill_report(phone, photo_file)
    await phone_context.set_offline(True)
    await phone.get_by_test_id("send").click()
    await expect(phone.get_by_test_id("outbox-count")).to_contain_text("1", timeout=10_000)
    assert await cases_with_photos(demo_database) == []
    await phone_context.set_offline(False)
    await expect(phone.get_by_test_id("tracking-no")).to_have_text(TRACKING, timeout=30_000)
    await phone.reload()  # a replay at the next start must not send it again
    await expect(phone.get_by_test_id("category-sanitation")).to_be_visible(timeout=10_000)
    assert [photos for _, photos in await cases_with_photos(demo_database)] == [1]


async def case_positions(dsn: str) -> list[tuple[float, float]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT lat, lng FROM cases ORDER BY id")
    finally:
        await conn.close()
    return [(row["lat"], row["lng"]) for row in rows]


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    north = (a[0] - b[0]) * 111_195.0
    east = (a[1] - b[1]) * 111_195.0 * math.cos(math.radians(a[0]))
    return math.hypot(north, east)


async def test_a_tap_on_the_map_moves_the_pin_and_the_report_lands_there(
    phone: Page, photo_file: Path, demo_database: str
) -> None:
    await fill_report(phone, photo_file)
    # The map arrives after the form and draws the grid outlines even with no tiles at all.
    the_map = phone.get_by_test_id("report-map")
    await expect(the_map).to_have_attribute("data-state", "ready", timeout=15_000)
    await expect(the_map.locator(".map-pin")).to_have_count(1)
    await expect(the_map.locator("path.leaflet-interactive").first).to_be_attached(timeout=10_000)
    await the_map.scroll_into_view_if_needed()
    box = await the_map.bounding_box()
    assert box is not None
    await phone.mouse.click(box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 2 - 60)
    await expect(phone.get_by_test_id("location")).to_have_attribute("data-kind", "placed")
    await phone.get_by_test_id("send").click()
    await expect(phone.get_by_test_id("tracking-no")).to_have_text(TRACKING, timeout=20_000)
    [spot] = await case_positions(demo_database)
    gps = (HOME["latitude"], HOME["longitude"])
    # 100 px at zoom 16 is about 160 m here: the report sits where the tap was, not at the GPS fix.
    assert 60 < metres(spot, gps) < 400
    assert spot[0] > gps[0] and spot[1] > gps[1]  # up and to the right, as tapped


async def test_an_open_report_nearby_is_offered_and_can_be_followed(
    phone: Page, api: str, demo_database: str
) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        neighbour = await case_helpers.resident(client)  # type: ignore[arg-type]
        earlier = await case_helpers.report(client, neighbour)  # type: ignore[arg-type]
    await phone.goto("/")
    await expect(phone.get_by_test_id("location")).to_contain_text("已定位", timeout=15_000)
    await phone.get_by_test_id("category-sanitation").click()
    offer = phone.get_by_test_id("nearby-item")
    await expect(offer).to_have_count(1, timeout=10_000)
    await expect(offer).to_contain_text(earlier["trackingNo"])
    await phone.get_by_test_id("nearby-follow").click()
    await expect(phone.get_by_test_id("nearby-followed")).to_be_visible(timeout=10_000)
    conn = await asyncpg.connect(demo_database)
    try:
        followers = await conn.fetchval(
            "SELECT count(*) FROM case_followers WHERE case_id = $1", earlier["id"]
        )
    finally:
        await conn.close()
    assert followers == 1


async def test_without_location_permission_the_phone_says_why_and_the_map_still_places(
    browser: Browser, api: str
) -> None:
    context = await browser.new_context(
        viewport=PHONE, base_url=api, locale="zh-CN", is_mobile=True, has_touch=True
    )
    phone = await context.new_page()
    await phone.goto("/")
    location = phone.get_by_test_id("location")
    await expect(location).to_have_attribute("data-kind", "failed", timeout=15_000)
    await expect(location).to_contain_text("定位权限")
    # Our own words in the page's language, not the browser's English.
    assert not re.search(r"[A-Za-z]", await location.inner_text())
    the_map = phone.get_by_test_id("report-map")
    await expect(the_map).to_have_attribute("data-state", "ready", timeout=15_000)
    await the_map.scroll_into_view_if_needed()
    box = await the_map.bounding_box()
    assert box is not None
    await phone.mouse.click(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2)
    await expect(location).to_have_attribute("data-kind", "placed")
    await context.close()
