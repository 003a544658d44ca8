"""How many ledger workbooks one staff member may export in an hour.

An export reads up to ten thousand findings and builds a workbook in memory: a runaway
client or a stolen token must not keep the database and the server busy with them.
"""

from __future__ import annotations

from datetime import datetime

from backend.accounts.rules import Principal
from backend.db.types import Connection
from backend.settings import Settings
from backend.throttle import service as throttle


async def take_export(
    conn: Connection, principal: Principal, *, settings: Settings, now: datetime
) -> None:
    """Count one export of the caller, or raise 429 with the wait."""
    limit = settings.findings_exports_per_hour
    await throttle.within_hourly(
        conn,
        scope="oversight.findings_export",
        key=str(principal.user_id),
        limit=limit,
        now=now,
        refusal=(
            "oversight.export_rate_limited",
            f"每人每小时最多导出 {limit} 次问题台账，请稍后再试",
            f"At most {limit} ledger exports may be made per person an hour; try again later",
        ),
    )
