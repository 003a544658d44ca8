"""Every kind of photo a phone or a hostile client may send, through the whole HTTP path."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
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


async def stored_bytes(client: Client, data: bytes) -> bytes:
    response = await client.post(MEDIA, headers=await resident(client), files=multipart_file(data))
    assert response.status_code == 201, response.text
    served = await client.get(response.json()["url"])
    assert served.status_code == 200
    return served.content


def assert_nothing_of_the_phone(stored: bytes) -> Image.Image:
    for trace in (samples.SERIAL, samples.MAKER, "Screenshot", "hdrgm", "xmpmeta", "Exif\0\0"):
        assert trace.encode() not in stored, trace
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif()
    assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"} & set(image.info)
    return image.convert("RGB")


PHONE_FILES = {
    "screenshot png (iTXt XMP, tEXt, zTXt, eXIf)": samples.screenshot_png,
    "ultra hdr jpeg (gain map after the photo)": samples.ultra_hdr,
    "multi-picture jpeg (APP2 MPF, second jpeg)": lambda image: samples.multi_picture(
        image, samples.textured((200, 150))
    ),
}


@pytest.mark.parametrize("make", PHONE_FILES.values(), ids=PHONE_FILES.keys())
async def test_ordinary_phone_files_are_stored_as_their_first_picture_alone(
    client: Client, make: Callable[[Image.Image], bytes]
) -> None:
    stored = await stored_bytes(client, make(samples.marked((400, 300))))
    image = assert_nothing_of_the_phone(stored)
    assert image.size == (400, 300)
    assert near(image.getpixel((6, 4)), RED)  # type: ignore[arg-type]
    assert near(image.getpixel((390, 290)), GREY)  # type: ignore[arg-type]


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", "<html><script>alert(1)</script></html>")
    return out.getvalue()


HIDING_FILES = {
    "png + html": lambda: (
        samples.screenshot_png(samples.textured((400, 300)))
        + b"<html><script>alert(1)</script></html>"
    ),
    "png + zip": lambda: samples.screenshot_png(samples.textured((400, 300))) + zip_archive(),
    "png with a page in its text": lambda: samples.png_with_text(
        samples.textured((400, 300)), b"<script>alert(1)</script>"
    ),
    "jpeg + html": lambda: jpeg() + b"<!DOCTYPE html><script>alert(1)</script>",
    "ultra hdr + zip": lambda: samples.ultra_hdr(samples.textured((400, 300))) + zip_archive(),
    "jpeg + jpeg carrying a zip": lambda: (
        jpeg() + samples.encoded(samples.textured((200, 150)), "JPEG", xmp=zip_archive())
    ),
}


@pytest.mark.parametrize("make", HIDING_FILES.values(), ids=HIDING_FILES.keys())
async def test_pages_and_archives_hidden_in_photos_are_still_refused(
    client: Client, make: Callable[[], bytes]
) -> None:
    response = await client.post(
        MEDIA, headers=await resident(client), files=multipart_file(make())
    )
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "media.polyglot"
    assert response.json()["message"] and response.json()["messageEn"]
