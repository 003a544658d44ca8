"""The key area a case lies in, for every case list and case page that staff read.

A case can lie in several governed areas (a street's listing inside a district's flag): the
most serious one is shown, a flag before a listing, then red before yellow before blue.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import asyncpg

from backend.clock import city_today
from backend.db.types import Connection
from backend.settings import Settings
from backend.structs import Model

# States in which an area is being governed against its plan: those a case list shows.
GOVERNED: tuple[str, ...] = ("listed", "flagged", "extended", "accepting")
# States in which the plan's deadline still binds (in acceptance the work is done).
UNDER_REMEDIATION: frozenset[str] = frozenset({"listed", "flagged", "extended"})


class KeyAreaProgressOut(Model):
    """The current plan's tasks: how many, how many done, how many open past their time."""

    tasks: int = 0
    done: int = 0
    overdue: int = 0


class KeyAreaRefOut(Model):
    """The governed key area a case lies in, as a case list shows it (挂牌 名称 3/5)."""

    id: int
    name: str
    state: str
    # 'district' for a 挂牌督办, 'street' for a 重点整治 listing.
    tier: str | None
    level: str | None
    deadline: date | None
    # Past the plan's deadline while still being put right.
    overdue: bool
    progress: KeyAreaProgressOut


_AREAS_OF_CASES = """
WITH picked AS (
    SELECT DISTINCT ON (cp.case_id) cp.case_id, k.id AS area_id
      FROM case_places cp
      JOIN key_areas k ON k.place_id = cp.place_id
      JOIN cases c ON c.id = cp.case_id
     WHERE cp.case_id = ANY($1::bigint[]) AND k.state = ANY($2::text[])
       -- An area is shown only on cases of its own region: a case of a neighbouring region
       -- linked to it must not show the area to that region's staff.
       AND starts_with(c.region_path, k.region_path)
     ORDER BY cp.case_id,
              (k.tier = 'district') DESC NULLS LAST,
              CASE k.level WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'blue' THEN 2 ELSE 3 END,
              k.deadline NULLS LAST, k.id
), progress AS (
    SELECT t.area_id,
           count(*)::int AS tasks,
           count(*) FILTER (WHERE t.state = 'done')::int AS done,
           count(*) FILTER (WHERE t.state IN ('open', 'accepted') AND t.due_at <= $3)::int
               AS overdue
      FROM key_area_tasks t
      JOIN key_area_plans pl ON pl.id = t.plan_id AND pl.current
     WHERE t.area_id IN (SELECT area_id FROM picked) AND t.state <> 'cancelled'
     GROUP BY t.area_id
)
SELECT picked.case_id, k.id, k.name, k.state, k.tier, k.level, k.deadline,
       coalesce(p.tasks, 0) AS tasks, coalesce(p.done, 0) AS done,
       coalesce(p.overdue, 0) AS overdue
  FROM picked
  JOIN key_areas k ON k.id = picked.area_id
  LEFT JOIN progress p ON p.area_id = k.id
"""


async def _areas_of_cases_rows(
    conn: Connection, *, case_ids: Sequence[int], now: datetime
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        _AREAS_OF_CASES, list(case_ids), list(GOVERNED), now
    )
    return rows


def _ref(row: asyncpg.Record, today: date) -> KeyAreaRefOut:
    deadline: date | None = row["deadline"]
    return KeyAreaRefOut(
        id=row["id"],
        name=row["name"],
        state=row["state"],
        tier=row["tier"],
        level=row["level"],
        deadline=deadline,
        overdue=row["state"] in UNDER_REMEDIATION and deadline is not None and today > deadline,
        progress=KeyAreaProgressOut(tasks=row["tasks"], done=row["done"], overdue=row["overdue"]),
    )


async def areas_of_cases(
    conn: Connection,
    *,
    case_ids: Sequence[int],
    now: datetime,
    timezone: str | None = None,
) -> dict[int, KeyAreaRefOut]:
    """For each of these cases that lies in a governed key area, that area with its progress.

    One statement for a whole page, keyed by the page's case ids. The caller already sees
    the cases; this is for staff only, never for a resident's own view of a report.
    `timezone` is the city's (settings.timezone), for the day a plan's deadline passes.
    """
    if not case_ids:
        return {}
    rows = await _areas_of_cases_rows(conn, case_ids=case_ids, now=now)
    if not rows:
        return {}
    today = city_today(timezone or Settings().timezone, now)
    return {row["case_id"]: _ref(row, today) for row in rows}
