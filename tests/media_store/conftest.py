"""Photo stores for the media_store tests: a temporary directory, and SeaweedFS's S3."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from media_store import FilesystemStore, S3Store, content_type_for
from tests.seaweedfs import BUCKET, S3Server

__all__ = ["BUCKET", "Photo", "S3Server"]


@dataclass(frozen=True)
class Photo:
    """Bytes and the content-hash key a caller would store them under."""

    key: str
    data: bytes

    @property
    def content_type(self) -> str:
        return content_type_for(self.key)


@pytest.fixture
def make_photo() -> Callable[..., Photo]:
    """A factory of distinct photos: `make_photo(ext="png", variant="thumb")`."""

    def make(ext: str = "jpg", variant: str | None = None) -> Photo:
        data = secrets.token_bytes(2048)
        suffix = f"-{variant}" if variant else ""
        return Photo(f"{hashlib.sha256(data).hexdigest()}{suffix}.{ext}", data)

    return make


@pytest.fixture
def fs_root(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
async def fs_store(fs_root: Path) -> AsyncIterator[FilesystemStore]:
    store = FilesystemStore(fs_root)
    yield store
    await store.close()


@pytest.fixture
async def s3_store(seaweedfs: S3Server) -> AsyncIterator[S3Store]:
    store = seaweedfs.store()
    yield store
    await store.close()
