"""One LISTEN connection per API process, fanned out to every open console stream.

Each timeline event NOTIFYs `case_changes` at commit; this process hands it to the streams
whose caller may see that case. A console that reconnects with Last-Event-ID is first
replayed what it missed from the timeline itself, so nothing of the last minutes is lost.

The same connection LISTENs on `sessions_ended`: a logout, a deactivation or a password
reset in any process closes the matching streams of this one at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from backend.accounts.rules import SESSIONS_ENDED_CHANNEL, parse_ended_sessions
from backend.cases.rules import Scope, can_see

log = logging.getLogger(__name__)
CHANNEL = "case_changes"
QUEUE_LIMIT = 1000
_WAKE_UP: dict[str, Any] = {}  # queued to a listener whose session ended; never sent


@dataclass(eq=False)
class Listener:
    """One open stream: its caller's scope and the events waiting to be sent."""

    scope: Scope
    user_id: int | None = None
    token_digest: bytes | None = None
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    overflowed: bool = False
    ended: bool = False  # its session ended (logout, deactivation, password reset)

    def end(self) -> None:
        """Stop the stream now, even while it waits for the next event."""
        self.ended = True
        with contextlib.suppress(asyncio.QueueFull):  # a full queue wakes it up anyway
            self.queue.put_nowait(_WAKE_UP)


class LiveFeed:
    """Fans out case changes to the listeners of this process."""

    def __init__(self) -> None:
        self.listeners: set[Listener] = set()

    def open(
        self, scope: Scope, *, user_id: int | None = None, token_digest: bytes | None = None
    ) -> Listener:
        listener = Listener(scope, user_id, token_digest)
        self.listeners.add(listener)
        return listener

    def open_count(self, user_id: int) -> int:
        """How many streams this process holds open for a user."""
        return sum(1 for listener in self.listeners if listener.user_id == user_id)

    def end_sessions(self, raw: str) -> None:
        """Close the streams of the sessions a `sessions_ended` notification names."""
        ended = parse_ended_sessions(raw)
        for listener in list(self.listeners):
            if ended.names(user_id=listener.user_id, token_digest=listener.token_digest):
                listener.end()

    def close(self, listener: Listener) -> None:
        self.listeners.discard(listener)

    def publish(self, raw: str) -> None:
        """Hand one notification to every listener that may see its case."""
        try:
            event = json.loads(raw)
        except ValueError:
            return
        for listener in list(self.listeners):
            if not _visible(listener.scope, event):
                continue
            try:
                listener.queue.put_nowait(_public(event))
            except asyncio.QueueFull:  # a stalled console: it reconnects and replays instead
                listener.overflowed = True

    async def follow(self, dsn: str, retry_seconds: float = 5.0) -> None:
        """Run until cancelled: LISTEN, and LISTEN again after a lost connection."""
        while True:
            try:
                conn = await asyncpg.connect(dsn)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("live feed cannot listen (%s)", type(exc).__name__)
                await asyncio.sleep(retry_seconds)
                continue
            try:
                await self._listen_until_lost(conn)
                log.warning("live feed connection lost; listening again")
            finally:
                with contextlib.suppress(Exception):
                    await conn.close()

    async def _listen_until_lost(self, conn: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _: lost.set())
        await conn.add_listener(CHANNEL, lambda *args: self.publish(args[-1]))
        await conn.add_listener(SESSIONS_ENDED_CHANNEL, lambda *args: self.end_sessions(args[-1]))
        await lost.wait()


def _visible(scope: Scope, event: dict[str, Any]) -> bool:
    return can_see(
        scope,
        region_path=event.get("regionPath") or "",
        assigned_path=event.get("assignedPath"),
        department_id=event.get("departmentId"),
        confidential=bool(event.get("confidential")),
    )


def _public(event: dict[str, Any]) -> dict[str, Any]:
    """What a console is sent: the change, not where the case sits in the tree."""
    keys = ("eventId", "caseId", "at", "action", "status")
    return {key: event.get(key) for key in keys}
