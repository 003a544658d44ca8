"""An area's evidence: the cases placed in it or linked to it by hand, newest first."""

from __future__ import annotations

import base64
from datetime import datetime

import msgspec

from backend.accounts.rules import Principal
from backend.areas import register_queries, service
from backend.areas.schemas import AreaCasesOut
from backend.cases import views as cases
from backend.cases.service import scope_for
from backend.db.types import Connection
from backend.errors import Invalid

PAGE_SIZE = 50


def _encode(created_at: datetime, case_id: int) -> str:
    raw = msgspec.json.encode([created_at.isoformat(), case_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=tuple[datetime, int])
    except (ValueError, msgspec.DecodeError, msgspec.ValidationError):
        raise Invalid(
            "areas.bad_cursor", "分页参数无效", "Invalid cursor", fields={"cursor": "invalid"}
        ) from None


async def cases_of(
    conn: Connection, principal: Principal, area_id: int, *, cursor: str | None, now: datetime
) -> AreaCasesOut:
    """A page of the area's cases, with the fields the dispatcher's queue shows."""
    area = await service.summary_row(conn, principal, area_id, now=now)
    before = _decode(cursor) if cursor else None
    rows = await register_queries.evidence_case_ids(
        conn,
        place_id=area["place_id"],
        before=before,
        limit=PAGE_SIZE + 1,
        confidential=scope_for(principal).confidential,
    )
    page = rows[:PAGE_SIZE]
    items = await cases.summaries_of(conn, principal, [row["case_id"] for row in page])
    more = len(rows) > PAGE_SIZE
    last = page[-1] if page else None
    following = _encode(last["case_created_at"], last["case_id"]) if more and last else None
    return AreaCasesOut(items=items, next=following)
