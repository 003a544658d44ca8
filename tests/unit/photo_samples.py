"""Uploads for the photo pipeline, made in code: phone photos, tricks and damaged files.

Also small readers of the encoded output (JPEG segments, WebP chunks), so tests can say
what a stored rendition carries without trusting the decoder that wrote it.
"""

from __future__ import annotations

import io
import random
import zlib
from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageDraw, PngImagePlugin

RED = (230, 20, 20)
GREY = (128, 128, 128)
ORIENTATION = 0x0112
MAKE = 0x010F
BODY_SERIAL = 0xA431
GPS_IFD = 0x8825
SERIAL = "SERIAL-GR-0042-7781"
MAKER = "PhoneMakerCo"
D50 = (0.9642, 1.0, 0.8249)
# sRGB's red, green and blue colourants, adapted to D50 as ICC profiles store them.
SRGB_COLOURANTS = ((0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141))


def encoded(image: Image.Image, image_format: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, image_format, **params)
    return out.getvalue()


def textured(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """Gradients, noise and shapes: compresses like a photo, not like a flat colour."""
    rng = np.random.default_rng(seed)
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack([x * 200 / width, y * 200 / height, (x + y) * 100 / (width + height)], -1)
    noisy = base + rng.normal(0, 18, (height, width, 3))
    image = Image.fromarray(np.clip(noisy + 30, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        left, top = int(rng.integers(0, width)), int(rng.integers(0, height))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse((left, top, left + width // 4, top + height // 4), fill=colour)
    return image


def marked(size: tuple[int, int]) -> Image.Image:
    """An upright grey picture with a red block in its top-left corner."""
    image = Image.new("RGB", size, GREY)
    image.paste(RED, (0, 0, size[0] // 4, size[1] // 4))
    return image


def as_camera_stores(upright: Image.Image, orientation: int) -> Image.Image:
    """The pixels a camera stores with this EXIF orientation, so that a viewer shows `upright`.

    Written from the EXIF definition (where the stored 0th row and 0th column lie in the
    upright picture), independently of how the pipeline undoes it.
    """
    pixels = np.asarray(upright)
    stored = {
        1: lambda u: u,
        2: lambda u: u[:, ::-1],  # 0th row top, 0th column right
        3: lambda u: u[::-1, ::-1],  # bottom, right
        4: lambda u: u[::-1, :],  # bottom, left
        5: lambda u: u.transpose(1, 0, 2),  # 0th row left, 0th column top
        6: lambda u: np.rot90(u, 1),  # right, top
        7: lambda u: u[::-1, ::-1].transpose(1, 0, 2),  # right, bottom
        8: lambda u: np.rot90(u, -1),  # left, bottom
    }[orientation](pixels)
    return Image.fromarray(np.ascontiguousarray(stored))


def camera_exif(orientation: int = 1) -> bytes:
    """EXIF as a phone writes it: maker, body serial number, GPS position, orientation."""
    exif = Image.Exif()
    exif[MAKE] = MAKER
    exif[BODY_SERIAL] = SERIAL
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (30.0, 16.0, 26.76), 3: "E", 4: (120.0, 9.0, 18.36)}
    return exif.tobytes()


def xmp_packet() -> bytes:
    return (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="30,16.446N"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )


def icc_profile(description: str, colourants: tuple[tuple[float, float, float], ...]) -> bytes:
    """A minimal ICC v2 RGB display profile: the given colourants, gamma 2.2 curves."""
    curve = b"curv" + bytes(4) + (1).to_bytes(4, "big") + round(2.2 * 256).to_bytes(2, "big")
    tags = [(b"desc", _icc_description(description)), (b"wtpt", _icc_xyz(D50))]
    names = (b"rXYZ", b"gXYZ", b"bXYZ")
    tags += [(name, _icc_xyz(xyz)) for name, xyz in zip(names, colourants, strict=True)]
    tags += [(name, curve) for name in (b"rTRC", b"gTRC", b"bTRC")]
    table, blobs = len(tags).to_bytes(4, "big"), b""
    offset = 128 + 4 + 12 * len(tags)
    for name, blob in tags:
        table += name + offset.to_bytes(4, "big") + len(blob).to_bytes(4, "big")
        padded = blob + bytes(-len(blob) % 4)
        blobs, offset = blobs + padded, offset + len(padded)
    header = (
        offset.to_bytes(4, "big") + bytes(4) + bytes.fromhex("02100000") + b"mntrRGB XYZ "
        + bytes(12) + b"acsp" + bytes(28) + _icc_fixed(D50) + bytes(48)
    )  # fmt: skip
    return header + table + blobs


def swapped_primaries_profile() -> bytes:
    """A profile whose red is sRGB's blue and whose blue is sRGB's red."""
    red, green, blue = SRGB_COLOURANTS
    return icc_profile("Swapped primaries test profile", (blue, green, red))


def _icc_fixed(values: tuple[float, ...]) -> bytes:
    return b"".join(round(v * 65536).to_bytes(4, "big", signed=True) for v in values)


def _icc_xyz(xyz: tuple[float, float, float]) -> bytes:
    return b"XYZ " + bytes(4) + _icc_fixed(xyz)


def _icc_description(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    return b"desc" + bytes(4) + len(ascii_text).to_bytes(4, "big") + ascii_text + bytes(8 + 3 + 67)


def png_claiming_size(width: int, height: int, *, bit_depth: int = 1) -> bytes:
    """A tiny, well-formed PNG whose header claims `width` × `height` (pixels never made)."""
    data = bytearray(encoded(Image.new("1", (16, 16)), "PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    data[24] = bit_depth
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    return bytes(data)


def webp_claiming_canvas(width: int, height: int) -> bytes:
    """An extended (VP8X) WebP whose header claims a `width` × `height` canvas."""
    data = bytearray(encoded(Image.new("RGBA", (16, 16), (1, 2, 3, 100)), "WEBP"))
    assert data[12:16] == b"VP8X"
    data[24:30] = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return bytes(data)


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, from SOI up to and including the first SOS."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while True:
        assert data[position] == 0xFF
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")


def without_segments(data: bytes, drop: int) -> bytes:
    """The JPEG with every header segment of marker `drop` removed."""
    out, position = bytearray(data[:2]), 2
    while data[position + 1] != 0xDA:
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if data[position + 1] != drop:
            out += data[position:end]
        position = end
    return bytes(out + data[position:])


def webp_chunks(data: bytes) -> list[bytes]:
    """The four-character names of a WebP's chunks, in order."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    names, position = [], 12
    while position < len(data):
        names.append(data[position : position + 4])
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        position += 8 + size + size % 2
    return names


def mutations(data: bytes, count: int, seed: int) -> Iterator[bytes]:
    """`count` damaged copies of `data`: flipped bytes, cuts, insertions, extreme fields."""
    rng = random.Random(seed)
    kinds = [_flip, _flip, _extreme_field, _cut, _insert, _delete, _duplicate]
    for _ in range(count):
        yield rng.choice(kinds)(bytearray(data), rng)


def _near_header(data: bytearray, rng: random.Random) -> int:
    # Half of the damage lands in the first bytes, where the parsers make their decisions.
    return rng.randrange(min(len(data), 600)) if rng.random() < 0.5 else rng.randrange(len(data))


def _flip(data: bytearray, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 8)):
        data[_near_header(data, rng)] = rng.randrange(256)
    return bytes(data)


def _extreme_field(data: bytearray, rng: random.Random) -> bytes:
    value = rng.choice([b"\x00\x00", b"\xff\xff", b"\x7f\xff\xff\xff", b"\x00\x00\x00\x00"])
    position = _near_header(data, rng)
    data[position : position + len(value)] = value
    return bytes(data)


def _cut(data: bytearray, rng: random.Random) -> bytes:
    return bytes(data[: rng.randrange(len(data))])


def _insert(data: bytearray, rng: random.Random) -> bytes:
    position = _near_header(data, rng)
    data[position:position] = rng.randbytes(rng.randint(1, 64))
    return bytes(data)


def _delete(data: bytearray, rng: random.Random) -> bytes:
    position = _near_header(data, rng)
    del data[position : position + rng.randint(1, 64)]
    return bytes(data)


def _duplicate(data: bytearray, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    piece = data[start : start + rng.randint(1, 256)]
    position = rng.randrange(len(data))
    data[position:position] = piece
    return bytes(data)


def gain_map_xmp(semantic: str) -> bytes:
    """XMP as an Ultra HDR camera writes it: the primary names its gain map, the map its gain."""
    return (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" '
        b'xmlns:Container="http://ns.google.com/photos/1.0/container/" hdrgm:Version="1.0" '
        b'Item:Semantic="' + semantic.encode() + b'"/></rdf:RDF></x:xmpmeta>'
    )


def ultra_hdr(primary: Image.Image, *, gain_map: bytes | None = None) -> bytes:
    """A new phone's camera file: the photo (EXIF with GPS, XMP), then its gain map stored
    after the photo's EOI as a second whole JPEG, declared in the XMP only."""
    photo = encoded(primary, "JPEG", quality=90, exif=camera_exif(), xmp=gain_map_xmp("Primary"))
    if gain_map is None:
        small = (primary.width // 4, primary.height // 4)
        gain_map = encoded(Image.new("L", small, 128), "JPEG", xmp=gain_map_xmp("GainMap"))
    return photo + gain_map


def multi_picture(primary: Image.Image, second: Image.Image) -> bytes:
    """A Multi-Picture (MPF) JPEG: the photo with an APP2 "MPF\\0" index, then a second JPEG."""
    return encoded(primary, "MPO", save_all=True, append_images=[second], exif=camera_exif())


def screenshot_png(image: Image.Image) -> bytes:
    """A phone screenshot: PNG with EXIF, XMP in iTXt, and tEXt and zTXt comments."""
    info = PngImagePlugin.PngInfo()
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 6.0.0"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        'xmlns:exif="http://ns.adobe.com/exif/1.0/"><exif:UserComment>Screenshot'
        f"</exif:UserComment><exif:BodySerialNumber>{SERIAL}</exif:BodySerialNumber>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    info.add_itxt("XML:com.adobe.xmp", xmp)
    info.add_text("Software", MAKER)
    info.add_text("Comment", f"captured on {SERIAL} " * 20, zip=True)
    return encoded(image, "PNG", pnginfo=info, exif=camera_exif())


def png_with_text(image: Image.Image, text: bytes) -> bytes:
    """A PNG whose tEXt chunk says `text`, stored before the pixels, past the file's first KiB."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Description", "a street corner after the rain; " * 64)
    info.add(b"tEXt", b"Comment\x00" + text)
    return encoded(image, "PNG", pnginfo=info)
