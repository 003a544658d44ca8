"""PostgreSQL stops and starts again under load: the API says 503 meanwhile (never 500), comes
back by itself, and no report is left half-written."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from backend.db.embedded import EmbeddedPostgres
from media_store import FilesystemStore
from tests.reliability.apis import api_processes
from tests.reliability.phones import (
    Answer,
    Cut,
    Draft,
    Fleet,
    assert_each_landed_once,
    cases_without_first_event,
    landed,
    media_keys,
    new_drafts,
    run_all,
)
from tests.servers import Server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

DRAFTS = 300
DEVICES = 30
DRAFTS_AT_ONCE = 12
LANDED_BEFORE_STOP = 60
REFUSALS_DURING_OUTAGE = 40
READY_TRIES = 300
MAX_TRIES = 1200  # a minute of retries at the phone's back-off


class Outage:
    """Counts answers as they arrive, so the drill stops and starts PostgreSQL on events."""

    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()
        self.refusals: list[Answer] = []
        self.landed = 0
        self.enough_landed = asyncio.Event()
        self.enough_refused = asyncio.Event()
        self.down = False

    def seen(self, answer: Answer) -> None:
        self.statuses[answer.status] += 1
        if answer.status == 201 and "trackingNo" in answer.body:
            self.landed += 1
            if self.landed >= LANDED_BEFORE_STOP:
                self.enough_landed.set()
        if answer.status == 503 and self.down:
            self.refusals.append(answer)
            if len(self.refusals) >= REFUSALS_DURING_OUTAGE:
                self.enough_refused.set()


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL this test owns, to stop and start again on the same data directory."""
    server = EmbeddedPostgres(tmp_path / "pg")
    server.start()
    try:
        yield server
    finally:
        server.discard()


@pytest.fixture
def api(postgres: EmbeddedPostgres, tmp_path: Path) -> Iterator[Server]:
    with api_processes(1, tmp_path / "var", {"DATABASE_URL": postgres.dsn()}, demo=True) as (
        server,
    ):
        yield server


async def readiness(base: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(f"{base}/readyz") as response:
        return response.status


async def wait_ready(base: str) -> None:
    """The API finds the database again by itself: no restart, no operator."""
    for _ in range(READY_TRIES):
        if await readiness(base) == 200:
            return
        await asyncio.sleep(0.1)
    pytest.fail("the API did not become ready again after PostgreSQL came back")


async def restart_during_load(postgres: EmbeddedPostgres, api: Server, outage: Outage) -> None:
    await outage.enough_landed.wait()
    await asyncio.to_thread(postgres.stop)
    outage.down = True
    assert await readiness(api.base) == 503
    await outage.enough_refused.wait()
    outage.down = False
    await asyncio.to_thread(postgres.start)
    await wait_ready(api.base)


async def test_a_database_restart_costs_retries_not_reports(
    postgres: EmbeddedPostgres, api: Server, tmp_path: Path
) -> None:
    outage = Outage()
    async with Fleet([api.base], on_answer=outage.seen) as fleet:
        drafts = await new_drafts(fleet, DEVICES, DRAFTS // DEVICES)

        async def send(draft: Draft) -> None:
            # A phone retries a refused step after a short back-off, for as long as it takes.
            await fleet.replay(draft, copies=1, cut=Cut(), tries=MAX_TRIES, pause=0.05)

        await asyncio.gather(
            run_all(drafts, send, at_once=DRAFTS_AT_ONCE),
            restart_during_load(postgres, api, outage),
        )

    assert set(outage.statuses) <= {200, 201, 503}, outage.statuses
    assert len(outage.refusals) >= REFUSALS_DURING_OUTAGE
    assert api.process.poll() is None  # the same process throughout: nobody restarted it
    for refusal in outage.refusals:
        assert refusal.body["code"] == "service.unavailable"
        assert refusal.body["message"] and refusal.body["messageEn"]
        assert refusal.retry_after is not None and int(refusal.retry_after) > 0
    assert_each_landed_once(drafts, await landed(postgres.dsn(), drafts))
    # Nothing half-written: every case has its first event, every photo on record is stored.
    assert await cases_without_first_event(postgres.dsn()) == 0
    store = FilesystemStore(tmp_path / "var" / "media")
    missing = {key for key in await media_keys(postgres.dsn()) if not store.path_for(key).is_file()}
    assert not missing, sorted(missing)[:5]
