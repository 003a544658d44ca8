"""Forgetting old throttling windows keeps those that count over a survey's whole life."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from backend.surveys.respondents import ADDRESS_SHARE, LONG_WINDOWS
from backend.throttle import service as throttle

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


async def test_a_surveys_share_per_network_outlives_the_hourly_windows(
    db: asyncpg.Connection,
) -> None:
    rows = [
        ("report.device", "old", NOW - timedelta(days=3)),
        ("report.device", "recent", NOW - timedelta(hours=3)),
        (ADDRESS_SHARE, "7:203.0.113.0/24", NOW - timedelta(days=3)),
        (ADDRESS_SHARE, "8:203.0.113.0/24", NOW - timedelta(days=40)),
    ]
    await db.executemany(
        "INSERT INTO rate_windows (scope, key, window_start, hits) VALUES ($1, $2, $3, 5)", rows
    )

    forgotten = await throttle.forget_old(
        db, now=NOW, older_than=timedelta(days=2), longer=LONG_WINDOWS
    )

    kept = await db.fetch("SELECT scope, key FROM rate_windows ORDER BY scope, key")
    assert [(row["scope"], row["key"]) for row in kept] == [
        ("report.device", "recent"),
        (ADDRESS_SHARE, "7:203.0.113.0/24"),
    ]
    assert forgotten == 2
