"""What an upload is, decided from its bytes alone, and whether it is only that.

A name or a Content-Type header is whatever the sender says; the magic number at the start
of the bytes is what a decoder will act on. A polyglot is a file that is a valid photo and
also something else (an HTML page, a script, a ZIP archive) to another program: it is
refused even though the photo part would decode.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from backend.media import refusals

ImageKind = Literal["jpeg", "png", "webp"]

_JPEG_MAGIC: Final = b"\xff\xd8\xff"
_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"

_MARKUP: Final = (b"<script", b"<html", b"<svg", b"<?php", b"<!doctype")
# Signatures that archive readers look for: ZIP (local header, end of directory), RAR, 7z.
_ARCHIVES: Final = (b"PK\x03\x04", b"PK\x05\x06", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c")
_EDGE_BYTES: Final = 1024

# Some cameras pad a file after its last EOI with zeros or 0xFF; padding carries nothing.
_JPEG_PADDING: Final = re.compile(rb"[\x00\xff]*")
_MAX_JPEG_PADDING: Final = 64 * 1024
_JPEG_EOI: Final = 0xD9
_JPEG_STANDALONE: Final = frozenset({0x01, 0xD8})  # TEM and SOI carry no length field
# The next marker: 0xFF then anything but 0x00 (a stuffed byte in entropy-coded data),
# 0xFF (fill) or RSTn (restart markers inside a scan). Skipping to it also skips the
# entropy-coded data of a scan, and junk between segments as libjpeg and Pillow do.
_JPEG_MARKER: Final = re.compile(rb"\xff[^\x00\xff\xd0-\xd7]")
# Segments that carry metadata rather than pixels: APP0 … APP15 and COM.
_JPEG_METADATA: Final = frozenset({*range(0xE0, 0xF0), 0xFE})
# PNG chunks whose text is stored as it is (zTXt and compressed iTXt are not read as text).
_PNG_TEXT: Final = frozenset({b"tEXt", b"iTXt"})


def sniff(data: bytes) -> ImageKind:
    """The image format by its magic number; anything but JPEG, PNG or WebP is refused."""
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    raise refusals.unsupported_type()


def refuse_polyglot(data: bytes, kind: ImageKind) -> None:
    """Refuse bytes that ride after the image's end, or markup at either edge of the file."""
    if _carries_markup(data):
        raise refusals.polyglot()
    end = _image_end(data, kind)
    if end is None:
        raise refusals.corrupt()
    if end < len(data) and not (kind == "jpeg" and _is_padding(data, end)):
        raise refusals.polyglot()


def webp_canvas_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a WebP's first chunk (VP8X, VP8 or VP8L), None if unreadable."""
    chunk, body = data[12:16], data[20:30]
    if chunk == b"VP8X" and len(body) == 10:
        return 1 + int.from_bytes(body[4:7], "little"), 1 + int.from_bytes(body[7:10], "little")
    if chunk == b"VP8 " and len(body) == 10 and body[3:6] == b"\x9d\x01\x2a":
        width = int.from_bytes(body[6:8], "little") & 0x3FFF
        return width, int.from_bytes(body[8:10], "little") & 0x3FFF
    if chunk == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    return None


def _carries_markup(data: bytes) -> bool:
    # The newline keeps a marker from being formed across the join of the two edges.
    edges = (data[:_EDGE_BYTES] + b"\n" + data[-_EDGE_BYTES:]).lower()
    return any(marker in edges for marker in _MARKUP)


def _names_page_or_archive(metadata: bytes) -> bool:
    """Whether text a decoder drops holds a page, a script or an archive's signature."""
    lowered = metadata.lower()
    return any(m in lowered for m in _MARKUP) or any(a in metadata for a in _ARCHIVES)


def _is_padding(data: bytes, start: int) -> bool:
    rest = len(data) - start
    return rest <= _MAX_JPEG_PADDING and _JPEG_PADDING.fullmatch(data, start) is not None


def _image_end(data: bytes, kind: ImageKind) -> int | None:
    """Offset just past the image by its own structure; None when the image is cut short."""
    if kind == "jpeg":
        return _jpeg_images_end(data)
    if kind == "png":
        return _png_end(data)
    declared = 8 + int.from_bytes(data[4:8], "little")  # the RIFF size counts from byte 8
    return declared if declared <= len(data) else None


def _jpeg_images_end(data: bytes) -> int | None:
    """End of the last of the JPEG streams stored one after another from the start.

    Most phones store further images after the photo's EOI, each a whole JPEG stream: a
    Multi-Picture (MPF) camera's depth map or second lens, an Ultra HDR or Apple gain map
    (declared in an APP2 MPF segment, or only in the XMP). They are dropped with the rest of
    the upload, as long as their metadata carries no page, script or archive: such a stream,
    and anything else after the EOI, is where this ends.
    """
    end, _ = _jpeg_stream(data, 0)
    if end is None:
        return None
    while (following := _next_jpeg_stream(data, end)) is not None:
        following_end, metadata = _jpeg_stream(data, following)
        # A cut-short appended stream is trailing bytes, not damage to the photo.
        if following_end is None or any(_names_page_or_archive(m) for m in metadata):
            return end
        end = following_end
    return end


def _next_jpeg_stream(data: bytes, end: int) -> int | None:
    match = _JPEG_PADDING.match(data, end)
    after = match.end() if match else end
    # The padding pattern also swallows the 0xFF that opens an SOI marker.
    if after > end and data[after - 1 : after + 2] == _JPEG_MAGIC:
        return after - 1
    return None


def _jpeg_stream(data: bytes, start: int) -> tuple[int | None, list[bytes]]:
    """Offset just past the EOI of the JPEG stream whose SOI is at `start` (None when it is
    cut short), and the payloads of its metadata segments."""
    position = start + 2
    metadata: list[bytes] = []
    while (found := _JPEG_MARKER.search(data, position)) is not None:
        marker, position = data[found.start() + 1], found.end()
        if marker == _JPEG_EOI:
            return position, metadata
        if marker not in _JPEG_STANDALONE:
            if position + 2 > len(data):
                return None, metadata
            # A segment (APPn with EXIF and its embedded thumbnail, DQT, SOS header …) is
            # stepped over whole by its length, so markers inside it are never mistaken.
            length = int.from_bytes(data[position : position + 2], "big")
            if marker in _JPEG_METADATA:
                metadata.append(data[position + 2 : position + length])
            position += length
    return None, metadata


def _png_end(data: bytes) -> int | None:
    """Offset just past IEND; text chunks (a screenshot's XMP, a comment) are read on the way
    and may say anything but a page, a script or an archive."""
    position = len(_PNG_MAGIC)
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if chunk_type in _PNG_TEXT and _names_page_or_archive(body):
            raise refusals.polyglot()
        position += 12 + length  # length, type, data, CRC
        if chunk_type == b"IEND":
            return position if position <= len(data) else None
    return None
