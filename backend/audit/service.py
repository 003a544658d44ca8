"""Writing the audit trail: other domains record through here, inside their transaction."""

from __future__ import annotations

from typing import Any

from backend.audit import queries
from backend.db.types import Connection


async def record(
    conn: Connection,
    *,
    actor_id: int | None,
    action: str,
    subject: tuple[str, str],
    region_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one audit row for `subject` = (type, id); ids only, never names or phones."""
    subject_type, subject_id = subject
    return await queries.insert_entry(
        conn,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        region_id=region_id,
        detail=detail,
    )


async def history(conn: Connection, *, subject: tuple[str, str]) -> list[dict[str, Any]]:
    """The audit rows of one subject, oldest first, as plain dicts."""
    rows = await queries.list_entries(conn, subject_type=subject[0], subject_id=subject[1])
    return [dict(row) for row in rows]
