"""督导检查 and 考核 at the supervisor's desk: an inspection typed in with its findings row by row,
its findings followed in the ledger (filters, per-unit counts, the workbook) through 复查, a
reopen and 销号 while the grid's worker rectifies on the phone's API; a department files its
零报告 and the month's table shows it; a year's scheme computed for the quarter with a region
vetoed, a manual item, 公示, an objection answered, final refused while the window is open,
and 约谈 of the unit at the bottom."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import Browser, BrowserContext, Page, expect

from backend.db.pool import connect
from backend.oversight import monthly
from backend.settings import load_settings
from tests.browser.area_setup import sign_in
from tests.browser.conftest import ARTIFACTS, HOME
from tests.browser.test_loop import DESK, log_in
from tests.browser.test_resident_survey import CITY_TIMEZONE
from tests.browser.test_worker import WORKER_GRID, one_row
from tests.http.case_helpers import photo
from tests.http.photos import jpeg

DISTRICT = "330106"
CITY = ZoneInfo(CITY_TIMEZONE)
DEPARTMENT = "SELECT id, name FROM departments WHERE code = '330106-cg'"
FIRST_STREET = "SELECT code, name FROM regions WHERE level = 'street' ORDER BY code LIMIT 1"


async def desk(browser: Browser, api: str, username: str) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(
        viewport=DESK,
        base_url=api,
        locale="zh-CN",
        timezone_id=CITY_TIMEZONE,
        geolocation=HOME,
        permissions=["geolocation"],
    )
    page = await context.new_page()
    await log_in(page, "/d/", username)
    await expect(page.get_by_test_id("logout")).to_be_visible(timeout=10_000)
    return context, page


async def rectify(client: httpx.AsyncClient, worker: dict[str, str], finding_id: int) -> None:
    """The grid's worker 签收 and 整改反馈 with an evidence photo, as the phone sends them."""
    accepted = await client.post(
        f"/api/v1/findings/{finding_id}/moves",
        headers=worker,
        json={"clientId": str(uuid.uuid4()), "action": "accept"},
    )
    assert accepted.status_code in (200, 201), accepted.text
    evidence = await photo(client, worker, purpose="evidence", seed=finding_id)
    reported = await client.post(
        f"/api/v1/findings/{finding_id}/moves",
        headers=worker,
        json={
            "clientId": str(uuid.uuid4()),
            "action": "report",
            "note": "杂物已清运，通道畅通",
            "mediaIds": [evidence],
        },
    )
    assert reported.status_code in (200, 201), reported.text


async def file_an_inspection(page: Page, grid: str, department_id: int) -> None:
    """Two findings typed from the keyboard; a past deadline and a region out of scope are
    refused before anything is filed."""
    await page.get_by_test_id("nav-inspections").click()
    await expect(page.get_by_test_id("inspections-empty")).to_be_visible(timeout=10_000)
    await page.get_by_test_id("inspection-new-open").click()
    await page.get_by_test_id("inspection-manner").select_option("covert")
    await page.get_by_test_id("inspection-plan").select_option("random")
    await page.get_by_test_id("inspection-focus").select_option("special")
    await page.get_by_test_id("inspection-team").fill("区综治办暗访组")
    await page.get_by_test_id("inspection-region").fill("110101")
    await page.get_by_test_id("inspection-photo-input").set_input_files(
        {"name": "site.jpg", "mimeType": "image/jpeg", "buffer": jpeg(1600, 1200, seed=7)}
    )
    rows = page.get_by_test_id("finding-row")
    first = rows.nth(0)
    await first.get_by_test_id("finding-text").fill("消防通道堵塞")
    await first.get_by_test_id("finding-unit").fill(grid)
    await first.get_by_test_id("finding-category").press("Enter")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(1).get_by_test_id("finding-text")).to_be_focused()
    await page.keyboard.type("占道经营未整治")
    await page.keyboard.press("Tab")
    await page.keyboard.type(str(department_id))
    await rows.nth(1).get_by_test_id("finding-deadline").fill("2020-01-01T18:00")
    await page.get_by_test_id("inspection-submit").click()
    await expect(page.get_by_test_id("finding-problems")).to_contain_text("第 2 行整改期限")

    soon = (datetime.now(CITY) + timedelta(days=10)).strftime("%Y-%m-%dT18:00")
    await rows.nth(1).get_by_test_id("finding-deadline").fill(soon)
    await page.get_by_test_id("inspection-submit").click()
    problem = page.get_by_test_id("inspection-problem")
    await expect(problem).to_contain_text("不在您的辖区内")
    await expect(problem).to_contain_text("no such region in your scope")

    await page.get_by_test_id("inspection-region").fill(DISTRICT)
    await page.get_by_test_id("inspection-submit").click()
    inspection = page.get_by_test_id("inspection-page")
    await expect(inspection).to_be_visible(timeout=10_000)
    await expect(page.get_by_test_id("inspection-kind")).to_contain_text("暗访")
    await expect(page.get_by_test_id("inspection-photos")).to_have_attribute("data-count", "1")
    await expect(page.get_by_test_id("finding-item")).to_have_count(2)
    await expect(page.locator('[data-testid="finding-item"][data-state="open"]')).to_have_count(2)


