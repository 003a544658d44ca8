"""A grid worker on a weak signal: tasks readable offline, moves queued and replayed in order;
and a patrol report (巡查上报) filed from the worker's own app."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import httpx
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS, PHONE
from tests.browser.test_loop import log_in, staff_page
from tests.browser.test_resident import TRACKING
from tests.conftest import DEMO_PASSWORD
from tests.http import case_helpers
from tests.http.photos import jpeg

WORKER_GRID = (
    "SELECT r.code FROM users u JOIN regions r ON r.id = u.region_id "
    "WHERE u.username = 'demo-worker'"
)


async def one_row(dsn: str, sql: str, *args: object) -> asyncpg.Record:
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(sql, *args)
    finally:
        await conn.close()
    assert row is not None
    return row


async def test_offline_accept_and_resolve_are_replayed_in_order(
    browser: Browser, api: str, demo_database: str, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        who = await case_helpers.resident(client)  # type: ignore[arg-type]
        made = await case_helpers.report(client, who)  # type: ignore[arg-type]
    after = tmp_path / "after.jpg"
    after.write_bytes(jpeg(1600, 1200, seed=7))

    context, worker = await staff_page(browser, api, PHONE)
    await log_in(worker, "/w/", "demo-worker")
    await expect(worker.get_by_test_id("task-item")).to_have_count(1, timeout=10_000)
    await expect(worker.get_by_test_id("tasks")).to_have_attribute("data-kept", "true")

    await context.set_offline(True)
    await worker.get_by_test_id("refresh").click()
    await expect(worker.get_by_test_id("tasks-offline")).to_be_visible(timeout=10_000)
    await worker.get_by_test_id("task-item").click()
    await expect(worker.get_by_test_id("case-offline")).to_be_visible(timeout=10_000)
    # The map still shows where the task is: no tiles, the marker from the cached case.
    case_map = worker.get_by_test_id("case-map")
    await expect(case_map.locator(".case-marker")).to_have_count(1, timeout=10_000)
    await worker.get_by_test_id("action-accept").click()
    await expect(worker.get_by_test_id("case-status")).to_have_attribute("data-status", "accepted")
    await expect(worker.get_by_test_id("case-notice")).to_contain_text("离线")
    await worker.get_by_test_id("action-resolve").click()
    await worker.get_by_test_id("resolve-photo-input").set_input_files(str(after))
    await expect(worker.get_by_test_id("resolve-photos")).to_have_attribute(
        "data-count", "1", timeout=15_000
    )
    await worker.get_by_test_id("resolve-note").fill("已清理干净")
    await worker.get_by_test_id("resolve-submit").click()
    await expect(worker.get_by_test_id("case-status")).to_have_attribute("data-status", "resolved")
    await expect(worker.get_by_test_id("pending-moves")).to_have_attribute("data-count", "2")
    await worker.screenshot(path=str(ARTIFACTS / "worker_offline_queued.png"))
    row = await one_row(demo_database, "SELECT status FROM cases WHERE id = $1", made["id"])
    assert row["status"] == "dispatched"  # nothing reached the server while offline

    await context.set_offline(False)
    await expect(worker.get_by_test_id("pending-moves")).to_have_count(0, timeout=30_000)
    row = await one_row(
        demo_database,
        "SELECT c.status, (SELECT count(*) FROM media m WHERE m.case_id = c.id "
        "AND m.purpose = 'resolution') AS after_photos, "
        "(SELECT array_agg(e.action ORDER BY e.id) FROM case_events e "
        "WHERE e.case_id = c.id) AS actions FROM cases c WHERE c.id = $1",
        made["id"],
    )
    assert row["status"] == "resolved"
    assert row["after_photos"] == 1
    assert row["actions"][-2:] == ["accept", "resolve"]
    await context.close()


async def test_a_worker_files_a_patrol_report(
    browser: Browser, api: str, demo_database: str, tmp_path: Path
) -> None:
    picture = tmp_path / "patrol.jpg"
    picture.write_bytes(jpeg(2000, 1500, seed=3))
    context, worker = await staff_page(browser, api, PHONE)
    await log_in(worker, "/w/", "demo-worker")
    await worker.get_by_test_id("nav-patrol").click()
    await worker.get_by_test_id("category-sanitation").click()
    await worker.get_by_test_id("photo-input").set_input_files(str(picture))
    await expect(worker.get_by_test_id("photo-item")).to_have_count(1, timeout=15_000)
    await expect(worker.get_by_test_id("location")).to_contain_text("已定位", timeout=15_000)
    await expect(worker.get_by_test_id("anonymous")).to_have_count(0)
    await worker.get_by_test_id("description").fill("巡查发现井盖缺失")
    await worker.get_by_test_id("send").click()
    await expect(worker.get_by_test_id("tracking-no")).to_have_text(TRACKING, timeout=20_000)
    row = await one_row(
        demo_database,
        "SELECT c.source, u.username FROM cases c JOIN users u ON u.id = c.reporter_id",
    )
    assert (row["source"], row["username"]) == ("patrol", "demo-worker")
    await context.close()


async def test_signing_out_is_offered_to_a_worker(browser: Browser, api: str) -> None:
    context, worker = await staff_page(browser, api, PHONE)
    await log_in(worker, "/w/", "demo-worker")
    await expect(worker.get_by_test_id("logout")).to_be_visible(timeout=10_000)
    await worker.get_by_test_id("logout").click()
    await expect(worker.get_by_test_id("username")).to_be_visible()
    await context.close()


async def phone_storage(page: Page) -> dict[str, int]:
    """How many cached cases and queued moves the phone's IndexedDB holds."""
    counts: dict[str, int] = await page.evaluate(
        """async () => {
            const db = await new Promise((ok, no) => {
                const open = indexedDB.open('gridreport');
                open.onsuccess = () => ok(open.result);
                open.onerror = () => no(open.error);
            });
            const count = (store) => new Promise((ok, no) => {
                const asked = db.transaction(store).objectStore(store).count();
                asked.onsuccess = () => ok(asked.result);
                asked.onerror = () => no(asked.error);
            });
            const counts = { cases: await count('caseCache'), moves: await count('staffMoves') };
            db.close();
            return counts;
        }"""
    )
    return counts


