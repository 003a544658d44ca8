"""重点地区 at the supervisor's desk: the register shows an area with its plan's progress, its page
shows the timeline and the tasks, a refused step shows the server's reason in both languages,
and the area is flagged (挂牌督办) from its page; a candidate drawn at the desk is judged at a
研判会 and the meeting's 建议书 is downloaded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
from playwright.async_api import Browser, expect

from tests.browser.area_setup import AREA_NAME, area_with_a_plan, sign_in, task_steps
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_console import NEXT_DOOR, reports_by_residents
from tests.browser.test_loop import DESK, log_in, staff_page
from tests.browser.test_worker import WORKER_GRID, one_row
from tests.http.case_helpers import HOME

# About 100 m around the demo corner (WGS-84, lng/lat).
SPOT = {
    "type": "Polygon",
    "coordinates": [
        [
            [120.1541, 30.2733],
            [120.1561, 30.2733],
            [120.1561, 30.2749],
            [120.1541, 30.2749],
            [120.1541, 30.2733],
        ]
    ],
}


async def proposed_area_with_a_plan(client: httpx.AsyncClient, grid: str) -> int:
    """As the district's supervisor: a candidate on the worker's grid, a plan of two tasks the
    worker owns (one of them already done on the phone), proposed for remediation."""
    due = datetime.now(UTC) + timedelta(days=7)
    area = await area_with_a_plan(
        client,
        grid,
        problems="占道经营，夜间噪声扰民",
        tasks=[("清理占道摊点，划定经营区域", due), ("夜间噪声巡查", due + timedelta(days=3))],
        deadline=(due + timedelta(days=14)).date(),
    )
    await task_steps(client, area.worker, area.task_ids[0], "摊点已清理")
    proposed = await client.post(
        f"/api/v1/areas/{area.area_id}/transitions",
        headers=area.supervisor,
        json={"action": "propose", "reason": "群众反映集中，建议整治"},
    )
    assert proposed.status_code == 200, proposed.text
    return area.area_id


async def test_a_supervisor_sees_an_area_s_life_and_flags_it_from_its_page(
    browser: Browser, api: str, demo_database: str
) -> None:
    grid = (await one_row(demo_database, WORKER_GRID))["code"]
    async with httpx.AsyncClient(base_url=api) as client:
        area_id = await proposed_area_with_a_plan(client, grid)

    context, page = await staff_page(browser, api, DESK)
    await log_in(page, "/d/", "demo-supervisor")
    await expect(page.get_by_test_id("logout")).to_be_visible(timeout=10_000)
    await page.get_by_test_id("nav-areas").click()

    row = page.locator(f'[data-testid="area-row"][data-area-id="{area_id}"]')
    await expect(row).to_be_visible(timeout=10_000)
    await expect(row).to_have_attribute("data-state", "proposed")
    await expect(row).to_contain_text(AREA_NAME)
    await expect(row.get_by_test_id("area-progress")).to_have_text("1/2")
    await page.get_by_test_id("area-filter-state").select_option("flagged")
    await expect(page.get_by_test_id("areas-empty")).to_be_visible()
    await page.get_by_test_id("area-filter-state").select_option("proposed")
    await expect(row).to_be_visible()
    await page.screenshot(path=str(ARTIFACTS / "area_console_register.png"), full_page=True)

    await row.get_by_test_id("area-link").click()
    area = page.get_by_test_id("area-page")
    await expect(area).to_have_attribute("data-state", "proposed", timeout=10_000)
    await expect(page.get_by_test_id("area-name")).to_have_text(AREA_NAME)
    await expect(area.get_by_test_id("area-progress").first).to_have_attribute("data-done", "1")
    events = page.get_by_test_id("area-event")
    for action in ("create", "plan", "task_done", "propose"):
        step = page.locator(f'[data-testid="area-event"][data-action="{action}"]')
        await expect(step).to_have_count(1)
    await expect(events.last).to_contain_text("群众反映集中，建议整治")
    tasks = page.get_by_test_id("area-task")
    await expect(tasks).to_have_count(2)
    await expect(page.locator('[data-testid="area-task"][data-state="done"]')).to_contain_text(
        "清理占道摊点"
    )
    await expect(page.locator('[data-testid="area-task"][data-state="open"]')).to_contain_text(
        "夜间噪声巡查"
    )

    # Flagging without a level is refused by the server, in Chinese and in English.
    await page.get_by_test_id("area-action-flag").click()
    await page.get_by_test_id("move-reason").fill("研判会决定挂牌督办")
    await page.get_by_test_id("move-submit").click()
    problem = page.get_by_test_id("move-problem")
    await expect(problem).to_contain_text("红、黄、蓝")
    await expect(problem).to_contain_text("level")
    await expect(area).to_have_attribute("data-state", "proposed")

    await page.get_by_test_id("move-level").select_option("red")
    await page.get_by_test_id("move-submit").click()
    await expect(area).to_have_attribute("data-state", "flagged", timeout=10_000)
    await expect(page.locator('[data-testid="area-event"][data-action="flag"]')).to_contain_text(
        "研判会决定挂牌督办"
    )
    await expect(area.get_by_test_id("area-level").first).to_have_attribute("data-level", "red")
    await page.screenshot(path=str(ARTIFACTS / "area_console_flagged.png"), full_page=True)
    await context.close()

    row_after = await one_row(
        demo_database, "SELECT state, level, tier FROM key_areas WHERE id = $1", area_id
    )
    assert tuple(row_after) == ("flagged", "red", "district")


async def test_a_candidate_drawn_at_the_desk_is_judged_at_a_meeting(
    browser: Browser, api: str, demo_database: str
) -> None:
    context, page = await staff_page(browser, api, DESK)
    await log_in(page, "/d/", "demo-supervisor")
    await expect(page.get_by_test_id("logout")).to_be_visible(timeout=10_000)

    # 排查发现 on a spot drawn elsewhere and pasted as GeoJSON around the demo corner.
    await page.get_by_test_id("nav-areas").click()
    await page.get_by_test_id("area-new-open").click()
    await page.get_by_test_id("new-area-name").fill("火车站广场")
    await page.get_by_test_id("new-area-type").select_option("transport_hub")
    # The spot reaches beyond the worker's grid: it lies in the district.
    await page.get_by_test_id("new-area-region").fill("330106")
    await page.get_by_test_id("new-area-drawn").check()
    await page.get_by_test_id("new-area-geojson").fill('{"type": "Point"}')
    await page.get_by_test_id("new-area-submit").click()
    await expect(page.get_by_test_id("new-area-problem")).to_contain_text("Polygon")
    await page.get_by_test_id("new-area-geojson").fill(json.dumps(SPOT))
    await page.get_by_test_id("new-area-problems").fill("黑车揽客")
    await page.get_by_test_id("new-area-submit").click()
    area = page.get_by_test_id("area-page")
    await expect(area).to_have_attribute("data-state", "candidate", timeout=10_000)
    area_id = int(await area.get_attribute("data-area-id") or 0)
    await expect(page.get_by_test_id("area-name")).to_have_text("火车站广场")

    await page.get_by_test_id("nav-meetings").click()
    row = page.locator(f'[data-testid="meeting-area"][data-area-id="{area_id}"]')
    await expect(row).to_be_visible(timeout=10_000)
    await page.get_by_test_id("meeting-region").fill("330106")
    await page.get_by_test_id("meeting-units").fill("综治中心、派出所、城管中队")
    await page.get_by_test_id("meeting-notes").fill("研判火车站广场秩序问题")

    # Listing an area that has no plan is refused: the whole meeting, with the area's reason.
    await row.get_by_test_id("meeting-decision").select_option("list")
    await row.get_by_test_id("meeting-level").select_option("blue")
    await row.get_by_test_id("meeting-reason").fill("问题集中，列为重点整治")
    await page.get_by_test_id("meeting-submit").click()
    problem = page.get_by_test_id("meeting-problem")
    await expect(problem).to_contain_text("会议决定未能执行")
    await expect(problem).to_contain_text("cannot be carried out")
    await expect(page.get_by_test_id("meeting-item")).to_have_count(0)

    await row.get_by_test_id("meeting-decision").select_option("dismiss")
    await row.get_by_test_id("meeting-reason").fill("已由铁路公安专项整治")
    await page.get_by_test_id("meeting-submit").click()
    item = page.get_by_test_id("meeting-item")
    await expect(item).to_have_count(1, timeout=10_000)
    await expect(item).to_contain_text("已由铁路公安专项整治")
    await expect(item).to_contain_text("派出所")
    async with page.expect_download() as download_info:
        await item.get_by_test_id("meeting-proposal").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert (await download.path()).read_bytes()[:2] == b"PK"
    await page.screenshot(path=str(ARTIFACTS / "area_console_meeting.png"), full_page=True)
    await context.close()

    state = await one_row(demo_database, "SELECT state FROM key_areas WHERE id = $1", area_id)
    assert state["state"] == "dismissed"


async def test_acceptance_below_the_bar_then_an_extension_asked_and_approved_at_the_desk(
    browser: Browser, api: str, demo_database: str
) -> None:
    grid = (await one_row(demo_database, WORKER_GRID))["code"]
    async with httpx.AsyncClient(base_url=api) as client:
        area_id = await proposed_area_with_a_plan(client, grid)
        supervisor, _ = await sign_in(client, "demo-supervisor")
        worker, _ = await sign_in(client, "demo-worker")
        flagged = await client.post(
            f"/api/v1/areas/{area_id}/transitions",
            headers=supervisor,
            json={"action": "flag", "reason": "挂牌督办", "level": "red"},
        )
        assert flagged.status_code == 200, flagged.text
        last = max(t["id"] for t in flagged.json()["tasks"])
        await task_steps(client, worker, last, "巡查已落实")

    context, page = await staff_page(browser, api, DESK)
    await log_in(page, "/d/", "demo-supervisor")
    await expect(page.get_by_test_id("logout")).to_be_visible(timeout=10_000)
    await page.goto(f"/d/#/areas/{area_id}")
    area = page.get_by_test_id("area-page")
    # The last task done moved the area to acceptance on its own.
    await expect(area).to_have_attribute("data-state", "accepting", timeout=10_000)
    await expect(area.get_by_test_id("area-progress").first).to_have_text("2/2")
    await expect(page.get_by_test_id("area-documents")).to_be_visible()

    # No answers yet: no verdict, the reason shown in both languages, the survey kept open.
    await page.get_by_test_id("area-action-acceptance").click()
    await page.get_by_test_id("acceptance-submit").click()
    too_few = page.get_by_test_id("acceptance-problem")
    await expect(too_few).to_contain_text("验收答卷尚不足", timeout=10_000)
    await expect(too_few).to_contain_text("Not enough answers yet")
    status = page.get_by_test_id("acceptance-status")
    await expect(status).to_have_attribute("data-outcome", "open")

    # A 入户走访 entered by the city's admin: 8 of 10 satisfied, below the bar.
    async with httpx.AsyncClient(base_url=api) as client:
        admin, _ = await sign_in(client, "demo-admin")
        survey = (await client.get(f"/api/v1/areas/{area_id}/acceptance", headers=admin)).json()
        entries = [{"answers": {"satisfaction": "satisfied", "safety": 4}}] * 8
        entries += [{"answers": {"satisfaction": "dissatisfied", "safety": 2}}] * 2
        entered = await client.post(
            f"/api/v1/surveys/{survey['surveyId']}/entries",
            headers=admin,
            json={"channel": "visit", "entries": entries},
        )
        assert entered.status_code == 201, entered.text
    await page.get_by_test_id("acceptance-submit").click()
    await expect(status).to_have_attribute("data-outcome", "failed", timeout=10_000)
    await expect(area).to_have_attribute("data-state", "accepting")

    new_deadline = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    await page.get_by_test_id("area-action-extension").click()
    await page.get_by_test_id("extension-reason").fill("满意度调查样本不足，延期整治")
    await page.get_by_test_id("extension-deadline").fill(new_deadline)
    await page.get_by_test_id("extension-submit").click()
    requested = page.locator('[data-testid="area-event"][data-action="extension_requested"]')
    await expect(requested).to_contain_text("满意度调查样本不足", timeout=10_000)

    await page.get_by_test_id("area-action-decideExtension").click()
    await page.get_by_test_id("extension-decision-note").fill("同意延期一个月")
    await page.get_by_test_id("extension-approve").click()
    await expect(area).to_have_attribute("data-state", "extended", timeout=10_000)
    await expect(area.get_by_test_id("area-deadline").first).to_contain_text(new_deadline)
    await page.screenshot(path=str(ARTIFACTS / "area_console_extended.png"), full_page=True)
    await context.close()


async def test_a_dispatcher_proposes_an_area_from_cases_ticked_in_the_queue(
    browser: Browser, api: str, demo_database: str
) -> None:
    first, second = await reports_by_residents(api, HOME, NEXT_DOOR)
    context, page = await staff_page(browser, api, DESK)
    await log_in(page, "/d/", "demo-dispatcher")
    await page.get_by_test_id("tab-all").click()
    await expect(page.get_by_test_id("case-item")).to_have_count(2, timeout=10_000)

    await page.get_by_test_id("queue-propose-open").click()
    for case in (first, second):
        await page.locator(f'[data-testid="propose-case"][data-case-id="{case["id"]}"]').check()
    await expect(page.get_by_test_id("propose-count")).to_have_text("已选 2 件")
    await page.get_by_test_id("propose-submit").click()

    form = page.get_by_test_id("area-new-form")
    await expect(form).to_be_visible(timeout=10_000)
    await expect(form.get_by_test_id("new-area-cases")).to_contain_text("关联案件 2 件")
    street = await one_row(
        demo_database,
        "SELECT s.code FROM cases c JOIN regions r ON r.id = c.region_id "
        "JOIN regions s ON r.path LIKE s.path || '%' AND s.level = 'street' WHERE c.id = $1",
        first["id"],
    )
    await expect(form.get_by_test_id("new-area-region")).to_have_value(street["code"])
    await form.get_by_test_id("new-area-name").fill("嘉绿苑楼道堆物")
    await form.get_by_test_id("new-area-type").select_option("old_estate")
    await form.get_by_test_id("new-area-submit").click()

    area = page.get_by_test_id("area-page")
    await expect(area).to_have_attribute("data-state", "candidate", timeout=10_000)
    await expect(page.get_by_test_id("area-name")).to_have_text("嘉绿苑楼道堆物")
    await expect(page.get_by_test_id("area-case")).to_have_count(2, timeout=10_000)
    await page.screenshot(path=str(ARTIFACTS / "area_console_proposed_from_cases.png"))
    area_id = int(await area.get_attribute("data-area-id") or 0)
    await context.close()

    stored = await one_row(
        demo_database,
        "SELECT r.code, (SELECT count(*) FROM case_places cp WHERE cp.place_id = k.place_id "
        "AND cp.case_id = ANY($2::bigint[])) AS linked "
        "FROM key_areas k JOIN regions r ON r.id = k.region_id WHERE k.id = $1",
        area_id,
        [first["id"], second["id"]],
    )
    assert tuple(stored) == (street["code"], 2)


async def test_a_supervisor_draws_an_area_on_the_map_and_names_its_people_from_the_list(
    browser: Browser, api: str, demo_database: str
) -> None:
    context, page = await staff_page(browser, api, DESK)
    await log_in(page, "/d/", "demo-supervisor")
    await expect(page.get_by_test_id("logout")).to_be_visible(timeout=10_000)
    await page.get_by_test_id("nav-map").click()
    await page.get_by_test_id("map-propose-open").click()
    drawing = page.get_by_test_id("map-draw-map")
    await expect(drawing).to_have_attribute("data-state", "ready", timeout=15_000)
    box = await drawing.bounding_box()
    assert box is not None
    middle_x, middle_y = box["width"] / 2, box["height"] / 2

    # Three corners, one too many taken back, then two more; a double-click closes the outline.
    for dx, dy in ((-50, -40), (50, -40), (90, 90)):
        await drawing.click(position={"x": middle_x + dx, "y": middle_y + dy})
    await expect(page.get_by_test_id("map-draw")).to_have_attribute("data-points", "3")
    await page.get_by_test_id("map-draw-undo").click()
    await expect(page.get_by_test_id("map-draw")).to_have_attribute("data-points", "2")
    await drawing.click(position={"x": middle_x + 50, "y": middle_y + 40})
    await drawing.dblclick(position={"x": middle_x - 50, "y": middle_y + 40})

    form = page.get_by_test_id("area-new-form")
    await expect(form).to_be_visible(timeout=10_000)
    await expect(form.get_by_test_id("new-area-outline")).to_contain_text("4 个拐点")
    await expect(form.get_by_test_id("new-area-region")).not_to_have_value("", timeout=10_000)
    await form.get_by_test_id("new-area-name").fill("文一路夜宵摊")
    await form.get_by_test_id("new-area-type").select_option("back_street")
    await form.get_by_test_id("new-area-submit").click()
    area = page.get_by_test_id("area-page")
    await expect(area).to_have_attribute("data-state", "candidate", timeout=10_000)
    area_id = int(await area.get_attribute("data-area-id") or 0)

    # The plan names people picked from the area's list, typed by the start of their names.
    await page.get_by_test_id("area-action-plan").click()
    plan = page.get_by_test_id("plan-form")
    await plan.get_by_test_id("plan-first-search").fill("演示督办")
    await expect(plan.get_by_test_id("plan-first")).not_to_have_value("", timeout=10_000)
    await plan.get_by_test_id("plan-direct").select_option(label="演示调度员 · 调度员 · 西湖区")
    await plan.get_by_test_id("plan-task-owner-search").fill("演示网格")
    await expect(plan.get_by_test_id("plan-task-owner")).not_to_have_value("", timeout=10_000)
    await plan.get_by_test_id("plan-add-cooperating").click()
    await plan.get_by_test_id("plan-cooperating-unit").select_option(label="西湖区城市管理局")
    await plan.get_by_test_id("plan-deadline").fill(
        (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    )
    await plan.get_by_test_id("plan-goals").fill("夜间秩序规范，通道畅通")
    await plan.get_by_test_id("plan-task-measure").fill("划定夜宵经营区域")
    due = (datetime.now() + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    await plan.get_by_test_id("plan-task-due").fill(due)
    await page.screenshot(path=str(ARTIFACTS / "area_console_plan_people.png"), full_page=True)
    await plan.get_by_test_id("plan-submit").click()

    facts = page.get_by_test_id("area-plan")
    await expect(facts).to_contain_text("演示督办员", timeout=10_000)
    await expect(facts).to_contain_text("演示调度员")
    await expect(facts).to_contain_text("西湖区城市管理局")
    await expect(page.get_by_test_id("area-task")).to_contain_text("演示网格员")
    await context.close()

    stored = await one_row(
        demo_database,
        "SELECT p.geometry IS NOT NULL AS drawn, u.username FROM key_areas k "
        "JOIN places p ON p.id = k.place_id JOIN key_area_plans kp ON kp.area_id = k.id "
        "JOIN users u ON u.id = kp.first_responsible_id WHERE k.id = $1 AND kp.current",
        area_id,
    )
    assert tuple(stored) == (True, "demo-supervisor")
