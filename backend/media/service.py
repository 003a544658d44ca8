"""Photo uploads: process off the event loop, store the renditions, record who owns them.

The original upload is never stored: only the re-encoded display image and thumbnail are.
Stored objects are named by their content hash, so two uploads of one photo share them;
upload and sweep take the same per-object lock so a sweep never removes an object that a
concurrent upload is about to point at.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from backend.db.types import Connection
from backend.errors import Unavailable
from backend.media import queries
from backend.media.pipeline import PhotoLimits, ProcessedPhoto, process_photo
from backend.media.schemas import MediaOut, PhotoOut
from media_store import Store, StoreUnavailable

_STORE_DOWN = Unavailable(
    "media.store_unavailable",
    "照片存储暂时不可用，请稍后重试",
    "Photo storage is unavailable; try again shortly",
    retry_after=15,
)


@dataclass(frozen=True, slots=True)
class PhotoService:
    """What the media functions need besides a connection."""

    store: Store
    executor: Executor
    limits: PhotoLimits


def _key(rendition_sha: str, extension: str) -> str:
    return f"{rendition_sha}.{extension}"


async def media_out(store: Store, row: asyncpg.Record) -> MediaOut:
    """The public shape of a stored photo, with URLs the client can fetch."""
    return MediaOut(
        id=row["id"],
        url=await store.url(row["display_key"]),
        thumbnail_url=await store.url(row["thumbnail_key"]),
        width=row["width"],
        height=row["height"],
        bytes=row["bytes"],
        content_type=row["content_type"],
    )


async def upload(
    conn: Connection,
    photos: PhotoService,
    *,
    uploader_id: int,
    data: bytes,
    client_key: str | None,
    purpose: str,
    now: datetime,
) -> MediaOut:
    """Process and store a photo; the same client key from the same uploader returns it again."""
    if client_key is not None:
        known = await queries.get_by_client_key(
            conn, uploader_id=uploader_id, client_key=client_key
        )
        if known is not None and known["case_id"] is None:
            return await media_out(photos.store, known)
        if known is not None:
            # The same picture, already part of an earlier report, sent for a new one: it
            # becomes a photo of its own (the stored files are shared, named by content).
            client_key = None
    loop = asyncio.get_running_loop()
    photo = await loop.run_in_executor(photos.executor, process_photo, data, photos.limits)
    row = await _store_and_record(
        conn,
        photos.store,
        photo,
        uploader_id=uploader_id,
        client_key=client_key,
        purpose=purpose,
        now=now,
    )
    return await media_out(photos.store, row)


async def _store_and_record(
    conn: Connection,
    store: Store,
    photo: ProcessedPhoto,
    *,
    uploader_id: int,
    client_key: str | None,
    purpose: str,
    now: datetime,
) -> asyncpg.Record:
    display, thumb = photo.display, photo.thumbnail
    display_key, thumb_key = (
        _key(display.sha256, display.extension),
        _key(thumb.sha256, thumb.extension),
    )
    async with conn.transaction():
        await queries.lock_key(conn, key=display_key)
        try:
            await store.put(display_key, display.data, content_type=display.content_type)
            await store.put(thumb_key, thumb.data, content_type=thumb.content_type)
        except StoreUnavailable:
            raise _STORE_DOWN from None
        row = await queries.insert_media(
            conn,
            values={
                "id": uuid.uuid4(),
                "uploader_id": uploader_id,
                "client_key": client_key,
                "display_key": display_key,
                "thumbnail_key": thumb_key,
                "width": display.width,
                "height": display.height,
                "bytes": len(display.data),
                "thumbnail_width": thumb.width,
                "thumbnail_height": thumb.height,
                "content_type": display.content_type,
                "purpose": purpose,
                "created_at": now,
            },
        )
    if row is None:  # the same client key won a race with this upload
        assert client_key is not None
        row = await queries.get_by_client_key(conn, uploader_id=uploader_id, client_key=client_key)
    assert row is not None
    return row


async def sweep_unattached(
    conn: Connection, store: Store, *, now: datetime, older_than: timedelta
) -> int:
    """Delete photos never attached to a report, and their objects once nothing uses them."""
    swept = 0
    for row in await queries.unattached_before(conn, before=now - older_than, limit=500):
        async with conn.transaction():
            await queries.lock_key(conn, key=row["display_key"])
            if not await queries.delete_unattached(conn, media_id=row["id"]):
                continue
            for key in (row["display_key"], row["thumbnail_key"]):
                if not await queries.key_in_use(conn, key=key):
                    await store.delete(key)
            swept += 1
    return swept


async def photos_of_case(
    store: Store, conn: Connection, *, case_id: int
) -> dict[str, list[PhotoOut]]:
    """A case's photos by purpose: "report" (before) and "resolution" (after)."""
    grouped: dict[str, list[PhotoOut]] = {"report": [], "resolution": []}
    for row in await queries.list_for_case(conn, case_id=case_id):
        grouped[row["purpose"]].append(
            PhotoOut(
                id=row["id"],
                url=await store.url(row["display_key"]),
                thumbnail_url=await store.url(row["thumbnail_key"]),
                width=row["width"],
                height=row["height"],
            )
        )
    return grouped


async def attach(
    conn: Connection,
    *,
    media_ids: list[uuid.UUID],
    uploader_id: int,
    case_id: int,
    region_id: int,
    purpose: str,
    now: datetime,
) -> bool:
    """Attach all of these photos to a case; False when any is not the uploader's, or taken."""
    if not media_ids:
        return True
    attached = await queries.attach(
        conn,
        media_ids=media_ids,
        uploader_id=uploader_id,
        case_id=case_id,
        region_id=region_id,
        purpose=purpose,
        at=now,
    )
    return attached == len(set(media_ids))
