"""What a monthly report owes the deadline watcher: filed, or missing at its due time."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.db.types import Connection
from backend.duties.watcher import Stage
from backend.oversight import monthly
from backend.oversight import monthly_queries as queries
from backend.oversight import monthly_rules as rules


class MonthlyReportSubject:
    """A unit's report of a month: owed until it is filed."""

    async def settle(self, conn: Connection, duty: asyncpg.Record, *, now: datetime) -> bool:
        """A filed report owes nothing more.

        A report someone is filing right now raises LockNotAvailableError: the watcher
        looks again later rather than wait while it holds the duty."""
        del now
        row = await queries.lock_unless_busy(conn, report_id=duty["subject_id"])
        return row is None or row["state"] in rules.FILED

    async def on_stage(
        self, conn: Connection, duty: asyncpg.Record, *, stage: Stage, now: datetime
    ) -> None:
        """催办 marks the report missing; both stages go on its timeline."""
        row = await queries.lock_unless_busy(conn, report_id=duty["subject_id"])
        if row is None:
            return
        await monthly.mark_missing(conn, row, duty_id=duty["id"], stage=stage, now=now)


MONTHLY_REPORT_SUBJECT = MonthlyReportSubject()
