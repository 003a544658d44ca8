"""群众安全感 at the supervisor's desk: a survey made from the standard questionnaire is opened,
answers from a 座谈会 are typed in row by row from the keyboard, the survey is closed and its
results published, the indices stand by region against the target; then the quarter's public
report is previewed, published and its printable page opened without signing in."""

from __future__ import annotations

import asyncio

from playwright.async_api import Browser, Locator, Page, Route, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_loop import DESK, log_in
from tests.browser.test_resident_survey import CITY_TIMEZONE, HOME_STREET
from tests.browser.test_worker import one_row

COMMUNITY = (
    "SELECT code, name FROM regions WHERE level = 'community' AND path LIKE $1 "
    "ORDER BY code LIMIT 1 OFFSET $2"
)
TITLE = "西溪街道第四季度群众安全感调查"
SAFETY_ITEMS = ("safe_day", "safe_night", "safe_home")
# Six people at a 座谈会: three feel very safe (score 100), three so-so (score 50): the index is
# 75.0; five of the six are satisfied. Two home visits in another community (score 75 each, both
# satisfied) keep the street's index at 75.0 and bring its satisfaction to 7 of 8.
# Until the page has drawn what an event just set (its effects run after the next frame).
SETTLED = """new Promise((r) =>
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0))))"""
# Enter pressed to pick a word in a Chinese input method: the key event says it is composing.
COMPOSING_ENTER = """(field) => field.dispatchEvent(new KeyboardEvent('keydown',
  { key: 'Enter', isComposing: true, bubbles: true, cancelable: true }))"""
SPEAKERS = [
    ("resident", 5, "satisfied"),
    ("resident", 5, "basically_satisfied"),
    ("informant", 5, "satisfied"),
    ("informant", 3, "satisfied"),
    ("victim", 3, "dissatisfied"),
    ("victim", 3, "satisfied"),
]


async def type_in_visits(page: Page) -> None:
    """Two home visits: no group column, Enter in a score field adds the second row."""
    rows = page.get_by_test_id("entry-row")
    await expect(page.get_by_test_id("entry-group")).to_have_count(0)
    for i in range(2):
        row = rows.nth(i)
        for item in SAFETY_ITEMS:
            await row.get_by_test_id(f"entry-{item}").fill("4")
        await row.get_by_test_id("entry-satisfaction").select_option("satisfied")
        if i == 0:
            await row.get_by_test_id(f"entry-{SAFETY_ITEMS[-1]}").press("Enter")
            await expect(rows).to_have_count(2)
            await expect(rows.nth(1).get_by_test_id(f"entry-{SAFETY_ITEMS[0]}")).to_be_focused()


async def type_in_speakers(page: Page) -> None:
    """Each row from the keyboard where it can be: scores typed and Tab between them, Enter in
    the last field starts the next person's row with the focus on its first field."""
    rows = page.get_by_test_id("entry-row")
    for i, (group, score, satisfaction) in enumerate(SPEAKERS):
        row = rows.nth(i)
        await row.get_by_test_id("entry-group").select_option(group)
        await row.get_by_test_id(f"entry-{SAFETY_ITEMS[0]}").focus()
        for j, _item in enumerate(SAFETY_ITEMS):
            await page.keyboard.type(str(score))
            if j < len(SAFETY_ITEMS) - 1:
                await page.keyboard.press("Tab")
        await row.get_by_test_id("entry-satisfaction").select_option(satisfaction)
        await row.get_by_test_id("entry-awareness").select_option("aware")
        await row.get_by_test_id("entry-support").select_option("support")
        if i < len(SPEAKERS) - 1:
            await row.get_by_test_id("entry-support").press("Enter")
            await expect(rows).to_have_count(i + 2)
            # The next speaker is likely of the same group, and typing goes on at once.
            await expect(rows.nth(i + 1).get_by_test_id("entry-group")).to_be_focused()


