"""`gridreport worker`: run the periodic jobs until told to stop.

Every job is safe to run in any number of workers at once: each takes its rows with row
locks or atomic deletes, so two workers never do the same piece of work twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from backend.accounts import login_limits
from backend.areas import jobs as area_jobs
from backend.cases import scheduler
from backend.clock import Clock, SystemClock
from backend.db.pool import ACQUIRE_TIMEOUT_SECONDS, create_pool
from backend.duties import registry as duty_subjects
from backend.duties import watcher as duty_watcher
from backend.media import service as media
from backend.media.storage import store_from_settings
from backend.observability.worker_metrics import WorkerMetrics, metrics_server
from backend.oversight import monthly as monthly_reports
from backend.push.sender import PushSender, push_session
from backend.push.vapid import load_vapid
from backend.settings import Settings
from backend.surveys import respondents
from backend.surveys import service as survey_service
from backend.throttle import service as throttle
from media_store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], Awaitable[int]]


def jobs(
    pool: asyncpg.Pool, store: Store, settings: Settings, clock: Clock, sender: PushSender
) -> list[Job]:
    """The worker's periodic jobs."""

    async def sweep_media() -> int:
        async with pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
            return await media.sweep_unattached(
                conn,
                store,
                now=clock.now(),
                older_than=timedelta(hours=settings.media_unattached_hours),
            )

    async def watch_deadlines() -> int:
        handled = 0
        async with pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
            while (batch := await scheduler.run_due(conn, now=clock.now())) > 0:
                handled += batch
        return handled

    async def watch_duties() -> int:
        handled = 0
        subjects = duty_subjects.subjects()
        async with pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
            while (
                batch := await duty_watcher.run_due(conn, now=clock.now(), subjects=subjects)
            ) > 0:
                handled += batch
        return handled

    async def tend_areas() -> int:
        async with pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
            return await area_jobs.tend_areas(conn, settings=settings, now=clock.now())

    async def owe_monthly_reports() -> int:
        async with pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
            return await monthly_reports.owe_reports(conn, settings=settings, now=clock.now())

    async def close_ended_surveys() -> int:
        async with pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
            return await survey_service.close_ended(conn, settings=settings, now=clock.now())

    async def forget_throttling() -> int:
        async with pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
            now = clock.now()
            # Windows last an hour or a day (logins), except a survey's share per address,
            # which lasts as long as the survey may run.
            windows = await throttle.forget_old(
                conn, now=now, older_than=timedelta(days=2), longer=respondents.LONG_WINDOWS
            )
            return windows + await login_limits.forget_old(conn, settings=settings, now=now)

    return [
        Job("send notifications", timedelta(seconds=1), sender.drain),
        Job("watch deadlines", timedelta(seconds=10), watch_deadlines),
        Job("watch duties", timedelta(seconds=10), watch_duties),
        Job("tend key areas", timedelta(minutes=1), tend_areas),
        Job("owe monthly reports", timedelta(minutes=10), owe_monthly_reports),
        Job("close ended surveys", timedelta(minutes=10), close_ended_surveys),
        Job("sweep unattached photos", timedelta(minutes=10), sweep_media),
        Job("forget old throttling counters", timedelta(hours=1), forget_throttling),
    ]


async def _repeat(job: Job, stop: asyncio.Event, metrics: WorkerMetrics) -> None:
    while not stop.is_set():
        try:
            done = await job.run()
            metrics.job_ran(job.name, handled=done)
            if done:
                log.info("%s: %s", job.name, done)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            metrics.job_ran(job.name, handled=None)
            log.warning("%s failed (%s); retrying later", job.name, type(exc).__name__)
        except Exception:
            # A bug in one job must not stop the others (deadlines, pushes): log it whole and
            # try again next round, as for a lost connection.
            metrics.job_ran(job.name, handled=None)
            log.exception("%s failed; retrying later", job.name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), job.every.total_seconds())


async def run_worker(
    settings: Settings, dsn: str, *, clock: Clock | None = None, stop: asyncio.Event | None = None
) -> None:
    """Run every job until `stop` is set (SIGINT/SIGTERM set it when run from the CLI)."""
    stop = stop or _stop_on_signals()
    pool = await create_pool(settings, dsn)
    store = store_from_settings(settings)
    clock = clock or SystemClock()
    metrics = WorkerMetrics()
    session = push_session(settings, trace_configs=[metrics.trace_config()])
    sender = PushSender(
        pool=pool, vapid=load_vapid(settings), settings=settings, clock=clock, session=session
    )
    try:
        async with metrics_server(settings, metrics, pool):
            await asyncio.gather(
                *(_repeat(job, stop, metrics) for job in jobs(pool, store, settings, clock, sender))
            )
    finally:
        await session.close()
        await pool.close()
        await store.close()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop
