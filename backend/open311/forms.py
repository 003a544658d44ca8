"""Reading what an Open311 client sends: the POST form and the GET requests filters.

Pure functions over the raw parameters (name → values as sent). The spec treats an empty
parameter as an absent one; anything else that is wrong is named in one 400 answer.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import msgspec

from backend.errors import BadRequest
from backend.structs import without_bidi

Fields = Mapping[str, list[str]]
MAX_SPAN: Final = timedelta(days=90)
MAX_PAGE_SIZE: Final = 1000
MAX_IDS: Final = 100
DESCRIPTION_MAX: Final = 500  # what intake stores; the spec allows up to 4,000
ADDRESS_MAX: Final = 200
DEVICE_ID_MAX: Final = 128
ATTRIBUTES: Final = ("accuracy_m",)
INFORMATION_ATTRIBUTES: Final = ("guidance",)
MEDIA_URL_MAX: Final = 2000
# Accepted as the spec defines them and then dropped: the key holder is the reporter of
# record, so the person's name, phone and e-mail are never stored (个人信息保护法).
_DROPPED: Final = frozenset(
    {"api_key", "jurisdiction_id", "address_id", "email", "first_name", "last_name", "phone"}
    | {"account_id"}
)
_POST_FIELDS: Final = frozenset(
    {"service_code", "lat", "long", "address_string", "description", "device_id"}
    | {"media_url"}
    | _DROPPED
)
_FILTERS: Final = frozenset(
    {"service_request_id", "service_code", "start_date", "end_date", "status", "page"}
    | {"page_size", "jurisdiction_id", "api_key"}
)
_ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[^\]]*)\]$")
_SERVICE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True, slots=True)
class PostedRequest:
    """A POST requests form, read and checked."""

    service_code: str
    lat: float
    lng: float
    description: str = ""
    address: str | None = None
    device_id: str = ""
    accuracy_m: float | None = None
    media_url: str | None = None  # fetched through the address guard (backend.outbound)

    def fingerprint(self, photo_sha256: str | None) -> bytes:
        """The content of the request: a retry with the same content is the same request."""
        content = [self.service_code, self.lat, self.lng, self.description, self.address]
        content += [self.accuracy_m, photo_sha256, self.media_url]
        return hashlib.sha256(msgspec.json.encode(content)).digest()


@dataclass(frozen=True, slots=True)
class RequestFilter:
    """GET requests: by ids, or by a window of at most 90 days with optional filters."""

    ids: list[str] | None = None
    service_codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None  # exclusive
    statuses: list[str] | None = None
    page: int = 1
    page_size: int = MAX_PAGE_SIZE


@dataclass
class _Reader:
    """Takes parameters one by one and remembers every problem."""

    fields: Fields
    problems: dict[str, str] = field(default_factory=dict)

    def one(self, name: str) -> str | None:
        values = [v for v in self.fields.get(name, []) if v.strip()]
        if len(values) > 1:
            self.problems[name] = "give it once"
            return None
        return values[0].strip() if values else None

    def many(self, name: str) -> list[str] | None:
        joined = ",".join(self.fields.get(name, []))
        items = [item.strip() for item in joined.split(",") if item.strip()]
        return items or None

    def number(self, name: str, low: float, high: float) -> float | None:
        text = self.one(name)
        try:
            value = float(text) if text is not None else None
        except ValueError:
            value = math.nan
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            self.problems[name] = f"a number from {low:g} to {high:g}"
            return None
        return value

    def text(self, name: str, limit: int) -> str | None:
        value = self.one(name)
        # Stored like every other text: without bidirectional controls (see backend.structs).
        value = None if value is None else without_bidi(value)
        if value is not None and len(value) > limit:
            self.problems[name] = f"at most {limit} characters"
            return None
        return value

    def check(self) -> None:
        if self.problems:
            raise BadRequest(
                "open311.invalid",
                "请求参数有误",
                "The request has invalid parameters",
                fields=dict(sorted(self.problems.items())),
            )


def _unknown_post_fields(fields: Fields) -> dict[str, str]:
    problems = {}
    for name in fields:
        match = _ATTRIBUTE.match(name)
        if name in _POST_FIELDS or (match and match["code"] in ATTRIBUTES):
            continue
        if match and match["code"] in INFORMATION_ATTRIBUTES:
            problems[name] = "information only, not an input"
        elif match:
            problems[name] = "unknown attribute; see the service definition"
        else:
            problems[name] = "unknown parameter"
    return problems


def parse_post(fields: Fields) -> PostedRequest:
    """POST requests: service_code, lat and long are required (requests route by position)."""
    reader = _Reader(fields, _unknown_post_fields(fields))
    code = reader.one("service_code")
    if code is None and "service_code" not in reader.problems:
        reader.problems["service_code"] = "required"
    lat, lng = reader.number("lat", -90, 90), reader.number("long", -180, 180)
    for name, value in (("lat", lat), ("long", lng)):
        if value is None and name not in reader.problems:
            reader.problems[name] = "required: requests are routed to a grid by position"
    description = reader.text("description", DESCRIPTION_MAX) or ""
    address = reader.text("address_string", ADDRESS_MAX)
    device_id = reader.text("device_id", DEVICE_ID_MAX) or ""
    accuracy = reader.number("attribute[accuracy_m]", 0, 100_000)
    media_url = reader.text("media_url", MEDIA_URL_MAX)
    reader.check()
    assert code is not None
    assert lat is not None
    assert lng is not None
    return PostedRequest(
        service_code=code,
        lat=lat,
        lng=lng,
        description=description,
        address=address,
        device_id=device_id,
        accuracy_m=accuracy,
        media_url=media_url,
    )


def _moment(reader: _Reader, name: str, zone: ZoneInfo, *, end: bool) -> datetime | None:
    text = reader.one(name)
    if text is None:
        return None
    if "T" in text:
        text = text.replace(" ", "+")  # an unencoded "+" of a UTC offset arrives as a space
    try:
        if len(text) == len("2010-01-01"):
            day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time(), zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        reader.problems[name] = "a W3C date-time such as 2010-01-01T00:00:00Z"
        return None
    if moment.tzinfo is None:
        reader.problems[name] = "give a time zone: Z or an offset such as +08:00"
        return None
    # The spec's end_date is the latest moment included; timestamps count microseconds.
    return moment + timedelta(microseconds=1) if end else moment


def _window(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime, str | None]:
    if start is None and end is None:
        return now - MAX_SPAN, now + timedelta(microseconds=1), None
    if start is None:
        assert end is not None
        return end - MAX_SPAN, end, None
    if end is None:
        return start, start + MAX_SPAN, None
    if end <= start:
        return start, end, "end_date must come after start_date"
    if end - start > MAX_SPAN + timedelta(microseconds=1):
        return start, end, "start_date to end_date may span at most 90 days"
    return start, end, None


def _int(reader: _Reader, name: str, low: int, high: int, default: int) -> int:
    text = reader.one(name)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        reader.problems[name] = f"a whole number from {low} to {high}"
        return default
    return int(text)


def _ids(reader: _Reader) -> list[str] | None:
    ids = reader.many("service_request_id")
    if ids is not None and (len(ids) > MAX_IDS or any(len(i) > 40 for i in ids)):
        reader.problems["service_request_id"] = f"at most {MAX_IDS} ids"
    return ids


def parse_filter(params: Fields, *, now: datetime, zone: ZoneInfo) -> RequestFilter:
    """GET requests filters; service_request_id overrides every other one, as the spec says."""
    reader = _Reader(params, {n: "unknown parameter" for n in params if n not in _FILTERS})
    ids = _ids(reader)
    if ids is not None:
        reader.check()
        return RequestFilter(ids=ids)
    codes = reader.many("service_code")
    if codes is not None and not all(_SERVICE_CODE.match(code) for code in codes):
        reader.problems["service_code"] = "service codes as listed by services"
    statuses = reader.many("status")
    if statuses is not None and not set(statuses) <= {"open", "closed"}:
        reader.problems["status"] = "open, closed or both"
    start = _moment(reader, "start_date", zone, end=False)
    end = _moment(reader, "end_date", zone, end=True)
    start, end, problem = _window(start, end, now)
    if problem is not None:
        reader.problems["end_date"] = problem
    page = _int(reader, "page", 1, 1_000_000, 1)
    page_size = _int(reader, "page_size", 1, MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    reader.check()
    return RequestFilter(
        service_codes=codes,
        start=start,
        end=end,
        statuses=statuses,
        page=page,
        page_size=page_size,
    )
