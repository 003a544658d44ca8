"""The one place where errors become HTTP responses.

Every error body has the same shape: a stable `code`, a message in Chinese and in English,
and `fields` naming what was wrong where. Nothing below ever echoes a stack trace.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Reference,
    Schema,
)
from litestar.types import ExceptionHandlersMap

from backend.errors import DomainError

log = logging.getLogger(__name__)

_HTTP_CODES: dict[int, tuple[str, str, str]] = {
    400: ("request.bad", "请求无法识别", "The request could not be read"),
    401: ("auth.required", "请先登录", "Log in first"),
    403: ("auth.forbidden", "没有权限", "Not allowed"),
    404: ("not_found", "找不到该资源", "Not found"),
    405: ("request.method_not_allowed", "不支持此请求方法", "Method not allowed"),
    413: ("request.too_large", "请求内容过大", "The request body is too large"),
    415: ("request.unsupported_type", "不支持的内容类型", "Unsupported content type"),
    429: ("request.throttled", "请求过于频繁，请稍后再试", "Too many requests; try again later"),
    503: (
        "service.unavailable",
        "服务暂时不可用，请稍后重试",
        "Service unavailable; try again shortly",
    ),
}
_MSGSPEC_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_CLIENT_GONE = "client disconnected prematurely"  # Litestar's words for a vanished client
_UNKNOWN_FIELD = re.compile(r"unknown field `(?P<path>[^`]*)`")


def body(code: str, zh: str, en: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    """The error body every client can rely on."""
    return {"code": code, "message": zh, "messageEn": en, "fields": fields or {}}


def _domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return Response(
        body(exc.code, exc.message_zh, exc.message_en, exc.fields),
        status_code=exc.status,
        headers=headers,
    )


def _validation_fields(exc: ValidationException) -> dict[str, str]:
    fields: dict[str, str] = {}
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "invalid"))
        match = _MSGSPEC_PATH.search(message) or _UNKNOWN_FIELD.search(message)
        key = str((match["path"] if match else "") or item.get("key") or "body")
        fields[key] = _MSGSPEC_PATH.sub("", message)
    if not fields and exc.detail:
        match = _MSGSPEC_PATH.search(exc.detail)
        fields[match["path"] if match else "body"] = _MSGSPEC_PATH.sub("", exc.detail)
    return fields


def _validation_error(
    _: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    return Response(
        body(
            "request.invalid",
            "请求内容有误，请检查后重试",
            "The request has invalid fields",
            _validation_fields(exc),
        ),
        status_code=400,
    )


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    if exc.detail == _CLIENT_GONE:
        # A phone on a weak signal dropped mid-upload: nobody will read this answer, and
        # it is not a server fault; its offline outbox will send the request again.
        log.info("client disconnected during %s %s", request.method, request.url.path)
        return Response(
            body("request.incomplete", "请求未完整送达", "The request was cut off"), status_code=400
        )
    if exc.status_code >= 500:
        log.error("%s on %s %s: %s", exc.status_code, request.method, request.url.path, exc.detail)
    code, zh, en = _HTTP_CODES.get(exc.status_code, ("request.error", "请求失败", "Request failed"))
    return Response(body(code, zh, en), status_code=exc.status_code, headers=exc.headers)


def _unavailable(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.warning("dependency unavailable: %s: %s", type(exc).__name__, exc)
    code, zh, en = _HTTP_CODES[503]
    return Response(
        body(code, zh, en), status_code=503, headers={"Retry-After": str(OUTAGE_RETRY_SECONDS)}
    )


def _bad_value(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    # Class 22 (a NUL byte in text, a number out of range): input that validation let
    # through. The client still learns it was its request; the log says where to tighten.
    log.warning(
        "value refused by the database on %s %s: %s",
        request.method,
        request.url.path,
        getattr(exc, "sqlstate", "?"),
    )
    return Response(
        body(
            "request.bad_value",
            "请求中有无法处理的内容，请检查后重试",
            "The request carries a value that cannot be processed",
        ),
        status_code=400,
    )


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    if is_outage(exc):
        return _unavailable(request, exc)
    if isinstance(exc, asyncpg.DataError):
        return _bad_value(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(body("internal", "服务器内部错误", "Internal server error"), status_code=500)


# What an outage of the database (or of any server a request talks to) looks like from inside
# a request: the connection lost or refused (class 08, or the socket gone while the server
# restarts), the server shutting down or starting up (57P01-57P03), out of connections or
# resources (class 53), a timeout, and asyncpg's own complaints about a connection that the
# server dropped in the middle of a statement. None of these is the client's fault or a bug;
# the same request will succeed once the server is back.
_OUTAGES: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.InternalClientError,
    OSError,  # ConnectionRefusedError, FileNotFoundError for a Unix socket, TimeoutError
)
OUTAGE_RETRY_SECONDS = 5


def is_outage(exc: BaseException) -> bool:
    """Whether an exception means "a server we depend on is down; retry shortly"."""
    # A plain InterfaceError is asyncpg finding its connection closed under it; its
    # subclasses (a value it cannot encode, a feature it lacks) are bugs and stay 500s.
    return type(exc) is asyncpg.InterfaceError or isinstance(exc, _OUTAGES)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: _domain_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _unexpected,
}


_ERROR_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["code", "message", "messageEn", "fields"],
    properties={
        "code": Schema(type=OpenAPIType.STRING, description="stable machine code"),
        "message": Schema(type=OpenAPIType.STRING, description="what went wrong, in Chinese"),
        "messageEn": Schema(type=OpenAPIType.STRING, description="the same in English"),
        "fields": Schema(
            type=OpenAPIType.OBJECT,
            additional_properties=Schema(type=OpenAPIType.STRING),
            description="field name -> what is wrong with it",
        ),
    },
    description="Every error answer: a stable code, a message in 中文 and English, per field",
)


def document_error_bodies(openapi: OpenAPI, *, except_under: tuple[str, ...] = ()) -> None:
    """Declare the error body the handlers above really send, in place of Litestar's own.

    Litestar documents its own error shape (status_code, detail); clients that generate code
    from the OpenAPI would then read every error wrongly. Paths under `except_under` answer
    errors in a format of their own (Open311's) and are left as they are.
    """
    components = openapi.components
    assert not isinstance(components, list)
    components.schemas = {**(components.schemas or {}), "Error": _ERROR_SCHEMA}
    error = {"application/json": OpenAPIMediaType(schema=Reference("#/components/schemas/Error"))}
    for path, item in (openapi.paths or {}).items():
        if path.startswith(except_under):
            continue
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method)
            if operation is None:
                continue
            responses = operation.responses or {}
            for status, response in responses.items():
                if status[:1] in "45" and isinstance(response, OpenAPIResponse):
                    response.content = error
            responses["default"] = OpenAPIResponse(description="An error", content=error)
            operation.responses = responses
