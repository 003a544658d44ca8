"""HTTP handlers of Open311 GeoReport v2 at /open311/v2/, and the admin's API keys.

The spec names the format in the resource (`services.xml`, `requests/123.json`), so every
handler answers in JSON or XML by its path, errors included: a router-level handler turns
every error into the spec's `errors` document, with the house message in both languages.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import HttpMethod
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from litestar.types import ExceptionHandlersMap

from backend.errors import BadRequest, DomainError, NotFound, PayloadTooLarge
from backend.open311 import forms, intake, keys, rules, service
from backend.open311.encoding import render
from backend.open311.schemas import ErrorOut, Open311KeyCreatedOut, Open311KeyIn, Open311KeyOut
from backend.web.auth import admin_only
from backend.web.deps import DB, Caller, Ctx
from backend.web.errors import EXCEPTION_HANDLERS

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Intake names fields as the app sends them; an Open311 client sent the spec's names.
_SPEC_FIELDS = {
    "category": "service_code",
    "lng": "long",
    "address": "address_string",
    "mediaIds": "media",
    "accuracyM": "attribute[accuracy_m]",
}


def _by_format(name: str) -> Any:
    """An operation id per format, since one handler serves `x.json` and `x.xml`."""

    def operation_id(_: HTTPRouteHandler, __: HttpMethod, components: list[Any]) -> str:
        return name + ("Xml" if str(components[-1]).endswith(".xml") else "Json")

    return operation_id


def _fmt(request: Request[Any, Any, Any]) -> rules.Format:
    return rules.path_format(request.url.path)


def _locale(request: Request[Any, Any, Any]) -> rules.Locale:
    return rules.locale_of(request.headers.get("accept-language"))


def _spec_status(status: int) -> int:
    """The spec: 404 for what does not exist, 403 for a bad api_key, 400 for the rest."""
    if status == 401:
        return 403
    if status in (403, 404, 405, 413, 429) or status >= 500:
        return status
    return 400


def _spec_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """The house handler decides (and logs); the answer is re-written as the spec's errors."""
    house_type = next(t for t in type(exc).__mro__ if t in EXCEPTION_HANDLERS)
    house = EXCEPTION_HANDLERS[house_type](request, exc)
    body, status = house.content, _spec_status(house.status_code or 500)
    errors = [ErrorOut(code=status, description=f"{body['messageEn']} / {body['message']}")]
    for name, why in body["fields"].items():
        spec_name = _SPEC_FIELDS.get(name, name)
        errors.append(ErrorOut(code=status, description=f"{spec_name}: {why}"))
    retry = {k: v for k, v in house.headers.items() if k.lower() == "retry-after"}
    return render(errors, _fmt(request), root="errors", status_code=status, headers=retry)


_SPEC_ERRORS: ExceptionHandlersMap = {
    DomainError: _spec_error,
    ValidationException: _spec_error,
    HTTPException: _spec_error,
    Exception: _spec_error,
}


@get(
    ["/discovery.json", "/discovery.xml"],
    operation_id=_by_format("open311Discovery"),
    summary="Open311 service discovery: the endpoint, its formats, how to get an API key",
)
async def discovery(request: Request[Any, Any, Any], ctx: Ctx, db: DB) -> Response[bytes]:
    found = await service.discovery(db, settings=ctx.settings)
    return render(found, _fmt(request), root="discovery")


@get(
    ["/services.json", "/services.xml"],
    operation_id=_by_format("open311Services"),
    summary="Open311 services: the categories anyone may report (never confidential ones)",
)
async def services(request: Request[Any, Any, Any], db: DB) -> Response[bytes]:
    listed = await service.services(db, locale=_locale(request))
    return render(listed, _fmt(request), root="services")


@get(
    "/services/{name:str}",
    operation_id="open311ServiceDefinition",
    summary="Open311 service definition (services/{service_code}.json or .xml)",
)
async def service_definition(
    request: Request[Any, Any, Any], db: DB, name: FromPath[str]
) -> Response[bytes]:
    code, fmt = rules.format_of(name)
    found = await service.definition(db, code=code, locale=_locale(request))
    return render(found, fmt, root="service_definition")


async def _posting(request: Request[Any, Any, Any], max_bytes: int) -> intake.Posting:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in _FORM_TYPES:
        raise BadRequest(
            "open311.form",
            "请以 application/x-www-form-urlencoded 提交",
            "Send the request as application/x-www-form-urlencoded (or multipart/form-data)",
        )
    form = await request.form()
    fields: dict[str, list[str]] = {}
    photos: list[UploadFile] = []
    for name in form:
        for value in form.getall(name):
            if isinstance(value, UploadFile) and name == "media":
                photos.append(value)
            elif isinstance(value, str):
                fields.setdefault(name, []).append(value)
            else:
                raise BadRequest(
                    "open311.form", "只有 media 可以是文件", "Only media may be a file"
                )
    if len(photos) > 1:
        raise BadRequest("open311.form", "只能附一张照片", "Send at most one media file")
    photo = await photos[0].read(max_bytes + 1) if photos else None
    if photo is not None and len(photo) > max_bytes:
        raise PayloadTooLarge("media.too_large", "照片过大", "The photo is too large")
    api_key = (fields.get("api_key") or [request.query_params.get("api_key", "")])[0]
    return intake.Posting(
        api_key=api_key or None,
        request=forms.parse_post(fields),
        photo=photo or None,
        locale=_locale(request),
    )


