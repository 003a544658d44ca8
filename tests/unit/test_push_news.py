"""Pushes about something other than a case: duties (催办/督办) and key areas."""

from __future__ import annotations

import json
from typing import Any

from backend.push import rules


def shown(kind: str, role: str, payload: dict[str, Any], locale: str = "zh-CN") -> Any:
    return json.loads(
        rules.message(notification_id=7, kind=kind, locale=locale, role=role, case=payload)
    )


DUTY = {"dutyId": 3, "subjectKind": "area_task", "subjectId": 12, "title": "清理违章搭建"}


def test_a_reminder_names_the_task_and_opens_it_on_the_phone() -> None:
    zh = shown("duty_reminder", "worker", DUTY)
    assert zh["title"] == "催办" and "清理违章搭建" in zh["body"]
    assert zh["url"] == "/w/#/tasks/12" and zh["tag"] == "n7"
    assert "case" not in zh and "seq" not in zh
    en = shown("duty_reminder", "department", DUTY, locale="en")
    assert en["title"] == "Reminder" and "清理违章搭建" in en["body"]
    assert en["url"] == "/w/#/tasks/12"


def test_supervision_opens_the_area_at_a_desk_when_the_payload_names_it() -> None:
    told = shown("duty_supervision", "supervisor", {**DUTY, "areaId": 5})
    assert told["title"] == "督办" and told["url"] == "/d/#/areas/5"
    assert shown("duty_supervision", "supervisor", DUTY)["url"] == "/d/"


def test_a_duty_that_is_not_a_task_opens_the_phone_home() -> None:
    sweep = {**DUTY, "subjectKind": "area_duty"}
    assert shown("duty_reminder", "worker", sweep)["url"] == "/w/"


def test_area_news_in_both_languages() -> None:
    task = shown("area_task", "worker", {"subjectId": 9, "title": "夜间巡查", "areaId": 2})
    assert task["title"] == "新任务" and "夜间巡查" in task["body"]
    assert task["url"] == "/w/#/tasks/9"
    named = shown("area_task", "department", {"taskId": 4, "areaId": 2, "title": "城中村"})
    assert named["url"] == "/w/#/tasks/4"
    decision = shown("area_decision", "dispatcher", {"areaId": 2, "title": "城中村"}, "en-US")
    assert decision["title"] == "Key area decision" and "城中村" in decision["body"]
    assert decision["url"] == "/d/#/areas/2"


def test_a_long_title_is_shortened_and_a_brace_in_it_is_kept() -> None:
    body = shown("duty_reminder", "worker", {**DUTY, "title": "{no}" + "长" * 300})["body"]
    assert "{no}" in body and body.count("长") < 100 and "…" in body


def test_case_news_is_unchanged() -> None:
    told = shown("reminder", "worker", {"caseId": 4, "trackingNo": "GR-1", "status": "x"})
    assert told["body"] == "案件 GR-1 已超时，请尽快处理" and told["url"] == "/w/#/c/4"
    assert told["case"] == 4
