"""Photo uploads: process off the event loop, store the renditions, record who owns them.

The original upload is never stored: only the re-encoded display image and thumbnail are.
Stored objects are named by their content hash, so two uploads of one photo share them;
upload and sweep take the same per-object lock so a sweep never removes an object that a
concurrent upload is about to point at.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from backend.db.types import Connection
from backend.errors import Forbidden, NotFound, Unavailable
from backend.media import queries
from backend.media.access import viewer_still_sees
from backend.media.links import RENDITION_KEYS, LinkSigning, PhotoLinks, SignedLink, is_valid
from backend.media.pipeline import PhotoLimits, ProcessedPhoto, process_photo
from backend.media.quota import UploadQuota, take_upload
from backend.media.schemas import MediaOut, PhotoOut
from media_store import MissingObject, Store, StoreUnavailable

_NO_SUCH_PHOTO = NotFound("media.not_found", "找不到该照片", "No such photo")
_LINK_REFUSED = Forbidden(
    "media.link_expired",
    "照片链接无效或已过期，请刷新页面",
    "The photo link is invalid or has expired; reload the page",
)
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
    signing: LinkSigning | None = None
    # Decodes running at once in this process: each may hold hundreds of megabytes.
    decodes: asyncio.Semaphore | None = None
    quota: UploadQuota | None = None


def _key(rendition_sha: str, extension: str) -> str:
    return f"{rendition_sha}.{extension}"


async def media_out(links: PhotoLinks, row: asyncpg.Record) -> MediaOut:
    """The shape of an uploaded photo, with URLs its uploader can fetch."""
    return MediaOut(
        id=row["id"],
        url=await links.url(row, "display", protected=False),
        thumbnail_url=await links.url(row, "thumbnail", protected=False),
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
    address_block: str | None = None,
) -> MediaOut:
    """Process and store a photo; the same client key from the same uploader returns it again.

    An upload from the internet (`address_block` given) counts against the upload quota.
    """
    links = PhotoLinks(store=photos.store, signing=photos.signing, viewer=uploader_id, now=now)
    if client_key is not None:
        known = await queries.get_by_client_key(
            conn, uploader_id=uploader_id, client_key=client_key
        )
        if known is not None and known["case_id"] is None and known["subject_id"] is None:
            return await media_out(links, known)
        if known is not None:
            # The same picture, already part of an earlier report, sent for a new one: it
            # becomes a photo of its own (the stored files are shared, named by content).
            client_key = None
    if address_block is not None and photos.quota is not None:
        await take_upload(
            conn, photos.quota, uploader_id=uploader_id, address_block=address_block, now=now
        )
    loop = asyncio.get_running_loop()
    async with photos.decodes or contextlib.nullcontext():
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
    return await media_out(links, row)


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
    """Delete photos never attached to a report or a subject, and their objects once nothing
    uses them."""
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
    links: PhotoLinks, conn: Connection, *, case_id: int
) -> dict[str, list[PhotoOut]]:
    """A case's photos by purpose: "report" (before) and "resolution" (after).

    Call only once the caller is known to see the case: a confidential case's photos come
    with links signed for this caller.
    """
    grouped: dict[str, list[PhotoOut]] = {"report": [], "resolution": []}
    for row in await queries.list_for_case(conn, case_id=case_id):
        protected = row["confidential"]
        grouped[row["purpose"]].append(
            PhotoOut(
                id=row["id"],
                url=await links.url(row, "display", protected=protected),
                thumbnail_url=await links.url(row, "thumbnail", protected=protected),
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


async def attach_to_subject(
    conn: Connection,
    *,
    media_ids: list[uuid.UUID],
    uploader_id: int,
    subject_kind: str,
    subject_id: int,
    region_id: int,
    now: datetime,
) -> bool:
    """Attach evidence photos to a subject (a task, a sweep record); False when any is unknown,
    not the uploader's, not evidence, or already used."""
    if not media_ids:
        return True
    attached = await queries.attach_to_subject(
        conn,
        media_ids=media_ids,
        uploader_id=uploader_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        region_id=region_id,
        at=now,
    )
    return attached == len(set(media_ids))


async def photos_of_subject(
    links: PhotoLinks, conn: Connection, *, subject_kind: str, subject_id: int
) -> list[PhotoOut]:
    """A subject's evidence photos, in order; call once the caller is known to see it."""
    return [
        PhotoOut(
            id=row["id"],
            url=await links.url(row, "display", protected=False),
            thumbnail_url=await links.url(row, "thumbnail", protected=False),
            width=row["width"],
            height=row["height"],
        )
        for row in await queries.list_for_subject(
            conn, subject_kind=subject_kind, subject_id=subject_id
        )
    ]


async def cover_thumbnails(
    links: PhotoLinks, conn: Connection, *, case_ids: list[int]
) -> dict[int, str]:
    """The first report photo's thumbnail URL of each case that has one (lists of cases)."""
    rows = await queries.covers(conn, case_ids=case_ids)
    return {
        row["case_id"]: await links.url(row, "thumbnail", protected=row["confidential"])
        for row in rows
    }


async def cover_photos(
    links: PhotoLinks, conn: Connection, *, case_ids: list[int]
) -> dict[int, str]:
    """The first report photo's URL of each case that has one."""
    rows = await queries.covers(conn, case_ids=case_ids)
    return {
        row["case_id"]: await links.url(row, "display", protected=row["confidential"])
        for row in rows
    }


async def signed_object_key(
    conn: Connection, signing: LinkSigning, link: SignedLink, *, now: datetime
) -> tuple[str, int]:
    """The stored object a signed link names, and how many seconds the link still lasts.

    Refused once the link's viewer is deactivated or no longer sees the photo's case.
    """
    if not is_valid(
        signing.secret,
        media_id=link.media_id,
        rendition=link.rendition,
        viewer=link.viewer,
        expires=link.expires,
        given=link.signature,
        now=now,
    ):
        raise _LINK_REFUSED
    row = await queries.get_media(conn, media_id=link.media_id)
    if row is None:
        raise _NO_SUCH_PHOTO
    if not await viewer_still_sees(conn, link):
        raise _LINK_REFUSED
    key: str = row[RENDITION_KEYS[link.rendition]]
    return key, max(0, link.expires - int(now.timestamp()))


async def is_public_key(conn: Connection, signing: LinkSigning, *, key: str) -> bool:
    """Whether a stored object may be served by its name alone, to anyone."""
    if signing.sign_all:
        return False
    return not await queries.key_of_confidential_case(conn, key=key)


async def stored_bytes(store: Store, key: str) -> bytes:
    """A stored object's bytes (a protected photo the API serves from the bucket itself)."""
    try:
        return await store.get(key)
    except MissingObject:
        raise _NO_SUCH_PHOTO from None
    except StoreUnavailable:
        raise _STORE_DOWN from None


async def same_report_photos(
    conn: Connection, *, case_id: int, uploader_id: int, media_ids: list[uuid.UUID]
) -> list[uuid.UUID] | None:
    """The case's report photo ids, when these uploads of the uploader show the same pictures.

    A phone that replays a report it already sent may have uploaded its photos again meanwhile;
    they are stored under the same content, so the report is the same.
    """
    row = await queries.report_photo_contents(
        conn, case_id=case_id, uploader_id=uploader_id, media_ids=media_ids
    )
    if list(row["sent_keys"]) != list(row["kept_keys"]):
        return None
    return list(row["kept_ids"])