@post(
    ["/requests.json", "/requests.xml"],
    operation_id=_by_format("open311PostRequest"),
    summary="Open311 POST a service request (form-encoded, api_key; optional media file "
    "or https media_url)",
)
async def post_request(request: Request[Any, Any, Any], ctx: Ctx, db: DB) -> Response[bytes]:
    posting = await _posting(request, ctx.settings.media_max_bytes)
    created, is_new = await intake.post_request(
        db, ctx.intake(), ctx.photos(), ctx.fetcher(), posting=posting, now=ctx.clock.now()
    )
    status = HTTP_201_CREATED if is_new else HTTP_200_OK
    return render([created], _fmt(request), root="service_requests", status_code=status)


@get(
    ["/requests.json", "/requests.xml"],
    operation_id=_by_format("open311Requests"),
    summary="Open311 service requests (api_key, unless the city's feed is public): "
    "service_request_id, service_code, start_date, end_date, status, page, page_size",
)
async def list_requests(request: Request[Any, Any, Any], ctx: Ctx, db: DB) -> Response[bytes]:
    params = {name: request.query_params.getall(name) for name in request.query_params}
    where = forms.parse_filter(params, now=ctx.clock.now(), zone=ZoneInfo(ctx.settings.timezone))
    found = await service.requests(
        db,
        ctx.require_store(),
        settings=ctx.settings,
        where=where,
        locale=_locale(request),
        api_key=request.query_params.get("api_key"),
    )
    return render(found, _fmt(request), root="service_requests")


@get(
    "/requests/{name:str}",
    operation_id="open311Request",
    summary="Open311 one service request (requests/{service_request_id}.json or .xml; "
    "api_key, unless the city's feed is public)",
)
async def get_request(
    request: Request[Any, Any, Any], ctx: Ctx, db: DB, name: FromPath[str]
) -> Response[bytes]:
    request_id, fmt = rules.format_of(name)
    found = await service.request(
        db,
        ctx.require_store(),
        settings=ctx.settings,
        request_id=request_id,
        locale=_locale(request),
        api_key=request.query_params.get("api_key"),
    )
    return render(found, fmt, root="service_requests")


@get(
    "/tokens/{name:str}",
    operation_id="open311Token",
    summary="Open311 service_request_id from a token (tokens/{token}.json or .xml)",
)
async def get_token(db: DB, name: FromPath[str]) -> Response[bytes]:
    token, fmt = rules.format_of(name)
    found = await service.token(db, token_text=token)
    return render(found, fmt, root="service_requests")


@get("/{rest:path}", include_in_schema=False)
async def unknown_resource(rest: FromPath[str]) -> None:
    """Anything else under /open311/v2 is a 404 in the spec's format, not the house one."""
    raise NotFound("open311.not_found", "没有这个资源", f"No Open311 resource at {rest[:100]}")


open311_router = Router(
    path="/open311/v2",
    route_handlers=[
        discovery,
        services,
        service_definition,
        post_request,
        list_requests,
        get_request,
        get_token,
        unknown_resource,
    ],
    tags=["open311"],
    exception_handlers=_SPEC_ERRORS,
)


class Open311KeyAdminController(Controller):
    path = "/api/v1/admin/open311-keys"
    tags = ["admin"]
    guards = [admin_only]

    @post(
        "/",
        operation_id="issueOpen311Key",
        summary="Issue an Open311 api_key for a partner system (shown once; audited)",
    )
    async def issue(
        self, ctx: Ctx, db: DB, principal: Caller, data: JSONBody[Open311KeyIn]
    ) -> Open311KeyCreatedOut:
        return await keys.issue_key(
            db, settings=ctx.settings, actor_id=principal.user_id, data=data, now=ctx.clock.now()
        )

    @get("/", operation_id="listOpen311Keys", summary="Open311 keys (names and limits only)")
    async def list_keys(self, db: DB) -> list[Open311KeyOut]:
        return await keys.list_keys(db)

    @post(
        "/{key_id:int}/revoke",
        operation_id="revokeOpen311Key",
        status_code=HTTP_200_OK,
        summary="Revoke an Open311 key at once (audited)",
    )
    async def revoke(
        self, ctx: Ctx, db: DB, principal: Caller, key_id: FromPath[int]
    ) -> Open311KeyOut:
        return await keys.revoke_key(
            db, actor_id=principal.user_id, key_id=key_id, now=ctx.clock.now()
        )
