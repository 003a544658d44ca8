"""Report intake per second through HTTP, against raw asyncpg inserts of the same rows.

Ours: a real `gridreport serve` process (granian, one API worker) on an embedded PostgreSQL;
residents' photos are uploaded beforehand, then reports are submitted over HTTP with a fixed
number in flight. Baseline: the rows that one submission writes (the case, its first timeline
event, attaching its photo) inserted with asyncpg directly, with the same concurrency, in
the same run and the same database. Run:
    .venv/bin/python bench/intake.py
"""

from __future__ import annotations

import asyncio
import io
import json
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

# The repo root instead of bench/, whose queue.py would hide the standard library's queue.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import asyncpg
import httpx
from PIL import Image

from backend.db.embedded import EmbeddedPostgres
from tests.reliability.apis import ONE_ADDRESS_FOR_EVERY_PHONE
from tests.servers import Server, free_port

REPORTS_PER_ROUND = 300
ROUNDS = 3
IN_FLIGHT = 16
HOME = (30.2741, 120.1551)

# The rows one submission writes, for the baseline: copied from a case made over HTTP.
TEMPLATE_SQL = """
    SELECT c.reporter_id, c.region_id, c.region_path, h3_r7, h3_r8, h3_r9, h3_r10, h3_r11,
           accept_due_at, resolve_due_at, uploader_id, display_key, thumbnail_key
    FROM cases c JOIN media m ON m.case_id = c.id LIMIT 1
"""
PHOTOS_SQL = """
    INSERT INTO media (id, uploader_id, display_key, thumbnail_key, width, height, bytes,
                       thumbnail_width, thumbnail_height, content_type, created_at)
    SELECT gen_random_uuid(), $1, $3, $4, 1, 1, 1, 1, 1, 'image/webp', now()
    FROM generate_series(1, $2) RETURNING id
"""
CASE_SQL = """
    INSERT INTO cases (tracking_no, reporter_id, client_id, body_hash, source, category_code,
                       confidential, description, lat, lng, region_id, region_path, route_match,
                       h3_r7, h3_r8, h3_r9, h3_r10, h3_r11, accept_due_at, resolve_due_at,
                       created_at, updated_at)
    VALUES ($1, $2, $3, $4, 'resident', 'sanitation', false, '垃圾', $5, $6, $7, $8, 'inside',
            $9, $10, $11, $12, $13, $14, $15, now(), now())
    RETURNING id
"""


def photo(seed: int) -> bytes:
    image = Image.new("RGB", (800, 600), (seed % 256, 120, 200))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


async def bounded(jobs: list, limit: int) -> list:  # type: ignore[type-arg]
    gate = asyncio.Semaphore(limit)

    async def run(job):  # type: ignore[no-untyped-def]
        async with gate:
            return await job

    return await asyncio.gather(*(run(job) for job in jobs))


async def prepare_reports(
    client: httpx.AsyncClient, count: int
) -> list[tuple[dict[str, str], dict]]:  # type: ignore[type-arg]
    """Residents with one uploaded photo each, and the report body each will send."""
    token = (await client.post("/api/v1/auth/device", json={})).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    async def upload(n: int) -> tuple[dict[str, str], dict]:  # type: ignore[type-arg]
        media = await client.post(
            "/api/v1/media/", headers=headers, files={"file": ("p.jpg", photo(n), "image/jpeg")}
        )
        body = {
            "clientId": str(uuid.uuid4()),
            "category": "sanitation",
            "description": "垃圾",
            "lat": HOME[0] + (n % 50) * 1e-4,
            "lng": HOME[1],
            "mediaIds": [media.json()["id"]],
        }
        return headers, body

    return await bounded([upload(n) for n in range(count)], IN_FLIGHT)


async def through_http(base: str) -> float:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        prepared = await prepare_reports(client, REPORTS_PER_ROUND)
        started = time.perf_counter()
        responses = await bounded(
            [client.post("/api/v1/reports/", json=body, headers=h) for h, body in prepared],
            IN_FLIGHT,
        )
        elapsed = time.perf_counter() - started
    assert all(r.status_code == 201 for r in responses), {r.status_code for r in responses}
    return REPORTS_PER_ROUND / elapsed


async def raw_inserts(dsn: str, round_no: int) -> float:
    pool = await asyncpg.create_pool(dsn, min_size=IN_FLIGHT, max_size=IN_FLIGHT)
    try:
        async with pool.acquire() as conn:
            template = await conn.fetchrow(TEMPLATE_SQL)
            photos = [
                r["id"]
                for r in await conn.fetch(
                    PHOTOS_SQL,
                    template["uploader_id"],
                    REPORTS_PER_ROUND,
                    template["display_key"],
                    template["thumbnail_key"],
                )
            ]

        async def insert(n: int) -> None:
            async with pool.acquire() as conn, conn.transaction():
                case_id = await conn.fetchval(
                    CASE_SQL,
                    f"B{round_no}-{n}",
                    template["reporter_id"],
                    uuid.uuid4(),
                    b"h",
                    HOME[0],
                    HOME[1],
                    template["region_id"],
                    template["region_path"],
                    template["h3_r7"],
                    template["h3_r8"],
                    template["h3_r9"],
                    template["h3_r10"],
                    template["h3_r11"],
                    template["accept_due_at"],
                    template["resolve_due_at"],
                )
                await conn.execute(
                    "UPDATE media SET case_id = $1, attached_at = now() WHERE id = $2",
                    case_id,
                    photos[n],
                )
                await conn.execute(
                    "INSERT INTO case_events (case_id, region_id, at, actor_role, action, "
                    "to_status) VALUES ($1, $2, now(), 'resident', 'submit', 'submitted')",
                    case_id,
                    template["region_id"],
                )

        started = time.perf_counter()
        await bounded([insert(n) for n in range(REPORTS_PER_ROUND)], IN_FLIGHT)
        return REPORTS_PER_ROUND / (time.perf_counter() - started)
    finally:
        await pool.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        server = EmbeddedPostgres(Path(scratch) / "pg")
        dsn = server.start()
        port = free_port()
        api = Server(
            Path(scratch) / "var",
            port,
            {
                "DATABASE_URL": dsn,
                "GRIDREPORT_REPORTS_PER_HOUR": "10000",
                **ONE_ADDRESS_FOR_EVERY_PHONE,
                "GRIDREPORT_LOG_LEVEL": "warning",
            },
        )
        api.wait_ready()
        try:
            ours, baseline = [], []
            for round_no in range(ROUNDS):
                ours.append(asyncio.run(through_http(f"http://127.0.0.1:{port}")))
                baseline.append(asyncio.run(raw_inserts(dsn, round_no)))
                print(
                    f"round {round_no + 1}: HTTP {ours[-1]:.0f}/s, raw asyncpg {baseline[-1]:.0f}/s"
                )
        finally:
            api.stop(signal.SIGTERM)
            server.stop()
    ours_median, baseline_median = statistics.median(ours), statistics.median(baseline)
    print(
        f"intake through HTTP: {ours_median:.0f} reports/s "
        f"(median of {ROUNDS} rounds of {REPORTS_PER_ROUND})"
    )
    print(f"raw asyncpg inserts of the same rows: {baseline_median:.0f}/s")
    print(
        json.dumps(
            {
                "bench": "intake",
                "reports": REPORTS_PER_ROUND,
                "in_flight": IN_FLIGHT,
                "ours_per_s": round(ours_median, 1),
                "baseline_per_s": round(baseline_median, 1),
                "ratio": round(ours_median / baseline_median, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
