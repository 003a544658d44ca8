"""Milliseconds per 12-megapixel phone photo: process_photo against a naive Pillow pipeline.

The upload is a 4000 × 3000 JPEG with photographic texture (gradients, noise, shapes) and
a phone's EXIF: GPS position, serial number, orientation 6. The baseline is the obvious
Pillow code: decode in full, `ImageOps.exif_transpose`, LANCZOS to a 1600 px long edge,
`thumbnail` to 320 px from that display image, and save both in the same format and
quality as ours (Pillow's defaults otherwise, which for WebP is libwebp's method 4, the
effort ours uses too). Both run on the same bytes, interleaved, and must give renditions
of the same pixel size. Run:
    .venv/bin/python bench/photos.py
"""

from __future__ import annotations

import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# The repo root instead of bench/, whose queue.py would hide the standard library's queue.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import numpy as np
from PIL import Image, ImageDraw, ImageOps

from backend.media.pipeline import PhotoLimits, process_photo

WIDTH, HEIGHT = 4000, 3000
ROUNDS = 9
LIMITS = PhotoLimits()
PILLOW_FORMAT = {"webp": "WEBP", "jpeg": "JPEG"}[LIMITS.output_format]

Renditions = tuple[bytes, tuple[int, int], bytes, tuple[int, int]]


def phone_photo(rng: np.random.Generator) -> bytes:
    """A 12-megapixel JPEG that compresses like a photo, with a phone's EXIF."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    channels = [
        128 + 100 * np.sin(x / 300) * np.cos(y / 500),
        100 + 80 * np.cos((x + y) / 400),
        90 + 60 * np.sin(x / 170 + y / 230),
    ]
    pixels = np.stack(channels, -1) + rng.normal(0, 12, (HEIGHT, WIDTH, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(300):
        left, top, size = (int(v) for v in rng.integers((0, 0, 20), (WIDTH, HEIGHT, 400)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse((left, top, left + size, top + size * 0.7), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=_phone_exif())
    return out.getvalue()


def _phone_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMakerCo"  # Make
    exif[0xA431] = "SERIAL-GR-0042-7781"  # BodySerialNumber
    exif[0x0112] = 6  # Orientation: the phone was held upright
    exif[0x8825] = {1: "N", 2: (30.0, 16.0, 26.76), 3: "E", 4: (120.0, 9.0, 18.36)}  # GPS
    return exif.tobytes()


def naive(data: bytes) -> Renditions:
    """The baseline: full decode, transpose, LANCZOS, thumbnail, save."""
    image: Image.Image = Image.open(io.BytesIO(data))
    image.load()
    image = ImageOps.exif_transpose(image)
    scale = LIMITS.display_edge / max(image.size)
    size = (round(image.width * scale), round(image.height * scale))
    display = image.resize(size, Image.Resampling.LANCZOS)
    thumbnail = display.copy()
    thumbnail.thumbnail((LIMITS.thumbnail_edge, LIMITS.thumbnail_edge), Image.Resampling.LANCZOS)
    return _saved(display), display.size, _saved(thumbnail), thumbnail.size


def _saved(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, PILLOW_FORMAT, quality=LIMITS.quality)
    return out.getvalue()


def ours(data: bytes) -> Renditions:
    photo = process_photo(data, LIMITS)
    display, thumbnail = photo.display, photo.thumbnail
    display_size, thumbnail_size = (
        (display.width, display.height),
        (thumbnail.width, thumbnail.height),
    )
    return display.data, display_size, thumbnail.data, thumbnail_size


def interleaved_medians(runs: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median milliseconds of each run, taking turns so all see the same machine."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def reencoding(renditions: Renditions) -> Callable[[], object]:
    """Encoding the baseline's two renditions again: the work both pipelines share."""
    display, thumbnail = (
        Image.open(io.BytesIO(renditions[0])),
        Image.open(io.BytesIO(renditions[2])),
    )
    display.load()
    thumbnail.load()
    return lambda: (_saved(display), _saved(thumbnail))


def psnr(first: bytes, second: bytes) -> float:
    """How close two encoded images' pixels are, in dB (higher is closer; 40+ looks alike)."""
    a, b = (
        np.asarray(Image.open(io.BytesIO(d)).convert("RGB"), np.float64) for d in (first, second)
    )
    mse = float(np.mean((a - b) ** 2))
    return 10 * float(np.log10(255**2 / mse)) if mse else float("inf")


def report(data: bytes, our: Renditions, base: Renditions, ms: dict[str, float]) -> None:
    pipeline_ratio = (ms["baseline"] - ms["encode"]) / (ms["ours"] - ms["encode"])
    print(f"upload: {WIDTH}×{HEIGHT} JPEG, {len(data) / 1e6:.2f} MB, EXIF orientation 6 + GPS")
    print(f"renditions: display {our[1]}, thumbnail {our[3]}, {PILLOW_FORMAT} q{LIMITS.quality}")
    print(f"process_photo: {ms['ours']:7.1f} ms  ({len(our[0])} + {len(our[2])} bytes)")
    print(f"naive Pillow:  {ms['baseline']:7.1f} ms  ({len(base[0])} + {len(base[2])} bytes)")
    print(f"encoding the two renditions, paid by both: {ms['encode']:.1f} ms")
    print(f"everything but that encoding: {pipeline_ratio:.2f}× faster")
    print(f"display pixels, ours against the baseline: PSNR {psnr(our[0], base[0]):.1f} dB")
    print(json.dumps({
        "bench": "photos",
        "megapixels": WIDTH * HEIGHT / 1e6,
        "ours_ms": round(ms["ours"], 1),
        "baseline_ms": round(ms["baseline"], 1),
        "ratio": round(ms["baseline"] / ms["ours"], 2),
        "display_px": list(our[1]),
        "ours_bytes": len(our[0]),
        "baseline_bytes": len(base[0]),
        "encode_ms": round(ms["encode"], 1),
    }))  # fmt: skip


def main() -> None:
    data = phone_photo(np.random.default_rng(12))
    our, base = ours(data), naive(data)  # also warms both up
    assert our[1] == base[1], (our[1], base[1])
    assert our[3] == base[3], (our[3], base[3])
    runs = {"ours": lambda: ours(data), "baseline": lambda: naive(data), "encode": reencoding(base)}
    report(data, our, base, interleaved_medians(runs, ROUNDS))


if __name__ == "__main__":
    main()
