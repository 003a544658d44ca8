"""Why an upload is not kept as a photo: one stable code per reason, in 中文 and English."""

from __future__ import annotations

from backend.errors import Invalid, PayloadTooLarge, UnsupportedMedia


def unsupported_type() -> UnsupportedMedia:
    return UnsupportedMedia(
        "media.unsupported_type",
        "不支持的文件类型，请上传 JPEG、PNG 或 WebP 照片",
        "Unsupported file type: send a JPEG, PNG or WebP photo",
    )


def polyglot() -> UnsupportedMedia:
    return UnsupportedMedia(
        "media.polyglot",
        "文件中除照片外还夹带了其他内容",
        "The file carries other content besides the photo",
    )


def animated() -> UnsupportedMedia:
    return UnsupportedMedia(
        "media.animated",
        "不支持动图，请上传静态照片",
        "Animated images are not accepted: send a still photo",
    )


def too_large(max_bytes: int) -> PayloadTooLarge:
    megabytes = f"{max_bytes / 2**20:g}"
    return PayloadTooLarge(
        "media.too_large",
        f"照片过大（上限 {megabytes} MB）",
        f"The photo is too large (limit {megabytes} MB)",
    )


def too_many_pixels(max_pixels: int) -> Invalid:
    megapixels = f"{max_pixels / 1e6:g}"
    return Invalid(
        "media.too_many_pixels",
        f"照片像素过多（上限 {megapixels} 百万像素）",
        f"The photo has too many pixels (limit {megapixels} megapixels)",
    )


def bad_aspect(max_aspect: float) -> Invalid:
    return Invalid(
        "media.bad_aspect",
        f"照片过于细长（长边最多为短边的 {max_aspect:g} 倍）",
        f"The photo is too long and narrow (long edge at most {max_aspect:g}× the short edge)",
    )


def too_small(min_edge: int) -> Invalid:
    return Invalid(
        "media.too_small",
        f"照片尺寸过小（每条边至少 {min_edge} 像素）",
        f"The photo is too small (each edge at least {min_edge} pixels)",
    )


def corrupt() -> Invalid:
    return Invalid(
        "media.corrupt",
        "照片文件已损坏或不完整，请重新拍摄或上传",
        "The photo file is damaged or incomplete: take or send it again",
    )