async def check_the_ledger(page: Page, grid: str, department_id: int) -> int:
    """The ledger's filters and counts; the workbook of it; the id of the grid's finding."""
    await page.get_by_test_id("nav-findings").click()
    ledger = page.get_by_test_id("findings-ledger")
    items = ledger.get_by_test_id("finding-item")
    await expect(items).to_have_count(2, timeout=10_000)
    await page.get_by_test_id("findings-filter-department").fill(str(department_id))
    await expect(items).to_have_count(1)
    await expect(items.first).to_contain_text("占道经营未整治")
    await page.get_by_test_id("findings-filter-department").fill("")
    await page.get_by_test_id("findings-filter-state").select_option("closed")
    await expect(page.get_by_test_id("findings-empty")).to_be_visible()
    await page.get_by_test_id("findings-filter-state").select_option("")
    await expect(items).to_have_count(2)

    unit = page.locator(f'[data-testid="unit-count"][data-kind="region"][data-code="{grid}"]')
    await expect(unit).to_have_attribute("data-open", "1")
    await expect(unit).to_have_attribute("data-closed", "0")
    department = page.locator('[data-testid="unit-count"][data-kind="department"]')
    await expect(department).to_have_attribute("data-open", "1")

    async with page.expect_download() as download_info:
        await page.get_by_test_id("findings-export").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert (await download.path()).read_bytes()[:2] == b"PK"
    await page.screenshot(path=str(ARTIFACTS / "oversight_ledger.png"), full_page=True)

    row = page.locator('[data-testid="finding-item"]', has_text="消防通道堵塞")
    return int(await row.get_attribute("data-finding-id") or 0)


async def move(page: Page, action: str, note: str, state: str) -> None:
    await page.get_by_test_id(f"finding-action-{action}").click()
    await page.get_by_test_id("move-note").fill(note)
    await page.get_by_test_id("move-submit").click()
    await expect(page.get_by_test_id("finding-page")).to_have_attribute(
        "data-state", state, timeout=10_000
    )


async def test_an_inspection_filed_at_the_desk_is_closed_item_by_item_in_the_ledger(
    browser: Browser, api: str, demo_database: str
) -> None:
    grid = (await one_row(demo_database, WORKER_GRID))["code"]
    department = await one_row(demo_database, DEPARTMENT)
    context, page = await desk(browser, api, "demo-supervisor")
    await file_an_inspection(page, grid, department["id"])
    finding_id = await check_the_ledger(page, grid, department["id"])

    async with httpx.AsyncClient(base_url=api) as client:
        worker, _ = await sign_in(client, "demo-worker")
        await rectify(client, worker, finding_id)

        await page.get_by_test_id("findings-refresh").click()
        row = page.locator(f'[data-testid="finding-item"][data-finding-id="{finding_id}"]')
        await expect(row).to_have_attribute("data-state", "reported", timeout=10_000)
        await row.get_by_test_id("finding-link").click()
        finding = page.get_by_test_id("finding-page")
        await expect(finding).to_have_attribute("data-state", "reported", timeout=10_000)
        await expect(page.get_by_test_id("finding-evidence")).to_have_attribute("data-count", "1")
        for action in ("file", "accept", "report"):
            await expect(
                page.locator(f'[data-testid="finding-event"][data-action="{action}"]')
            ).to_have_count(1)

        # 复查 needs a note: asked for before anything is sent.
        await page.get_by_test_id("finding-action-recheck").click()
        await page.get_by_test_id("move-submit").click()
        await expect(page.get_by_test_id("move-problem")).to_contain_text("请填写说明")
        await move(page, "recheck", "现场复查：仍有杂物", "rechecked")
        await move(page, "reopen", "整改不到位，重新整改", "reopened")
        await expect(
            page.locator('[data-testid="finding-event"][data-action="reopen"]')
        ).to_contain_text("整改不到位")

        await rectify(client, worker, finding_id)
    await page.reload()
    await expect(finding).to_have_attribute("data-state", "reported", timeout=10_000)
    await move(page, "recheck", "现场复查：通道畅通", "rechecked")
    await page.get_by_test_id("finding-action-close").click()
    await page.get_by_test_id("move-submit").click()
    await expect(finding).to_have_attribute("data-state", "closed", timeout=10_000)
    await expect(page.get_by_test_id("finding-closed-on-time")).to_have_attribute(
        "data-on-time", "true"
    )
    await page.screenshot(path=str(ARTIFACTS / "oversight_finding_closed.png"), full_page=True)

    await page.get_by_test_id("nav-findings").click()
    unit = page.locator(f'[data-testid="unit-count"][data-kind="region"][data-code="{grid}"]')
    await expect(unit).to_have_attribute("data-closed", "1", timeout=10_000)
    await expect(unit).to_have_attribute("data-on-time", "1")
    await expect(unit).to_have_attribute("data-open", "0")
    await context.close()

    await department_rectifies_at_its_desk(browser, api)
    stored = await one_row(
        demo_database, "SELECT state, reopened FROM findings WHERE id = $1", finding_id
    )
    assert (stored["state"], stored["reopened"]) == ("closed", 1)


