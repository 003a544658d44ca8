"""What a finding owes the deadline watcher: its rectification by the deadline (催办, 督办)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import asyncpg

from backend.db.types import Connection
from backend.duties.watcher import Stage
from backend.oversight import finding_rules, findings_queries

SUBJECT_KIND = "finding"


class FindingDuty:
    """A finding owes its 整改反馈 until the responsible unit reports."""

    async def settle(self, conn: Connection, duty: asyncpg.Record, *, now: datetime) -> bool:
        """A finding reported (or beyond) owes nothing more; a held one raises
        LockNotAvailableError and is looked at again later."""
        del now
        row = await findings_queries.finding_unless_busy(conn, finding_id=duty["subject_id"])
        return row is None or row["state"] not in finding_rules.OWING

    async def on_stage(
        self, conn: Connection, duty: asyncpg.Record, *, stage: Stage, now: datetime
    ) -> None:
        """催办 or 督办 on the finding's own timeline."""
        row = await findings_queries.finding_unless_busy(conn, finding_id=duty["subject_id"])
        if row is None:
            return
        await findings_queries.insert_event(
            conn,
            values={
                "finding_id": row["id"],
                "region_id": row["region_id"],
                "at": now,
                "actor_id": None,
                "actor_role": "system",
                "action": stage,
                "from_state": row["state"],
                "to_state": row["state"],
                "deadline": row["deadline"],
                "detail": {"dutyId": duty["id"]},
            },
        )


FINDING_SUBJECT: Final = FindingDuty()
