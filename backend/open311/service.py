"""The read side of Open311: discovery, services and their definitions, requests, tokens.

Services are our categories, minus the confidential ones (黄赌毒, 涉黑涉恶 clues are never
listed, defined, accepted or shown here). Requests are read with an api_key, or by anyone
when the city opens its public feed; either way only categories marked public (and what the
reading key posted itself) are shown, with personal numbers masked and positions blurred. A
service_request_id is the case's random public id, not its tracking number.
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

import asyncpg

from backend.categories import service as categories
from backend.categories.schemas import CategoryOut
from backend.db.types import Connection
from backend.errors import Forbidden, NotFound
from backend.open311 import queries, rules
from backend.open311.forms import RequestFilter
from backend.open311.redaction import blurred, mask_personal_numbers
from backend.open311.rules import Locale, pick
from backend.open311.schemas import (
    AttributeOut,
    DiscoveryOut,
    EndpointOut,
    RequestOut,
    ServiceDefinitionOut,
    ServiceOut,
    TokenOut,
)
from backend.settings import Settings
from media_store import Store

UNKNOWN_SERVICE = NotFound("open311.unknown_service", "没有这个服务", "No such service_code")
_UNKNOWN_REQUEST = NotFound(
    "open311.unknown_request", "没有这个服务请求", "No such service_request_id"
)
_UNKNOWN_TOKEN = NotFound("open311.unknown_token", "没有这个令牌", "No such token")
_BAD_KEY = Forbidden("open311.api_key", "api_key 无效或已停用", "Invalid or revoked api_key")
_KEY_NEEDED = Forbidden(
    "open311.api_key",
    "读取服务请求需要 api_key",
    "Reading service requests needs an api_key",
)
_KEY_SERVICE = (
    "API 密钥由本市管理员签发（POST /api/v1/admin/open311-keys 或 gridreport open311-key）",
    "API keys are issued by the city's administrator "
    "(POST /api/v1/admin/open311-keys or gridreport open311-key)",
)


async def discovery(conn: Connection, *, settings: Settings) -> DiscoveryOut:
    """The discovery file: where the endpoint is, what it speaks, how to get a key."""
    changed = await queries.services_changed_at(conn)
    changeset = rules.w3(changed, ZoneInfo(settings.timezone)) or "1970-01-01T00:00:00Z"
    endpoint = EndpointOut(
        specification=rules.SPECIFICATION,
        url=f"{settings.public_url}/open311/v2",
        changeset=changeset,
        type="production",
        formats=["text/xml", "application/json"],
    )
    return DiscoveryOut(
        changeset=changeset,
        contact=settings.open311_contact,
        key_service=" / ".join(_KEY_SERVICE),
        endpoints=[endpoint],
    )


def _service_out(category: CategoryOut, locale: Locale) -> ServiceOut:
    return ServiceOut(
        service_code=category.code,
        service_name=pick((category.name, category.name_en), locale),
        description=_guidance(category, locale),
        metadata=True,
        type="realtime",
        keywords=f"{category.name}, {category.name_en}",
        group=category.class_,
    )


def _guidance(category: CategoryOut, locale: Locale) -> str:
    notice = rules.service_notice(
        accept_minutes=category.deadlines.accept_minutes,
        resolve_minutes=category.deadlines.resolve_minutes,
        locale=locale,
    )
    photo = rules.photo_notice(required=category.photo_required_open311, locale=locale)
    return f"{notice} {photo}"


async def services(conn: Connection, *, locale: Locale) -> list[ServiceOut]:
    """GET services: every active category that is not confidential."""
    listed = await categories.list_categories(conn)
    return [_service_out(c, locale) for c in listed if not c.confidential]


async def public_category(conn: Connection, *, code: str) -> CategoryOut:
    """A category Open311 may speak of; 404 for an unknown, retired or confidential one."""
    try:
        category = await categories.get_category(conn, code=code)
    except NotFound:
        raise UNKNOWN_SERVICE from None
    if category.confidential or not category.active:
        raise UNKNOWN_SERVICE
    return category


async def definition(conn: Connection, *, code: str, locale: Locale) -> ServiceDefinitionOut:
    """GET services/{code}: what to tell the person, and what they may add."""
    category = await public_category(conn, code=code)
    guidance = AttributeOut(
        variable=False,
        code="guidance",
        datatype="text",
        required=False,
        datatype_description=None,
        order=1,
        description=_guidance(category, locale),
    )
    accuracy = AttributeOut(
        variable=True,
        code="accuracy_m",
        datatype="number",
        required=False,
        datatype_description=pick(("米，0 至 100000", "metres, 0 to 100000"), locale),
        order=2,
        description=pick(
            ("定位精度（米），来自手机定位", "How precise the position is, in metres (from GPS)"),
            locale,
        ),
    )
    return ServiceDefinitionOut(service_code=category.code, attributes=[guidance, accuracy])


async def reader_key(conn: Connection, *, settings: Settings, api_key: str | None) -> int | None:
    """The key a reader reads with; None for anyone, when the city opens its public feed."""
    if api_key:
        row = await queries.get_live_key(conn, key_hash=rules.key_digest(api_key))
        if row is None:
            raise _BAD_KEY
        key_id: int = row["id"]
        return key_id
    if not settings.open311_public_feed:
        raise _KEY_NEEDED
    return None


def _public_text(text: str | None) -> str | None:
    return mask_personal_numbers(text) if text else None


async def _request_out(
    store: Store, row: asyncpg.Record, *, settings: Settings, locale: Locale
) -> RequestOut:
    zone = ZoneInfo(settings.timezone)
    status = rules.spec_status(row["status"])
    # A city that signs every photo shows one only to those who may see its case.
    shown = row["display_key"] and settings.signed_photos != "all"
    media_url = await store.url(row["display_key"]) if shown else None
    if media_url is not None and media_url.startswith("/"):
        media_url = settings.public_url + media_url
    fulfilled = row["status"] not in ("rejected", "merged")
    return RequestOut(
        service_request_id=row["public_id"],
        status=status,
        status_notes=rules.status_notes(
            row["status"],
            reject_reason=row["reject_reason"],
            merged_into=row["merged_into"],
            locale=locale,
        ),
        service_name=pick((row["category_name"], row["category_name_en"]), locale),
        service_code=row["category_code"],
        description=_public_text(row["description"]),
        agency_responsible=row["agency"],
        service_notice=rules.service_notice(
            accept_minutes=row["accept_minutes"],
            resolve_minutes=row["resolve_minutes"],
            locale=locale,
        ),
        requested_datetime=rules.w3(row["created_at"], zone) or "",
        updated_datetime=rules.w3(
            row["closed_at"] if status == "closed" and row["closed_at"] else row["updated_at"],
            zone,
        ),
        expected_datetime=rules.w3(row["resolve_due_at"], zone) if fulfilled else None,
        address=_public_text(row["address"]),
        address_id=None,
        zipcode=None,
        lat=blurred(row["lat"]),
        long=blurred(row["lng"]),
        media_url=media_url,
    )


async def requests(
    conn: Connection,
    store: Store,
    *,
    settings: Settings,
    where: RequestFilter,
    locale: Locale,
    api_key: str | None,
) -> list[RequestOut]:
    """GET requests: readable cases by ids, or a page of a time window, newest first."""
    key_id = await reader_key(conn, settings=settings, api_key=api_key)
    if where.ids is not None:
        rows = await queries.requests_by_ids(conn, ids=where.ids, key_id=key_id)
    else:
        assert where.start is not None
        assert where.end is not None
        rows = await queries.requests_in_window(
            conn,
            start=where.start,
            end=where.end,
            codes=where.service_codes,
            statuses=rules.statuses_for(where.statuses) if where.statuses else None,
            limit=where.page_size,
            offset=(where.page - 1) * where.page_size,
            key_id=key_id,
        )
    return [await _request_out(store, row, settings=settings, locale=locale) for row in rows]


async def request(
    conn: Connection,
    store: Store,
    *,
    settings: Settings,
    request_id: str,
    locale: Locale,
    api_key: str | None,
) -> list[RequestOut]:
    """GET requests/{id}: one readable case, as a list of one (as the spec shows it)."""
    key_id = await reader_key(conn, settings=settings, api_key=api_key)
    rows = await queries.requests_by_ids(conn, ids=[request_id], key_id=key_id)
    if not rows:
        raise _UNKNOWN_REQUEST
    return [await _request_out(store, rows[0], settings=settings, locale=locale)]


async def token(conn: Connection, *, token_text: str) -> list[TokenOut]:
    """GET tokens/{token}: the service_request_id a POST's token stands for."""
    try:
        parsed = uuid.UUID(token_text)
    except ValueError:
        raise _UNKNOWN_TOKEN from None
    row = await queries.token_request(conn, token=parsed)
    if row is None:
        raise _UNKNOWN_TOKEN
    return [TokenOut(service_request_id=row["public_id"], token=str(row["token"]))]
