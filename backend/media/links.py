"""Signed photo links: how a protected photo reaches only those the API showed it to.

A photo of a confidential case (or any photo, when the city signs all of them) is never named
by its stored object. Its link names the photo's id, the viewer it was made for and an expiry,
signed with the deployment's link secret (HMAC-SHA256); the API checks the signature and
serves the bytes itself, from disk or from the bucket with its own credentials. Links made
within one period share their expiry, so a browser's cache keeps them for that period.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

import asyncpg

from backend.media.storage import MEDIA_URL_PREFIX
from media_store import Store

Rendition = Literal["display", "thumbnail"]
RENDITION_KEYS: Final[dict[str, str]] = {"display": "display_key", "thumbnail": "thumbnail_key"}
SIGNED_PREFIX: Final = f"{MEDIA_URL_PREFIX}/signed"


@dataclass(frozen=True, slots=True)
class LinkSigning:
    """The deployment's link secret, how long a link lasts, and whether every photo is signed."""

    secret: bytes
    seconds: int
    sign_all: bool


@dataclass(frozen=True, slots=True)
class SignedLink:
    """What a signed link names: a photo's rendition, its viewer, expiry and signature."""

    media_id: uuid.UUID
    rendition: Rendition
    viewer: int
    expires: int
    signature: str


def expiry(now: datetime, seconds: int) -> int:
    """The end of the period after the current one: a link lasts one to two periods."""
    return (int(now.timestamp()) // seconds + 2) * seconds


def signature(
    secret: bytes, *, media_id: uuid.UUID, rendition: str, viewer: int, expires: int
) -> str:
    """HMAC-SHA256 over the photo, its rendition, the viewer and the expiry (base64url)."""
    message = f"{media_id}/{rendition}/{viewer}/{expires}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def is_valid(
    secret: bytes,
    *,
    media_id: uuid.UUID,
    rendition: str,
    viewer: int,
    expires: int,
    given: str,
    now: datetime,
) -> bool:
    """A link the API made, for this photo and viewer, that has not expired."""
    if expires <= now.timestamp():
        return False
    wanted = signature(
        secret, media_id=media_id, rendition=rendition, viewer=viewer, expires=expires
    )
    return hmac.compare_digest(wanted.encode(), given.encode())


@dataclass(frozen=True, slots=True)
class PhotoLinks:
    """Photo URLs as one caller receives them: by stored name, or signed for that caller."""

    store: Store
    signing: LinkSigning | None
    viewer: int  # 0: a reader with no account (the Open311 feed)
    now: datetime

    async def url(self, row: asyncpg.Record, rendition: Rendition, *, protected: bool) -> str:
        """The URL of a photo row's rendition; `protected`: its case is confidential."""
        key: str = row[RENDITION_KEYS[rendition]]
        signing = self.signing
        if signing is None and protected:
            raise RuntimeError("a protected photo needs the link secret")  # never a public URL
        if signing is None or not (protected or signing.sign_all):
            return await self.store.url(key)
        expires = expiry(self.now, signing.seconds)
        media_id: uuid.UUID = row["id"]
        mac = signature(
            signing.secret,
            media_id=media_id,
            rendition=rendition,
            viewer=self.viewer,
            expires=expires,
        )
        return (
            f"{SIGNED_PREFIX}/{media_id}/{rendition}"
            f"?viewer={self.viewer}&expires={expires}&signature={mac}"
        )
