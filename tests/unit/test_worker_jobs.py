"""A worker job that fails with a bug is retried next round; the other jobs go on."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from backend.observability.worker_metrics import WorkerMetrics
from backend.worker.main import Job, _repeat


async def test_a_job_failing_with_a_bug_runs_again_and_other_jobs_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = asyncio.Event()
    metrics = WorkerMetrics()
    broken_runs = 0
    healthy_runs = 0

    async def broken() -> int:
        nonlocal broken_runs
        broken_runs += 1
        raise ValueError("a bug in one job")

    async def healthy() -> int:
        nonlocal healthy_runs
        healthy_runs += 1
        if healthy_runs >= 3 and broken_runs >= 3:
            stop.set()
        return 1

    with caplog.at_level(logging.ERROR, logger="backend.worker.main"):
        await asyncio.wait_for(
            asyncio.gather(
                _repeat(Job("broken", timedelta(0), broken), stop, metrics),
                _repeat(Job("healthy", timedelta(0), healthy), stop, metrics),
            ),
            timeout=30,
        )

    assert broken_runs >= 3
    assert healthy_runs >= 3
    assert "broken failed; retrying later" in caplog.text
    assert "ValueError: a bug in one job" in caplog.text
    exposition = metrics.exposition(None)
    assert 'gridreport_worker_job_runs_total{job="broken",outcome="failed"}' in exposition
