"""The object store goes down: uploads answer 503 with Retry-After and nothing is recorded as
stored; the photos sent before are still there, and uploads work again once it is back."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.reliability.apis import api_processes, s3_env
from tests.reliability.phones import CENTRE, media_keys, photo_bytes, stored_keys
from tests.seaweedfs import (
    BUCKET,
    COMPONENTS,
    HOST,
    S3Server,
    _free_port_pairs,
    _start_weed,
    _stop_weed,
    _wait_until_ready,
    _write_s3_config,
)
from tests.servers import Server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

UPLOADS_DURING_OUTAGE = 5


class OwnSeaweedFS:
    """A SeaweedFS this test may stop and start again on the same ports and data."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.ports = dict(zip(COMPONENTS, _free_port_pairs(len(COMPONENTS)), strict=True))
        self.server = S3Server(
            endpoint_url=f"http://{HOST}:{self.ports['s3']}",
            access_key_id=secrets.token_hex(8),
            secret_access_key=secrets.token_hex(16),
        )
        self.config = _write_s3_config(workdir, self.server)
        self.process = _start_weed(workdir, self.config, self.ports)
        self._wait()

    def _wait(self) -> None:
        _wait_until_ready(self.server, self.process, self.workdir / "weed.log")

    def stop(self) -> None:
        _stop_weed(self.process, list(self.ports.values()))

    def start(self) -> None:
        self.process = _start_weed(self.workdir, self.config, self.ports)
        self._wait()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OwnSeaweedFS]:
    workdir = tmp_path / "seaweedfs"
    workdir.mkdir()
    own = OwnSeaweedFS(workdir)
    try:
        own.server.client().create_bucket(Bucket=BUCKET)
        yield own
    finally:
        own.stop()


@pytest.fixture
def api(demo_database: str, store: OwnSeaweedFS, tmp_path: Path) -> Iterator[Server]:
    env = {"DATABASE_URL": demo_database, **s3_env(store.server)}
    with api_processes(1, tmp_path / "var", env) as (server,):
        yield server


@pytest.fixture
async def phone(api: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.base, timeout=60) as client:
        token = (await client.post("/api/v1/auth/device", json={})).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


async def upload(phone: httpx.AsyncClient, n: int, key: str) -> httpx.Response:
    files = {"file": ("photo.jpg", photo_bytes(n), "image/jpeg")}
    return await phone.post("/api/v1/media/", files=files, data={"clientKey": key})


async def report(phone: httpx.AsyncClient, media_id: str) -> dict[str, Any]:
    body = {
        "clientId": str(uuid.uuid4()),
        "category": "sanitation",
        "lat": CENTRE[0],
        "lng": CENTRE[1],
        "mediaIds": [media_id],
    }
    response = await phone.post("/api/v1/reports/", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_uploads_wait_for_the_store_and_nothing_points_at_a_missing_photo(
    store: OwnSeaweedFS, phone: httpx.AsyncClient, demo_database: str
) -> None:
    before = await upload(phone, 0, uuid.uuid4().hex * 2)
    assert before.status_code == 201, before.text
    earlier = await report(phone, before.json()["id"])
    recorded = await media_keys(demo_database)

    store.stop()
    keys = [uuid.uuid4().hex * 2 for _ in range(UPLOADS_DURING_OUTAGE)]
    for n, key in enumerate(keys, start=1):
        refused = await upload(phone, n, key)
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.json()["code"] == "media.store_unavailable"
        assert refused.json()["message"] and refused.json()["messageEn"]
    assert await media_keys(demo_database) == recorded
    # What was sent before the outage is still there to read.
    mine = await phone.get(f"/api/v1/reports/{earlier['id']}")
    assert mine.status_code == 200
    assert [p["id"] for p in mine.json()["photos"]] == [before.json()["id"]]

    store.start()
    for n, key in enumerate(keys, start=1):
        again = await upload(phone, n, key)  # the phone's outbox sends the same photo again
        assert again.status_code == 201, again.text
    await report(phone, again.json()["id"])
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(before.json()["url"])).status_code == 200
    assert await media_keys(demo_database) <= stored_keys(store.server)
