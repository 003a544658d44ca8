"""The push sender: leases outbox rows, sends them to every device, retries, gives up.

Sends run concurrently (bounded) over one shared aiohttp session, each within a timeout, so
a push service that hangs delays nobody else. A row leased by a worker that dies becomes due
again when its lease runs out: delivery is at least once, and the service worker shows each
notification once (its tag is the outbox id).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
import asyncpg
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush_async

from backend.clock import Clock
from backend.db.pool import ACQUIRE_TIMEOUT_SECONDS
from backend.outbound.resolver import guarded_session, refusal
from backend.push import queries, rules
from backend.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Attempt:
    """The answer of one push service to one send."""

    status: int | None  # None: no answer (timeout, refused)
    retry_after: float | None
    error: str
    # The endpoint is, or resolves to, an address we must not connect to: never retried,
    # and the subscription is removed.
    forbidden: bool = False


@dataclass
class PushSender:
    """Drains the outbox for one worker process."""

    pool: asyncpg.Pool
    vapid: Vapid02
    settings: Settings
    clock: Clock
    session: aiohttp.ClientSession

    @property
    def batch_size(self) -> int:
        return self.settings.push_concurrency * 4

    async def drain(self) -> int:
        """Send batches until nothing is due; returns how many notifications were taken."""
        taken = 0
        while (batch := await self.drain_once()) > 0:
            taken += batch
        return taken

    async def drain_once(self) -> int:
        """Lease one batch and send it; returns how many notifications were taken."""
        now = self.clock.now()
        # Longer than a batch can take, so that a live worker never loses its rows to another.
        lease = timedelta(
            seconds=max(self.settings.push_lease_seconds, 2 * self.settings.push_timeout_seconds)
        )
        async with self.pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
            rows = await queries.lease_batch(
                conn, now=now, until=now + lease, limit=self.batch_size
            )
        gate = asyncio.Semaphore(self.settings.push_concurrency)
        await asyncio.gather(*(self._deliver(row, gate) for row in rows))
        return len(rows)

    async def _deliver(self, row: asyncpg.Record, gate: asyncio.Semaphore) -> None:
        async with self.pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
            devices = await queries.targets(conn, outbox_id=row["id"], user_id=row["user_id"])
        payload = rules.message(
            notification_id=row["id"],
            kind=row["kind"],
            locale=row["locale"],
            role=row["role"],
            case=row["payload"],
        )
        attempts = await asyncio.gather(
            *(self._push(device, payload, row["kind"], gate) for device in devices)
        )
        async with self.pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
            await self._settle(conn, row, list(zip(devices, attempts, strict=True)))

    async def _settle(
        self, conn: Any, row: asyncpg.Record, results: list[tuple[asyncpg.Record, Attempt]]
    ) -> None:
        now = self.clock.now()
        retry: list[Attempt] = []
        refused: list[Attempt] = []
        for device, attempt in results:
            verdict = rules.verdict(attempt.status)
            if verdict.delivered:
                await queries.record_delivery(
                    conn, outbox_id=row["id"], subscription_id=device["id"], at=now
                )
            elif verdict.gone or attempt.forbidden:
                await queries.delete_gone(conn, subscription_id=device["id"])
                if attempt.forbidden:
                    refused.append(attempt)
            else:
                (retry if verdict.retry else refused).append(attempt)
        if retry and row["attempts"] < self.settings.push_max_attempts:
            wait = rules.backoff(
                row["attempts"], retry_after=max((a.retry_after or 0) for a in retry)
            )
            await queries.retry_later(
                conn, outbox_id=row["id"], at=now + wait, error=retry[0].error
            )
        elif retry or refused:
            await queries.finish(
                conn, outbox_id=row["id"], state="dead", at=now, error=(retry or refused)[0].error
            )
        else:
            await queries.finish(conn, outbox_id=row["id"], state="sent", at=now, error=None)

    async def _push(
        self, device: asyncpg.Record, payload: bytes, kind: str, gate: asyncio.Semaphore
    ) -> Attempt:
        ttl, urgency = rules.delivery(kind)
        problem = rules.endpoint_problem(
            device["endpoint"], allow_loopback=self.settings.push_allow_loopback
        )
        if problem is not None:
            return Attempt(None, None, f"endpoint refused: {problem}", forbidden=True)
        info = {
            "endpoint": device["endpoint"],
            "keys": {"p256dh": device["p256dh"], "auth": device["auth"]},
        }
        async with gate:
            try:
                response = await asyncio.wait_for(
                    webpush_async(
                        subscription_info=info,
                        data=payload,
                        vapid_private_key=self.vapid,
                        # Fresh claims each time: pywebpush fills in aud and exp in place.
                        vapid_claims={"sub": self.settings.vapid_subject},
                        ttl=ttl,
                        headers={"Urgency": urgency},
                        aiohttp_session=self.session,
                    ),
                    self.settings.push_timeout_seconds,
                )
            except WebPushException as exc:
                return _answered(exc.response, str(exc).splitlines()[0])
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                if (refused := refusal(exc)) is not None:
                    return Attempt(None, None, f"endpoint refused: {refused}", forbidden=True)
                return Attempt(None, None, f"no answer: {type(exc).__name__}")
        return Attempt(getattr(response, "status", None), None, "")


def push_session(
    settings: Settings, *, trace_configs: list[aiohttp.TraceConfig] | None = None
) -> aiohttp.ClientSession:
    """The session pushes are sent over: public addresses only, pinned per connection."""
    return guarded_session(allow_loopback=settings.push_allow_loopback, trace_configs=trace_configs)


def _answered(response: Any, error: str) -> Attempt:
    status = getattr(response, "status", None)
    retry_after: float | None = None
    header = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    if header and header.isdigit():
        retry_after = float(header)
    return Attempt(status, retry_after, error[:300])
