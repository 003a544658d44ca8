"""GET /api/v1/stream: case changes for a dispatcher's console, as server-sent events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from litestar import Request, get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from backend.accounts.rules import Principal
from backend.cases import queries
from backend.cases.service import scope_for
from backend.cases.sql import scoped
from backend.db.pool import ACQUIRE_TIMEOUT_SECONDS
from backend.live.feed import Listener, LiveFeed
from backend.web.auth import requires
from backend.web.context import AppContext
from backend.web.deps import Caller, Ctx

REPLAY_WINDOW = timedelta(minutes=10)
KEEPALIVE_SECONDS = 15.0


@get(
    "/api/v1/stream",
    operation_id="streamCaseChanges",
    tags=["cases"],
    guards=[requires("dispatcher", "supervisor", "admin")],
    summary="Live case changes in your scope (server-sent events; resumes from Last-Event-ID)",
)
async def stream(request: Request[Any, Any, Any], ctx: Ctx, principal: Caller) -> ServerSentEvent:
    feed: LiveFeed = request.app.state["live_feed"]
    listener = feed.open(scope_for(principal))  # before the replay, so nothing falls between
    last = request.headers.get("last-event-id", "")
    after = int(last) if last.isdigit() else None
    return ServerSentEvent(_events(ctx, feed, listener, principal, after), retry_duration=3000)


async def _events(
    ctx: AppContext, feed: LiveFeed, listener: Listener, principal: Principal, after: int | None
) -> AsyncIterator[ServerSentEventMessage]:
    try:
        sent = after or 0
        if after is not None:
            for event in await _missed(ctx, principal, after):
                sent = event["eventId"]
                yield _message(event)
        yield ServerSentEventMessage(comment="live", data=None)
        while not listener.overflowed:
            try:
                event = await asyncio.wait_for(listener.queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive", data=None)
                continue
            if event["eventId"] > sent:  # the replay may already have sent it
                sent = event["eventId"]
                yield _message(event)
    finally:
        feed.close(listener)


async def _missed(ctx: AppContext, principal: Principal, after: int) -> list[dict[str, Any]]:
    async with ctx.require_pool().acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
        rows = await queries.events_since(
            conn,
            where=scoped(scope_for(principal)),
            after_id=after,
            not_before=ctx.clock.now() - REPLAY_WINDOW,
        )
    return [
        {
            "eventId": r["event_id"],
            "caseId": r["case_id"],
            "at": r["at"].isoformat(),
            "action": r["action"],
            "status": r["to_status"],
        }
        for r in rows
    ]


def _message(event: dict[str, Any]) -> ServerSentEventMessage:
    return ServerSentEventMessage(data=json.dumps(event), event="case", id=event["eventId"])
