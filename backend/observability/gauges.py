"""Database figures for /metrics, read at most once every few seconds per process.

Several API processes are scraped every few seconds each; the cache keeps that to one read of
each statement per process per `max_age`, however many scrapers ask, and a database that is
down is not asked again until the same interval has passed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg

from backend.cases.rules import OPEN
from backend.db.types import Connection
from backend.observability import queries
from backend.observability.registry import Family, gauge

log = logging.getLogger(__name__)
_ACQUIRE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class DatabaseFigures:
    open_by_status: dict[str, int]
    overdue_by_status: dict[str, int]
    outbox_pending: int
    outbox_oldest_seconds: float
    outbox_due_lag_seconds: float


@dataclass(slots=True)
class DatabaseGauges:
    """The cached figures of one process."""

    max_age: timedelta = timedelta(seconds=5)
    _figures: DatabaseFigures | None = None
    _read_at: datetime | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def read(self, pool: asyncpg.Pool | None, *, now: datetime) -> DatabaseFigures | None:
        """The figures, from the cache while fresh; None while the database cannot be read."""
        async with self._lock:
            if self._read_at is not None and now - self._read_at < self.max_age:
                return self._figures
            self._figures = await _read_or_none(pool, now=now)
            self._read_at = now
            return self._figures


async def _read_or_none(pool: asyncpg.Pool | None, *, now: datetime) -> DatabaseFigures | None:
    if pool is None:
        return None
    try:
        async with pool.acquire(timeout=_ACQUIRE_SECONDS) as conn:
            return await _read(conn, now=now)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        log.warning("metrics: database figures unavailable (%s)", type(exc).__name__)
        return None


async def _read(conn: Connection, *, now: datetime) -> DatabaseFigures:
    cases = await queries.open_cases(conn, now=now)
    outbox = await queries.outbox_backlog(conn, now=now)
    return DatabaseFigures(
        open_by_status=dict.fromkeys(OPEN, 0) | {r["status"]: r["open"] for r in cases},
        overdue_by_status=dict.fromkeys(OPEN, 0) | {r["status"]: r["overdue"] for r in cases},
        outbox_pending=outbox["pending"],
        outbox_oldest_seconds=_age(now, outbox["oldest_created"]),
        outbox_due_lag_seconds=_age(now, outbox["oldest_due"]),
    )


def _age(now: datetime, since: datetime | None) -> float:
    return max((now - since).total_seconds(), 0.0) if since is not None else 0.0


def families(figures: DatabaseFigures | None) -> list[Family]:
    """The figures as gauges; `gridreport_database_up` says whether they could be read."""
    up = gauge("gridreport_database_up", "1 when this process could read the database figures")
    up.set(value=1.0 if figures else 0.0)
    if figures is None:
        return [up]
    open_cases = gauge("gridreport_cases_open", "Open cases (queue depth) by status", "status")
    overdue = gauge("gridreport_cases_overdue", "Open cases past their step's deadline", "status")
    for status, count in figures.open_by_status.items():
        open_cases.set(status, value=count)
        overdue.set(status, value=figures.overdue_by_status[status])
    pending = gauge("gridreport_outbox_pending", "Notifications not yet delivered or given up")
    pending.set(value=figures.outbox_pending)
    oldest = gauge(
        "gridreport_outbox_oldest_pending_age_seconds",
        "Age of the oldest undelivered notification (outbox lag)",
    )
    oldest.set(value=figures.outbox_oldest_seconds)
    due = gauge(
        "gridreport_outbox_due_lag_seconds",
        "How long the earliest notification due for sending has waited for a worker",
    )
    due.set(value=figures.outbox_due_lag_seconds)
    return [up, open_cases, overdue, pending, oldest, due]
