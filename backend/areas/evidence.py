"""An area's evidence: the cases placed in it or linked to it by hand, newest first."""

from __future__ import annotations

from datetime import datetime

from backend.accounts.rules import Principal
from backend.areas import cursors, register_queries, service
from backend.areas.schemas import AreaCasesOut
from backend.cases import views as cases
from backend.cases.service import scope_for
from backend.db.types import Connection

PAGE_SIZE = 50


async def cases_of(
    conn: Connection, principal: Principal, area_id: int, *, cursor: str | None, now: datetime
) -> AreaCasesOut:
    """A page of the area's cases, with the fields the dispatcher's queue shows."""
    area = await service.summary_row(conn, principal, area_id, now=now)
    before = cursors.decode(cursor) if cursor else None
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
    following = cursors.encode(last["case_created_at"], last["case_id"]) if more and last else None
    return AreaCasesOut(items=items, next=following)