async def test_signing_out_takes_a_workers_cases_and_unsent_moves_off_the_phone(
    browser: Browser, api: str, demo_database: str
) -> None:
    async with httpx.AsyncClient(base_url=api) as client:
        who = await case_helpers.resident(client)  # type: ignore[arg-type]
        made = await case_helpers.report(client, who)  # type: ignore[arg-type]
        admin_login = await client.post(
            "/api/v1/auth/login", json={"username": "demo-admin", "password": DEMO_PASSWORD}
        )
        admin = {"Authorization": f"Bearer {admin_login.json()['token']}"}
        await case_helpers.staff(
            client,  # type: ignore[arg-type]
            admin,
            "grid-worker-b",
            "worker",
            regionCode=(await one_row(demo_database, WORKER_GRID))["code"],
        )

    context, phone = await staff_page(browser, api, PHONE)
    await log_in(phone, "/w/", "demo-worker")
    await expect(phone.get_by_test_id("task-item")).to_have_count(1, timeout=10_000)
    await expect(phone.get_by_test_id("tasks")).to_have_attribute("data-kept", "true")
    await context.set_offline(True)
    await phone.get_by_test_id("task-item").click()
    await phone.get_by_test_id("action-accept").click()
    await expect(phone.get_by_test_id("pending-moves")).to_have_attribute("data-count", "1")

    # Signing out with a move unsent asks first; cancelling keeps the worker signed in.
    await phone.get_by_test_id("logout").click()
    warning = phone.get_by_test_id("logout-warning")
    await expect(warning).to_contain_text("1 项")
    await expect(warning).to_contain_text("没有发送")
    await phone.get_by_test_id("logout-cancel").click()
    await expect(warning).to_have_count(0)
    await expect(phone.get_by_test_id("pending-moves")).to_have_attribute("data-count", "1")
    await phone.get_by_test_id("logout").click()
    await phone.get_by_test_id("logout-confirm").click()
    await expect(phone.get_by_test_id("username")).to_be_visible()
    assert await phone_storage(phone) == {"cases": 0, "moves": 0}

    # The next worker on this phone, of the same grid, never sends the first one's move.
    await context.set_offline(False)
    await phone.get_by_test_id("username").fill("grid-worker-b")
    await phone.get_by_test_id("password").fill(case_helpers.STAFF_PASSWORD)
    await phone.get_by_test_id("login").click()
    await expect(phone.get_by_test_id("tasks")).to_have_attribute(
        "data-kept", "true", timeout=10_000
    )
    await expect(phone.get_by_test_id("task-item")).to_have_count(1)
    await expect(phone.get_by_test_id("pending-moves")).to_have_count(0)
    row = await one_row(
        demo_database,
        "SELECT c.status, (SELECT array_agg(e.action ORDER BY e.id) FROM case_events e "
        "WHERE e.case_id = c.id) AS actions FROM cases c WHERE c.id = $1",
        made["id"],
    )
    assert row["status"] == "dispatched"
    assert "accept" not in row["actions"]
    await context.close()
