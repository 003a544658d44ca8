"""`make prod-up` as an operator runs it: PostgreSQL, SeaweedFS, two API processes, two workers
and nginx in front; a resident's report with a photo, the app's cache headers, the live feed,
all through nginx; then `make prod-down`, after which nothing of it runs or listens.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
import pytest
from PIL import Image

from backend.db.embedded import EmbeddedPostgres
from backend.settings import load_settings
from infra.prod import nginx, processes, run, seaweedfs
from infra.prod.layout import Layout, Secrets
from tests.conftest import DEMO_PASSWORD
from tests.reliability.test_live_feed import feed, login, next_for
from tests.servers import free_port, postgres_processes

pytestmark = pytest.mark.slow
HOME = (30.2741, 120.1551)
PWA_DIST = Path(__file__).resolve().parents[2] / "pwa" / "dist"


@pytest.fixture(scope="module")
def prod() -> Iterator[run.Deployment]:
    nginx.binary()  # `make test` installs Debian's nginx; say so plainly when it is missing
    if not (PWA_DIST / "index.html").is_file():
        pytest.fail("the PWA is not built: `make pwa` (make test builds it)")
    # Not under pytest's base directory, which another pytest starting meanwhile may clean.
    with tempfile.TemporaryDirectory(prefix="gridreport-prod-") as scratch:
        yield from deployed(Path(scratch) / "run")


def deployed(root: Path) -> Iterator[run.Deployment]:
    plan = run.Plan(
        root=root,
        port=free_port(),
        env={"GRIDREPORT_DEMO_PASSWORD": DEMO_PASSWORD, "GRIDREPORT_LOG_LEVEL": "warning"},
    )
    deployment = run.up(plan)
    try:
        yield deployment
    finally:
        run.down(plan.root)  # a no-op once the last test has stopped it
        EmbeddedPostgres(Layout(plan.root).pgdata).discard()


def layout_of(deployment: run.Deployment) -> Layout:
    return Layout(deployment.log_dir.parent)


def jpeg(seed: int) -> bytes:
    image = Image.effect_noise((640, 480), 30 + seed).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def send_report(
    client: httpx.Client, photo: bytes, category: str = "sanitation"
) -> tuple[dict[str, str], int]:
    """What the phone's outbox does: the photo, then the report naming it."""
    token = client.post("/api/v1/auth/device", json={}).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    media = client.post(
        "/api/v1/media/",
        headers=auth,
        files={"file": ("photo.jpg", photo, "image/jpeg")},
        data={"clientKey": hashlib.sha256(photo).hexdigest()},
    )
    assert media.status_code == 201, media.text
    body = {
        "clientId": str(uuid.uuid4()),
        "category": category,
        "description": "垃圾堆积",
        "lat": HOME[0],
        "lng": HOME[1],
        "mediaIds": [media.json()["id"]],
    }
    created = client.post("/api/v1/reports/", headers=auth, json=body)
    assert created.status_code == 201, created.text
    return auth, created.json()["id"]


def test_a_report_with_a_photo_goes_through_nginx_to_the_store_and_the_database(
    prod: run.Deployment,
) -> None:
    with httpx.Client(base_url=prod.url, timeout=30) as client:
        auth, report_id = send_report(client, jpeg(1))
        mine = client.get(f"/api/v1/reports/{report_id}", headers=auth).json()
        [photo] = mine["photos"]
        # The reporter's app loads the photo from the site's own origin (its CSP allows no other).
        assert photo["url"].startswith(f"{prod.url}/photos/")
        shown = client.get(photo["url"])
        assert shown.status_code == 200
        assert shown.headers["content-type"] == "image/webp"
        assert Image.open(io.BytesIO(shown.content)).size == (photo["width"], photo["height"])
        # Nobody lists the bucket, and nobody writes to it through the site.
        assert client.get("/photos/").status_code == 404
        assert client.put(photo["url"], content=b"x").status_code == 405

    keys = asyncio.run(stored_keys(prod.database_url, report_id))
    assert len(keys) == 2  # the display size and the thumbnail
    secrets = Secrets.load_or_create(layout_of(prod))
    s3 = seaweedfs.s3_client(prod.s3_endpoint, secrets)
    for key in keys:
        head = s3.head_object(Bucket=seaweedfs.BUCKET, Key=key)
        assert head["ContentType"] == "image/webp"


def test_a_lead_photo_is_served_only_by_its_signed_link(prod: run.Deployment) -> None:
    with httpx.Client(base_url=prod.url, timeout=30) as client:
        auth, report_id = send_report(client, jpeg(2), category="vice_clue")
        [photo] = client.get(f"/api/v1/reports/{report_id}", headers=auth).json()["photos"]
        assert photo["url"].startswith("/media/signed/")
        shown = client.get(photo["url"])
        assert shown.status_code == 200
        assert shown.headers["content-type"] == "image/webp"
        assert shown.headers["cache-control"].startswith("private")
        keys = asyncio.run(stored_keys(prod.database_url, report_id))
        for key in keys:  # its stored name, had anyone learned it, opens nothing
            assert client.get(f"/photos/{key}").status_code == 404


async def stored_keys(dsn: str, case_id: int) -> list[str]:
    """The photo's object keys as the database records them (over TCP, as the app's role)."""
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            "SELECT display_key, thumbnail_key FROM media WHERE case_id = $1", case_id
        )
    finally:
        await conn.close()
    assert row is not None
    return [row["display_key"], row["thumbnail_key"]]


