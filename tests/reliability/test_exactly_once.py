"""2,000 reports, each sent three times at once to two API processes, some cut off mid-flight:
exactly 2,000 cases, each with its photo, and every answer for a report names the same case."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.apis import api_processes, s3_env
from tests.reliability.phones import (
    Cut,
    Draft,
    Fleet,
    assert_each_landed_once,
    landed,
    new_drafts,
    run_all,
    stored_keys,
    totals,
)
from tests.seaweedfs import S3Server
from tests.servers import Server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

DRAFTS = 2000
DEVICES = 200  # ten reports per phone, within the hourly limit of one device
COPIES = 3
DRAFTS_AT_ONCE = 24


@pytest.fixture
def two_apis(demo_database: str, seaweedfs: S3Server, tmp_path: Path) -> Iterator[list[Server]]:
    env = {"DATABASE_URL": demo_database, **s3_env(seaweedfs)}
    with api_processes(2, tmp_path / "var", env) as servers:
        yield servers


async def test_every_report_lands_once_with_its_photo(
    two_apis: list[Server], demo_database: str, seaweedfs: S3Server
) -> None:
    cut = Cut(share=0.3, within=0.05)
    async with Fleet([server.base for server in two_apis]) as fleet:
        drafts = await new_drafts(fleet, DEVICES, DRAFTS // DEVICES)

        async def send(draft: Draft) -> None:
            await fleet.replay(draft, copies=COPIES, cut=cut)

        await run_all(drafts, send, at_once=DRAFTS_AT_ONCE)

    answers = [a for d in drafts for a in d.answers()]
    statuses = Counter(a.status for a in answers)
    assert set(statuses) <= {200, 201}, statuses
    rows = await landed(demo_database, drafts)
    assert_each_landed_once(drafts, rows)
    assert await totals(demo_database) == (DRAFTS, DRAFTS)  # no case or attached photo more
    assert {key for row in rows.values() for key in row["display_keys"]} <= stored_keys(seaweedfs)
    # The drill did what it says: both processes answered, copies were cut off, and replays
    # were answered as replays.
    assert set(Counter(a.via for a in answers)) == {server.base for server in two_apis}
    assert sum(fleet.lost.values()) > DRAFTS // 10
    assert statuses[200] > DRAFTS // 2
