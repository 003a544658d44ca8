"""A resident is offered a survey on the phone, answers it offline, and the answer arrives once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from playwright.async_api import BrowserContext, Page, expect

from backend.clock import city_today
from tests.browser.area_setup import area_with_a_plan, sign_in, task_steps
from tests.browser.conftest import ARTIFACTS, HOME
from tests.browser.test_worker import WORKER_GRID, one_row
from tests.http.case_helpers import report

HOME_STREET = "330106002"
# The demo city's time zone: the server counts a survey's days in it.
CITY_TIMEZONE = "Asia/Shanghai"


def questionnaire() -> dict[str, Any]:
    """An open-for-a-month 安全感 survey of the demo street with one item of every kind."""
    today = city_today(CITY_TIMEZONE, datetime.now(UTC))
    return {
        "title": "文三街道群众安全感调查",
        "titleEn": "How safe do you feel in Wensan street",
        "regionCode": HOME_STREET,
        "opensOn": (today - timedelta(days=1)).isoformat(),
        "closesOn": (today + timedelta(days=30)).isoformat(),
        "questions": [
            {
                "key": "satisfaction",
                "kind": "single",
                "zh": "您对本辖区的治安状况满意吗？",
                "en": "Are you satisfied with public safety here?",
                "standard": "satisfaction",
                "required": True,
                "options": [
                    {"key": "satisfied", "zh": "满意", "en": "Satisfied"},
                    {"key": "basically_satisfied", "zh": "基本满意", "en": "Basically satisfied"},
                    {"key": "dissatisfied", "zh": "不满意", "en": "Dissatisfied"},
                ],
            },
            {
                "key": "worries",
                "kind": "multiple",
                "zh": "您担心哪些问题？",
                "en": "What worries you?",
                "options": [
                    {"key": "theft", "zh": "盗窃", "en": "Theft"},
                    {"key": "fraud", "zh": "电信诈骗", "en": "Phone fraud"},
                    {"key": "traffic", "zh": "交通秩序", "en": "Traffic"},
                ],
            },
            {
                "key": "safety",
                "kind": "scale5",
                "zh": "您在本地感到安全吗？",
                "en": "Do you feel safe here?",
                "standard": "safety",
                "required": True,
            },
            {"key": "recommend", "kind": "scale10", "zh": "推荐程度", "en": "Would you recommend"},
            {"key": "note", "kind": "text", "zh": "意见建议", "en": "Remarks"},
        ],
    }


async def a_device_in_use(phone: Page) -> None:
    """The app makes its device account at start; a passer-by's device must predate the survey
    to answer by its position alone, so the resident has used the app before it opens."""
    async with phone.expect_response(lambda r: r.url.endswith("/api/v1/auth/device")) as made:
        await phone.goto("/")
    assert (await made.value).ok


async def open_survey(api: str) -> tuple[int, dict[str, str]]:
    async with httpx.AsyncClient(base_url=api) as client:
        supervisor, _ = await sign_in(client, "demo-supervisor")
        created = await client.post("/api/v1/surveys/", headers=supervisor, json=questionnaire())
        assert created.status_code == 201, created.text
        survey_id = int(created.json()["id"])
        opened = await client.post(f"/api/v1/surveys/{survey_id}/open", headers=supervisor)
        assert opened.status_code == 200, opened.text
    return survey_id, supervisor


async def survey(api: str, headers: dict[str, str], survey_id: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=api) as client:
        response = await client.get(f"/api/v1/surveys/{survey_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def counts(body: dict[str, Any], key: str) -> dict[str, int]:
    [item] = [item for item in body["tally"] if item["key"] == key]
    return {count["key"]: count["count"] for count in item["counts"] if count["count"]}


async def answer_offline(phone: Page, phone_context: BrowserContext) -> None:
    """See the offer, go offline, answer every kind of item and send."""
    await phone.goto("/")
    offer = phone.get_by_test_id("survey-offer")
    await expect(offer).to_contain_text("有一份问卷邀请您参与", timeout=20_000)
    await expect(offer).to_contain_text("文三街道群众安全感调查")
    # The questionnaire is on the phone once offered: it opens offline too.
    await expect(phone.get_by_test_id("survey-open")).to_be_enabled(timeout=10_000)
    await phone_context.set_offline(True)
    await phone.get_by_test_id("survey-open").click()
    sheet = phone.get_by_test_id("survey-sheet")
    await expect(sheet).to_be_visible()
    await expect(phone.get_by_test_id("survey-anonymous")).to_contain_text("匿名")
    await expect(sheet.get_by_test_id("survey-question")).to_have_count(5)
    # Sending with a required item unanswered says so and keeps the sheet open.
    await phone.get_by_test_id("survey-send").click()
    await expect(sheet).to_contain_text("还有 2 道必答题未作答")
    await phone.get_by_test_id("survey-option-satisfaction-basically_satisfied").check()
    await phone.get_by_test_id("survey-option-worries-theft").check()
    await phone.get_by_test_id("survey-option-worries-fraud").check()
    await phone.get_by_test_id("survey-option-safety-4").check()
    await phone.get_by_test_id("survey-option-recommend-8").check()
    await phone.get_by_test_id("survey-text-note").fill("晚上路灯太暗")
    await phone.screenshot(path=str(ARTIFACTS / "resident_survey_questionnaire.png"))
    await phone.get_by_test_id("survey-send").click()
    await expect(sheet).to_have_count(0)


async def test_a_resident_answers_a_survey_offline_and_it_arrives_once(
    phone: Page, phone_context: BrowserContext, api: str
) -> None:
    await a_device_in_use(phone)
    survey_id, supervisor = await open_survey(api)
    await answer_offline(phone, phone_context)
    status = phone.get_by_test_id("survey-status")
    await expect(status).to_have_attribute("data-state", "offline")
    await expect(status).to_contain_text("答卷已保存，联网后自动发送")
    await expect(phone.get_by_test_id("survey-offer")).to_have_count(0)
    assert (await survey(api, supervisor, survey_id))["answered"] == 0

    await phone_context.set_offline(False)
    await expect(status).to_have_attribute("data-state", "sent", timeout=20_000)
    await expect(status).to_contain_text("答卷已发送，感谢参与")
    # A new start replays nothing and offers the survey no more.
    await phone.reload()
    await expect(phone.get_by_test_id("survey-status")).to_have_attribute("data-state", "sent")
    await expect(phone.get_by_test_id("category-sanitation")).to_be_visible(timeout=10_000)
    await expect(phone.get_by_test_id("survey-offer")).to_have_count(0)

    body = await survey(api, supervisor, survey_id)
    assert body["answered"] == 1
    assert counts(body, "satisfaction") == {"basically_satisfied": 1}
    assert counts(body, "worries") == {"theft": 1, "fraud": 1}
    assert counts(body, "safety") == {"4": 1}


async def test_an_answer_the_survey_no_longer_takes_is_kept_with_the_reason_until_removed(
    phone: Page, phone_context: BrowserContext, api: str
) -> None:
    await a_device_in_use(phone)
    survey_id, supervisor = await open_survey(api)
    await answer_offline(phone, phone_context)
    async with httpx.AsyncClient(base_url=api) as client:
        closed = await client.post(f"/api/v1/surveys/{survey_id}/close", headers=supervisor)
        assert closed.status_code == 200, closed.text

    await phone_context.set_offline(False)
    status = phone.get_by_test_id("survey-status")
    await expect(status).to_have_attribute("data-state", "failed", timeout=20_000)
    await expect(phone.get_by_test_id("survey-error")).not_to_be_empty()
    await phone.get_by_test_id("survey-remove").click()
    await expect(status).to_have_count(0)
    assert (await survey(api, supervisor, survey_id))["answered"] == 0


async def staff_answer_close_and_publish(
    api: str, supervisor: dict[str, str], survey_id: int
) -> None:
    """Five 入户走访 answers, all feeling very safe and satisfied; then closed and published."""
    visits = [{"answers": {"satisfaction": "satisfied", "safety": 5}} for _ in range(5)]
    async with httpx.AsyncClient(base_url=api) as client:
        entered = await client.post(
            f"/api/v1/surveys/{survey_id}/entries",
            headers=supervisor,
            json={"channel": "visit", "entries": visits},
        )
        assert entered.status_code == 201, entered.text
        for step in ("close", "publish"):
            done = await client.post(f"/api/v1/surveys/{survey_id}/{step}", headers=supervisor)
            assert done.status_code == 200, done.text


async def a_flagged_area_nearby(api: str, demo_database: str) -> None:
    """挂牌督办 on the demo worker's grid, near the resident: a plan of two tasks, one done."""
    grid = (await one_row(demo_database, WORKER_GRID))["code"]
    due = datetime.now(UTC) + timedelta(days=7)
    async with httpx.AsyncClient(base_url=api) as client:
        area = await area_with_a_plan(
            client,
            grid,
            problems="夜间照明不足，盗窃多发",
            tasks=[("加装路灯", due), ("夜间巡逻", due + timedelta(days=3))],
            deadline=(due + timedelta(days=14)).date(),
        )
        await task_steps(client, area.worker, area.task_ids[0], "巷口路灯已加装完毕")
        for action in ("propose", "flag"):
            moved = await client.post(
                f"/api/v1/areas/{area.area_id}/transitions",
                headers=area.supervisor,
                json={"action": action, "reason": "群众反映集中", "level": "yellow"},
            )
            assert moved.status_code == 200, moved.text


