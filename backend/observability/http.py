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

    async def observed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        exchange = _Exchange(scope, metrics)
        token = request_id.current.set(exchange.rid)
        try:
            await app(scope, receive, exchange.wrap(send))
        finally:
            exchange.finish()
            request_id.current.reset(token)

    return observed


class _Exchange:
    """One request on its way through: its id, its clock, the status it was answered with."""

    def __init__(self, scope: HTTPScope, metrics: ApiMetrics) -> None:
        self.scope = scope
        self.metrics = metrics
        self.rid = request_id.accept_or_make(_header(scope, _HEADER_KEY))
        self.started = time.perf_counter()
        self.status: int | None = None

    def wrap(self, send: Send) -> Send:
        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                MutableScopeHeaders.from_message(message)[request_id.HEADER] = self.rid
                self._count()
            await send(message)

        return send_tagged

    def finish(self) -> None:
        if self.status is None:  # no answer was started: the client left, or the app failed
            self._count()
        _log_access(self.scope, self.status, time.perf_counter() - self.started)

    def _count(self) -> None:
        self.metrics.answered(
            method=self.scope["method"],
            route=_route(self.scope),
            status=self.status,
            seconds=time.perf_counter() - self.started,
        )


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
