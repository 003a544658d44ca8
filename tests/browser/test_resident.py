"""A resident with a phone: 随手拍 online, and offline with the outbox."""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg
import pytest
from playwright.async_api import BrowserContext, Page, expect

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
