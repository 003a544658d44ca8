"""The worker's own metrics: push outcomes as the push services answered, and its jobs.

Push outcomes are counted at the HTTP client, one per send to one device, by the same verdict
the sender acts on: delivered, gone (404/410: the subscription is deleted), retry (429, 5xx,
no answer) or failed (any other refusal). `gridreport worker` serves them on its own port
when GRIDREPORT_WORKER_METRICS_PORT is set, under the same access rules as the API's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aiohttp
import asyncpg

from backend.observability import process, rules
from backend.observability.registry import CONTENT_TYPE, Family, counter, render
from backend.push.rules import verdict
from backend.settings import Settings

log = logging.getLogger(__name__)
_HEAD_LIMIT = 16 * 1024
_READ_SECONDS = 5.0


def _sends() -> Family:
    return counter(
        "gridreport_push_sends_total", "Pushes sent to one device, by what came of it", "outcome"
    )


def _runs() -> Family:
    return counter("gridreport_worker_job_runs_total", "Runs of each job", "job", "outcome")


def _items() -> Family:
    return counter("gridreport_worker_job_items_total", "Items each job handled", "job")


@dataclass(slots=True)
class WorkerMetrics:
    started_at: float = field(default_factory=time.time)
    sends: Family = field(default_factory=_sends)
    runs: Family = field(default_factory=_runs)
    items: Family = field(default_factory=_items)

    def push_answered(self, status: int | None) -> None:
        """Count one push by its answer (None: no answer at all)."""
        self.sends.inc(_outcome(status))

    def job_ran(self, job: str, *, handled: int | None) -> None:
        """One run of a job: `handled` items, or None when it failed."""
        self.runs.inc(job, "ok" if handled is not None else "failed")
        if handled:
            self.items.inc(job, amount=handled)

    def exposition(self, pool: asyncpg.Pool | None) -> str:
        return render(
            [
                process.started(self.started_at),
                self.sends,
                self.runs,
                self.items,
                *process.pool_usage(pool),
            ]
        )

    def trace_config(self) -> aiohttp.TraceConfig:
        """Hooks for the push session: every answer, or failure to get one, is counted."""

        async def answered(_: Any, __: SimpleNamespace, params: Any) -> None:
            self.push_answered(params.response.status)

        async def unanswered(_: Any, __: SimpleNamespace, ___: Any) -> None:
            self.push_answered(None)

        config = aiohttp.TraceConfig()
        config.on_request_end.append(answered)
        config.on_request_exception.append(unanswered)
        return config


def _outcome(status: int | None) -> str:
    said = verdict(status)
    if said.delivered:
        return "delivered"
    if said.gone:
        return "gone"
    return "retry" if said.retry else "failed"


@contextlib.asynccontextmanager
async def metrics_server(
    settings: Settings, metrics: WorkerMetrics, pool: asyncpg.Pool
) -> AsyncIterator[None]:
    """Serve GET /metrics on GRIDREPORT_HOST:GRIDREPORT_WORKER_METRICS_PORT while open."""
    if settings.worker_metrics_port == 0:
        yield
        return

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_SECONDS)
            peer = writer.get_extra_info("peername")
            status, body = _reply(head, peer[0] if peer else None, settings, metrics, pool)
            writer.write(_response(status, body))
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            log.debug("metrics: a scrape was cut off")
        finally:
            writer.close()

    server = await asyncio.start_server(
        answer, settings.host, settings.worker_metrics_port, limit=_HEAD_LIMIT
    )
    log.info("worker metrics at http://%s:%s/metrics", settings.host, settings.worker_metrics_port)
    try:
        yield
    finally:
        server.close()
        await server.wait_closed()


def _reply(
    head: bytes, peer: str | None, settings: Settings, metrics: WorkerMetrics, pool: asyncpg.Pool
) -> tuple[str, str]:
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, _, rest = request_line.partition(" ")
    path = rest.partition(" ")[0].partition("?")[0]
    headers = {
        name.strip().lower(): value.strip()
        for name, sep, value in (line.partition(":") for line in header_lines)
        if sep
    }
    allowed = rules.may_scrape(
        peer=peer, headers=headers, allow=settings.metrics_allow, token=settings.metrics_token
    )
    if method != "GET" or path != "/metrics" or not allowed:
        return "404 Not Found", "Not found\n"
    return "200 OK", metrics.exposition(pool)


def _response(status: str, body: str) -> bytes:
    data = body.encode()
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {CONTENT_TYPE}\r\n"
        f"Content-Length: {len(data)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + data
