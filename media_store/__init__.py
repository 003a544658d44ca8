"""Photo storage behind one small interface: local files, or S3 via boto3."""

from media_store.base import (
    InvalidKey,
    MissingObject,
    Store,
    StoreError,
    StoreUnavailable,
    check_key,
    content_type_for,
)
from media_store.filesystem import FilesystemStore
from media_store.s3 import S3Store

__all__ = [
    "FilesystemStore",
    "InvalidKey",
    "MissingObject",
    "S3Store",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "check_key",
    "content_type_for",
]
