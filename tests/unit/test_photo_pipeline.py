"""The photo pipeline as a resident's upload meets it.

What is refused and with which code, what size and way up the stored renditions are, that
colours survive, and that nothing of the phone (EXIF, GPS, serial, XMP, ICC, comments)
reaches a stored byte.
"""

from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageFile

from backend.errors import DomainError, Invalid, PayloadTooLarge, UnsupportedMedia
from backend.media.pipeline import PhotoLimits, ProcessedPhoto, Rendition, process_photo, sniff
from tests.unit import photo_samples as samples
from tests.unit.photo_samples import GREY, RED, encoded

WHITE = (255, 255, 255)
BLUE = (20, 20, 230)
METADATA_INFO_KEYS = {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"}


def refusal(data: bytes, limits: PhotoLimits | None = None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        process_photo(data, limits or PhotoLimits())
    return caught.value


def decoded(rendition: Rendition) -> Image.Image:
    image = Image.open(io.BytesIO(rendition.data))
    image.load()
    return image


def colour_at(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    r, g, b = image.convert("RGB").getpixel(xy)  # type: ignore[misc]
    return r, g, b


def assert_colour(actual: tuple[int, int, int], expected: tuple[int, int, int]) -> None:
    assert max(abs(a - e) for a, e in zip(actual, expected, strict=True)) <= 40, (actual, expected)


def photo_jpeg(size: tuple[int, int] = (640, 480), **params: object) -> bytes:
    return encoded(samples.textured(size), "JPEG", quality=90, **params)


# -- Refused by what the bytes are ---------------------------------------------------------

NOT_PHOTOS = {
    "zero bytes": b"",
    "plain text": b"just some words, not a photo\n",
    "html renamed .jpg": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    "svg with script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
    "heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64),
    "gif": encoded(Image.new("RGB", (32, 32), RED), "GIF"),
    "animated gif": encoded(
        Image.new("RGB", (32, 32), RED),
        "GIF",
        save_all=True,
        append_images=[Image.new("RGB", (32, 32), BLUE)],
    ),
    "bmp": encoded(Image.new("RGB", (32, 32), RED), "BMP"),
    "riff but not webp": b"RIFF\x04\x00\x00\x00WAVE",
}


@pytest.mark.parametrize("data", NOT_PHOTOS.values(), ids=NOT_PHOTOS.keys())
def test_anything_but_jpeg_png_webp_is_unsupported_media(data: bytes) -> None:
    error = refusal(data)
    assert isinstance(error, UnsupportedMedia)
    assert error.status == 415
    assert error.code == "media.unsupported_type"
    assert error.message_zh and error.message_en


def test_sniff_names_the_format_from_the_magic_number() -> None:
    image = Image.new("RGB", (32, 32), RED)
    assert sniff(encoded(image, "JPEG")) == "jpeg"
    assert sniff(encoded(image, "PNG")) == "png"
    assert sniff(encoded(image, "WEBP")) == "webp"
    with pytest.raises(UnsupportedMedia):
        sniff(NOT_PHOTOS["gif"])


def test_animated_webp_and_apng_are_refused_as_animated() -> None:
    frames = [Image.new("RGB", (32, 32), colour) for colour in (RED, BLUE)]
    for image_format in ("WEBP", "PNG"):
        data = encoded(frames[0], image_format, save_all=True, append_images=frames[1:])
        error = refusal(data)
        assert isinstance(error, UnsupportedMedia)
        assert error.code == "media.animated"


# -- Polyglots: a photo that is also something else ---------------------------------------


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<html><script>alert(1)</script></html>" * 100)
    return out.getvalue()


def png_photo() -> bytes:
    return encoded(samples.textured((64, 48)), "PNG")


def webp_photo() -> bytes:
    return encoded(samples.textured((64, 48)), "WEBP")


POLYGLOTS: dict[str, Callable[[], bytes]] = {
    "jpeg + html": lambda: photo_jpeg() + b"<html><script>alert(1)</script></html>",
    "jpeg + zip": lambda: photo_jpeg() + zip_archive(),
    "jpeg + long text + fake eoi": lambda: photo_jpeg() + b"A" * 5000 + b"\xff\xd9",
    "jpeg + padding + php": lambda: photo_jpeg() + bytes(16) + b"<?php system($_GET[1]); ?>",
    "jpeg + jpeg + html": lambda: (
        photo_jpeg() + photo_jpeg((64, 48)) + b"<html><script>alert(1)</script></html>"
    ),
    "jpeg + jpeg carrying html": lambda: (
        photo_jpeg() + photo_jpeg((320, 240), comment=b"<html><script>alert(1)</script>")
    ),
    "jpeg + jpeg carrying a zip": lambda: photo_jpeg() + photo_jpeg((320, 240), xmp=zip_archive()),
    "ultra hdr + zip": lambda: samples.ultra_hdr(samples.textured((640, 480))) + zip_archive(),
    "mpo + jpeg carrying a page": lambda: (
        samples.multi_picture(samples.textured((640, 480)), samples.marked((320, 240)))
        + photo_jpeg((320, 240), comment=b"<!DOCTYPE html><p>hi")
    ),
    "png with a page in a text chunk": lambda: samples.png_with_text(
        samples.textured((640, 480)), b"<html><script>alert(1)</script></html>"
    ),
    "png with a zip in a text chunk": lambda: samples.png_with_text(
        samples.textured((640, 480)), zip_archive()
    ),
    "mpo + zip": lambda: (
        encoded(
            samples.textured((64, 48)),
            "MPO",
            save_all=True,
            append_images=[samples.marked((64, 48))],
        )
        + zip_archive()
    ),
    "jpeg with script comment": lambda: photo_jpeg(comment=b"<script>alert(1)</script>"),
    "png + html": lambda: png_photo() + b"<html><body>hi</body></html>",
    "png + zip": lambda: png_photo() + zip_archive(),
    "png + one byte": lambda: png_photo() + b"\x00",
    "webp + zip": lambda: webp_photo() + zip_archive(),
    "webp + html": lambda: webp_photo() + b"<!doctype html><p>hi",
}


@pytest.mark.parametrize("make", POLYGLOTS.values(), ids=POLYGLOTS.keys())
def test_polyglot_is_refused(make: Callable[[], bytes]) -> None:
    error = refusal(make())
    assert isinstance(error, UnsupportedMedia)
    assert error.code == "media.polyglot"


@pytest.mark.parametrize("padding", [b"\x00" * 100, b"\xff" * 7, b"\x00\xff" * 30])
def test_a_little_padding_after_the_jpeg_is_accepted(padding: bytes) -> None:
    assert process_photo(photo_jpeg() + padding).display.width == 640


def test_a_lot_of_padding_after_the_jpeg_is_not_padding() -> None:
    assert refusal(photo_jpeg() + bytes(100_000)).code == "media.polyglot"


def test_multi_picture_jpeg_is_one_photo() -> None:
    # MPF cameras store a second whole JPEG after the first one's EOI.
    first, second = samples.marked((640, 480)), samples.textured((320, 240))
    data = encoded(first, "MPO", save_all=True, append_images=[second])
    assert data.count(b"\xff\xd8\xff") >= 2
    photo = process_photo(data)
    assert (photo.display.width, photo.display.height) == (640, 480)
    assert_colour(colour_at(decoded(photo.display), (10, 10)), RED)


def test_ultra_hdr_photo_with_its_gain_map_is_the_photo_alone() -> None:
    # Ultra HDR and Apple gain maps: a second whole JPEG after the photo's EOI, which some
    # encoders declare in the XMP only, with no MPF index.
    data = samples.ultra_hdr(samples.marked((640, 480)))
    assert data.count(b"\xff\xd8\xff") >= 2
    photo = process_photo(data)
    assert (photo.display.width, photo.display.height) == (640, 480)
    assert_colour(colour_at(decoded(photo.display), (10, 10)), RED)
    for rendition in (photo.display, photo.thumbnail):
        assert_carries_nothing_of_the_phone(rendition)
        assert b"hdrgm" not in rendition.data


def test_multi_picture_jpeg_with_mpf_index_keeps_only_the_first_picture() -> None:
    data = samples.multi_picture(samples.marked((640, 480)), samples.textured((320, 240)))
    assert b"MPF\x00" in data
    photo = process_photo(data)
    assert (photo.display.width, photo.display.height) == (640, 480)
    assert_colour(colour_at(decoded(photo.display), (10, 10)), RED)
    assert_carries_nothing_of_the_phone(photo.display)


def test_screenshot_png_with_text_chunks_is_accepted_and_stripped() -> None:
    data = samples.screenshot_png(samples.textured((640, 480)))
    for chunk in (b"iTXt", b"tEXt", b"zTXt", b"eXIf"):
        assert chunk in data
    photo = process_photo(data)
    assert photo.source_type == "png"
    for rendition in (photo.display, photo.thumbnail):
        assert_carries_nothing_of_the_phone(rendition)
        assert b"Screenshot" not in rendition.data


def test_progressive_jpeg_with_restart_markers_is_accepted() -> None:
    data = photo_jpeg(progressive=True, restart_marker_blocks=1)
    assert process_photo(data).source_type == "jpeg"


# -- Refused by size and shape, before decoding --------------------------------------------


def test_more_bytes_than_allowed_is_payload_too_large() -> None:
    error = refusal(photo_jpeg(), PhotoLimits(max_bytes=1000))
    assert isinstance(error, PayloadTooLarge)
    assert (error.status, error.code) == (413, "media.too_large")


@pytest.fixture
def decoding_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse_to_decode(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)


@pytest.mark.usefixtures("decoding_forbidden")
def test_900_megapixel_png_is_refused_without_decoding() -> None:
    error = refusal(samples.png_claiming_size(30_000, 30_000))
    assert isinstance(error, Invalid)
    assert (error.status, error.code) == (422, "media.too_many_pixels")


@pytest.mark.usefixtures("decoding_forbidden")
def test_pixels_over_the_limit_are_refused_without_decoding() -> None:
    error = refusal(samples.png_claiming_size(8000, 8000))  # 64 MP, under Pillow's own guard
    assert error.code == "media.too_many_pixels"


def test_pillow_bomb_guard_is_a_422_not_a_500() -> None:
    lenient = PhotoLimits(max_pixels=10**10)
    error = refusal(samples.png_claiming_size(30_000, 30_000), lenient)
    assert (error.status, error.code) == (422, "media.too_many_pixels")


def test_pillow_bomb_warning_as_error_is_a_422_not_a_500() -> None:
    lenient = PhotoLimits(max_pixels=10**10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        error = refusal(samples.png_claiming_size(10_000, 10_000), lenient)
    assert (error.status, error.code) == (422, "media.too_many_pixels")


def test_huge_webp_canvas_is_refused_before_libwebp_allocates_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse_to_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    data = samples.webp_claiming_canvas(10_000, 9_000)
    monkeypatch.setattr(Image, "open", refuse_to_open)
    assert refusal(data).code == "media.too_many_pixels"


@pytest.mark.parametrize(
    ("size", "code"),
    [
        ((8, 8), "media.too_small"),
        ((15, 400), "media.too_small"),
        ((1, 40), "media.too_small"),
        ((40, 1600), "media.bad_aspect"),
        ((1100, 100), "media.bad_aspect"),
    ],
)
def test_tiny_or_extreme_shapes_are_refused(size: tuple[int, int], code: str) -> None:
    error = refusal(encoded(Image.new("RGB", size, RED), "PNG"))
    assert isinstance(error, Invalid)
    assert (error.status, error.code) == (422, code)


def test_aspect_at_the_limit_is_accepted() -> None:
    photo = process_photo(encoded(Image.new("RGB", (1000, 100), RED), "PNG"))
    assert (photo.display.width, photo.display.height) == (1000, 100)


# -- Damaged uploads ---------------------------------------------------------------------

DAMAGEABLE: dict[str, Callable[[], bytes]] = {
    "jpeg": photo_jpeg,
    "png": lambda: encoded(samples.textured((640, 480)), "PNG"),
    "webp": lambda: encoded(samples.textured((640, 480)), "WEBP"),
}


@pytest.mark.parametrize("make", DAMAGEABLE.values(), ids=DAMAGEABLE.keys())
@pytest.mark.parametrize("lenient_pillow", [False, True], ids=["default", "load-truncated-on"])
def test_truncated_upload_is_corrupt(
    make: Callable[[], bytes], lenient_pillow: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even when some other code switches Pillow to fill in truncated images, a cut-short
    # upload is refused rather than stored half grey.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient_pillow)
    data = make()
    error = refusal(data[: len(data) // 2])
    assert isinstance(error, Invalid)
    assert error.code == "media.corrupt"


def test_pipeline_leaves_pillow_strict_about_truncation() -> None:
    process_photo(photo_jpeg())
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_webp_declaring_more_bytes_than_sent_is_corrupt() -> None:
    data = bytearray(webp_photo())
    data[4:8] = (len(data) + 100).to_bytes(4, "little")
    assert refusal(bytes(data)).code == "media.corrupt"


def fuzz_sources() -> dict[str, bytes]:
    image = samples.textured((64, 48), seed=3)
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = samples.camera_exif(orientation=6)
    return {
        "jpeg": encoded(image, "JPEG", exif=exif, icc_profile=profile, comment=b"c"),
        "progressive jpeg": encoded(image, "JPEG", progressive=True, exif=exif),
        "png": encoded(image.convert("RGBA"), "PNG", exif=exif, icc_profile=profile),
        "webp": encoded(image, "WEBP", exif=exif, icc_profile=profile),
    }


# Pillow warns as it skips parts of a damaged EXIF block; here that is expected.
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", ["jpeg", "progressive jpeg", "png", "webp"])
def test_random_damage_gives_a_refusal_or_a_photo_never_a_crash(name: str) -> None:
    source = fuzz_sources()[name]
    outcomes = {"accepted": 0, "refused": 0}
    for data in samples.mutations(source, count=90, seed=len(name)):
        try:
            photo = process_photo(data)
        except DomainError:
            outcomes["refused"] += 1
        else:
            assert photo.display.width >= 1 and photo.thumbnail.data
            outcomes["accepted"] += 1
    assert outcomes["refused"] > 0


# -- Sizes of the renditions -------------------------------------------------------------


def test_twelve_megapixel_jpeg_gives_1600_display_and_320_thumbnail() -> None:
    photo = process_photo(encoded(samples.marked((4000, 3000)), "JPEG", quality=85))
    assert (photo.display.width, photo.display.height) == (1600, 1200)
    assert (photo.thumbnail.width, photo.thumbnail.height) == (320, 240)
    assert (photo.source_width, photo.source_height, photo.source_type) == (4000, 3000, "jpeg")
    assert decoded(photo.display).size == (1600, 1200)
    assert decoded(photo.thumbnail).size == (320, 240)
    assert_colour(colour_at(decoded(photo.display), (20, 20)), RED)
    assert_colour(colour_at(decoded(photo.display), (1580, 1180)), GREY)


def test_large_jpeg_is_decoded_at_reduced_size(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded_sizes = []
    load = ImageFile.ImageFile.load

    def recording_load(self: ImageFile.ImageFile) -> object:
        decoded_sizes.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording_load)
    process_photo(encoded(samples.marked((4000, 3000)), "JPEG"))
    assert set(decoded_sizes) == {(2000, 1500)}  # libjpeg's 1/2 DCT scaling, still ≥ 1600 × 1200


def test_small_photo_is_never_upscaled() -> None:
    photo = process_photo(photo_jpeg((800, 600)))
    assert (photo.display.width, photo.display.height) == (800, 600)
    assert (photo.thumbnail.width, photo.thumbnail.height) == (320, 240)


def test_large_png_is_scaled_down_too() -> None:
    photo = process_photo(encoded(samples.marked((3000, 2000)), "PNG"))
    assert (photo.display.width, photo.display.height) == (1600, 1067)
    assert (photo.thumbnail.width, photo.thumbnail.height) == (320, 213)


# -- Upright -------------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_stored_upright(orientation: int) -> None:
    upright = samples.marked((96, 64))
    stored = samples.as_camera_stores(upright, orientation)
    data = encoded(stored, "JPEG", quality=95, exif=samples.camera_exif(orientation))
    photo = process_photo(data)
    display = decoded(photo.display)
    assert display.size == (96, 64)
    assert (photo.source_width, photo.source_height) == (96, 64)
    assert_colour(colour_at(display, (6, 4)), RED)
    for corner in [(89, 4), (6, 59), (89, 59)]:
        assert_colour(colour_at(display, corner), GREY)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_orientation_applies_after_reduced_size_decoding(orientation: int) -> None:
    stored = samples.as_camera_stores(samples.marked((3000, 4000)), orientation)
    data = encoded(stored, "JPEG", quality=85, exif=samples.camera_exif(orientation))
    photo = process_photo(data)
    assert (photo.display.width, photo.display.height) == (1200, 1600)
    assert (photo.thumbnail.width, photo.thumbnail.height) == (240, 320)
    display = decoded(photo.display)
    assert_colour(colour_at(display, (30, 30)), RED)
    assert_colour(colour_at(display, (1170, 1570)), GREY)


def test_orientation_of_png_and_webp_is_applied() -> None:
    stored = samples.as_camera_stores(samples.marked((96, 64)), 6)
    for image_format in ("PNG", "WEBP"):
        data = encoded(stored, image_format, exif=samples.camera_exif(6))
        display = decoded(process_photo(data).display)
        assert display.size == (96, 64)
        assert_colour(colour_at(display, (6, 4)), RED)


# -- Colour --------------------------------------------------------------------------------


def red_cmyk() -> Image.Image:
    return Image.new("RGB", (64, 48), RED).convert("CMYK")


def test_adobe_cmyk_jpeg_keeps_its_colour() -> None:
    data = encoded(red_cmyk(), "JPEG", quality=95)
    assert b"Adobe" in data  # Photoshop's inverted CMYK, as Pillow and libjpeg write it
    assert_colour(colour_at(decoded(process_photo(data).display), (30, 20)), RED)


def test_plain_cmyk_jpeg_without_adobe_marker_keeps_its_colour() -> None:
    # Pillow writes CMYK inverted; inverting first leaves plain CMYK in the file.
    inverted = Image.eval(red_cmyk(), lambda value: 255 - value)
    data = samples.without_segments(encoded(inverted, "JPEG", quality=95), drop=0xEE)
    assert b"Adobe" not in data
    assert_colour(colour_at(decoded(process_photo(data).display), (30, 20)), RED)


def test_sixteen_bit_png_mid_grey_stays_mid_grey() -> None:
    image = Image.fromarray(np.full((48, 64), 32768, dtype=np.uint16))
    assert image.mode == "I;16"
    display = decoded(process_photo(encoded(image, "PNG")).display)
    assert_colour(colour_at(display, (30, 20)), (128, 128, 128))


def half_transparent(mode: str) -> Image.Image:
    """Left half opaque red, right half fully transparent."""
    image = Image.new("RGBA", (64, 48), (0, 0, 0, 0))
    image.paste((*RED, 255), (0, 0, 32, 48))
    return image if mode == "RGBA" else image.convert(mode)


def palette_with_transparency() -> bytes:
    image = Image.new("P", (64, 48), 0)
    image.putpalette([0, 0, 0, *BLUE])
    image.paste(1, (0, 0, 32, 48))
    return encoded(image, "PNG", transparency=0)


@pytest.mark.parametrize(
    ("data", "left"),
    [
        (encoded(half_transparent("RGBA"), "PNG"), RED),
        (encoded(half_transparent("RGBA"), "WEBP", lossless=True), RED),
        (encoded(half_transparent("LA"), "PNG"), (87, 87, 87)),
        (palette_with_transparency(), BLUE),
    ],
    ids=["rgba png", "rgba webp", "la png", "palette png"],
)
def test_transparency_is_laid_on_white(data: bytes, left: tuple[int, int, int]) -> None:
    display = decoded(process_photo(data).display)
    assert display.mode in {"L", "RGB"}
    assert_colour(colour_at(display, (10, 20)), left)
    assert_colour(colour_at(display, (50, 20)), WHITE)


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB"])
def test_other_png_modes_become_plain_pixels(mode: str) -> None:
    image = samples.marked((64, 48)).convert(mode)
    display = decoded(process_photo(encoded(image, "PNG")).display)
    assert display.size == (64, 48)
    assert display.mode in {"L", "RGB"}


def test_greyscale_jpeg_stays_grey() -> None:
    data = encoded(Image.new("L", (64, 48), 100), "JPEG")
    assert_colour(colour_at(decoded(process_photo(data).display), (30, 20)), (100, 100, 100))


def test_embedded_colour_profile_is_applied_then_dropped() -> None:
    profile = samples.swapped_primaries_profile()
    data = encoded(Image.new("RGB", (64, 48), (255, 0, 0)), "PNG", icc_profile=profile)
    display = decoded(process_photo(data).display)
    # In this profile the first channel is sRGB's blue.
    assert_colour(colour_at(display, (30, 20)), (0, 0, 255))
    assert "icc_profile" not in display.info


def test_srgb_profile_leaves_colours_as_they_are() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encoded(Image.new("RGB", (64, 48), RED), "JPEG", quality=95, icc_profile=profile)
    display = decoded(process_photo(data).display)
    assert_colour(colour_at(display, (30, 20)), RED)
    assert "icc_profile" not in display.info


def test_unreadable_colour_profile_is_ignored() -> None:
    data = encoded(Image.new("RGB", (64, 48), RED), "JPEG", icc_profile=b"not a profile" * 20)
    assert_colour(colour_at(decoded(process_photo(data).display), (30, 20)), RED)


# -- Nothing of the phone survives ----------------------------------------------------------


def phone_uploads() -> dict[str, bytes]:
    image = samples.textured((640, 480))
    profile = samples.swapped_primaries_profile()
    exif, xmp = samples.camera_exif(orientation=1), samples.xmp_packet()
    return {
        "jpeg": encoded(
            image, "JPEG", exif=exif, xmp=xmp, icc_profile=profile, comment=b"iPhone comment"
        ),
        "jpeg without profile": encoded(
            image, "JPEG", exif=exif, xmp=xmp, comment=b"iPhone comment"
        ),
        "png": encoded(image, "PNG", exif=exif, icc_profile=profile),
        "webp": encoded(image, "WEBP", exif=exif, xmp=xmp, icc_profile=profile),
    }


def assert_carries_nothing_of_the_phone(rendition: Rendition) -> None:
    data = rendition.data
    for trace in [samples.SERIAL, samples.MAKER, "iPhone comment", "GPSLatitude", "Swapped"]:
        assert trace.encode() not in data
    assert b"Exif\x00\x00" not in data and b"xmpmeta" not in data
    if rendition.content_type == "image/jpeg":
        # APP0 (JFIF) only: no APP1 (EXIF, XMP), APP2 (ICC, MPF), APP13 (IPTC), COM.
        allowed = {0xD8, 0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA}
        assert set(samples.jpeg_segments(data)) <= allowed
    else:
        chunks = samples.webp_chunks(data)
        assert chunks in ([b"VP8 "], [b"VP8L"]), chunks
    image = decoded(rendition)
    assert not image.getexif()
    assert not METADATA_INFO_KEYS & set(image.info)


@pytest.mark.parametrize("output_format", ["webp", "jpeg"])
@pytest.mark.parametrize("source", ["jpeg", "jpeg without profile", "png", "webp"])
def test_renditions_carry_no_metadata(source: str, output_format: str) -> None:
    limits = PhotoLimits(output_format=output_format)  # type: ignore[arg-type]
    upload = phone_uploads()[source]
    assert samples.SERIAL.encode() in upload
    photo = process_photo(upload, limits)
    assert_carries_nothing_of_the_phone(photo.display)
    assert_carries_nothing_of_the_phone(photo.thumbnail)


def test_jpeg_exif_thumbnail_does_not_survive() -> None:
    exif = Image.Exif()
    exif[samples.BODY_SERIAL] = samples.SERIAL
    data = photo_jpeg(exif=exif.tobytes())
    photo = process_photo(data)
    assert photo.display.data.count(b"\xff\xd8") == 1


# -- Encoded output --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output_format", "content_type", "extension", "magic"),
    [("webp", "image/webp", "webp", b"RIFF"), ("jpeg", "image/jpeg", "jpg", b"\xff\xd8\xff")],
)
def test_renditions_are_typed_named_and_hashed(
    output_format: str, content_type: str, extension: str, magic: bytes
) -> None:
    limits = PhotoLimits(output_format=output_format)  # type: ignore[arg-type]
    photo = process_photo(photo_jpeg(), limits)
    assert isinstance(photo, ProcessedPhoto)
    for rendition in (photo.display, photo.thumbnail):
        assert rendition.content_type == content_type
        assert rendition.extension == extension
        assert rendition.data.startswith(magic)
        assert rendition.sha256 == hashlib.sha256(rendition.data).hexdigest()


def test_same_upload_gives_the_same_renditions() -> None:
    data = photo_jpeg()
    assert process_photo(data) == process_photo(data)


def test_lower_quality_gives_smaller_files() -> None:
    data = photo_jpeg()
    low = process_photo(data, PhotoLimits(quality=30))
    high = process_photo(data, PhotoLimits(quality=95))
    assert len(low.display.data) < len(high.display.data)


def test_photos_processed_side_by_side_come_out_as_one_at_a_time() -> None:
    # The API runs the pipeline in a thread pool; nothing may leak between uploads.
    uploads = [*phone_uploads().values(), palette_with_transparency(), photo_jpeg((800, 600))]
    one_at_a_time = [process_photo(data) for data in uploads]
    with ThreadPoolExecutor(max_workers=4) as pool:
        side_by_side = list(pool.map(process_photo, uploads * 3))
    assert side_by_side == one_at_a_time * 3
