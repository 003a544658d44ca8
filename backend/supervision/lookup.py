"""The active flag over a place, for every case and list that shows one.

Kept apart from the service so that the case views and the hotspot list can read flags
while the service, which measures the exit bar from hotspot levels, reads the hotspots.
"""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from backend.db.types import Connection
from backend.supervision import queries, rules
from backend.supervision.schemas import FlagRefOut


def flag_ref(row: asyncpg.Record) -> FlagRefOut:
    """The short form of a flag row."""
    return FlagRefOut(
        id=row["id"],
        region_code=row["region_code"],
        region_name=row["region_name"],
        reason=row["reason"],
        deadline=row["deadline"],
        flagged_at=row["flagged_at"],
    )


async def flags_over(conn: Connection, *, paths: Iterable[str]) -> dict[str, FlagRefOut]:
    """For each region path, the active flag of that region or the nearest one above it."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    rows = await queries.active_flags_on(conn, paths=rules.regions_above(wanted))
    return rules.nearest(wanted, {row["region_path"]: flag_ref(row) for row in rows})
