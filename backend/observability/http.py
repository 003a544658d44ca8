"""Wraps the whole ASGI app: request id, latency by route, and one access log line a request.

It sits outside Litestar's router and error handling, so requests that match no route and
answers made from errors are measured and tagged like any other.
"""

from __future__ import annotations

import logging
import time

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from backend.observability import request_id, rules
from backend.observability.api_metrics import ApiMetrics

access_log = logging.getLogger("gridreport.access")
_HEADER_KEY = request_id.HEADER.lower().encode()


def observe_requests(app: ASGIApp, metrics: ApiMetrics) -> ASGIApp:
    """The app, with every HTTP request given an id, timed, counted and logged."""

    async def observed(any_scope: Scope, receive: Receive, send: Send) -> None:
        if any_scope["type"] != ScopeType.HTTP:
            await app(any_scope, receive, send)
            return
        scope: HTTPScope = any_scope
        rid = request_id.accept_or_make(_header(scope, _HEADER_KEY))
        token = request_id.current.set(rid)
        started = time.perf_counter()
        status: int | None = None

        async def send_tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)[request_id.HEADER] = rid
                metrics.answered(
                    method=scope["method"],
                    route=_route(scope),
                    status=status,
                    seconds=time.perf_counter() - started,
                )
            await send(message)

        try:
            await app(any_scope, receive, send_tagged)
        finally:
            elapsed = time.perf_counter() - started
            if status is None:
                metrics.answered(
                    method=scope["method"], route=_route(scope), status=None, seconds=elapsed
                )
            _log_access(scope, status, elapsed)
            request_id.current.reset(token)

    return observed


def _route(scope: HTTPScope) -> str:
    return rules.route_label(scope.get("path_template"))


def _header(scope: HTTPScope, key: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name == key:
            return value.decode("latin-1")
    return None


def _log_access(scope: HTTPScope, status: int | None, seconds: float) -> None:
    route = _route(scope)
    level = logging.DEBUG if route in rules.QUIET_ROUTES else logging.INFO
    # The route template, never the raw path or its query string: both can carry ids and tokens.
    access_log.log(
        level,
        "%s %s %s",
        rules.method_label(scope["method"]),
        route,
        status if status is not None else "aborted",
        extra={
            "method": rules.method_label(scope["method"]),
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
        },
    )
