"""Bodies of photo uploads."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec

from backend.structs import Model

ClientKey = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{16,128}$")]
Purpose = Literal["report", "resolution"]


class MediaOut(Model):
    """An uploaded photo: its id (for a report's mediaIds) and where to fetch it."""

    id: uuid.UUID
    url: str
    thumbnail_url: str
    width: int
    height: int
    bytes: int
    content_type: str


class PhotoOut(Model):
    """A photo of a case, as its viewers fetch it."""

    id: uuid.UUID
    url: str
    thumbnail_url: str
    width: int
    height: int
