"""A resident is offered a survey on the phone, answers it offline, and the answer arrives once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, expect

from backend.clock import city_today
from tests.browser.area_setup import sign_in
from tests.browser.conftest import ARTIFACTS

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
