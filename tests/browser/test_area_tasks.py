"""A key-area task (整治任务) handled on the worker's phone: opened from its push link, accepted
and marked done with an after-photo while offline, sent once the signal is back, landed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.async_api import Browser, expect

from tests.browser.area_setup import area_with_a_plan
from tests.browser.conftest import ARTIFACTS, PHONE
from tests.browser.test_loop import log_in, staff_page
from tests.browser.test_worker import WORKER_GRID, one_row
from tests.http.photos import jpeg


async def area_with_a_task(client: httpx.AsyncClient, grid: str) -> tuple[int, dict[str, str]]:
    """A key area on the worker's grid whose plan has one task the demo worker owns, still open.
    Returns the task's id and the worker's headers."""
    due = datetime.now(UTC) + timedelta(days=7)
    area = await area_with_a_plan(
        client,
        grid,
        problems="占道经营，夜间噪声",
        tasks=[("清理占道摊点，划定经营区域", due)],
        deadline=(due + timedelta(days=7)).date(),
    )
    mine = await client.get("/api/v1/tasks/mine", headers=area.worker)
    assert mine.status_code == 200, mine.text
    listed = mine.json()
    tasks = listed["items"] if isinstance(listed, dict) else listed
    ours = [t for t in tasks if t["areaId"] == area.area_id]
    assert [(t["id"], t["state"]) for t in ours] == [(area.task_ids[0], "open")], tasks
    return area.task_ids[0], area.worker


async def test_a_task_done_offline_with_an_after_photo_lands_once(
    browser: Browser, api: str, demo_database: str, tmp_path: Path
) -> None:
    grid = (await one_row(demo_database, WORKER_GRID))["code"]
    async with httpx.AsyncClient(base_url=api) as client:
        task_id, worker_headers = await area_with_a_task(client, grid)
    after = tmp_path / "after.jpg"
    after.write_bytes(jpeg(1600, 1200, seed=11))

    context, phone = await staff_page(browser, api, PHONE)
    await log_in(phone, "/w/", "demo-worker")
    await expect(phone.get_by_test_id("logout")).to_be_visible(timeout=10_000)
    await phone.get_by_test_id("nav-areaTasks").click()
    item = phone.get_by_test_id("area-task-item")
    await expect(item).to_have_count(1, timeout=10_000)
    await expect(item).to_have_attribute("data-task-id", str(task_id))
    await expect(item).to_contain_text("文三路夜市周边")
    # The link a push about the task carries opens it.
    await phone.goto(f"/w/#/tasks/{task_id}")
    page = phone.get_by_test_id("area-task")
    await expect(page).to_have_attribute("data-task-id", str(task_id), timeout=10_000)
    await expect(phone.get_by_test_id("area-task-measure")).to_contain_text("清理占道摊点")
    state = phone.get_by_test_id("area-task-state").first
    await expect(state).to_have_attribute("data-state", "open")

    await context.set_offline(True)
    await phone.get_by_test_id("step-accept").click()
    await expect(state).to_have_attribute("data-state", "accepted")
    await phone.get_by_test_id("step-done").click()
    # The phone asks for more than the server would (a photo, where a note would do there) and
    # says why: the photos are the proof the acceptance report shows.
    await expect(phone.get_by_test_id("step-rule")).to_contain_text("整治工作报告")
    await phone.get_by_test_id("step-note").fill("摊点已清理，通道畅通")
    await phone.get_by_test_id("step-submit").click()
    # An after-photo comes first: nothing is queued without one.
    problem = phone.get_by_test_id("step-problem")
    await expect(problem).to_contain_text("完成后照片")
    await expect(problem).to_contain_text("整治工作报告")
    await expect(phone.get_by_test_id("task-step")).to_have_count(1)
    await phone.get_by_test_id("step-photo-input").set_input_files(str(after))
    await expect(phone.get_by_test_id("step-photos")).to_have_attribute(
        "data-count", "1", timeout=15_000
    )
    await phone.get_by_test_id("step-submit").click()
    await expect(state).to_have_attribute("data-state", "done")
    await expect(phone.get_by_test_id("pending-steps")).to_have_attribute("data-count", "2")
    steps = phone.get_by_test_id("task-step")
    await expect(steps).to_have_count(2)
    await expect(phone.locator('[data-testid="task-step"][data-state="pending"]')).to_have_count(2)
    await expect(steps.first).to_contain_text("待发送")
    await phone.screenshot(path=str(ARTIFACTS / "area_task_offline_queued.png"))
    row = await one_row(
        demo_database,
        "SELECT t.state, (SELECT count(*) FROM key_area_task_updates u WHERE u.task_id = t.id)"
        " AS updates FROM key_area_tasks t WHERE t.id = $1",
        task_id,
    )
    assert (row["state"], row["updates"]) == ("open", 0)  # nothing reached the server offline

    await context.set_offline(False)
    await expect(phone.get_by_test_id("pending-steps")).to_have_count(0, timeout=30_000)
    await expect(phone.locator('[data-testid="task-step"][data-state="sent"]')).to_have_count(2)
    await expect(steps.first).to_contain_text("已发送")
    await expect(state).to_have_attribute("data-state", "done")

    async with httpx.AsyncClient(base_url=api) as client:
        got = await client.get(f"/api/v1/tasks/{task_id}", headers=worker_headers)
    assert got.status_code == 200, got.text
    assert got.json()["state"] == "done"
    row = await one_row(
        demo_database,
        "SELECT array_agg(u.kind ORDER BY u.id) AS kinds, "
        "(SELECT count(*) FROM media m JOIN key_area_task_updates d "
        "ON m.subject_id = d.id AND m.subject_kind = 'area_task_update' "
        "WHERE d.task_id = $1 AND d.kind = 'done') AS after_photos "
        "FROM key_area_task_updates u WHERE u.task_id = $1",
        task_id,
    )
    assert row["kinds"] == ["accept", "done"]
    assert row["after_photos"] == 1
    await context.close()
