"""Figures every process shows, API or worker: its start time and its database pool."""

from __future__ import annotations

import asyncpg

from backend.observability.registry import Family, gauge


def started(at: float) -> Family:
    """Prometheus tells a restarted process (its counters begun again) by this."""
    family = gauge("gridreport_process_start_time_seconds", "Start of this process, Unix time")
    family.set(value=at)
    return family


def pool_usage(pool: asyncpg.Pool | None) -> list[Family]:
    """Connections of this process's pool: idle, in use, and the most it may open."""
    connections = gauge(
        "gridreport_db_pool_connections", "Database connections of this process", "state"
    )
    most = gauge("gridreport_db_pool_max_connections", "Most connections this process may open")
    if pool is not None:
        size, idle = pool.get_size(), pool.get_idle_size()
        connections.set("idle", value=idle)
        connections.set("in_use", value=size - idle)
        most.set(value=pool.get_max_size())
    return [connections, most]
