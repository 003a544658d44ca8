"""Pure decisions of Web Push: what a notification says, how long it lives, when to retry."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from backend.outbound.addresses import is_loopback, literal_address

MAX_PAYLOAD_BYTES: Final = 3000

# kind -> (Chinese title, English title, Chinese body, English body)
TEXTS: Final[dict[str, tuple[str, str, str, str]]] = {
    "dispatched": (
        "已受理",
        "Report accepted",
        "您的上报 {no} 已派遣处理",
        "Your report {no} was sent to be handled",
    ),
    "accepted": (
        "已签收",
        "Being handled",
        "您的上报 {no} 已有网格员签收",
        "A grid worker took your report {no}",
    ),
    "resolved": (
        "已处置",
        "Handled",
        "您的上报 {no} 已处置，等待核查",
        "Your report {no} was handled and is being checked",
    ),
    "closed": (
        "已结案",
        "Closed",
        "您的上报 {no} 已结案，请评价",
        "Your report {no} is closed: please rate it",
    ),
    "rejected": (
        "不予受理",
        "Not taken up",
        "您的上报 {no} 不予受理，点击查看原因",
        "Your report {no} was not taken up: see why",
    ),
    "merged": (
        "已合并",
        "Merged",
        "您的上报 {no} 与同一问题合并处理",
        "Your report {no} joined a report of the same problem",
    ),
    "new_task": ("新任务", "New task", "案件 {no} 待签收", "Case {no} is waiting for you"),
    "reminder": ("催办", "Reminder", "案件 {no} 已超时，请尽快处理", "Case {no} is overdue"),
    "reopened": ("返工", "Reopened", "案件 {no} 需要重新处置", "Case {no} needs handling again"),
    "supervision": ("督办", "Supervision", "案件 {no} 严重超时", "Case {no} is long overdue"),
    "emergency": (
        "紧急案件",
        "Emergency",
        "紧急案件 {no} 刚刚上报",
        "Emergency case {no} just came in",
    ),
    "approve_extension": (
        "延期已批准",
        "Extension approved",
        "案件 {no} 的延期已批准",
        "The extension for case {no} was approved",
    ),
    "deny_extension": (
        "延期未批准",
        "Extension denied",
        "案件 {no} 的延期未获批准",
        "The extension for case {no} was denied",
    ),
    "duty_reminder": (
        "催办",
        "Reminder",
        "「{title}」已到期，请尽快完成",
        "Due now: {title}",
    ),
    "duty_supervision": (
        "督办",
        "Supervision",
        "「{title}」逾期未完成",
        "Long overdue: {title}",
    ),
    "area_task": ("新任务", "New task", "重点地区整治任务：{title}", "Key area task: {title}"),
    "finding": (
        "督查问题",
        "Inspection finding",
        "督查发现问题，请限期整改：{title}",
        "An inspection finding to rectify: {title}",
    ),
    "finding_reported": (
        "整改反馈",
        "Rectification reported",
        "「{title}」已反馈整改，请复查",
        "Rectification reported, to recheck: {title}",
    ),
    "area_decision": (
        "重点地区决定",
        "Key area decision",
        "重点地区「{title}」有新的决定",
        "A decision was taken on key area {title}",
    ),
}
RESIDENT_KINDS: Final = frozenset(
    {"dispatched", "accepted", "resolved", "closed", "rejected", "merged"}
)
# (TTL, urgency): an emergency is worth waking a phone for; news of a report can wait a day.
DELIVERY: Final[dict[str, tuple[int, str]]] = {
    "emergency": (3600, "high"),
    "supervision": (6 * 3600, "high"),
    "reminder": (6 * 3600, "high"),
    "new_task": (24 * 3600, "high"),
    "duty_supervision": (6 * 3600, "high"),
    "duty_reminder": (6 * 3600, "high"),
    "area_task": (24 * 3600, "high"),
    "reopened": (24 * 3600, "normal"),
}
DEFAULT_DELIVERY: Final = (3 * 24 * 3600, "normal")
# A title is what staff typed: the notification shows its start, the app shows the rest.
TITLE_SHOWN: Final = 60


def message(
    *, notification_id: int, kind: str, locale: str, role: str, case: dict[str, Any]
) -> bytes:
    """The payload the service worker shows: no personal data, tagged, under 3 KB.

    A case's pushes can overtake each other on the way; the phone shows one notification per
    case and keeps the one with the highest `seq`. Notifications of one case are written in the
    transactions that move it, one after another, so their ids already count in that order.
    News of something else (a duty, a key area's task or decision) carries no case: its text
    names the payload's title and it opens the task or the area instead.
    """
    zh_title, en_title, zh_body, en_body = TEXTS.get(kind, ("通知", "Notice", "{no}", "{no}"))
    english = locale.startswith("en")
    number = str(case.get("trackingNo", ""))
    title = _shortened(str(case.get("title", "")))
    case_id = case.get("caseId")
    body: dict[str, object] = {
        "tag": f"n{notification_id}",
        "title": en_title if english else zh_title,
        "body": (en_body if english else zh_body).format(no=number, title=title),
        "url": _url(role, case_id) if case_id is not None else _subject_url(kind, role, case),
        "kind": kind,
    }
    if case_id is not None:
        body |= {"case": case_id, "seq": notification_id}
    encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    assert len(encoded) <= MAX_PAYLOAD_BYTES
    return encoded


def _url(role: str, case_id: object) -> str:
    if case_id is None:
        return "/"
    if role == "resident":
        return f"/reports/{case_id}"
    return f"/w/#/c/{case_id}" if role in {"worker", "department"} else f"/d/#/c/{case_id}"


def _subject_url(kind: str, role: str, payload: dict[str, Any]) -> str:
    """Where news without a case opens: the task on the phone, the area at a desk."""
    if role in {"worker", "department"}:
        task_id = _id(payload.get("subjectId", payload.get("taskId")))
        area_task = kind == "area_task" or payload.get("subjectKind") == "area_task"
        return f"/w/#/tasks/{task_id}" if area_task and task_id is not None else "/w/"
    if role == "resident":
        return "/"
    area_id = _id(payload.get("areaId"))
    return f"/d/#/areas/{area_id}" if area_id is not None else "/d/"


def _id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _shortened(title: str) -> str:
    return title if len(title) <= TITLE_SHOWN else title[: TITLE_SHOWN - 1] + "…"


def delivery(kind: str) -> tuple[int, str]:
    """TTL in seconds and Urgency for a kind of notification."""
    return DELIVERY.get(kind, DEFAULT_DELIVERY)


def backoff(
    attempt: int, *, retry_after: float | None = None, rng: random.Random | None = None
) -> timedelta:
    """When to try again: the service's Retry-After, else exponential with full jitter."""
    if retry_after is not None and retry_after > 0:
        return timedelta(seconds=min(retry_after, 3600))
    ceiling = min(3600.0, 15.0 * 2 ** max(0, attempt - 1))
    return timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one push attempt means for its device."""

    delivered: bool
    gone: bool  # 404/410: the subscription is dead; delete it
    retry: bool


def verdict(status: int | None) -> Verdict:
    """201 delivered; 404/410 gone; 429, 5xx and timeouts (None) retried; other 4xx not."""
    if status is not None and 200 <= status < 300:
        return Verdict(True, False, False)
    if status in (404, 410):
        return Verdict(False, True, False)
    return Verdict(False, False, status is None or status == 429 or status >= 500)


def endpoint_problem(endpoint: str, *, allow_loopback: bool) -> str | None:
    """Why the server must not post to this endpoint (it would be a door into our network).

    Only the URL is judged here; the addresses a name resolves to are checked when sending.
    """
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        address = literal_address(host)
    except ValueError:
        return "a push endpoint must name a push service"
    loopback = address is not None and is_loopback(address)
    if allow_loopback and loopback and parts.scheme in {"http", "https"}:
        return None
    if parts.scheme != "https" or not host:
        return "a push endpoint must be an https URL"
    if address is not None or _local_name(host):
        return "a push endpoint must name a push service, not an address"
    return None


def _local_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")