async def reports_made_yesterday(api: str, demo_database: str, count: int) -> None:
    """Reports from the resident's street corner, dated yesterday: the area page counts them
    to the end of yesterday, so today it shows them (a count of 5 is shown as 5)."""
    async with httpx.AsyncClient(base_url=api) as client:
        device = await client.post("/api/v1/auth/device", json={"locale": "zh-CN"})
        assert device.status_code in (200, 201), device.text
        reporter = {"Authorization": f"Bearer {device.json()['token']}"}
        where = {"lat": HOME["latitude"], "lng": HOME["longitude"]}
        made = [await report(client, reporter, **where) for _ in range(count)]
    conn = await asyncpg.connect(demo_database)
    try:
        ids = [int(case["id"]) for case in made]
        await conn.execute(
            "UPDATE cases SET created_at = created_at - interval '1 day' WHERE id = ANY($1)", ids
        )
        await conn.execute(
            "UPDATE case_events SET at = at - interval '1 day' WHERE case_id = ANY($1)", ids
        )
    finally:
        await conn.close()


def first_day_of_a_quarter() -> bool:
    today = city_today(CITY_TIMEZONE, datetime.now(UTC))
    return today.day == 1 and today.month in (1, 4, 7, 10)


async def area_page_as_a_device(api: str) -> dict[str, Any]:
    """The area page around the phone's position, as any resident's device reads it."""
    async with httpx.AsyncClient(base_url=api) as client:
        device = await client.post("/api/v1/auth/device", json={"locale": "zh-CN"})
        assert device.status_code in (200, 201), device.text
        headers = {"Authorization": f"Bearer {device.json()['token']}"}
        where = {"lat": HOME["latitude"], "lng": HOME["longitude"]}
        response = await client.get("/api/v1/area-page", params=where, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_after_answering_a_resident_reads_the_published_figures_of_their_area(
    phone: Page, phone_context: BrowserContext, api: str, demo_database: str
) -> None:
    await a_device_in_use(phone)
    survey_id, supervisor = await open_survey(api)
    await answer_offline(phone, phone_context)
    await phone_context.set_offline(False)
    status = phone.get_by_test_id("survey-status")
    await expect(status).to_have_attribute("data-state", "sent", timeout=20_000)
    await staff_answer_close_and_publish(api, supervisor, survey_id)
    await a_flagged_area_nearby(api, demo_database)
    await reports_made_yesterday(api, demo_database, 5)
    expected = await area_page_as_a_device(api)

    await phone.get_by_test_id("area-tab").click()
    page = phone.get_by_test_id("area-page")
    await expect(page).to_have_attribute("data-phase", "ready", timeout=20_000)
    region = phone.get_by_test_id("area-region")
    await expect(region).to_have_text(expected["region"]["name"])
    # Yesterday's five reports are this quarter's count (unless yesterday was last quarter):
    # the phone shows the number, not the words of a withheld figure.
    shown = phone.get_by_test_id("area-valid")
    if first_day_of_a_quarter():
        assert expected["reports"]["valid"] is None
        await expect(shown).to_contain_text("不足 5 件，不公布")
    else:
        assert expected["reports"]["valid"] == 5, expected["reports"]
        await expect(shown.locator(".area-value")).to_have_text("5")
    flagged = phone.get_by_test_id("area-flagged-item").filter(has_text="文三路夜市周边")
    await expect(flagged).to_contain_text("整治进度 1/2")
    await expect(flagged).to_contain_text("挂牌督办")

    # One answer on the phone (safety 4 → 75) and five visits (5 → 100): (75 + 5·100) / 6.
    survey = phone.get_by_test_id("area-survey")
    await expect(survey).to_have_attribute("data-survey", str(survey_id))
    await expect(survey).to_contain_text("文三街道群众安全感调查")
    await expect(survey).to_contain_text("6 份答卷")
    await expect(phone.get_by_test_id("area-figure-safety")).to_contain_text("95.8")
    await expect(phone.get_by_test_id("area-figure-safety")).to_contain_text("目标 95")
    await expect(phone.get_by_test_id("area-figure-satisfaction")).to_contain_text("100")
    await phone.screenshot(path=str(ARTIFACTS / "resident_area_page.png"), full_page=True)

    parent = expected["parent"]
    assert parent is not None
    await phone.get_by_test_id("area-widen").click()
    await expect(region).to_have_text(parent["name"])
    await expect(region).to_have_attribute("data-code", parent["code"])

    # Offline, widening once more keeps the page shown, dated; back online the wider one comes.
    await phone_context.set_offline(True)
    await phone.get_by_test_id("area-widen").click()
    await expect(phone.get_by_test_id("area-error")).to_contain_text("离线，显示上次的数据")
    await expect(phone.get_by_test_id("area-updated")).to_contain_text("数据截至")
    await expect(region).to_have_text(parent["name"])
    await phone.screenshot(path=str(ARTIFACTS / "resident_area_page_offline.png"))
    await phone_context.set_offline(False)
    await expect(page).to_have_attribute("data-phase", "ready", timeout=20_000)
    await expect(region).not_to_have_text(parent["name"])
    await expect(phone.get_by_test_id("area-updated")).to_have_count(0)
