"""POST requests: an Open311 service request enters through the app's own report intake.

The key's account is the reporter of record, so routing into a grid, the tracking number,
auto-dispatch, deadlines, the outbox and the audit trail are exactly those of a report sent
from a phone. Only the photo rule differs: a hotline call has no photo, so each category
says whether Open311 must send one. A photo comes as the `media` file or is fetched from
`media_url` (public https addresses only, bounded in size and time), and goes through the
same photo pipeline as the app's. The spec has no client id: the key, the client's
device_id, the content (photo included) and the day derive one, so a retried POST returns
the request it already created (see rules.derived_client_ids).
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from datetime import datetime

from backend.accounts.rules import Principal
from backend.db.types import Connection
from backend.errors import BadRequest, Conflict, Forbidden
from backend.media import service as media
from backend.media.service import PhotoService
from backend.open311 import queries, rules
from backend.open311.forms import PostedRequest
from backend.open311.rules import Locale
from backend.open311.schemas import RequestCreatedOut
from backend.open311.service import public_category
from backend.outbound.fetch import Fetcher, FetchRefused
from backend.reports import service as reports
from backend.reports.schemas import ReportIn
from backend.reports.service import Intake

_BAD_KEY = Forbidden(
    "open311.api_key", "api_key 无效或已停用", "Invalid or revoked api_key: can't create a request"
)


@dataclasses.dataclass(frozen=True, slots=True)
class Posting:
    """Everything one POST carries, read and checked."""

    api_key: str | None
    request: PostedRequest
    photo: bytes | None
    locale: Locale


async def _key(conn: Connection, api_key: str | None) -> tuple[int, Principal, int]:
    if not api_key:
        raise _BAD_KEY
    row = await queries.get_live_key(conn, key_hash=rules.key_digest(api_key))
    if row is None:
        raise _BAD_KEY
    reporter = Principal(
        user_id=row["user_id"],
        role="resident",
        region_id=None,
        region_path=None,
        department_id=None,
        locale="zh-CN",
    )
    return row["id"], reporter, row["reports_per_hour"]


async def post_request(
    conn: Connection,
    intake: Intake,
    photos: PhotoService,
    fetcher: Fetcher,
    *,
    posting: Posting,
    now: datetime,
) -> tuple[RequestCreatedOut, bool]:
    """Create the request once; returns the answer and whether this call created it."""
    key_id, reporter, per_hour = await _key(conn, posting.api_key)
    if posting.photo is not None and posting.request.media_url is not None:
        raise BadRequest(
            "open311.form",
            "照片文件与 media_url 只能给一个",
            "Send either a media file or a media_url, not both",
            fields={"media_url": "not together with a media file"},
        )
    category = await public_category(conn, code=posting.request.service_code)
    photo_sha = hashlib.sha256(posting.photo).hexdigest() if posting.photo else None
    client_id, yesterdays = rules.derived_client_ids(
        key_id, posting.request.device_id, posting.request.fingerprint(photo_sha), now
    )
    earlier = [client_id, yesterdays]
    notice = rules.service_notice(
        accept_minutes=category.deadlines.accept_minutes,
        resolve_minutes=category.deadlines.resolve_minutes,
        locale=posting.locale,
    )
    is_new = False
    if await queries.find_posted(conn, key_id=key_id, client_ids=earlier) is None:
        # The key's own hourly limit replaces a phone's: a partner speaks for many people.
        limited = dataclasses.replace(
            intake,
            settings=dataclasses.replace(intake.settings, reports_per_hour=per_hour),
            channel="open311",
        )
        # A key at its limit is refused before a photo is fetched, decoded and stored for it.
        await reports.check_report_limit(conn, limited.settings, principal=reporter, now=now)
        photo = posting.photo or await _fetched(fetcher, posting, intake.settings.media_max_bytes)
        report = await _report_in(
            conn, photos, posting, photo, category.code, reporter, client_id, now
        )
        is_new = await _submit(
            conn, limited, reporter=reporter, report=report, key_id=key_id, now=now
        )
    stored = await queries.find_posted(conn, key_id=key_id, client_ids=earlier)
    assert stored is not None  # written with its case, in one transaction
    return _created_out(stored["public_id"], stored["token"], notice), is_new


async def _fetched(fetcher: Fetcher, posting: Posting, max_bytes: int) -> bytes | None:
    """The photo at the request's media_url, if it names one."""
    if posting.request.media_url is None:
        return None
    try:
        return await fetcher.fetch(posting.request.media_url, max_bytes=max_bytes)
    except FetchRefused as exc:
        raise BadRequest(
            "open311.media_url",
            f"无法取得 media_url 的照片：{exc}",
            f"The photo at media_url could not be used: it {exc}",
            fields={"media_url": str(exc)},
        ) from None


async def _report_in(
    conn: Connection,
    photos: PhotoService,
    posting: Posting,
    photo: bytes | None,
    category: str,
    reporter: Principal,
    client_id: uuid.UUID,
    now: datetime,
) -> ReportIn:
    media_ids = []
    if photo is not None:
        uploaded = await media.upload(
            conn,
            photos,
            uploader_id=reporter.user_id,
            data=photo,
            client_key=None,
            purpose="report",
            now=now,
        )
        media_ids.append(uploaded.id)
    return ReportIn(
        client_id=client_id,
        category=category,
        lat=posting.request.lat,
        lng=posting.request.lng,
        description=posting.request.description,
        accuracy_m=posting.request.accuracy_m,
        address=posting.request.address,
        media_ids=media_ids,
        anonymous=True,
    )


async def _submit(
    conn: Connection,
    intake: Intake,
    *,
    reporter: Principal,
    report: ReportIn,
    key_id: int,
    now: datetime,
) -> bool:
    """Intake and the token in one transaction; False when a concurrent retry got there first."""
    try:
        async with conn.transaction():
            created, _ = await reports.submit(
                conn, intake, principal=reporter, data=report, now=now
            )
            return await queries.insert_posted(
                conn,
                case_id=created.id,
                key_id=key_id,
                client_id=report.client_id,
                token=uuid.uuid4(),
                created_at=now,
            )
    except Conflict as exc:
        # The winning retry uploaded its own copy of the photo, so its content differs.
        if exc.code != "reports.client_id_reused":
            raise
        return False


def _created_out(public_id: str, token: uuid.UUID, notice: str) -> RequestCreatedOut:
    return RequestCreatedOut(service_request_id=public_id, token=str(token), service_notice=notice)
