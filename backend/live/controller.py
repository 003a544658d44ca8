"""GET /api/v1/stream: case changes for a dispatcher's console, as server-sent events."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
from litestar import Request, get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from backend.accounts import service as accounts
from backend.accounts.rules import Principal, token_digest
from backend.cases import queries
from backend.cases.service import scope_for
from backend.cases.sql import scoped
from backend.db.pool import ACQUIRE_TIMEOUT_SECONDS
from backend.errors import TooManyRequests, Unauthorized
from backend.live.feed import Listener, LiveFeed
from backend.web.auth import bearer_token, requires
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
    token = bearer_token(request)
    assert token is not None  # the guard has authenticated it
    if feed.open_count(principal.user_id) >= ctx.settings.live_streams_per_user:
        # The newcomer is refused rather than the oldest closed: two consoles of one user
        # would otherwise keep closing each other as each reconnects.
        raise TooManyRequests(
            "live.too_many_streams",
            "同时打开的实时更新过多，请关闭其他控制台窗口后再试",
            "Too many live streams are open for this account; close another console window",
            retry_after=int(KEEPALIVE_SECONDS),
        )
    listener = feed.open(  # before the replay, so nothing falls between
        scope_for(principal), user_id=principal.user_id, token_digest=token_digest(token)
    )
    last = request.headers.get("last-event-id", "")
    after = int(last) if last.isdigit() else None
    events = _events(ctx, feed, listener, principal, token, after)
    return ServerSentEvent(events, retry_duration=3000)


async def _events(
    ctx: AppContext,
    feed: LiveFeed,
    listener: Listener,
    principal: Principal,
    token: str,
    after: int | None,
) -> AsyncIterator[ServerSentEventMessage]:
    try:
        sent = after or 0
        if after is not None:
            for event in await _missed(ctx, principal, after):
                sent = event["eventId"]
                yield _message(event)
        yield ServerSentEventMessage(comment="live", data=None)
        checked = time.monotonic()
        while not (listener.overflowed or listener.ended):
            arrived: dict[str, Any] | None
            try:
                arrived = await asyncio.wait_for(listener.queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                arrived = None
            # Re-checked by the clock, not only when idle: a busy console would otherwise
            # never notice an expired token or an end of session whose notification was missed.
            if arrived is None or time.monotonic() - checked >= KEEPALIVE_SECONDS:
                if not await _signed_in(ctx, token):
                    break
                checked = time.monotonic()
            if arrived is None:
                yield ServerSentEventMessage(comment="keep-alive", data=None)
                continue
            if listener.ended:
                break
            if arrived["eventId"] > sent:  # the replay may already have sent it
                sent = arrived["eventId"]
                yield _message(arrived)
    finally:
        feed.close(listener)


async def _signed_in(ctx: AppContext, token: str) -> bool:
    """Whether the stream's token still works: the fallback for a notification missed while
    the LISTEN connection was being re-established, and for a token that simply expired."""
    try:
        async with ctx.require_pool().acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
            await accounts.authenticate(conn, token=token, now=ctx.clock.now())
    except Unauthorized:
        return False
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return True  # the database is away: say nothing about the session, keep the console
    return True


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
