"""Report intake behind nginx with one and with two API processes, photos included.

The production run (infra/prod: PostgreSQL, SeaweedFS S3, two granian API processes, two
workers, nginx) is started once. A submission is what a phone's outbox sends: a 1600 x 1200
JPEG (re-encoded by the API into WebP and a thumbnail, stored in S3), then the report naming
it. Rounds alternate between nginx sending everything to the first API process (the
baseline) and to both, with a fixed number of submissions in flight. The load generator runs
on the same 2 cores as everything else. Run:
    .venv/bin/python bench/load.py
"""

from __future__ import annotations

import asyncio
import io
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

# The repo root instead of bench/, whose queue.py would hide the standard library's queue.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import httpx
from PIL import Image, ImageFilter

from infra.prod import run
from tests.reliability.apis import ONE_ADDRESS_FOR_EVERY_PHONE
from tests.servers import free_port

SUBMISSIONS_PER_ROUND = 100
ROUNDS = 3
WARMUP = 32
IN_FLIGHT = 16
DEVICES = 16
HOME = (30.2741, 120.1551)
SIZE = (1600, 1200)  # what the PWA shrinks a photo to before upload


def base_photo() -> Image.Image:
    """Smooth gradients with blurred grain: compresses like a phone photo (~180 KB at q80)."""
    grain = Image.effect_noise(SIZE, 60).filter(ImageFilter.GaussianBlur(2))
    return Image.merge(
        "RGB",
        [Image.linear_gradient("L").resize(SIZE), grain, Image.radial_gradient("L").resize(SIZE)],
    )


def photos(base: Image.Image, count: int, offset: int) -> list[bytes]:
    """Distinct photos (a small patch moves), so none is stored under another's hash."""
    made = []
    for n in range(offset, offset + count):
        image = base.copy()
        x, y = (n * 37) % (SIZE[0] - 40), (n * 53) % (SIZE[1] - 40)
        image.paste(((n * 7) % 256, (n * 13) % 256, 90), (x, y, x + 40, y + 40))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        made.append(out.getvalue())
    return made


async def devices(client: httpx.AsyncClient) -> list[dict[str, str]]:
    tokens = [
        (await client.post("/api/v1/auth/device", json={})).json()["token"] for _ in range(DEVICES)
    ]
    return [{"Authorization": f"Bearer {token}"} for token in tokens]


async def submit(client: httpx.AsyncClient, auth: dict[str, str], photo: bytes, n: int) -> float:
    """Upload, then report: the whole submission's latency in seconds."""
    started = time.perf_counter()
    media = await client.post(
        "/api/v1/media/", headers=auth, files={"file": ("photo.jpg", photo, "image/jpeg")}
    )
    assert media.status_code == 201, media.text
    body = {
        "clientId": str(uuid.uuid4()),
        "category": "sanitation",
        "description": "垃圾堆积",
        "lat": HOME[0] + (n % 50) * 1e-4,
        "lng": HOME[1],
        "mediaIds": [media.json()["id"]],
    }
    report = await client.post("/api/v1/reports/", headers=auth, json=body)
    assert report.status_code == 201, report.text
    return time.perf_counter() - started


async def one_round(url: str, batch: list[bytes]) -> tuple[float, list[float]]:
    """Submissions per second and each submission's latency, IN_FLIGHT at a time."""
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        auths = await devices(client)
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def bounded(n: int, photo: bytes) -> float:
            async with gate:
                return await submit(client, auths[n % DEVICES], photo, n)

        started = time.perf_counter()
        latencies = await asyncio.gather(*(bounded(n, p) for n, p in enumerate(batch)))
        elapsed = time.perf_counter() - started
    return len(batch) / elapsed, list(latencies)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(rates: list[float], latencies: list[float]) -> dict[str, float]:
    return {
        "per_s": round(statistics.median(rates), 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000),
        "p99_ms": round(percentile(latencies, 0.99) * 1000),
    }


def measure(root: Path, url: str, api_ports: list[int]) -> dict[str, dict[str, float]]:
    """Alternating rounds: nginx to the first API process only, then to both."""
    base = base_photo()
    setups = {"one": api_ports[:1], "two": api_ports}
    rates: dict[str, list[float]] = {name: [] for name in setups}
    latencies: dict[str, list[float]] = {name: [] for name in setups}
    # Not measured: first connections, S3 clients and encoders in every process.
    run.route_to(root, api_ports)
    asyncio.run(one_round(url, photos(base, WARMUP, 0)))
    sent = WARMUP
    for round_no in range(1, ROUNDS + 1):
        for name, ports in setups.items():
            batch = photos(base, SUBMISSIONS_PER_ROUND, sent)
            sent += len(batch)
            run.route_to(root, ports)
            rate, waits = asyncio.run(one_round(url, batch))
            rates[name].append(rate)
            latencies[name] += waits
            print(
                f"round {round_no}, {name} API process(es): {rate:.1f} submissions/s, "
                f"p50 {percentile(waits, 0.5) * 1000:.0f} ms, "
                f"p99 {percentile(waits, 0.99) * 1000:.0f} ms"
            )
    return {name: summary(rates[name], latencies[name]) for name in setups}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gridreport-load-") as scratch:
        root = Path(scratch) / "run"
        plan = run.Plan(
            root=root,
            port=free_port(),
            env={
                "GRIDREPORT_REPORTS_PER_HOUR": "10000",
                "GRIDREPORT_LOG_LEVEL": "warning",
                **ONE_ADDRESS_FOR_EVERY_PHONE,
            },
        )
        deployment = run.up(plan)
        try:
            api_ports = [int(url.rsplit(":", 1)[1]) for url in deployment.api_urls]
            figures = measure(root, deployment.url, api_ports)
        finally:
            for line in run.down(root):
                print(line)
    one, two = figures["one"], figures["two"]
    print(
        f"one API process behind nginx: {one['per_s']} submissions/s "
        f"(p50 {one['p50_ms']} ms, p99 {one['p99_ms']} ms)"
    )
    print(
        f"two API processes behind nginx: {two['per_s']} submissions/s "
        f"(p50 {two['p50_ms']} ms, p99 {two['p99_ms']} ms); ratio {two['per_s'] / one['per_s']:.2f}"
    )
    print(
        json.dumps(
            {
                "bench": "load",
                "submissions": SUBMISSIONS_PER_ROUND,
                "rounds": ROUNDS,
                "in_flight": IN_FLIGHT,
                "photo_px": f"{SIZE[0]}x{SIZE[1]}",
                "one_api_per_s": one["per_s"],
                "one_api_p50_ms": one["p50_ms"],
                "one_api_p99_ms": one["p99_ms"],
                "two_api_per_s": two["per_s"],
                "two_api_p50_ms": two["p50_ms"],
                "two_api_p99_ms": two["p99_ms"],
                "ratio": round(two["per_s"] / one["per_s"], 3),
            }
        )
    )


if __name__ == "__main__":
    main()
