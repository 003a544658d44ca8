"""Phones for the drills: drafts replayed the way the PWA's outbox replays them.

A draft is a photo and a tip. The phone uploads the photo under a key derived from it, keeps
the photo's id once an answer arrives, then submits the tip under its `clientId`; every step
is sent again until an answer arrives. A drill sends each step several times at once, to
several API processes, and may cut any attempt off mid-flight, as a phone losing its signal.
"""

from __future__ import annotations

import asyncio
import io
import random
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import aiohttp
import asyncpg
from PIL import Image

from tests.seaweedfs import BUCKET, S3Server

# Inside the demo city (西湖区), spread so that reports do not all share one spot.
CENTRE = (30.2701, 120.1451)
SPREAD_DEGREES = 0.012
ATTEMPT_TIMEOUT = aiohttp.ClientTimeout(total=60)
STAFF_USERNAME = "demo-dispatcher"


class Answer(NamedTuple):
    """What one attempt got back."""

    status: int
    body: dict[str, Any]
    retry_after: str | None
    via: str  # the API process that answered


def photo_bytes(n: int) -> bytes:
    """A small JPEG whose pixels differ for every n (stored objects are named by content)."""
    image = Image.new("RGB", (96, 72), (n % 251, (n // 251) % 251, 90))
    for bit in range(24):
        if n >> bit & 1:
            image.paste((255, 255, 255), (bit * 4, 60, bit * 4 + 4, 72))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


@dataclass
class Draft:
    """One tip waiting in a phone's outbox, and every answer the API gave for it."""

    n: int
    headers: dict[str, str]
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    photo_key: str = field(default_factory=lambda: uuid.uuid4().hex + uuid.uuid4().hex[:8])
    media_id: str | None = None
    uploads: list[Answer] = field(default_factory=list)
    submits: list[Answer] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        rng = random.Random(self.n)
        return {
            "clientId": self.client_id,
            "category": "sanitation",
            "lat": round(CENTRE[0] + rng.uniform(-SPREAD_DEGREES, SPREAD_DEGREES), 6),
            "lng": round(CENTRE[1] + rng.uniform(-SPREAD_DEGREES, SPREAD_DEGREES), 6),
            "description": f"楼道堆放杂物 #{self.n}",
            "mediaIds": [self.media_id],
        }

    def created(self) -> list[dict[str, Any]]:
        """The answers that carry the report (201 created, or 200 for a replay)."""
        return [a.body for a in self.submits if a.status in (200, 201)]

    def answered_201(self) -> bool:
        return any(a.status == 201 for a in self.submits)

    def answers(self) -> list[Answer]:
        return [*self.uploads, *self.submits]


@dataclass
class Cut:
    """How a drill breaks attempts: this share of them is cut off within `within` seconds."""

    share: float = 0.0
    within: float = 0.05
    rng: random.Random = field(default_factory=lambda: random.Random(8))

    def delay(self) -> float | None:
        if self.rng.random() >= self.share:
            return None
        return self.rng.uniform(0.0, self.within)


async def attempt(request: Callable[[], Awaitable[Answer]], cut: float | None) -> Answer | None:
    """One try: its status and body, or None when the phone lost it (cut off, refused)."""
    try:
        if cut is None:
            return await request()
        return await asyncio.wait_for(request(), timeout=cut)
    except (TimeoutError, aiohttp.ClientError):
        return None


async def _answer(response: aiohttp.ClientResponse) -> Answer:
    async with response:
        is_json = response.content_type == "application/json"
        body = await response.json() if is_json else {"text": await response.text()}
        via = str(response.url.origin())
        return Answer(response.status, body, response.headers.get("Retry-After"), via)


class Fleet:
    """HTTP clients for a set of API processes; a draft's attempts are spread over them.

    aiohttp rather than httpx: the drills share two cores with the servers, and aiohttp
    spends a fraction of httpx's CPU per request.
    """

    def __init__(
        self,
        bases: Sequence[str],
        *,
        connections: int = 64,
        on_answer: Callable[[Answer], None] | None = None,
    ) -> None:
        self.bases = list(bases)
        self.down: set[str] = set()  # processes the phones no longer reach
        self.lost: Counter[str] = Counter()  # attempts that got no answer, by API process
        self.on_answer = on_answer or (lambda _: None)
        self._connections = connections
        self._sessions: dict[str, aiohttp.ClientSession] = {}

    async def __aenter__(self) -> Fleet:
        for base in self.bases:
            self._sessions[base] = aiohttp.ClientSession(
                base_url=base,
                timeout=ATTEMPT_TIMEOUT,
                connector=aiohttp.TCPConnector(limit=self._connections),
            )
        return self

    async def __aexit__(self, *_: object) -> None:
        for session in self._sessions.values():
            await session.close()

    def pick(self, i: int) -> str:
        """The i-th API process among those the phones still reach, round and round."""
        alive = [base for base in self.bases if base not in self.down]
        return alive[i % len(alive)]

    async def device(self, i: int = 0) -> dict[str, str]:
        answer = await _answer(
            await self._sessions[self.pick(i)].post("/api/v1/auth/device", json={})
        )
        assert answer.status == 201, answer
        return {"Authorization": f"Bearer {answer.body['token']}"}

    async def upload(self, draft: Draft, i: int, cut: float | None) -> Answer | None:
        base = self.pick(i)
        session = self._sessions[base]

        async def send() -> Answer:
            form = aiohttp.FormData()
            form.add_field(
                "file", photo_bytes(draft.n), filename="photo.jpg", content_type="image/jpeg"
            )
            form.add_field("clientKey", draft.photo_key)
            form.add_field("purpose", "report")
            return await _answer(
                await session.post("/api/v1/media/", headers=draft.headers, data=form)
            )

        answer = await self._attempt(base, send, cut)
        if answer is not None:
            draft.uploads.append(answer)
            if answer.status == 201:
                draft.media_id = answer.body["id"]
        return answer

    async def submit(self, draft: Draft, i: int, cut: float | None) -> Answer | None:
        base = self.pick(i)
        session = self._sessions[base]
        body = draft.report()

        async def send() -> Answer:
            return await _answer(
                await session.post("/api/v1/reports/", headers=draft.headers, json=body)
            )

        answer = await self._attempt(base, send, cut)
        if answer is not None:
            draft.submits.append(answer)
        return answer

    async def _attempt(
        self, base: str, send: Callable[[], Awaitable[Answer]], cut: float | None
    ) -> Answer | None:
        answer = await attempt(send, cut)
        if answer is None:
            self.lost[base] += 1
        else:
            self.on_answer(answer)
        return answer

    async def replay(
        self, draft: Draft, *, copies: int, cut: Cut, tries: int = 20, pause: float = 0.0
    ) -> bool:
        """Send each step `copies` times at once (the first round cut as told) until it is
        carried or `tries` rounds are spent; whether the report landed as far as we know.

        `pause` is the phone's back-off between rounds (its outbox waits before a retry)."""
        for step, done in (
            (self.upload, lambda: draft.media_id is not None),
            (self.submit, lambda: bool(draft.created())),
        ):
            for round_ in range(tries):
                if done():
                    break
                if round_ and pause:
                    await asyncio.sleep(pause)
                # Only the first round is cut: a phone that lost its signal gets it back.
                delays = [cut.delay() if round_ == 0 else None for _ in range(copies)]
                await asyncio.gather(*(step(draft, draft.n + k, d) for k, d in enumerate(delays)))
            if not done():
                return False
        return True


async def new_drafts(fleet: Fleet, count: int, drafts_each: int) -> list[Draft]:
    """`count` resident devices with `drafts_each` drafts each, numbered from 0."""
    devices = await asyncio.gather(*(fleet.device(i) for i in range(count)))
    return [
        Draft(n=d * drafts_each + k, headers=headers)
        for d, headers in enumerate(devices)
        for k in range(drafts_each)
    ]


async def run_all(
    drafts: Sequence[Draft], work: Callable[[Draft], Awaitable[None]], *, at_once: int
) -> None:
    """Run `work` for every draft, `at_once` drafts in flight."""
    gate = asyncio.Semaphore(at_once)

    async def one(draft: Draft) -> None:
        async with gate:
            await work(draft)

    await asyncio.gather(*(one(d) for d in drafts))


async def landed(dsn: str, drafts: Sequence[Draft]) -> dict[str, asyncpg.Record]:
    """What the database holds for these drafts, by clientId: the case and its photos."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            """
            SELECT c.client_id::text AS client_id, c.id, c.tracking_no,
                   array_remove(array_agg(m.id::text ORDER BY m.position), NULL) AS media_ids,
                   array_remove(array_agg(m.display_key), NULL) AS display_keys,
                   (SELECT count(*) FROM case_events e
                     WHERE e.case_id = c.id AND e.action = 'submit') AS submit_events
            FROM cases c LEFT JOIN media m ON m.case_id = c.id
            WHERE c.client_id = ANY($1::uuid[])
            GROUP BY c.id
            """,
            [d.client_id for d in drafts],
        )
    finally:
        await conn.close()
    by_client: dict[str, asyncpg.Record] = {}
    for row in rows:
        assert row["client_id"] not in by_client, f"two cases for {row['client_id']}"
        by_client[row["client_id"]] = row
    return by_client


async def media_keys(dsn: str) -> set[str]:
    """Every stored object a photo on record points at."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT display_key, thumbnail_key FROM media")
    finally:
        await conn.close()
    return {key for row in rows for key in row.values()}


async def totals(dsn: str) -> tuple[int, int]:
    """How many cases, and how many photos attached to a case, the database holds in all.

    A copy of an upload that the phone gave up on may still reach the server after the
    report went out; it finds its photo already part of a report and is kept as a photo of
    its own, never attached, and swept with the other unattached uploads.
    """
    conn = await asyncpg.connect(dsn)
    try:
        cases: int = await conn.fetchval("SELECT count(*) FROM cases")
        photos: int = await conn.fetchval("SELECT count(*) FROM media WHERE case_id IS NOT NULL")
    finally:
        await conn.close()
    return cases, photos


async def cases_without_first_event(dsn: str) -> int:
    """Cases whose timeline lacks the submission: a half-written intake."""
    conn = await asyncpg.connect(dsn)
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM cases c WHERE NOT EXISTS "
            "(SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = 'submit')"
        )
    finally:
        await conn.close()
    return count


def stored_keys(s3: S3Server) -> set[str]:
    """Every object key in the test bucket."""
    pages = s3.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def assert_each_landed_once(drafts: Sequence[Draft], rows: dict[str, asyncpg.Record]) -> None:
    """Exactly one case per draft, with its one photo and its first event; answers agree."""
    assert len(rows) == len(drafts)
    for draft in drafts:
        row = rows[draft.client_id]
        assert row["media_ids"] == [draft.media_id], draft.client_id
        assert row["submit_events"] == 1, draft.client_id
        assert {body["id"] for body in draft.created()} == {row["id"]}
        assert sum(a.status == 201 for a in draft.submits) <= 1
        assert {a.body["id"] for a in draft.uploads if a.status == 201} == {draft.media_id}
