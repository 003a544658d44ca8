"""SQL of what 考核 measures beside the statistics: key areas lifted and overdue, duties
done on time."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from backend.db.types import Connection


async def areas_lifted(
    conn: Connection, *, region_path: str, start: datetime, end: datetime
) -> int:
    """Key areas under the region lifted (摘牌) in [start, end)."""
    n: int = await conn.fetchval(
        "SELECT count(*) FROM key_areas WHERE region_path LIKE $1 || '%' "
        "AND lifted_at >= $2 AND lifted_at < $3",
        region_path,
        start,
        end,
    )
    return n


async def areas_overdue(
    conn: Connection, *, region_path: str, first_day: date, last_day: date, lifted_by: datetime
) -> int:
    """Key areas under the region whose deadline fell in [first_day, last_day] and that were
    not lifted by the end of it (`lifted_by`: the instant the deadline's day ends, at most)."""
    n: int = await conn.fetchval(
        "SELECT count(*) FROM key_areas WHERE region_path LIKE $1 || '%' "
        "AND deadline BETWEEN $2 AND $3 AND state NOT IN ('candidate', 'proposed', 'dismissed') "
        "AND (lifted_at IS NULL OR lifted_at >= $4)",
        region_path,
        first_day,
        last_day,
        lifted_by,
    )
    return n


async def duties_on_time(
    conn: Connection,
    *,
    region_path: str | None,
    department_id: int | None,
    start: datetime,
    end: datetime,
) -> tuple[int, int]:
    """(done by their due time, owed) of the duties due in [start, end) a unit answers for,
    cancelled ones aside: a department's own or its people's; a region's, those owed by a
    region of its subtree or by a person of it who works for no department (a department's
    duties count for the department, wherever it works)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE d.done_at IS NOT NULL AND d.done_at <= d.due_at) AS kept, "
        "count(*) AS owed FROM duties d "
        "WHERE d.due_at >= $3 AND d.due_at < $4 AND d.state <> 'cancelled' AND ("
        " ($1::text IS NOT NULL AND d.owner_department_id IS NULL AND ("
        "  EXISTS (SELECT 1 FROM regions r WHERE r.id = d.owner_region_id "
        "   AND r.path LIKE $1 || '%') "
        "  OR EXISTS (SELECT 1 FROM users u JOIN regions r ON r.id = u.region_id "
        "   WHERE u.id = d.owner_user_id AND u.department_id IS NULL "
        "   AND r.path LIKE $1 || '%'))) "
        " OR ($2::bigint IS NOT NULL AND (d.owner_department_id = $2 OR d.owner_user_id IN "
        "  (SELECT u.id FROM users u WHERE u.department_id = $2))))",
        region_path,
        department_id,
        start,
        end,
    )
    assert row is not None  # an aggregate always answers one row
    return row["kept"], row["owed"]
