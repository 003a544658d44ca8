"""Every kind of photo a phone or a hostile client may send, through the whole HTTP path."""

from __future__ import annotations

import io
from datetime import timedelta

import asyncpg
import numpy as np
import pytest
from PIL import Image

from backend.clock import ManualClock
from backend.media import service as media
from backend.web.context import context_of
from tests.http.conftest import Client
from tests.http.photos import jpeg, multipart_file
from tests.unit import photo_samples as samples

MEDIA = "/api/v1/media/"
RED, GREY = samples.RED, samples.GREY


async def resident(client: Client) -> dict[str, str]:
    token = (await client.post("/api/v1/auth/device", json={})).json()["token"]
    return {"Authorization": f"Bearer {token}"}


async def stored_image(client: Client, data: bytes) -> Image.Image:
    response = await client.post(MEDIA, headers=await resident(client), files=multipart_file(data))
    assert response.status_code == 201, response.text
    served = await client.get(response.json()["url"])
    assert served.status_code == 200
    image = Image.open(io.BytesIO(served.content))
    assert not image.getexif()
    assert not {"exif", "icc_profile", "xmp"} & set(image.info)
    return image.convert("RGB")


def near(actual: tuple[int, ...], expected: tuple[int, ...]) -> bool:
    return max(abs(a - e) for a, e in zip(actual, expected, strict=True)) <= 40


@pytest.mark.parametrize("orientation", range(1, 9))
async def test_every_orientation_is_stored_upright(client: Client, orientation: int) -> None:
    upright = samples.marked((96, 64))
    stored = samples.as_camera_stores(upright, orientation)
    data = samples.encoded(stored, "JPEG", quality=95, exif=samples.camera_exif(orientation))
    image = await stored_image(client, data)
    assert image.size == (96, 64)
    assert near(image.getpixel((6, 4)), RED)  # type: ignore[arg-type]
    assert near(image.getpixel((89, 59)), GREY)  # type: ignore[arg-type]


async def test_cmyk_jpeg_keeps_its_colour(client: Client) -> None:
    cmyk = Image.new("RGB", (64, 48), RED).convert("CMYK")
    image = await stored_image(client, samples.encoded(cmyk, "JPEG", quality=95))
    assert near(image.getpixel((32, 24)), RED)  # type: ignore[arg-type]


async def test_16_bit_png_keeps_its_tone(client: Client) -> None:
    grey16 = Image.fromarray(np.full((48, 64), 32768, dtype=np.uint16))
    image = await stored_image(client, samples.encoded(grey16, "PNG"))
    assert near(image.getpixel((32, 24)), (128, 128, 128))  # type: ignore[arg-type]


@pytest.mark.parametrize("image_format", ["GIF", "WEBP"])
async def test_animated_images_are_refused(client: Client, image_format: str) -> None:
    frames = [Image.new("RGB", (64, 48), colour) for colour in [RED, GREY]]
    data = samples.encoded(frames[0], image_format, save_all=True, append_images=frames[1:])
    response = await client.post(MEDIA, headers=await resident(client), files=multipart_file(data))
    assert response.status_code == 415
    assert response.json()["code"] in {"media.animated", "media.unsupported_type"}


async def test_unattached_photos_are_swept_after_a_day(
    client: Client, clock: ManualClock, demo_database: str
) -> None:
    me = await resident(client)
    kept = (await client.post(MEDIA, headers=me, files=multipart_file(jpeg(seed=1)))).json()
    orphan = (await client.post(MEDIA, headers=me, files=multipart_file(jpeg(seed=2)))).json()
    report = {
        "clientId": "6f1d5a9e-35a4-4d7e-9b0a-4d0f5f3c2b11",
        "category": "sanitation",
        "lat": 30.2741,
        "lng": 120.1551,
        "mediaIds": [kept["id"]],
    }
    assert (await client.post("/api/v1/reports/", json=report, headers=me)).status_code == 201
    ctx = context_of(client.app.state)
    conn = await asyncpg.connect(demo_database)
    try:
        sweep = {"now": clock.now() + timedelta(hours=23), "older_than": timedelta(hours=24)}
        assert await media.sweep_unattached(conn, ctx.require_store(), **sweep) == 0
        sweep["now"] = clock.now() + timedelta(hours=25)
        assert await media.sweep_unattached(conn, ctx.require_store(), **sweep) == 1
        left = {str(r["id"]) for r in await conn.fetch("SELECT id FROM media")}
    finally:
        await conn.close()
    assert left == {kept["id"]}
    assert (await client.get(orphan["url"])).status_code == 404
    assert (await client.get(kept["url"])).status_code == 200
