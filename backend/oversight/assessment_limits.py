"""How many 考核 changes one staff member may make in an hour.

Computing a result reads every unit's figures across the statistics: a runaway client or a
stolen token must not turn that into a load on the database.
"""

from __future__ import annotations

from datetime import datetime

from backend.accounts.rules import Principal
from backend.db.types import Connection
from backend.settings import Settings
from backend.throttle import service as throttle


async def take_write(
    conn: Connection, principal: Principal, *, settings: Settings, now: datetime
) -> None:
    """Count one 考核 change of the caller, or raise 429 with the wait."""
    limit = settings.assessment_writes_per_hour
    await throttle.within_hourly(
        conn,
        scope="assessment.write",
        key=str(principal.user_id),
        limit=limit,
        now=now,
        refusal=(
            "assessment.rate_limited",
            f"每人每小时最多提交 {limit} 次考核操作，请稍后再试",
            f"At most {limit} assessment changes may be made per person an hour; try again later",
        ),
    )
