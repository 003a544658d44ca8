"""Free accounts do not make limits free: new devices, reports and photo uploads are limited
per device and per client address, atomically; photos are capped in pixels and decoded a few
at a time."""

from __future__ import annotations

import asyncio
import io
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncpg
import httpx
import pytest
from PIL import Image, ImageFile

from backend.clock import ManualClock
from backend.media import pipeline, quota
from backend.media import service as media_service
from backend.settings import Settings
from tests.http.concurrent import behind_nginx, concurrent_client, relayed_from
from tests.http.photos import client_key, jpeg, multipart_file

DEVICE = "/api/v1/auth/device"
REPORTS = "/api/v1/reports/"
MEDIA = "/api/v1/media/"
HOME = {"lat": 30.2741, "lng": 120.1551}
CAMPUS, ELSEWHERE = "203.0.113.9", "198.51.100.7"


async def device(client: httpx.AsyncClient, address: str) -> dict[str, str]:
    response = await client.post(DEVICE, json={}, headers=relayed_from(address))
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}", **relayed_from(address)}


def dispute() -> dict[str, Any]:
    """A report of a category that needs no photo."""
    return {"clientId": str(uuid.uuid4()), "category": "dispute", "description": "噪音", **HOME}


async def count(dsn: str, table: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        value: int = await conn.fetchval(f"SELECT count(*) FROM {table}")
        return value
    finally:
        await conn.close()


def assert_throttled(response: httpx.Response, code: str) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == code
    assert response.json()["message"] and response.json()["messageEn"]
    assert 0 < int(response.headers["Retry-After"]) <= 3600


async def test_new_devices_are_limited_per_client_address(
    settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    settings = behind_nginx(settings, devices_per_hour_per_address=3)
    async with concurrent_client(settings, demo_database, clock) as client:
        for _ in range(3):
            await device(client, CAMPUS)
        refused = await client.post(DEVICE, json={}, headers=relayed_from(CAMPUS))
        assert_throttled(refused, "auth.devices_throttled")
        await device(client, ELSEWHERE)  # another network is not affected
        clock.advance(hours=1)
        await device(client, CAMPUS)


async def test_forty_parallel_reports_from_one_device_make_exactly_its_limit(
    settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    settings = behind_nginx(settings, reports_per_hour=20, db_pool_max=45)
    async with concurrent_client(settings, demo_database, clock) as client:
        phone = await device(client, CAMPUS)
        answers = await asyncio.gather(
            *(client.post(REPORTS, json=dispute(), headers=phone) for _ in range(40))
        )
    assert sorted(a.status_code for a in answers) == [201] * 20 + [429] * 20
    for refused in (a for a in answers if a.status_code == 429):
        assert_throttled(refused, "reports.rate_limited")
    assert await count(demo_database, "cases") == 20


async def test_reports_from_one_address_have_a_ceiling_across_devices(
    settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    settings = behind_nginx(settings, reports_per_hour=5, reports_per_hour_per_address=3)
    async with concurrent_client(settings, demo_database, clock) as client:
        first, second = await device(client, CAMPUS), await device(client, CAMPUS)
        for phone in (first, first, second):
            assert (await client.post(REPORTS, json=dispute(), headers=phone)).status_code == 201
        refused = await client.post(REPORTS, json=dispute(), headers=second)
        assert_throttled(refused, "reports.rate_limited")
        assert "network" in refused.json()["messageEn"]
        far = await device(client, ELSEWHERE)
        assert (await client.post(REPORTS, json=dispute(), headers=far)).status_code == 201


async def test_uploads_are_limited_per_device_and_per_address(
    settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    settings = behind_nginx(settings, uploads_per_hour=2, uploads_per_hour_per_address=3)
    async with concurrent_client(settings, demo_database, clock) as client:
        first, second = await device(client, CAMPUS), await device(client, CAMPUS)
        key = client_key()
        sent = [
            await client.post(
                MEDIA, headers=first, files=multipart_file(jpeg(seed=n)), data={"clientKey": k}
            )
            for n, k in enumerate([key, client_key()])
        ]
        assert [s.status_code for s in sent] == [201, 201]
        # A phone re-sending a photo it already uploaded costs nothing.
        again = await client.post(
            MEDIA, headers=first, files=multipart_file(jpeg(seed=0)), data={"clientKey": key}
        )
        assert again.status_code == 201 and again.json()["id"] == sent[0].json()["id"]
        refused = await client.post(MEDIA, headers=first, files=multipart_file(jpeg(seed=3)))
        assert_throttled(refused, "media.rate_limited")
        assert "device" in refused.json()["messageEn"]
        ok = await client.post(MEDIA, headers=second, files=multipart_file(jpeg(seed=4)))
        assert ok.status_code == 201
        network = await client.post(MEDIA, headers=second, files=multipart_file(jpeg(seed=5)))
        assert_throttled(network, "media.rate_limited")
        assert "network" in network.json()["messageEn"]
        far = await device(client, ELSEWHERE)
        assert (
            await client.post(MEDIA, headers=far, files=multipart_file(jpeg(seed=6)))
        ).status_code == 201
    assert await count(demo_database, "media") == 4


async def test_an_upload_its_network_refuses_does_not_count_against_the_device(
    settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    settings = behind_nginx(settings, uploads_per_hour=2, uploads_per_hour_per_address=1)
    async with concurrent_client(settings, demo_database, clock) as client:
        phone = await device(client, CAMPUS)
        sent = await client.post(MEDIA, headers=phone, files=multipart_file(jpeg(seed=0)))
        assert sent.status_code == 201, sent.text
        for seed in (1, 2):
            network = await client.post(MEDIA, headers=phone, files=multipart_file(jpeg(seed=seed)))
            assert_throttled(network, "media.rate_limited")
            assert "network" in network.json()["messageEn"]
        # The same phone on another network still has the upload its campus refused.
        roaming = {**phone, **relayed_from(ELSEWHERE)}
        moved = await client.post(MEDIA, headers=roaming, files=multipart_file(jpeg(seed=3)))
        assert moved.status_code == 201, moved.text
    assert await count(demo_database, "media") == 2


def blank_png(width: int, height: int) -> bytes:
    """A real, fully decodable blank PNG: tiny on the wire, huge once decoded."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


async def test_a_59_megapixel_png_is_refused_before_it_is_decoded(
    settings: Settings, demo_database: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = blank_png(7700, 7700)  # 59.3 megapixels in about 200 KiB
    assert len(data) < 400 * 1024
    decoded: list[str] = []
    load = ImageFile.ImageFile.load

    def watched_load(image: ImageFile.ImageFile) -> Any:
        decoded.append(image.format or "")
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", watched_load)
    async with concurrent_client(behind_nginx(settings), demo_database, clock) as client:
        phone = await device(client, CAMPUS)
        response = await client.post(
            MEDIA, headers=phone, files=multipart_file(data, "big.png", "image/png")
        )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "media.too_many_pixels"
    assert "50" in response.json()["messageEn"] and "50" in response.json()["message"]
    assert decoded == []
    assert await count(demo_database, "media") == 0


async def test_only_so_many_photos_are_decoded_at_once(
    settings: Settings, demo_database: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    submitted: list[object] = []
    arrived: list[int] = []
    release = threading.Event()

    class CountedPool(ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            submitted.append(fn)
            return super().submit(fn, *args, **kwargs)

    def held_decode(data: bytes, limits: pipeline.PhotoLimits) -> pipeline.ProcessedPhoto:
        release.wait(timeout=60)
        return pipeline.process_photo(data, limits)

    take_upload = quota.take_upload

    async def counted_take(*args: Any, **kwargs: Any) -> None:
        await take_upload(*args, **kwargs)
        # From here an upload goes straight to a decode slot, or waits for one.
        arrived.append(1)

    monkeypatch.setattr("backend.app.ThreadPoolExecutor", CountedPool)
    monkeypatch.setattr(media_service, "process_photo", held_decode)
    monkeypatch.setattr(media_service, "take_upload", counted_take)
    settings = behind_nginx(settings, photo_decodes_at_once=1)
    async with concurrent_client(settings, demo_database, clock) as client:
        phones = [await device(client, CAMPUS) for _ in range(4)]
        uploads = [
            asyncio.create_task(
                client.post(MEDIA, headers=phone, files=multipart_file(jpeg(seed=n)))
            )
            for n, phone in enumerate(phones)
        ]
        try:
            while len(arrived) < len(uploads):
                assert not any(task.done() for task in uploads)
                await asyncio.sleep(0.01)
            started_at_once = len(submitted)
        finally:
            release.set()
        answers = await asyncio.gather(*uploads)
    assert started_at_once == 1
    assert [a.status_code for a in answers] == [201] * 4
    assert len(submitted) == 4
