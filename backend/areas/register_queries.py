"""SQL of the key-area register: its pages with counts and progress, timelines, evidence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from backend.areas.queries import AREA_COLUMNS
from backend.db.types import Connection

SUMMARY_COLUMNS = f"""
    {AREA_COLUMNS}, r.code AS region_code, r.name AS region_name,
    coalesce(p.geometry, cr.geometry) AS shape, p.geometry, cr.code AS covers_region_code,
    cr.name AS covers_region_name,
    (SELECT count(*) FROM case_places cp JOIN cases c ON c.id = cp.case_id
      WHERE cp.place_id = k.place_id AND cp.case_created_at >= {{since}}
        AND c.status NOT IN ('rejected', 'merged')
        AND ({{confidential}}::boolean OR NOT c.confidential))::int AS reports_30d,
    coalesce(t.tasks, 0) AS tasks, coalesce(t.done, 0) AS done, coalesce(t.overdue, 0) AS overdue
"""
SUMMARY_JOINS = """
    JOIN regions r ON r.id = k.region_id
    JOIN places p ON p.id = k.place_id
    LEFT JOIN regions cr ON cr.id = p.covers_region_id
    LEFT JOIN LATERAL (
        SELECT count(*)::int AS tasks,
               count(*) FILTER (WHERE t.state = 'done')::int AS done,
               count(*) FILTER (WHERE t.state IN ('open', 'accepted')
                                  AND t.due_at <= {now})::int AS overdue
          FROM key_area_tasks t JOIN key_area_plans pl ON pl.id = t.plan_id AND pl.current
         WHERE t.area_id = k.id AND t.state <> 'cancelled'
    ) t ON TRUE
"""


async def area_page(
    conn: Connection,
    *,
    where: str,
    args: list[Any],
    since: datetime,
    now: datetime,
    limit: int,
    confidential: bool = False,
) -> list[asyncpg.Record]:
    """A page of the register, newest change first, with counts and plan progress per area.

    `where` is on key_areas k alone and numbers its parameters from $3 on ($1 is `since`,
    $2 is `now`). The page is chosen first, so the counts are made for its rows only. The
    counts hold confidential cases only when the reader's scope sees them (`confidential`).
    """
    columns = SUMMARY_COLUMNS.format(since="$1", confidential=f"${len(args) + 3}")
    joins = SUMMARY_JOINS.format(now="$2")
    order = "ORDER BY k.updated_at DESC, k.id DESC"
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {columns} FROM (SELECT k.* FROM key_areas k WHERE {where} {order} "
        f"LIMIT {int(limit)}) k {joins} {order}",
        since,
        now,
        *args,
        confidential,
    )
    return rows


async def open_area_duties(conn: Connection, *, area_ids: list[int]) -> list[asyncpg.Record]:
    """The level duties of these areas not yet recorded (id, area_id)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT d.id, d.area_id FROM key_area_duties d "
        "WHERE d.area_id = ANY($1::bigint[]) AND d.done_at IS NULL",
        area_ids,
    )
    return rows


async def events_of(conn: Connection, *, area_id: int) -> list[asyncpg.Record]:
    """The area's timeline, oldest first, with each actor's display name."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT e.id, e.at, e.actor_role, e.action, e.from_state, e.to_state, e.reason, "
        "e.media_ids, e.detail, u.display_name AS actor_name FROM key_area_events e "
        "LEFT JOIN users u ON u.id = e.actor_id WHERE e.area_id = $1 ORDER BY e.at, e.id",
        area_id,
    )
    return rows


async def evidence_case_ids(
    conn: Connection,
    *,
    place_id: int,
    before: tuple[datetime, int] | None,
    limit: int,
    confidential: bool = False,
) -> list[asyncpg.Record]:
    """Cases placed in or linked to the place, newest first (keyset before a (created, id)),
    confidential ones only when the reader's scope sees them (`confidential`)."""
    after = "" if before is None else "AND (cp.case_created_at, cp.case_id) < ($3, $4) "
    keys = () if before is None else before
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT cp.case_id, cp.case_created_at FROM case_places cp "
        "JOIN cases c ON c.id = cp.case_id "
        "WHERE cp.place_id = $1 AND ($2 OR NOT c.confidential) "
        f"{after}ORDER BY cp.case_created_at DESC, cp.case_id DESC LIMIT {int(limit)}",
        place_id,
        confidential,
        *keys,
    )
    return rows
