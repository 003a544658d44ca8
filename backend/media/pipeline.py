"""Photo uploads in, stored renditions out (照片处理): checked by content, upright, stripped.

Pure CPU work on bytes, no I/O. An upload is refused as early as possible: by its length,
then by its bytes (type, polyglot), then by the pixel size in its header, all before any
pixel is decoded. A JPEG is decoded only as large as the display size needs. Renditions
are encoded from pixels alone, so nothing of the phone (EXIF with GPS, serial numbers and
maker notes, XMP, ICC profile, comments, embedded thumbnails) reaches storage.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final, Literal

from PIL import Image, ImageFile

from backend.media import refusals
from backend.media.pixels import (
    as_srgb,
    exif_orientation,
    fit_within,
    resizable,
    resized,
    upright,
    upright_size,
)
from backend.media.sniff import ImageKind, refuse_polyglot, sniff, webp_canvas_size

__all__ = ["PhotoLimits", "ProcessedPhoto", "Rendition", "process_photo", "sniff"]

_PILLOW_FORMATS: Final = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
_OUTPUTS: Final = {"webp": ("image/webp", "webp"), "jpeg": ("image/jpeg", "jpg")}
# libwebp's own default effort. A photo is encoded once and fetched many times, often over a
# grid worker's weak 3G, so the smaller file is worth more than the ~60 ms per upload that a
# lower effort would save.
_WEBP_METHOD: Final = 4


@dataclass(frozen=True, slots=True)
class PhotoLimits:
    """What an upload may be, and how its renditions are made."""

    max_bytes: int = 15 * 1024 * 1024
    # Refused from the header, before decoding (decompression bombs); a phone photo is <= 50 MP.
    max_pixels: int = 50_000_000
    max_aspect: float = 10.0  # long edge / short edge
    min_edge: int = 16
    display_edge: int = 1600
    thumbnail_edge: int = 320
    output_format: Literal["webp", "jpeg"] = "webp"
    quality: int = 80


@dataclass(frozen=True, slots=True)
class Rendition:
    """One image to store: its encoded bytes, pixel size, type and content hash."""

    data: bytes
    width: int
    height: int
    content_type: str
    extension: str
    sha256: str  # hex digest of data


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    """An accepted photo's display image (展示图) and thumbnail (缩略图), and what was sent."""

    display: Rendition
    thumbnail: Rendition
    source_type: ImageKind
    source_width: int  # upright, as the photo was seen when taken
    source_height: int


def process_photo(data: bytes, limits: PhotoLimits = PhotoLimits()) -> ProcessedPhoto:
    """Check an upload and re-encode it, upright and stripped, as display image and thumbnail."""
    if len(data) > limits.max_bytes:
        raise refusals.too_large(limits.max_bytes)
    kind = sniff(data)
    refuse_polyglot(data, kind)
    display, (source_width, source_height) = _display_pixels(data, kind, limits)
    # From the display image, not the original: a fraction of the work, the same result.
    thumbnail = resized(display, fit_within(display.size, limits.thumbnail_edge))
    return ProcessedPhoto(
        display=_rendition(display, limits),
        thumbnail=_rendition(thumbnail, limits),
        source_type=kind,
        source_width=source_width,
        source_height=source_height,
    )


def _display_pixels(
    data: bytes, kind: ImageKind, limits: PhotoLimits
) -> tuple[Image.Image, tuple[int, int]]:
    """The photo at display size, upright, in sRGB; and the upload's own upright size."""
    if kind == "webp":
        # libwebp allocates the whole canvas as soon as the file is opened.
        _check_shape(webp_canvas_size(data), limits)
    source = _opened(data, kind, limits)
    _check_shape(source.size, limits)
    # A multi-picture JPEG (MPO) also counts frames, but its first frame is the photo.
    if kind != "jpeg" and getattr(source, "is_animated", False):
        raise refusals.animated()
    size, target = source.size, fit_within(source.size, limits.display_edge)
    _decode(source, target, limits)
    orientation = exif_orientation(source)
    display = as_srgb(resized(resizable(source), target), source.info.get("icc_profile"))
    display = upright(display, orientation)
    display.info = {}  # nothing read from the upload travels further, even by accident
    return display, upright_size(size, orientation)


def _check_shape(size: tuple[int, int] | None, limits: PhotoLimits) -> None:
    """Refuse by the header's pixel size alone: too many pixels, too small, too narrow."""
    if size is None:
        raise refusals.corrupt()
    width, height = size
    if width * height > limits.max_pixels:
        raise refusals.too_many_pixels(limits.max_pixels)
    if min(width, height) < limits.min_edge:
        raise refusals.too_small(limits.min_edge)
    if max(width, height) > limits.max_aspect * min(width, height):
        raise refusals.bad_aspect(limits.max_aspect)


def _opened(data: bytes, kind: ImageKind, limits: PhotoLimits) -> ImageFile.ImageFile:
    """The image with its header read and no pixel decoded yet."""
    with _pillow_failures_refused(limits):
        return Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]])


def _decode(source: ImageFile.ImageFile, target: tuple[int, int], limits: PhotoLimits) -> None:
    with _pillow_failures_refused(limits):
        if source.format in {"JPEG", "MPO"}:
            # DCT scaling: libjpeg decodes straight at 1/2, 1/4 or 1/8 size, never below
            # the target, so a 12-megapixel photo is never decoded whole for a 1600 px view.
            source.draft("RGB", target)
        source.load()


@contextmanager
def _pillow_failures_refused(limits: PhotoLimits) -> Iterator[None]:
    """Pillow's failures on bad input, as the refusal a resident can act on."""
    try:
        yield
    except MemoryError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own bomb guard (its warning too, where warnings are errors) means the
        # same as ours: too many pixels.
        raise refusals.too_many_pixels(limits.max_pixels) from error
    except Exception as error:
        # Pillow's parsers report malformed input as OSError, SyntaxError, ValueError,
        # EOFError, struct.error, IndexError and more; to the sender they all mean one thing.
        raise refusals.corrupt() from error


def _rendition(image: Image.Image, limits: PhotoLimits) -> Rendition:
    data = _encoded(image, limits)
    content_type, extension = _OUTPUTS[limits.output_format]
    sha256 = hashlib.sha256(data).hexdigest()
    return Rendition(data, image.width, image.height, content_type, extension, sha256)


def _encoded(image: Image.Image, limits: PhotoLimits) -> bytes:
    """The pixels alone: every metadata argument is given, and given empty."""
    out = io.BytesIO()
    if limits.output_format == "webp":
        image.save(
            out,
            "WEBP",
            quality=limits.quality,
            method=_WEBP_METHOD,
            exif=b"",
            xmp=b"",
            icc_profile=b"",
        )
    else:
        image.save(
            out,
            "JPEG",
            quality=limits.quality,
            optimize=True,
            exif=b"",
            xmp=b"",
            icc_profile=b"",
            comment=b"",
        )
    return out.getvalue()
