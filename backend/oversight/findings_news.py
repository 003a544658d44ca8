"""Who is told of a finding: the responsible unit when it is filed or sent back, the
inspection's author when the unit reports. Ids and the finding's text only."""

from __future__ import annotations

from datetime import datetime

from backend.cases import service as cases
from backend.db.types import Connection
from backend.push import service as push


async def tell_unit(
    conn: Connection,
    *,
    finding_id: int,
    text: str,
    region_id: int,
    unit_path: str | None,
    department_id: int | None,
    user_id: int | None,
    now: datetime,
) -> None:
    """The named person, or else the workers of the region or the users of the department."""
    if user_id is not None:
        recipients = [user_id]
    else:
        news = await cases.handler_news(
            conn, assigned_path=unit_path, department_id=department_id, kind="finding"
        )
        recipients = [recipient for recipient, _ in news]
    await push.notify(
        conn,
        user_ids=recipients,
        kind="finding",
        region_id=region_id,
        payload={"subjectKind": "finding", "subjectId": finding_id, "title": text},
        now=now,
    )


async def tell_checker(
    conn: Connection, *, finding_id: int, text: str, region_id: int, author_id: int, now: datetime
) -> None:
    """整改反馈 reached: the inspection's author is asked to recheck."""
    await push.notify(
        conn,
        user_ids=[author_id],
        kind="finding_reported",
        region_id=region_id,
        payload={"subjectKind": "finding", "subjectId": finding_id, "title": text},
        now=now,
    )
