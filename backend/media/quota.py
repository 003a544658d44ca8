"""How many photos a device and a client address may upload in an hour, and how many are
decoded at once: an upload costs a decode (up to 50 megapixels) and stored files, and
accounts are free, so both the device and its network are limited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.db.types import Connection
from backend.errors import TooManyRequests
from backend.throttle import service as throttle

_HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class UploadQuota:
    """Uploads per hour from one device, and from one client address (or IPv6 /64)."""

    per_device: int
    per_address: int


async def take_upload(
    conn: Connection,
    quota: UploadQuota,
    *,
    uploader_id: int,
    address_block: str,
    now: datetime,
) -> None:
    """Count an upload against its device and its address, or raise 429 with the wait."""
    limits = (
        ("upload.device", str(uploader_id), quota.per_device, "device", "此设备"),
        ("upload.address", address_block, quota.per_address, "network", "此网络"),
    )
    # Both hits or neither: an upload its network refuses must not use up the device's.
    async with conn.transaction():
        for scope, key, limit, source, source_zh in limits:
            wait = await throttle.take(
                conn, scope=scope, key=key, limit=limit, window=_HOUR, now=now
            )
            if wait is not None:
                raise TooManyRequests(
                    "media.rate_limited",
                    f"{source_zh}上传照片过于频繁，请稍后再试",
                    f"Too many photo uploads from this {source}; try again later",
                    retry_after=wait,
                )
