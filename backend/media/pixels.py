"""Pixel work for renditions: sizes, upright orientation, and colour as 8-bit sRGB, no alpha.

Everything here takes decoded pixels and gives new pixels; nothing of the upload's
metadata is kept on the way, except what is needed to read the pixels right (the EXIF
orientation and an ICC profile), and both are applied, not carried.
"""

from __future__ import annotations

import io
from typing import Final

from PIL import ExifTags, Image, ImageChops, ImageCms

_FIXES: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SIDEWAYS: Final = frozenset({5, 6, 7, 8})
# Image.reduce (a box filter) takes a large shrink down to about twice the target first:
# much faster, and it looks the same. Bicubic then does the rest: after a JPEG's DCT
# scaling it came closer to a full decode + LANCZOS than LANCZOS itself (43.5 against
# 42.9 dB PSNR on bench/photos.py's photo), in three quarters of the time.
_REDUCING_GAP: Final = 2.0
_FILTER: Final = Image.Resampling.BICUBIC
_RESIZABLE: Final = frozenset({"L", "LA", "RGB", "RGBA", "CMYK"})
_WITHOUT_ALPHA: Final = {"RGBA": "RGB", "LA": "L"}


def fit_within(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """The size with its long edge at most `edge`, aspect kept; never larger than `size`."""
    width, height = size
    if max(width, height) <= edge:
        return size
    scale = edge / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def resized(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The image at exactly `size`, through an antialiasing downscaling filter."""
    if image.size == size:
        return image
    return image.resize(size, _FILTER, reducing_gap=_REDUCING_GAP)


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation (1–8); 1 when absent or unreadable, as the pixels are then as shot."""
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # a broken EXIF block must not cost the resident the photo
        return 1
    return value if isinstance(value, int) and value in _FIXES else 1


def upright(image: Image.Image, orientation: int) -> Image.Image:
    """The pixels turned and mirrored as the EXIF orientation says, so they stand upright."""
    fix = _FIXES.get(orientation)
    return image if fix is None else image.transpose(fix)


def upright_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """The size once upright: orientations 5–8 swap width and height."""
    return (size[1], size[0]) if orientation in _SIDEWAYS else size


def resizable(image: Image.Image) -> Image.Image:
    """The decoded pixels as 8-bit L, LA, RGB, RGBA or CMYK, which resize with real filters."""
    if image.mode.startswith("I"):
        return _eight_bit(image)
    if image.mode == "CMYK" and "adobe" not in image.info:
        # Pillow reads every CMYK JPEG with Adobe's inverted polarity; one without Adobe's
        # APP14 marker stores plain CMYK, so undo the inversion.
        return ImageChops.invert(image)
    if image.mode in _RESIZABLE:
        return image
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGBA" if image.has_transparency_data else "RGB")


def as_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """8-bit sRGB (or greyscale) pixels with any transparency laid on white."""
    image = _in_srgb(_on_white(image), icc_profile)
    return image if image.mode in {"L", "RGB"} else image.convert("RGB")


def _eight_bit(image: Image.Image) -> Image.Image:
    # 16-bit samples (PNG) run 0–65535; a plain convert("L") would clip them all to white.
    return image.convert("I").point(lambda value: value / 256).convert("L")


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode not in _WITHOUT_ALPHA:
        return image
    background = Image.new(_WITHOUT_ALPHA[image.mode], image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    return background


def _in_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    if not icc_profile or image.mode not in {"L", "RGB", "CMYK"}:
        return image
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if "srgb" in ImageCms.getProfileDescription(profile).lower():
            return image
        srgb = ImageCms.createProfile("sRGB")
        transform = ImageCms.buildTransform(profile, srgb, image.mode, "RGB")
        return transform.apply(image)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A profile that cannot be read, or does not fit the pixels, is ignored: the photo
        # with slightly off colours is worth more than no photo.
        return image
