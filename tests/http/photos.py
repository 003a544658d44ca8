"""Photos as phones send them, made in code: real JPEGs with EXIF, and the bad inputs."""

from __future__ import annotations

import io
import uuid

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(width: int = 1200, height: int = 900, *, gps: bool = True, seed: int = 0) -> bytes:
    """A JPEG with a camera's EXIF: GPS position, make, serial number, orientation 1."""
    image = Image.new("RGB", (width, height), (40 + seed % 200, 120, 200))
    image.paste((230, 30, 30), (0, 0, width // 4, height // 4))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0xA431] = "SERIAL-123456789"  # BodySerialNumber
    exif[ORIENTATION] = 1
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (30.0, 16.0, 26.76), 3: "E", 4: (120.0, 9.0, 18.36)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


def multipart_file(
    data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"
) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, data, content_type)}


def client_key() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex[:8]