def test_the_app_is_cached_as_a_phone_needs_it(prod: run.Deployment) -> None:
    with httpx.Client(base_url=prod.url, timeout=30) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-cache"
        worker = client.get("/sw.js")
        assert worker.status_code == 200
        assert worker.headers["cache-control"] == "no-store"
        asset = re.search(r"/assets/[\w.-]+\.js", page.text)
        assert asset is not None, page.text
        served = client.get(asset.group(0), headers={"Accept-Encoding": "gzip"})
        assert served.status_code == 200
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert served.headers["content-encoding"] == "gzip"
        schema = client.get("/schema/openapi.json", headers={"Accept-Encoding": "gzip"})
        assert schema.headers["content-encoding"] == "gzip"
        assert schema.json()["info"]["title"] == "gridreport API"


def test_nginx_refuses_a_body_larger_than_a_photo_may_be(prod: run.Deployment) -> None:
    limit = int(nginx.client_max_body(load_settings({})).rstrip("k")) * 1024
    with httpx.Client(base_url=prod.url, timeout=30) as client:
        token = client.post("/api/v1/auth/device", json={}).json()["token"]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"}
        too_big = client.post("/api/v1/media/", headers=headers, content=b"\xff" * (limit + 1))
    # Refused at the door, in the words the app shows for any refusal.
    assert too_big.status_code == 413
    assert too_big.json()["code"] == "request.too_large"
    assert too_big.json()["messageEn"] == "The request body is too large"


def test_request_ids_pass_through_nginx_both_ways(prod: run.Deployment) -> None:
    with httpx.Client(base_url=prod.url, timeout=30) as client:
        given = client.get("/healthz", headers={"X-Request-ID": "phone-7f3a-0001"})
        made = client.get("/healthz")
    assert given.headers["x-request-id"] == "phone-7f3a-0001"
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    wanted = {"phone-7f3a-0001", made.headers["x-request-id"]}
    assert wanted <= logged_request_ids(prod, wanted)


async def test_the_live_feed_through_nginx_is_not_held_back(prod: run.Deployment) -> None:
    async with httpx.AsyncClient(base_url=prod.url, timeout=30) as client:
        headers = await login(client, "demo-dispatcher")
        async with feed(prod.url, headers) as events:
            token = (await client.post("/api/v1/auth/device", json={})).json()["token"]
            body = {
                "clientId": str(uuid.uuid4()),
                "category": "dispute",
                "lat": HOME[0],
                "lng": HOME[1],
            }
            created = await client.post(
                "/api/v1/reports/", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            assert created.status_code == 201, created.text
            # Well before the stream's 15 s keep-alive: a buffering proxy would still hold it.
            event = await next_for(events, created.json()["id"])
    assert event["action"] == "submit"


def test_both_api_processes_serve_behind_nginx(prod: run.Deployment) -> None:
    with httpx.Client(base_url=prod.url, timeout=30) as client:
        for _ in range(20):
            assert client.get("/healthz").status_code == 200
    upstreams = set(
        re.findall(r'"upstream":"([^"]+)"', (prod.log_dir / "nginx-access.log").read_text())
    )
    assert {url.removeprefix("http://") for url in prod.api_urls} <= upstreams


def test_with_no_api_process_left_the_site_says_try_again_later(prod: run.Deployment) -> None:
    layout = layout_of(prod)
    for name in ("api-1", "api-2"):
        assert processes.stop(layout, name, grace_seconds=run.API_STOP_SECONDS) is not None
    with httpx.Client(base_url=prod.url, timeout=30) as client:
        answer = client.get("/api/v1/categories")
    # The phone's outbox keeps the report and tries again; nothing reads as a crash.
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["code"] == "service.unavailable"
    assert answer.json()["message"] == "服务暂时不可用，请稍后重试"


def test_prod_down_stops_everything_and_frees_every_port(prod: run.Deployment) -> None:
    layout = layout_of(prod)
    state = layout.read_state()
    pids = {name: pid for name, pid in run.status(layout.root).items() if pid is not None}
    assert {"nginx", "worker-1", "worker-2", "seaweedfs", "postgres"} <= set(pids)
    everything = [psutil.Process(pid) for pid in pids.values()]
    everything += [child for proc in list(everything) for child in proc.children(recursive=True)]

    report = run.down(layout.root)

    # nginx first (no new requests), the database last.
    stopped = [line.split()[0] for line in report]
    assert stopped == [*run.stop_order([n for n in pids if n != "postgres"]), "postgres"]
    assert stopped[0] == "nginx"
    assert not [proc for proc in everything if proc.is_running() and proc.status() != "zombie"]
    assert postgres_processes(layout.pgdata) == []
    ports = [int(prod.url.rsplit(":", 1)[1]), state["pg_port"], *state["api_ports"]]
    ports += [*state["worker_metrics_ports"], *state["weed_ports"].values()]
    assert [port for port in ports if listening(port)] == []
    assert all(pid is None for pid in run.status(layout.root).values())


def access_log(deployment: run.Deployment) -> list[dict[str, Any]]:
    """nginx's access log: one JSON object a line."""
    text = (deployment.log_dir / "nginx-access.log").read_text()
    return [json.loads(line) for line in text.splitlines()]


def logged_request_ids(
    deployment: run.Deployment, wanted: set[str], within: float = 5.0
) -> set[str]:
    """The request ids in nginx's access log, once `wanted` are there or `within` s have passed.

    nginx writes a request's line after its answer has gone out, so a client can read the answer
    before the line exists.
    """
    deadline = time.monotonic() + within
    while True:
        logged = {line["requestId"] for line in access_log(deployment)}
        if wanted <= logged or time.monotonic() > deadline:
            return logged
        time.sleep(0.05)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
