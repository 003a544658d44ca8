"""SQL of the daily level snapshot's own bookkeeping: one function per statement."""

from __future__ import annotations

from datetime import date

from backend.db.types import Connection


async def day_kept(conn: Connection, *, day: date) -> bool:
    """Whether the day's grid levels are kept already.

    The snapshot keeps every grid at once, so the first grid probed answers: each probe is
    one lookup in the (region, day) index, never a scan of the whole history.
    """
    kept: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM regions r CROSS JOIN LATERAL ("
        " SELECT 1 FROM level_history h WHERE h.region_id = r.id AND h.day = $1 LIMIT 1"
        ") k WHERE r.level = 'grid')",
        day,
    )
    return kept
