"""Pure decisions of the Open311 GeoReport v2 interface: formats, states, notices, keys, ids.

No I/O here. The spec speaks of two states (open, closed); our loop has more, so each of our
states maps to one of the two and says the rest in `status_notes`.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

from backend.cases.rules import OPEN, STATUSES
from backend.errors import NotFound

Format = Literal["json", "xml"]
Locale = Literal["zh-CN", "en"]
SPECIFICATION: Final = "http://wiki.open311.org/GeoReport_v2"
KEY_PREFIX: Final = "o311_"
# Derived client ids live in a namespace of their own, apart from the phones' random ones.
_CLIENT_ID_NAMESPACE: Final = uuid.UUID("6f2b1c1e-3f4a-5b8e-9c0d-311311311311")

_STATUS_NOTES: Final[dict[str, tuple[str, str]]] = {
    "submitted": ("已受理，待派遣", "Received; waiting to be dispatched"),
    "dispatched": ("已派遣给责任网格或部门", "Dispatched to the grid or department in charge"),
    "accepted": ("已签收，正在处置", "Accepted; being handled"),
    "resolved": ("已处置，待核查", "Handled; waiting for verification"),
    "closed": ("已核查结案", "Verified and closed"),
    "rated": ("已结案并评价", "Closed and rated"),
    "rejected": ("不予受理", "Not accepted"),
    "merged": ("重复上报，已并入", "Duplicate request; merged into"),
}
# A rejection's reason as the reporter reads it (the same words as the app's).
_REJECT_REASONS: Final[dict[str, tuple[str, str]]] = {
    "duplicate": ("重复上报", "Duplicate"),
    "not_our_remit": ("不属于受理范围", "Not our remit"),
    "insufficient_information": ("信息不足", "Insufficient information"),
    "not_a_problem": ("不构成问题", "Not a problem"),
    "false_report": ("虚假上报", "False report"),
    "other": ("其他", "Other"),
}


def format_of(name: str) -> tuple[str, Format]:
    """Split `033.json` into ("033", "json"); the spec puts the format in the resource name."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or suffix not in ("json", "xml"):
        raise NotFound(
            "open311.format",
            "请在资源名后加 .json 或 .xml",
            "Add .json or .xml to the resource name",
        )
    return stem, "json" if suffix == "json" else "xml"


def path_format(path: str) -> Format:
    """The format a request path asks for; errors of a path without one are sent as JSON."""
    return "xml" if path.endswith(".xml") else "json"


def locale_of(accept_language: str | None) -> Locale:
    """English for a client that prefers it, else Chinese (the city's language)."""
    first = (accept_language or "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh-CN"


def pick(texts: tuple[str, str], locale: Locale) -> str:
    return texts[1] if locale == "en" else texts[0]


def w3(moment: datetime | None, zone: ZoneInfo) -> str | None:
    """The spec's date-time: ISO 8601 to the second, with the city's UTC offset."""
    if moment is None:
        return None
    return moment.astimezone(zone).replace(microsecond=0).isoformat()


def spec_status(status: str) -> Literal["open", "closed"]:
    """open while the loop still runs; closed once closed, rated, rejected or merged."""
    return "open" if status in OPEN else "closed"


def statuses_for(spec_statuses: list[str]) -> list[str]:
    """Our states behind the spec's `status=open,closed` filter."""
    return [name for name in STATUSES if spec_status(name) in spec_statuses]


def status_notes(
    status: str, *, reject_reason: str | None, merged_into: str | None, locale: Locale
) -> str:
    """What the state means; a rejection gives the reason the reporter is also shown."""
    note = pick(_STATUS_NOTES.get(status, (status, status)), locale)
    if status == "rejected" and reject_reason:
        reason = pick(_REJECT_REASONS.get(reject_reason, (reject_reason, reject_reason)), locale)
        return f"{note}：{reason}" if locale == "zh-CN" else f"{note}: {reason}"
    if status == "merged" and merged_into:
        return f"{note} {merged_into}"
    return note


def duration(minutes: int, locale: Locale) -> str:
    """A deadline in the unit a person would use."""
    if minutes % 1440 == 0:
        days = minutes // 1440
        return f"{days} 天" if locale == "zh-CN" else f"{days} day{'s' * (days != 1)}"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} 小时" if locale == "zh-CN" else f"{hours} hour{'s' * (hours != 1)}"
    return f"{minutes} 分钟" if locale == "zh-CN" else f"{minutes} minute{'s' * (minutes != 1)}"


def service_notice(*, accept_minutes: int, resolve_minutes: int, locale: Locale) -> str:
    """What the city commits to for a service: its deadlines (时限)."""
    accept, resolve = duration(accept_minutes, locale), duration(resolve_minutes, locale)
    if locale == "zh-CN":
        return f"受理后 {accept}内签收，签收后 {resolve}内处置。"
    return f"Accepted on site within {accept}, then handled within {resolve}."


def photo_notice(*, required: bool, locale: Locale) -> str:
    """How to send a photo: as the file itself, or as an https media_url we fetch."""
    if locale == "zh-CN":
        need = "此类问题必须附照片" if required else "可附一张照片"
        return f"{need}：以 multipart/form-data 的 media 字段上传，或给出公网 https 的 media_url。"
    need = "A photo is required" if required else "A photo may be added"
    return (
        f"{need}: send it as the multipart/form-data field media, or as a public https media_url."
    )


def new_api_key() -> str:
    """256 random bits; the prefix lets secret scanners recognise a leaked key."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_digest(api_key: str) -> bytes:
    """What is stored and looked up: the key itself never reaches the database."""
    return hashlib.sha256(api_key.encode()).digest()


def derived_client_ids(
    key_id: int, device_id: str, fingerprint: bytes, now: datetime
) -> tuple[uuid.UUID, uuid.UUID]:
    """The spec has no client id: the same key, device and content make the same request.

    The id also names the day (UTC), so the same words about the same spot sent again next
    week are a new request; a retry looks under today's id and yesterday's, so one that
    straddles midnight still finds its request. Returns (today's id, yesterday's id).
    """
    day = now.astimezone(UTC).date().toordinal()
    content = f"{key_id}\n{device_id}\n{fingerprint.hex()}"
    return (
        uuid.uuid5(_CLIENT_ID_NAMESPACE, f"{content}\n{day}"),
        uuid.uuid5(_CLIENT_ID_NAMESPACE, f"{content}\n{day - 1}"),
    )
