"""An API process is SIGKILLed under load: every report it answered 201 is stored with its
photo, and what it took down with it is sent again by the phones and lands once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.apis import api_processes, kill_machine, s3_env
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
    stored_keys,
)
from tests.seaweedfs import S3Server
from tests.servers import Server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

DRAFTS = 400
DEVICES = 40
DRAFTS_AT_ONCE = 16
CREATED_BEFORE_KILL = 100


class Watch:
    """Answers as they arrive; the kill comes when enough reports were created."""

    def __init__(self) -> None:
        self.created_by: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.time_to_kill = asyncio.Event()

    def seen(self, answer: Answer) -> None:
        self.statuses[answer.status] += 1
        if answer.status == 201 and "trackingNo" in answer.body:
            self.created_by[answer.via] += 1
            if sum(self.created_by.values()) >= CREATED_BEFORE_KILL:
                self.time_to_kill.set()


@pytest.fixture
def two_apis(demo_database: str, seaweedfs: S3Server, tmp_path: Path) -> Iterator[list[Server]]:
    env = {"DATABASE_URL": demo_database, **s3_env(seaweedfs)}
    with api_processes(2, tmp_path / "var", env) as servers:
        yield servers


async def kill_when_busy(victim: Server, fleet: Fleet, watch: Watch) -> None:
    await watch.time_to_kill.wait()
    # Phones stop reaching it the moment it dies (a balancer's health check), and its
    # requests in flight are lost: the phones send those again to the process still up.
    fleet.down.add(victim.base)
    await asyncio.to_thread(kill_machine, victim)


async def test_a_killed_api_process_loses_no_report(
    two_apis: list[Server], demo_database: str, seaweedfs: S3Server
) -> None:
    victim, survivor = two_apis
    watch = Watch()
    async with Fleet([s.base for s in two_apis], on_answer=watch.seen) as fleet:
        drafts = await new_drafts(fleet, DEVICES, DRAFTS // DEVICES)

        async def send(draft: Draft) -> None:
            await fleet.replay(draft, copies=1, cut=Cut())

        await asyncio.gather(
            run_all(drafts, send, at_once=DRAFTS_AT_ONCE), kill_when_busy(victim, fleet, watch)
        )

    assert set(watch.statuses) <= {200, 201}, watch.statuses
    # The kill struck a process at work: it had created reports, and took requests down.
    assert watch.created_by[victim.base] > 0
    assert fleet.lost[victim.base] > 0
    assert survivor.process.poll() is None
    # Every report answered 201, by either process, is stored with its photo; the others
    # were sent again and each landed once.
    assert_each_landed_once(drafts, await landed(demo_database, drafts))
    assert await cases_without_first_event(demo_database) == 0
    assert await media_keys(demo_database) <= stored_keys(seaweedfs)
