"""The Store protocol every back-end follows, its errors, and the one rule for keys."""

from __future__ import annotations

import re
from typing import Final, Protocol, runtime_checkable

# A key is a content hash the caller computed, so it can never name anything but a photo:
# no separators, no dots beyond the extension, no upper case that a case-insensitive disk
# would fold onto another key.
KEY_PATTERN: Final = re.compile(r"[0-9a-f]{64}(?:-[a-z0-9]{1,16})?\.(jpg|webp|png)")
CONTENT_TYPES: Final = {"jpg": "image/jpeg", "webp": "image/webp", "png": "image/png"}
_SHOWN_KEY_CHARS: Final = 80


class StoreError(Exception):
    """The store could not do what was asked."""


class MissingObject(StoreError):
    """No object is stored under the key."""


class StoreUnavailable(StoreError):
    """The back-end cannot be reached or is failing; the same request may succeed later."""


class InvalidKey(StoreError, ValueError):
    """The key is not a photo key (sha256 hex, optional variant, jpg/webp/png)."""


def check_key(key: str) -> str:
    """Return the key unchanged when it is a valid photo key, else raise InvalidKey."""
    # fullmatch, not match with `$`: `$` also matches before a trailing newline.
    if not isinstance(key, str) or KEY_PATTERN.fullmatch(key) is None:
        shown = key[:_SHOWN_KEY_CHARS] if isinstance(key, str) else key
        raise InvalidKey(f"not a photo key: {shown!r}")
    return key


def content_type_for(key: str) -> str:
    """The media type a photo key's extension stands for (image/jpeg, image/webp, image/png)."""
    return CONTENT_TYPES[check_key(key).rsplit(".", 1)[1]]


def check_content_type(key: str, content_type: str) -> None:
    """Refuse a content type that disagrees with the key, so every back-end serves the same type."""
    expected = content_type_for(key)
    if content_type != expected:
        raise ValueError(f"content type {content_type!r} does not match {key!r} ({expected})")


@runtime_checkable
class Store(Protocol):
    """Photo storage by key; every method validates the key before any I/O."""

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        """Store the bytes under the key; storing the same bytes again is harmless."""
        ...

    async def get(self, key: str) -> bytes:
        """The stored bytes; MissingObject when nothing is stored under the key."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; removing an absent object is not an error."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether an object is stored under the key."""
        ...

    async def url(self, key: str) -> str:
        """The URL a browser fetches the object at."""
        ...

    async def check(self) -> None:
        """Raise StoreUnavailable when the back-end cannot serve requests (for readiness)."""
        ...

    async def close(self) -> None:
        """Release threads and clients; the store is not used afterwards."""
        ...
