"""HTTP handlers for photos: upload, and serving files from the filesystem store."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, cast

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, QueryParameter
from litestar.response import File

from backend.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge
from backend.media import service
from backend.media.links import RENDITION_KEYS, Rendition, SignedLink
from backend.media.schemas import MediaOut
from backend.web.auth import logged_in
from backend.web.client_address import address_block, client_address
from backend.web.deps import DB, Caller, Ctx
from media_store import FilesystemStore, InvalidKey, check_key, content_type_for

_FORM_FIELDS = {"file", "clientKey", "purpose"}
_CLIENT_KEY_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_NO_SUCH_PHOTO = NotFound("media.not_found", "找不到该照片", "No such photo")
_NOT_PUBLIC = Forbidden("media.not_public", "该照片不公开", "This photo is not public")


def _bad_form(field: str, reason: str) -> BadRequest:
    return BadRequest(
        "media.bad_form", "上传表单有误", "The upload form is invalid", fields={field: reason}
    )


def _text_field(form: Any, name: str, default: str | None) -> str | None:
    values = form.getall(name) if name in form else []
    if len(values) > 1 or any(not isinstance(v, str) for v in values):
        raise _bad_form(name, "must be given once, as text")
    return values[0] if values else default


async def _read_form(
    request: Request[Any, Any, Any], max_bytes: int
) -> tuple[bytes, str | None, str]:
    form = await request.form()
    unknown = set(form.keys()) - _FORM_FIELDS
    if unknown:
        raise _bad_form(sorted(unknown)[0], "unknown field; send file, clientKey and purpose")
    files = form.getall("file") if "file" in form else []
    if len(files) != 1 or not isinstance(files[0], UploadFile):
        raise _bad_form("file", "exactly one file is required")
    data = await files[0].read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLarge("media.too_large", "照片过大", "The photo is too large")
    client_key = _text_field(form, "clientKey", None)
    if client_key is not None and not (
        16 <= len(client_key) <= 128 and set(client_key) <= _CLIENT_KEY_CHARS
    ):
        raise _bad_form("clientKey", "16 to 128 letters, digits, '-' or '_'")
    purpose = _text_field(form, "purpose", "report")
    if purpose not in {"report", "resolution", "evidence"}:
        raise _bad_form("purpose", "report, resolution or evidence")
    assert purpose is not None
    return data, client_key, purpose


class MediaController(Controller):
    path = "/api/v1/media"
    tags = ["media"]
    guards = [logged_in]

    @post(
        "/",
        operation_id="uploadPhoto",
        summary="Upload a photo (multipart: file, clientKey, purpose); re-encoded, no metadata",
    )
    async def upload(
        self, request: Request[Any, Any, Any], ctx: Ctx, db: DB, principal: Caller
    ) -> MediaOut:
        data, client_key, purpose = await _read_form(request, ctx.settings.media_max_bytes)
        return await service.upload(
            db,
            ctx.photos(),
            uploader_id=principal.user_id,
            data=data,
            client_key=client_key,
            purpose=purpose,
            now=ctx.clock.now(),
            address_block=address_block(client_address(request, ctx.settings)),
        )


@get(
    "/media/{key:str}",
    operation_id="getStoredPhoto",
    tags=["media"],
    summary="A stored photo (filesystem store): immutable, named by its content hash",
)
async def stored_photo(ctx: Ctx, db: DB, key: FromPath[str]) -> Response[Any]:
    store = ctx.require_store()
    if not isinstance(store, FilesystemStore):
        raise _NO_SUCH_PHOTO
    try:
        path = store.path_for(key)
    except InvalidKey:
        raise _NO_SUCH_PHOTO from None
    # A protected photo is reached only by a signed link, never by its stored name.
    if not path.is_file() or not await service.is_public_key(db, ctx.link_signing(), key=key):
        raise _NO_SUCH_PHOTO
    return File(
        path,
        media_type=content_type_for(key),
        content_disposition_type="inline",
        headers={"Cache-Control": "private, max-age=31536000, immutable"},
    )


@get(
    "/media/public/{key:str}",
    operation_id="checkPublicPhoto",
    tags=["media"],
    status_code=204,
    summary="204 when a stored photo may be served by its name alone (nginx asks before /photos/)",
)
async def public_photo_check(ctx: Ctx, db: DB, key: FromPath[str]) -> None:
    # 403, not 404: nginx's auth_request reads any other refusal as its own failure.
    try:
        check_key(key)
    except InvalidKey:
        raise _NOT_PUBLIC from None
    if not await service.is_public_key(db, ctx.link_signing(), key=key):
        raise _NOT_PUBLIC


@get(
    "/media/signed/{media_id:uuid}/{rendition:str}",
    operation_id="getSignedPhoto",
    tags=["media"],
    summary="A protected photo by the signed link a case or report answer gave its viewer",
)
async def signed_photo(
    ctx: Ctx,
    db: DB,
    media_id: FromPath[uuid.UUID],
    rendition: FromPath[str],
    viewer: Annotated[int, QueryParameter(ge=0)],
    expires: Annotated[int, QueryParameter(ge=0)],
    signature: Annotated[str, QueryParameter(max_length=64)],
) -> Response[Any]:
    if rendition not in RENDITION_KEYS:
        raise _NO_SUCH_PHOTO
    link = SignedLink(media_id, cast("Rendition", rendition), viewer, expires, signature)
    now = ctx.clock.now()
    key, seconds_left = await service.signed_object_key(db, ctx.link_signing(), link, now=now)
    # Private: a shared cache never keeps it, and the browser only while the link lasts.
    headers = {"Cache-Control": f"private, max-age={seconds_left}"}
    store = ctx.require_store()
    if isinstance(store, FilesystemStore):
        path = store.path_for(key)
        if not path.is_file():
            raise _NO_SUCH_PHOTO
        return File(
            path,
            media_type=content_type_for(key),
            content_disposition_type="inline",
            headers=headers,
        )
    return Response(
        await service.stored_bytes(store, key),
        media_type=content_type_for(key),
        headers={**headers, "Content-Disposition": "inline"},
    )
