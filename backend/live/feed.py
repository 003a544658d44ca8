"""One LISTEN connection per API process, fanned out to every open console stream.

Each timeline event NOTIFYs `case_changes` at commit; this process hands it to the streams
whose caller may see that case. A console that reconnects with Last-Event-ID is first
replayed what it missed from the timeline itself, so nothing of the last minutes is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from backend.cases.rules import Scope, can_see

log = logging.getLogger(__name__)
CHANNEL = "case_changes"
QUEUE_LIMIT = 1000


@dataclass(eq=False)
class Listener:
    """One open stream: its caller's scope and the events waiting to be sent."""

    scope: Scope
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    overflowed: bool = False


class LiveFeed:
    """Fans out case changes to the listeners of this process."""

    def __init__(self) -> None:
        self.listeners: set[Listener] = set()

    def open(self, scope: Scope) -> Listener:
        listener = Listener(scope)
        self.listeners.add(listener)
        return listener

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
