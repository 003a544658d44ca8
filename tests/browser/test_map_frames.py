"""Chinese tile sets are drawn in GCJ-02 while phones speak WGS-84: with either setting, a pin
tapped on the map lands the report at the same real place, and the pin sits where GPS says."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import HOME, new_phone
from tests.browser.test_resident import TRACKING, case_positions, metres
from tests.http.photos import jpeg
from tests.servers import Server, free_port


@pytest.fixture
def gcj_api(demo_database: str, tmp_path: Path) -> Iterator[str]:
    """A second API on the same city whose map tiles are declared GCJ-02."""
    env = {"DATABASE_URL": demo_database, "GRIDREPORT_MAP_COORDINATES": "gcj02"}
    server = Server(tmp_path / "var-gcj", free_port(), env, demo=False)
    try:
        server.wait_ready()
        yield server.base
    finally:
        server.stop(signal.SIGTERM)


async def report_by_tap(browser: Browser, base: str, photo: Path) -> None:
    context = await new_phone(browser, base)
    page = await context.new_page()
    await page.goto("/")
    await page.get_by_test_id("category-sanitation").click()
    await page.get_by_test_id("photo-input").set_input_files(str(photo))
    await expect(page.get_by_test_id("photo-item")).to_have_count(1, timeout=15_000)
    await expect(page.get_by_test_id("location")).to_contain_text("已定位", timeout=15_000)
    the_map = page.get_by_test_id("report-map")
    await expect(the_map).to_have_attribute("data-state", "ready", timeout=15_000)
    await the_map.scroll_into_view_if_needed()
    # The pin is drawn where GPS is: at the centre of the map, in either frame.
    map_box, pin_box = (
        await the_map.bounding_box(),
        await the_map.locator(".map-pin").bounding_box(),
    )
    assert map_box is not None and pin_box is not None
    pin_tip = (pin_box["x"] + pin_box["width"] / 2, pin_box["y"] + pin_box["height"])
    centre = (map_box["x"] + map_box["width"] / 2, map_box["y"] + map_box["height"] / 2)
    assert abs(pin_tip[0] - centre[0]) < 6 and abs(pin_tip[1] - centre[1]) < 12
    await page.mouse.click(centre[0] - 70, centre[1] + 50)
    await expect(page.get_by_test_id("location")).to_have_attribute("data-kind", "placed")
    await page.get_by_test_id("send").click()
    await expect(page.get_by_test_id("tracking-no")).to_have_text(TRACKING, timeout=20_000)
    await context.close()


async def test_a_tapped_spot_is_the_same_place_on_gcj02_and_wgs84_maps(
    browser: Browser, api: str, gcj_api: str, demo_database: str, tmp_path: Path
) -> None:
    photo = tmp_path / "spot.jpg"
    photo.write_bytes(jpeg(1200, 900, seed=5))
    await report_by_tap(browser, api, photo)
    await report_by_tap(browser, gcj_api, photo)
    on_wgs84, on_gcj02 = await case_positions(demo_database)
    # The same tap relative to the GPS pin is the same place on the ground: had the GCJ-02
    # map not been shifted back, the second report would sit about 500 m away from the first.
    assert metres(on_wgs84, on_gcj02) < 5
    gps = (HOME["latitude"], HOME["longitude"])
    assert 50 < metres(on_wgs84, gps) < 300
