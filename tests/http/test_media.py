"""Photo uploads over HTTP: what is stored reveals nothing, and bad files leave nothing."""

from __future__ import annotations

import io
import socket
import uuid
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from backend.app import create_app
from backend.clock import ManualClock
from backend.settings import Settings
from media_store import S3Store
from tests.http.conftest import Client, Login
from tests.http.photos import client_key, jpeg, multipart_file
from tests.seaweedfs import S3Server

MEDIA = "/api/v1/media/"


async def resident(client: Client) -> dict[str, str]:
    token = (await client.post("/api/v1/auth/device", json={})).json()["token"]
    return {"Authorization": f"Bearer {token}"}


async def media_rows(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        value: int = await conn.fetchval("SELECT count(*) FROM media")
        return value
    finally:
        await conn.close()


def stored_files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "media").rglob("*") if p.is_file()]


def huge_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG whose header claims 30,000 × 30,000 pixels (a decompression bomb)."""
    out = io.BytesIO()
    Image.new("1", (8, 8)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = 16  # signature (8) + length (4) + b"IHDR" (4)
    data[ihdr : ihdr + 8] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    crc = zlib.crc32(bytes(data[12 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = crc.to_bytes(4, "big")
    return bytes(data)


async def test_uploaded_photo_is_re_encoded_without_any_metadata(client: Client) -> None:
    me = await resident(client)
    original = jpeg(4000, 3000)
    response = await client.post(MEDIA, headers=me, files=multipart_file(original))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["width"], body["height"]) == (1600, 1200)
    served = await client.get(body["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == body["contentType"]
    assert "immutable" in served.headers["cache-control"]
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline")
    stored = Image.open(io.BytesIO(served.content))
    assert stored.size == (1600, 1200)
    assert not stored.getexif()
    assert "exif" not in stored.info
    for secret in [b"SERIAL-123456789", b"PhoneMaker", b"Exif"]:
        assert secret not in served.content
    thumb = Image.open(io.BytesIO((await client.get(body["thumbnailUrl"])).content))
    assert max(thumb.size) == 320


async def test_the_same_client_key_returns_the_same_photo(
    client: Client, demo_database: str
) -> None:
    me = await resident(client)
    key = client_key()
    first = await client.post(
        MEDIA, headers=me, files=multipart_file(jpeg()), data={"clientKey": key}
    )
    again = await client.post(
        MEDIA, headers=me, files=multipart_file(jpeg()), data={"clientKey": key}
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert await media_rows(demo_database) == 1


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("zero bytes", b"", 415),
        ("truncated jpeg", jpeg()[:2000], 422),
        ("30000 x 30000 png", huge_png(), 422),
        (
            "svg with a script",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            415,
        ),
        ("html renamed .jpg", b"<!doctype html><html><body>hi</body></html>", 415),
        ("pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", 415),
        ("jpeg with html appended", jpeg() + b"<html><script>alert(1)</script></html>", 415),
    ],
)
async def test_bad_files_are_refused_and_leave_nothing(
    client: Client, demo_database: str, settings_dir: Path, name: str, data: bytes, status: int
) -> None:
    me = await resident(client)
    response = await client.post(MEDIA, headers=me, files=multipart_file(data, "photo.jpg"))
    assert response.status_code == status, (name, response.text)
    assert response.json()["code"].startswith("media.")
    assert response.json()["message"] and response.json()["messageEn"]
    assert await media_rows(demo_database) == 0
    assert stored_files(settings_dir) == []


async def test_wrong_forms_are_400(client: Client) -> None:
    me = await resident(client)
    wrong_field = await client.post(
        MEDIA, headers=me, files={"image": ("a.jpg", jpeg(), "image/jpeg")}
    )
    assert wrong_field.status_code == 400
    assert "image" in wrong_field.json()["fields"]
    no_file = await client.post(MEDIA, headers=me, data={"purpose": "report"})
    assert no_file.status_code == 400
    bad_purpose = await client.post(
        MEDIA, headers=me, files=multipart_file(jpeg()), data={"purpose": "selfie"}
    )
    assert bad_purpose.status_code == 400
    bad_key = await client.post(
        MEDIA, headers=me, files=multipart_file(jpeg()), data={"clientKey": "../../etc"}
    )
    assert bad_key.status_code == 400
    as_json = await client.post(MEDIA, headers=me, json={"file": "x"})
    assert as_json.status_code == 400
    assert (await client.post(MEDIA, files=multipart_file(jpeg()))).status_code == 401


async def test_a_declared_200_mb_body_is_refused_at_once(client: Client) -> None:
    me = await resident(client)
    response = await client.post(
        MEDIA,
        headers={
            **me,
            "content-type": "multipart/form-data; boundary=xyz",
            "content-length": str(200 * 1024 * 1024),
        },
        content=b"--xyz--",
    )
    assert response.status_code == 413


async def test_media_paths_cannot_escape(client: Client) -> None:
    for path in [
        "/media/..%2F..%2Fetc%2Fpasswd",
        "/media/../README.md",
        "/media/x.svg",
        "/media/" + "0" * 64 + ".jpg",
        "/media/",
    ]:
        response = await client.get(path)
        assert response.status_code == 404, path


async def test_staff_upload_after_photos_too(client: Client, login: Login) -> None:
    worker = await login("demo-worker")
    response = await client.post(
        MEDIA, headers=worker, files=multipart_file(jpeg()), data={"purpose": "resolution"}
    )
    assert response.status_code == 201


@pytest.fixture
async def s3_client(
    settings: Settings, demo_database: str, clock: ManualClock, seaweedfs: S3Server
) -> AsyncIterator[Client]:
    """A client of an app that keeps its photos in SeaweedFS over S3."""
    app = create_app(settings, dsn=demo_database, clock=clock, store=seaweedfs.store())
    async with AsyncTestClient(app=app) as client:
        yield client


@pytest.mark.slow
async def test_photos_in_s3_are_served_by_presigned_urls(s3_client: Client) -> None:
    me = await resident(s3_client)
    response = await s3_client.post(MEDIA, headers=me, files=multipart_file(jpeg(2000, 1500)))
    assert response.status_code == 201, response.text
    body = response.json()
    assert "X-Amz-Signature" in body["url"]
    async with httpx.AsyncClient() as browser:
        fetched = await browser.get(body["url"])
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == body["contentType"]
    stored = Image.open(io.BytesIO(fetched.content))
    assert stored.size == (1600, 1200)
    assert not stored.getexif()
    assert b"SERIAL-123456789" not in fetched.content
    report = {
        "clientId": str(uuid.uuid4()),
        "category": "sanitation",
        "lat": 30.2741,
        "lng": 120.1551,
        "mediaIds": [body["id"]],
    }
    created = await s3_client.post("/api/v1/reports/", json=report, headers=me)
    assert created.status_code == 201
    mine = await s3_client.get(f"/api/v1/reports/{created.json()['id']}", headers=me)
    async with httpx.AsyncClient() as browser:
        thumbnail = await browser.get(mine.json()["photos"][0]["thumbnailUrl"])
    assert thumbnail.status_code == 200


async def test_a_store_that_is_down_answers_503_and_records_nothing(
    settings: Settings, demo_database: str, clock: ManualClock
) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    dead = S3Store(
        bucket="photos",
        endpoint_url=f"http://127.0.0.1:{port}",
        access_key_id="k",
        secret_access_key="s",
    )
    app = create_app(settings, dsn=demo_database, clock=clock, store=dead)
    async with AsyncTestClient(app=app) as client:
        me = await resident(client)
        response = await client.post(MEDIA, headers=me, files=multipart_file(jpeg()))
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["code"] == "media.store_unavailable"
    assert await media_rows(demo_database) == 0