async def test_a_supervisor_runs_a_safety_survey_and_publishes_the_quarter(
    browser: Browser, api: str, demo_database: str
) -> None:
    community = await one_row(demo_database, COMMUNITY, f"%/{HOME_STREET}/%", 0)
    other = await one_row(demo_database, COMMUNITY, f"%/{HOME_STREET}/%", 1)
    context = await browser.new_context(
        viewport=DESK,
        base_url=api,
        locale="zh-CN",
        timezone_id=CITY_TIMEZONE,
    )
    page = await context.new_page()
    entries_sent: list[str] = []
    page.on(
        "request",
        lambda r: (
            entries_sent.append(r.url)
            if r.method == "POST" and r.url.endswith("/entries")
            else None
        ),
    )
    await log_in(page, "/d/", "demo-supervisor")
    await expect(page.get_by_test_id("logout")).to_be_visible(timeout=10_000)

    # 新建安全感调查 from the standard questionnaire, for the street.
    await page.get_by_test_id("nav-surveys").click()
    await expect(page.get_by_test_id("surveys-empty")).to_be_visible(timeout=10_000)
    await page.get_by_test_id("survey-new-open").click()
    questions = page.get_by_test_id("survey-questions")
    await expect(questions).to_be_visible(timeout=10_000)
    assert int(await questions.get_attribute("data-count") or 0) >= 6
    await page.get_by_test_id("survey-title").fill(TITLE)
    await page.get_by_test_id("survey-title-en").fill("Xixi street safety survey, Q4")
    await page.get_by_test_id("survey-region").fill(HOME_STREET)
    await page.get_by_test_id("survey-create").click()
    survey = page.get_by_test_id("survey-page")
    await expect(survey).to_have_attribute("data-state", "draft", timeout=10_000)
    await expect(page.get_by_test_id("survey-name")).to_have_text(TITLE)

    # Opening asks once more, the focus on 确定; Escape says no.
    await page.get_by_test_id("survey-open").click()
    await expect(page.get_by_test_id("survey-open-confirm-box")).to_be_visible()
    await expect(page.get_by_test_id("survey-open-confirm")).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(page.get_by_test_id("survey-open-confirm-box")).to_have_count(0)
    await expect(page.get_by_test_id("survey-open")).to_be_focused()
    await page.get_by_test_id("survey-open").click()
    await page.get_by_test_id("survey-open-cancel").click()
    await expect(survey).to_have_attribute("data-state", "draft")
    await page.get_by_test_id("survey-open").click()
    await page.get_by_test_id("survey-open-confirm").click()
    await expect(survey).to_have_attribute("data-state", "open", timeout=10_000)

    # A 座谈会 in one community of the street: six people, each with their group.
    await page.get_by_test_id("entry-channel").select_option("forum")
    await page.get_by_test_id("entry-region").fill(community["code"])
    await type_in_speakers(page)
    # Enter in the batch's own fields sends nothing; nor does Enter that picks a word in an
    # input method (it adds no row either).
    rows = page.get_by_test_id("entry-row")
    await page.get_by_test_id("entry-region").press("Enter")
    await page.get_by_test_id("entry-day").press("Enter")
    await rows.last.get_by_test_id("entry-support").evaluate(COMPOSING_ENTER)
    await page.evaluate(SETTLED)
    assert entries_sent == []
    await expect(rows).to_have_count(len(SPEAKERS))
    await page.get_by_test_id("entry-submit").click()
    await expect(page.get_by_test_id("entry-saved")).to_have_attribute(
        "data-entered", "6", timeout=10_000
    )
    await expect(survey).to_have_attribute("data-answered", "6")
    await expect(page.get_by_test_id("entry-row")).to_have_count(1)
    assert len(entries_sent) == 1
    # Only blank rows: nothing to enter, and the desk is told so.
    await page.get_by_test_id("entry-submit").click()
    await expect(page.get_by_test_id("entry-nothing")).to_be_visible()

    # A score out of range is caught on its row before anything is sent; the mark stays with
    # the row when a row above it is removed.
    await page.get_by_test_id("entry-channel").select_option("visit")
    await page.get_by_test_id("entry-region").fill(other["code"])
    await page.get_by_test_id("entry-add").click()
    await expect(rows).to_have_count(2)
    out_of_range = f'td.flagged:has([data-testid="entry-{SAFETY_ITEMS[0]}"])'
    await rows.nth(1).get_by_test_id(f"entry-{SAFETY_ITEMS[0]}").fill("7")
    await page.get_by_test_id("entry-submit").click()
    problems = page.get_by_test_id("entry-problems")
    await expect(problems).to_contain_text("第 2 行")
    await expect(rows.nth(1).locator(out_of_range)).to_have_count(1)
    await expect(rows.nth(0).locator("td.flagged")).to_have_count(0)
    await rows.nth(0).get_by_test_id("entry-remove").click()
    await expect(rows).to_have_count(1)
    await expect(rows.nth(0).get_by_test_id(f"entry-{SAFETY_ITEMS[0]}")).to_have_value("7")
    await expect(rows.nth(0).locator(out_of_range)).to_have_count(1)
    await expect(problems).to_contain_text("第 1 行")
    assert len(entries_sent) == 1
    await type_in_visits(page)

    # The first answer is lost on the way back: the server kept the two visits, the desk never
    # heard. Sent again unchanged, the batch keeps its id and is counted once.
    kept: list[int] = []

    def is_entries(url: str) -> bool:
        return url.endswith("/entries")

    async def answer_lost(route: Route) -> None:
        kept.append((await route.fetch()).status)
        await route.abort("internetdisconnected")

    await page.route(is_entries, answer_lost)
    await page.get_by_test_id("entry-submit").click()
    await expect(page.get_by_test_id("entry-problem")).to_be_visible(timeout=10_000)
    assert kept == [201]
    await page.unroute(is_entries, answer_lost)
    await page.get_by_test_id("entry-submit").click()
    await expect(page.get_by_test_id("entry-saved")).to_have_attribute(
        "data-entered", "2", timeout=10_000
    )
    await expect(survey).to_have_attribute("data-answered", "8")

    await page.get_by_test_id("survey-close").click()
    await page.get_by_test_id("survey-close-confirm").click()
    await expect(survey).to_have_attribute("data-state", "closed", timeout=10_000)

    # The indices down the tree: the street, then the communities the answers lie in.
    table = page.get_by_test_id("indices-table")
    await expect(table).to_be_visible(timeout=10_000)

    def region_row(code: str) -> Locator:
        return page.locator(f'[data-testid="indices-row"][data-code="{code}"]')

    street_row, forum_row = region_row(HOME_STREET), region_row(community["code"])
    # 75 is short of 95: over the street's 8 answers the interval stays below the target.
    await expect(street_row).to_have_attribute("data-answered", "8")
    safety = street_row.get_by_test_id("figure-safety")
    await expect(safety).to_have_attribute("data-n", "8")
    await expect(safety).to_contain_text("75.0")
    await expect(safety).to_have_attribute("data-standing", "below")
    await expect(street_row.get_by_test_id("figure-satisfaction")).to_contain_text("87.5")
    # The forum's 6 answers would be enough, but the street's figure less the forum's would
    # give the two visits away: the forum's community is withheld as well.
    await expect(forum_row).to_have_attribute("data-answered", "6")
    await expect(forum_row.get_by_test_id("figure-safety")).to_have_attribute("data-value", "")
    await expect(forum_row).to_have_attribute("data-depth", "1")
    await expect(forum_row).to_contain_text(community["name"])
    # Two answers are too few to show: the count stays, the figure does not.
    visits_row = region_row(other["code"])
    await expect(visits_row).to_have_attribute("data-depth", "1")
    withheld = visits_row.get_by_test_id("figure-safety")
    await expect(withheld).to_have_attribute("data-n", "2")
    await expect(withheld).to_have_attribute("data-value", "")
    await expect(withheld).to_contain_text("不足 5 份")
    await expect(withheld).not_to_contain_text("75")
    await expect(page.get_by_test_id("indices-target")).to_contain_text("95")

    await page.screenshot(path=str(ARTIFACTS / "survey_console_indices.png"), full_page=True)

    # Published, but the survey cannot be read again just then: the desk is told, not left
    # looking at a survey still marked closed.
    survey_id = await survey.get_attribute("data-survey-id")

    def the_survey(url: str) -> bool:
        return url.endswith(f"/api/v1/surveys/{survey_id}")

    async def cut(route: Route) -> None:
        await route.abort("internetdisconnected")

    await page.route(the_survey, cut)
    await page.get_by_test_id("survey-publish").click()
    await page.get_by_test_id("survey-publish-confirm").click()
    await expect(page.get_by_test_id("survey-problem")).to_be_visible(timeout=10_000)
    await page.unroute(the_survey, cut)

    await page.get_by_test_id("nav-surveys").click()
    listed = page.get_by_test_id("survey-row")
    await expect(listed).to_have_count(1, timeout=10_000)
    await expect(listed).to_have_attribute("data-state", "published")

    # The street's quarterly report with the survey's figures, previewed, then published.
    await page.get_by_test_id("nav-public-reports").click()
    region = page.get_by_test_id("report-region")
    await expect(region).to_have_value("330106", timeout=10_000)
    # The street's survey does not cover the whole district: it is not offered first there.
    chosen_survey = page.get_by_test_id("report-survey")
    await expect(chosen_survey).to_contain_text(TITLE)
    await expect(chosen_survey).to_have_value("")
    await region.fill(HOME_STREET)
    await expect(page.get_by_test_id("reports-empty")).to_be_visible(timeout=10_000)
    await expect(chosen_survey).to_have_value(str(survey_id))
    await page.get_by_test_id("report-section-areas").uncheck()
    await page.get_by_test_id("report-preview").click()
    preview = page.get_by_test_id("report-preview-body")
    await expect(preview).to_have_attribute("data-sections", "reports,survey", timeout=10_000)
    await expect(preview.get_by_test_id("preview-safety")).to_contain_text("75.0")
    await expect(preview.get_by_test_id("preview-areas")).to_have_count(0)
    await page.get_by_test_id("report-publish").click()
    await page.get_by_test_id("report-publish-confirm").click()
    await expect(page.get_by_test_id("report-published")).to_have_attribute(
        "data-version", "1", timeout=10_000
    )
    item = page.get_by_test_id("report-item")
    await expect(item).to_have_count(1, timeout=10_000)
    await expect(item).to_have_attribute("data-version", "1")

    # A preview that arrives after the form changed is not shown: it is not what the form asks.
    quarter = page.get_by_test_id("report-quarter")
    this_quarter = await quarter.input_value()
    held = asyncio.Event()

    async def late(route: Route) -> None:
        await held.wait()
        await route.continue_()

    def previews(url: str) -> bool:
        return "/api/v1/public-reports/preview" in url

    await page.route(previews, late)
    async with page.expect_response(lambda response: previews(response.url)):
        await page.get_by_test_id("report-preview").click()
        await quarter.select_option(index=1)
        held.set()
    await page.evaluate(SETTLED)
    await expect(page.get_by_test_id("report-preview-body")).to_have_count(0)
    await expect(page.get_by_test_id("report-publish")).to_have_count(0)
    await page.unroute(previews, late)
    await quarter.select_option(this_quarter)

    # Publishing the quarter again makes version 2; the first stays listed beneath it.
    await page.get_by_test_id("report-preview").click()
    await expect(page.get_by_test_id("report-preview-body")).to_be_visible(timeout=10_000)
    await page.get_by_test_id("report-publish").click()
    await page.get_by_test_id("report-publish-confirm").click()
    await expect(item).to_have_count(2, timeout=10_000)
    await expect(item.first).to_have_attribute("data-version", "2")
    await expect(item.last).to_have_attribute("data-version", "1")
    await page.screenshot(path=str(ARTIFACTS / "survey_console_report.png"), full_page=True)

    # The printable page opens for anyone: a new tab, no token.
    async with context.expect_page() as opened:
        await item.first.get_by_test_id("report-page-link").click()
    report = await opened.value
    await report.wait_for_load_state()
    body = report.locator("body")
    await expect(body).to_contain_text("安全感")
    await expect(body).to_contain_text("75.0")
    await report.screenshot(path=str(ARTIFACTS / "survey_console_report_page.png"), full_page=True)
    await context.close()
