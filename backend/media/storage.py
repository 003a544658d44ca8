"""The media store chosen by settings: files under the data directory, or S3."""

from __future__ import annotations

from backend.settings import Settings
from media_store import FilesystemStore, S3Store, Store

MEDIA_URL_PREFIX = "/media"


def store_from_settings(settings: Settings) -> Store:
    """The configured store (no network I/O here)."""
    if settings.media_backend == "filesystem":
        return FilesystemStore(settings.media_dir, public_base=MEDIA_URL_PREFIX)
    return S3Store(
        bucket=settings.s3_bucket,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
        addressing_style=settings.s3_addressing_style,
        public_base_url=settings.s3_public_base_url,
        presign_seconds=settings.s3_presign_seconds,
    )
