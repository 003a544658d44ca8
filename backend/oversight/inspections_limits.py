"""How many inspection writes one staff member may make in an hour.

An inspection opens a duty per finding and every move writes a timeline, an audit row and
perhaps pushes: a runaway client or a stolen token must not flood them.
"""

from __future__ import annotations

from datetime import datetime

from backend.accounts.rules import Principal
from backend.db.types import Connection
from backend.settings import Settings
from backend.throttle import service as throttle


async def take(
    conn: Connection, principal: Principal, *, settings: Settings, now: datetime
) -> None:
    """Count one stored inspection or finding move of the caller, or raise 429 with the wait.

    Called once the write is stored, in its transaction: a replay is not counted again."""
    limit = settings.inspection_writes_per_hour
    await throttle.within_hourly(
        conn,
        scope="oversight.inspection_write",
        key=str(principal.user_id),
        limit=limit,
        now=now,
        refusal=(
            "oversight.rate_limited",
            f"每人每小时最多提交 {limit} 次督查记录或问题办理，请稍后再试",
            f"At most {limit} inspections or finding moves may be made per person an hour; "
            "try again later",
        ),
    )