async def department_rectifies_at_its_desk(browser: Browser, api: str) -> None:
    """The department sees only the finding it answers for, 签收 it and reports its
    rectification with an evidence photo from the finding's page."""
    context, page = await desk(browser, api, "demo-department")
    await page.get_by_test_id("nav-findings").click()
    items = page.get_by_test_id("finding-item")
    await expect(items).to_have_count(1, timeout=10_000)
    await expect(items.first).to_contain_text("占道经营未整治")
    await items.first.get_by_test_id("finding-link").click()
    finding = page.get_by_test_id("finding-page")
    await expect(finding).to_have_attribute("data-state", "open", timeout=10_000)
    await page.get_by_test_id("finding-action-accept").click()
    await page.get_by_test_id("move-submit").click()
    await expect(finding).to_have_attribute("data-state", "rectifying", timeout=10_000)

    # 整改反馈 needs evidence: refused until a photo is chosen.
    await page.get_by_test_id("finding-action-report").click()
    await page.get_by_test_id("move-note").fill("摊点已取缔，设置隔离护栏")
    await page.get_by_test_id("move-submit").click()
    await expect(page.get_by_test_id("move-problem")).to_contain_text("佐证照片")
    await page.get_by_test_id("move-photos").set_input_files(
        {"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg(1600, 1200, seed=11)}
    )
    await page.get_by_test_id("move-submit").click()
    await expect(finding).to_have_attribute("data-state", "reported", timeout=10_000)
    await expect(page.get_by_test_id("finding-evidence")).to_have_attribute("data-count", "1")
    # Checking is not the department's to do.
    await page.get_by_test_id("finding-action-recheck").click()
    await page.get_by_test_id("move-note").fill("自查合格")
    await page.get_by_test_id("move-submit").click()
    refused = page.get_by_test_id("move-problem")
    await expect(refused).to_contain_text("复查")
    await expect(refused).to_contain_text("recheck")
    await expect(finding).to_have_attribute("data-state", "reported")
    await page.screenshot(path=str(ARTIFACTS / "oversight_department_report.png"), full_page=True)
    await context.close()


async def owe_the_month(dsn: str) -> datetime:
    """The worker's job on the first of this month: every department owes last month's report.
    Its due time, so the test knows whether filing now is on time."""
    now = datetime.now(CITY).replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    settings = load_settings({})
    conn = await connect(dsn)
    try:
        assert await monthly.owe_reports(conn, settings=settings, now=now.astimezone(UTC)) > 0
        due: datetime = await conn.fetchval("SELECT max(due_at) FROM monthly_reports")
    finally:
        await conn.close()
    return due


async def test_a_department_files_its_zero_report_and_the_quarter_is_assessed(
    browser: Browser, api: str, demo_database: str
) -> None:
    due = await owe_the_month(demo_database)
    filed_state = "submitted" if datetime.now(UTC) <= due else "late"
    department = await one_row(demo_database, DEPARTMENT)
    street = await one_row(demo_database, FIRST_STREET)

    # 零报告 from the department's own desk: nothing found must still be filed, as such.
    context, page = await desk(browser, api, "demo-department")
    await page.get_by_test_id("nav-monthly-reports").click()
    mine = page.get_by_test_id("my-report")
    await expect(mine).to_have_count(1, timeout=10_000)
    await expect(mine).to_have_attribute("data-state", "due")
    await mine.get_by_test_id("report-open").click()
    await page.get_by_test_id("report-places").fill("8")
    await page.get_by_test_id("report-problems").fill("0")
    await page.get_by_test_id("report-submit").click()
    await expect(page.get_by_test_id("report-problem")).to_contain_text("零报告")
    await page.get_by_test_id("report-zero").check()
    await page.get_by_test_id("report-note").fill("本月走访辖区市场8处，未发现问题")
    await page.get_by_test_id("report-submit").click()
    await expect(mine).to_have_attribute("data-state", filed_state, timeout=10_000)
    await expect(mine.get_by_test_id("report-filed")).to_contain_text("零报告")
    await expect(page.get_by_test_id("month-table")).to_have_count(0)
    await context.close()

    context, page = await desk(browser, api, "demo-supervisor")
    await page.get_by_test_id("nav-monthly-reports").click()
    rows = page.get_by_test_id("month-row")
    await expect(rows).to_have_count(3, timeout=10_000)
    await expect(
        page.locator('[data-testid="month-row"][data-unit="330106-cg"]')
    ).to_have_attribute("data-state", filed_state)
    await expect(page.locator('[data-testid="month-row"][data-state="due"]')).to_have_count(2)
    summary = page.locator('[data-testid="summary-row"][data-unit="330106-cg"]')
    await expect(summary).to_have_attribute("data-owed", "1")
    await page.screenshot(path=str(ARTIFACTS / "oversight_monthly.png"), full_page=True)

    await assess_the_quarter(browser, page, api, street, department)
    await context.close()


async def object_as_the_department(
    browser: Browser, api: str, result_id: int, department_id: int
) -> None:
    """异议 from the unit's own staff, who see the posted result but none of its steps."""
    context, page = await desk(browser, api, "demo-department")
    await page.get_by_test_id("nav-assessment").click()
    row = page.locator(f'[data-testid="result-row"][data-result-id="{result_id}"]')
    await expect(row).to_have_attribute("data-state", "posted", timeout=10_000)
    await row.get_by_test_id("result-link").click()
    result = page.get_by_test_id("result-page")
    await expect(result).to_have_attribute("data-state", "posted", timeout=10_000)
    await expect(page.get_by_test_id("result-steps")).to_have_count(0)
    await expect(page.get_by_test_id("interview-form")).to_have_count(0)
    await page.get_by_test_id("objection-unit").select_option(f"department:{department_id}")
    await page.get_by_test_id("objection-text").fill("本季度满意率数据有误，请复核")
    await page.get_by_test_id("objection-submit").click()
    objection = page.get_by_test_id("objection")
    await expect(objection).to_have_attribute("data-answered", "false", timeout=10_000)
    await expect(objection.get_by_test_id("objection-answer-text")).to_have_count(0)
    await context.close()


async def assess_the_quarter(
    browser: Browser, page: Page, api: str, street: Any, department: Any
) -> None:
    # The quarter just ended: a result is posted only once its period is over.
    today = datetime.now(CITY)
    index = today.year * 4 + (today.month - 1) // 3 - 1
    year, quarter = divmod(index, 4)
    period = f"{year}-Q{quarter + 1}"
    await page.get_by_test_id("nav-assessment").click()
    await expect(page.get_by_test_id("schemes-empty")).to_be_visible(timeout=10_000)

    # 一票否决 of one street for the year, with its reason.
    await page.get_by_test_id("veto-region").fill(street["code"])
    await page.get_by_test_id("veto-year").fill(str(year))
    await page.get_by_test_id("veto-reason").fill("发生重大治安案件")
    await page.get_by_test_id("veto-submit").click()
    await expect(page.get_by_test_id("veto-done")).to_be_visible(timeout=10_000)

    # The scheme, indicator by indicator; Enter on a row's last field adds the next row.
    await page.get_by_test_id("scheme-new-open").click()
    await page.get_by_test_id("scheme-name").fill(f"{year}年度综治工作考核")
    await page.get_by_test_id("scheme-year").fill(str(year))
    await page.get_by_test_id("scheme-region").fill(DISTRICT)
    rows = page.get_by_test_id("indicator-row")
    first = rows.nth(0)
    await first.get_by_test_id("indicator-key").fill("on_time")
    await first.get_by_test_id("indicator-name").fill("按期结案率")
    await first.get_by_test_id("indicator-weight").fill("60")
    await first.get_by_test_id("indicator-source").select_option("on_time_rate")
    await first.get_by_test_id("indicator-target").fill("0.9")
    await first.get_by_test_id("indicator-direction").press("Enter")
    await expect(rows).to_have_count(2)
    second = rows.nth(1)
    await second.get_by_test_id("indicator-key").fill("work")
    await second.get_by_test_id("indicator-name").fill("工作实绩")
    await second.get_by_test_id("indicator-weight").fill("40")
    await second.get_by_test_id("indicator-source").select_option("manual")
    await page.get_by_test_id("scheme-submit").click()
    await expect(page.get_by_test_id("scheme-row")).to_have_count(1, timeout=10_000)

    await expect(page.get_by_test_id("compute-period")).to_have_value(period)
    await page.get_by_test_id("compute-submit").click()
    result = page.get_by_test_id("result-page")
    await expect(result).to_have_attribute("data-state", "draft", timeout=20_000)
    vetoed = page.locator(f'[data-testid="score-row"][data-unit="region:{street["code"]}"]')
    await expect(vetoed).to_have_attribute("data-vetoed", "true")
    await expect(vetoed.get_by_test_id("score-vetoed")).to_be_visible()
    regions = page.locator('[data-testid="score-row"][data-unit^="region:"]')
    ranks = [int(r) for r in await regions.evaluate_all("rs => rs.map(r => r.dataset.rank)")]
    assert int(await vetoed.get_attribute("data-rank") or 0) == max(ranks)
    assert ranks.count(max(ranks)) == 1

    # A manual item within its weight, with the reason.
    unit = f"department:{department['id']}"
    await page.get_by_test_id("manual-unit").select_option(unit)
    await page.get_by_test_id("manual-points").fill("50")
    await page.get_by_test_id("manual-submit").click()
    await expect(page.get_by_test_id("manual-problem")).to_contain_text("0 到 40")
    await page.get_by_test_id("manual-points").fill("30")
    await page.get_by_test_id("manual-reason").fill("专项整治成效明显")
    await page.get_by_test_id("manual-submit").click()
    scored = page.locator(f'[data-testid="score-row"][data-unit="{unit}"]')
    await expect(scored.get_by_test_id("score-item-work")).to_contain_text("30", timeout=10_000)
    await scored.get_by_test_id("score-open").click()
    await expect(page.get_by_test_id("breakdown-work")).to_contain_text("专项整治成效明显")
    # Computed again from the latest figures, the draft keeps its manual items.
    await page.get_by_test_id("result-recompute").click()
    await page.get_by_test_id("result-recompute-confirm").click()
    await expect(page.get_by_test_id("result-recompute-confirm-box")).to_have_count(0)
    await expect(scored.get_by_test_id("score-item-work")).to_contain_text("30")

    await page.get_by_test_id("result-post").click()
    await page.get_by_test_id("result-post-confirm").click()
    await expect(result).to_have_attribute("data-state", "posted", timeout=10_000)
    result_id = int(await result.get_attribute("data-result-id") or 0)

    # The department objects from its own desk; the supervisor answers at hers.
    await object_as_the_department(browser, api, result_id, department["id"])
    await page.reload()
    objection = page.get_by_test_id("objection")
    await expect(objection).to_have_attribute("data-answered", "false", timeout=10_000)
    await objection.get_by_test_id("objection-answer-text").fill("已复核，维持原分")
    await objection.get_by_test_id("objection-answer-submit").click()
    await expect(objection).to_have_attribute("data-answered", "true", timeout=10_000)

    # Final only after the window: the server's reason, in both languages.
    await page.get_by_test_id("result-final").click()
    await page.get_by_test_id("result-final-confirm").click()
    refused = page.get_by_test_id("result-final-problem")
    await expect(refused).to_contain_text("公示异议期尚未结束")
    await expect(refused).to_contain_text("has not closed")
    await expect(result).to_have_attribute("data-state", "posted")

    await page.get_by_test_id("interview-unit").select_option(f"region:{street['code']}")
    await page.get_by_test_id("interview-who").fill("街道党工委书记")
    await page.get_by_test_id("interview-notes").fill("就重大治安案件约谈，限期整改")
    await page.get_by_test_id("interview-submit").click()
    await expect(page.get_by_test_id("interview")).to_contain_text("限期整改", timeout=10_000)
    await page.screenshot(path=str(ARTIFACTS / "oversight_assessment.png"), full_page=True)
