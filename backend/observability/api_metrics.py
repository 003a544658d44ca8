"""The metrics of one API process: its requests, the reports it accepted, its pool, the queue."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from backend.observability import gauges, process, rules
from backend.observability.registry import Family, Histogram, counter, render


def _latency() -> Histogram:
    return Histogram(
        "gridreport_http_request_duration_seconds",
        "Time to the first byte of the answer, by route template",
        ("method", "route", "status_class"),
        rules.LATENCY_BUCKETS,
    )


def _accepted() -> Family:
    return counter(
        "gridreport_reports_accepted_total",
        "New reports accepted by this process (a retried clientId is not counted again)",
        "channel",
    )


@dataclass(slots=True)
class ApiMetrics:
    """Counters are this process's own; database figures are cached (see gauges)."""

    started_at: float = field(default_factory=time.time)
    latency: Histogram = field(default_factory=_latency)
    accepted: Family = field(default_factory=_accepted)
    database: gauges.DatabaseGauges = field(default_factory=gauges.DatabaseGauges)

    def answered(self, *, method: str, route: str, status: int | None, seconds: float) -> None:
        """Count one answer as soon as its status is known."""
        self.latency.observe(seconds, rules.method_label(method), route, rules.status_class(status))
        if (channel := rules.intake_channel(method, route, status)) is not None:
            self.accepted.inc(channel)

    async def exposition(self, pool: asyncpg.Pool | None, *, now: datetime) -> str:
        """Everything /metrics shows, in Prometheus text format."""
        figures = await self.database.read(pool, now=now)
        return render(
            [
                process.started(self.started_at),
                self.latency,
                self.accepted,
                *process.pool_usage(pool),
                *gauges.families(figures),
            ]
        )
