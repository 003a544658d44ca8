"""The dispatcher's console at a desk: a live queue, merging a duplicate side by side,
revealing a reporter with a reason, the map of open cases with its layers, statistics and the
report download."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_loop import DESK, log_in, staff_page
from tests.conftest import DEMO_PASSWORD
from tests.http import case_helpers

# About 30 m east of the demo corner: close enough to be the same problem.
NEXT_DOOR = {"lat": 30.2741, "lng": 120.1554}


async def reports_by_residents(api: str, *spots: dict[str, float]) -> list[dict[str, Any]]:
    made = []
    async with httpx.AsyncClient(base_url=api) as client:
        for i, spot in enumerate(spots):
            who = await case_helpers.resident(client, nickname=f"居民{i}", phone=f"1380000000{i}")  # type: ignore[arg-type]
            made.append(await case_helpers.report(client, who, **spot))  # type: ignore[arg-type]
    return made


async def statuses(dsn: str) -> dict[int, str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT id, status FROM cases")
    finally:
        await conn.close()
    return {row["id"]: row["status"] for row in rows}


async def desk(browser: Browser, api: str, username: str) -> Page:
    _context, page = await staff_page(browser, api, DESK)
    await log_in(page, "/d/", username)
    return page


async def test_the_queue_updates_live_and_a_duplicate_is_merged_side_by_side(
    browser: Browser, api: str, demo_database: str
) -> None:
    page = await desk(browser, api, "demo-dispatcher")
    await page.get_by_test_id("tab-all").click()
    await expect(page.get_by_test_id("cases-empty")).to_be_visible(timeout=10_000)
    await expect(page.get_by_test_id("live-state")).to_have_attribute(
        "data-state", "live", timeout=15_000
    )

    # Reports arrive while the dispatcher looks: no refresh is pressed.
    first, second = await reports_by_residents(api, case_helpers.HOME, NEXT_DOOR)
    rows = page.get_by_test_id("case-item")
    await expect(rows).to_have_count(2, timeout=15_000)
    await expect(page.get_by_test_id("count-all")).to_have_text("2")
    await page.screenshot(path=str(ARTIFACTS / "console_queue_live.png"), full_page=True)

    await page.locator(f'[data-testid="case-item"][data-case-id="{second["id"]}"]').click()
    await page.get_by_test_id("action-merge").click()
    candidate = page.get_by_test_id("merge-candidate")
    await expect(candidate).to_have_count(1, timeout=10_000)
    await expect(candidate).to_contain_text(first["trackingNo"])
    await candidate.click()
    compare = page.get_by_test_id("merge-compare")
    await expect(compare).to_contain_text(second["trackingNo"])
    await expect(compare).to_contain_text(first["trackingNo"])
    await page.screenshot(path=str(ARTIFACTS / "console_merge_side_by_side.png"), full_page=True)
    await page.get_by_test_id("merge-submit").click()
    await expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "merged")
    assert (await statuses(demo_database))[second["id"]] == "merged"


async def test_a_supervisor_reveals_a_reporter_only_with_a_reason(
    browser: Browser, api: str, demo_database: str
) -> None:
    [made] = await reports_by_residents(api, case_helpers.HOME)
    page = await desk(browser, api, "demo-supervisor")
    await page.goto(f"/d/#/c/{made['id']}")
    await expect(page.get_by_test_id("case-detail")).to_be_visible(timeout=10_000)
    await page.get_by_test_id("action-reveal").click()
    await page.get_by_test_id("reveal-reason").fill("核实")
    await page.get_by_test_id("reveal-submit").click()
    await expect(page.get_by_test_id("reveal-problem")).to_be_visible()
    await expect(page.get_by_test_id("reveal-contact")).to_have_count(0)
    await page.get_by_test_id("reveal-reason").fill("需要电话核实现场情况")
    await page.get_by_test_id("reveal-submit").click()
    await expect(page.get_by_test_id("reveal-phone")).to_have_text("13800000000", timeout=10_000)
    conn = await asyncpg.connect(demo_database)
    try:
        reasons = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action LIKE '%reveal%' "
            "AND detail::text LIKE '%需要电话核实现场情况%'"
        )
    finally:
        await conn.close()
    assert reasons == 1


async def test_a_dispatcher_without_the_right_is_told_so(browser: Browser, api: str) -> None:
    [made] = await reports_by_residents(api, case_helpers.HOME)
    page = await desk(browser, api, "demo-dispatcher")
    await page.goto(f"/d/#/c/{made['id']}")
    await page.get_by_test_id("action-reveal").click()
    await page.get_by_test_id("reveal-reason").fill("需要电话核实现场情况")
    await page.get_by_test_id("reveal-submit").click()
    await expect(page.get_by_test_id("reveal-problem")).to_be_visible(timeout=10_000)
    await expect(page.get_by_test_id("reveal-contact")).to_have_count(0)


async def test_the_map_shows_open_cases_with_heat_and_statistics_download(
    browser: Browser, api: str, demo_database: str
) -> None:
    made = await reports_by_residents(api, case_helpers.HOME, NEXT_DOOR)
    page = await desk(browser, api, "demo-dispatcher")
    await page.get_by_test_id("nav-map").click()
    the_map = page.get_by_test_id("console-map")
    await expect(the_map).to_have_attribute("data-state", "ready", timeout=15_000)
    markers = the_map.locator(".case-marker")
    await expect(markers).to_have_count(len(made), timeout=10_000)
    await expect(the_map.locator(f'.case-marker[title^="{made[0]["trackingNo"]}"]')).to_have_count(
        1
    )
    # The heat layer: at least one hexagon, drawn as an SVG path over the (tile-less) map.
    await expect(the_map.locator("path.leaflet-interactive").first).to_be_attached(timeout=10_000)
    await page.screenshot(path=str(ARTIFACTS / "console_map.png"), full_page=True)
    await markers.last.click()  # the two sit 30 m apart: the later one is drawn on top
    await expect(page.get_by_test_id("case-detail")).to_be_visible(timeout=10_000)

    await page.get_by_test_id("nav-stats").click()
    await expect(page.get_by_test_id("figure-received")).to_contain_text(
        str(len(made)), timeout=10_000
    )
    await expect(page.get_by_test_id("chart-regions")).to_be_visible()
    await page.screenshot(path=str(ARTIFACTS / "console_statistics.png"), full_page=True)
    async with page.expect_download() as waiting:
        await page.get_by_test_id("download-report").click()
    download = await waiting.value
    assert download.suggested_filename.endswith(".xlsx")
    path = await download.path()
    assert path.read_bytes()[:2] == b"PK"  # an XLSX workbook is a zip archive


async def test_a_supervisor_flags_a_hot_grid_and_lifts_it_on_a_written_reason(
    browser: Browser, api: str
) -> None:
    made = await reports_by_residents(api, case_helpers.HOME, NEXT_DOOR, case_helpers.HOME)
    page = await desk(browser, api, "demo-supervisor")
    await page.get_by_test_id("nav-stats").click()
    hot = page.get_by_test_id("hotspot-row")
    await expect(hot).to_have_count(1, timeout=15_000)
    await expect(hot).to_have_attribute("data-level", "red")
    await page.get_by_test_id("flag-open").click()
    await page.get_by_test_id("flag-reason").fill("环境卫生问题集中")
    await page.get_by_test_id("flag-deadline").fill((date.today() + timedelta(days=14)).isoformat())
    await page.get_by_test_id("flag-submit").click()
    flag = page.get_by_test_id("flag-item")
    await expect(flag).to_have_count(1, timeout=10_000)
    await expect(flag.get_by_test_id("exit-bar")).to_have_attribute("data-met", "false")
    await page.screenshot(path=str(ARTIFACTS / "console_flags.png"), full_page=True)

    # Every case of the flagged grid carries the flag in the queue.
    await page.get_by_test_id("nav-list").click()
    await page.get_by_test_id("tab-all").click()
    await expect(page.get_by_test_id("flagged")).to_have_count(len(made), timeout=10_000)

    await page.get_by_test_id("nav-stats").click()
    await page.get_by_test_id("lift-reason").fill("已集中整治")
    await page.get_by_test_id("lift-submit").click()
    await expect(page.get_by_test_id("lift-problem")).to_be_visible(timeout=10_000)
    await page.get_by_test_id("lift-override").check()
    await page.get_by_test_id("lift-submit").click()
    await expect(page.get_by_test_id("flag-item")).to_have_count(0, timeout=10_000)


async def staff_headers(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def another_grid(dsn: str, case_id: int) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        code: str = await conn.fetchval(
            "SELECT g.code FROM regions g, cases c WHERE c.id = $1 AND g.level = 'grid' "
            "AND g.id <> c.region_id ORDER BY g.code LIMIT 1",
            case_id,
        )
    finally:
        await conn.close()
    return code


async def test_a_supervisor_decides_an_extension_and_a_dispatcher_transfers(
    browser: Browser, api: str, demo_database: str
) -> None:
    asked, moved = await reports_by_residents(api, case_helpers.HOME, NEXT_DOOR)
    async with httpx.AsyncClient(base_url=api) as client:
        worker = await staff_headers(client, "demo-worker")
        await case_helpers.move(client, worker, asked["id"], "accept")  # type: ignore[arg-type]
        await case_helpers.move(  # type: ignore[arg-type]
            client, worker, asked["id"], "extension", minutes=1440, reason="需要协调物业"
        )

    page = await desk(browser, api, "demo-supervisor")
    await page.goto(f"/d/#/c/{asked['id']}")
    await page.get_by_test_id("action-extension").click()
    await expect(page.get_by_test_id("extension-decision")).to_contain_text("需要协调物业")
    await page.get_by_test_id("extension-decision-note").fill("同意，请尽快处置")
    await page.get_by_test_id("extension-approve").click()
    await expect(page.get_by_test_id("case-notice")).to_be_visible(timeout=10_000)
    await expect(page.get_by_test_id("case-detail")).to_contain_text("已同意")

    target = await another_grid(demo_database, moved["id"])
    await page.goto(f"/d/#/c/{moved['id']}")
    await page.get_by_test_id("action-transfer").click()
    await page.get_by_test_id("transfer-code").fill(target)
    await page.get_by_test_id("transfer-note").fill("位置在隔壁网格")
    await page.get_by_test_id("transfer-submit").click()
    await expect(page.get_by_test_id("case-notice")).to_be_visible(timeout=10_000)
    conn = await asyncpg.connect(demo_database)
    try:
        assigned = await conn.fetchval(
            "SELECT a.code FROM cases c JOIN regions a ON a.id = c.assigned_region_id "
            "WHERE c.id = $1",
            moved["id"],
        )
    finally:
        await conn.close()
    assert assigned == target
