"""SQL of the areas' figures and of the acceptance report: counts, plan, tasks, photos."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.db.types import Connection


async def areas_by(conn: Connection, *, scope_path: str | None) -> list[asyncpg.Record]:
    """How many areas in scope hold each (state, type)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT a.state, a.area_type, count(*) AS n FROM key_areas a "
        "WHERE ($1::text IS NULL OR a.region_path LIKE $1 || '%') GROUP BY a.state, a.area_type",
        scope_path,
    )
    return rows


async def flagged_in(
    conn: Connection, *, scope_path: str | None, start: datetime, end: datetime
) -> asyncpg.Record:
    """Of the areas listed or flagged in [start, end): how many, lifted since, relisted since."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT count(*) AS flagged, "
        "count(*) FILTER (WHERE a.lifted_at IS NOT NULL OR a.state IN "
        "('lifted', 'watching', 'closed', 'relisted')) AS lifted, "
        "count(*) FILTER (WHERE EXISTS (SELECT 1 FROM key_area_events e "
        " WHERE e.area_id = a.id AND e.action = 'relist')) AS relisted "
        "FROM key_areas a WHERE ($1::text IS NULL OR a.region_path LIKE $1 || '%') "
        "AND coalesce(a.flagged_at, a.listed_at) >= $2 "
        "AND coalesce(a.flagged_at, a.listed_at) < $3",
        scope_path,
        start,
        end,
    )
    assert row is not None  # an aggregate always answers one row
    return row


async def plan_for_report(conn: Connection, *, area_id: int) -> asyncpg.Record | None:
    """The current plan with its people's display names and its lead unit's name."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT p.goals, p.deadline, "
        "coalesce(nullif(f.display_name, ''), f.username) AS first_name, "
        "coalesce(nullif(d.display_name, ''), d.username) AS direct_name, "
        "coalesce(lr.name, ld.name) AS lead_name "
        "FROM key_area_plans p JOIN users f ON f.id = p.first_responsible_id "
        "JOIN users d ON d.id = p.direct_responsible_id "
        "LEFT JOIN regions lr ON lr.id = p.lead_region_id "
        "LEFT JOIN departments ld ON ld.id = p.lead_department_id "
        "WHERE p.area_id = $1 AND p.current",
        area_id,
    )
    return row


async def tasks_for_report(conn: Connection, *, area_id: int) -> list[asyncpg.Record]:
    """Every task of the area (all plans), with its unit's and owner's names."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT t.measure, t.due_at, t.state, t.done_at, "
        "coalesce(nullif(u.display_name, ''), u.username) AS owner_name, "
        "coalesce(ur.name, ud.name, '') AS unit_name "
        "FROM key_area_tasks t JOIN users u ON u.id = t.owner_id "
        "LEFT JOIN regions ur ON ur.id = t.unit_region_id "
        "LEFT JOIN departments ud ON ud.id = t.unit_department_id "
        "WHERE t.area_id = $1 AND t.state <> 'cancelled' ORDER BY t.due_at, t.id",
        area_id,
    )
    return rows


async def photos_for_report(conn: Connection, *, area_id: int) -> list[asyncpg.Record]:
    """The evidence photos of the area's task updates and duty records: id, when, caption."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT m.id, m.display_key, m.thumbnail_key, m.created_at, t.measure AS caption "
        "FROM media m "
        "JOIN key_area_task_updates u ON m.subject_kind = 'area_task_update' "
        " AND m.subject_id = u.id "
        "JOIN key_area_tasks t ON t.id = u.task_id WHERE t.area_id = $1 "
        "UNION ALL "
        "SELECT m.id, m.display_key, m.thumbnail_key, m.created_at, d.kind AS caption "
        "FROM media m "
        "JOIN key_area_duties d ON m.subject_kind = 'area_duty' AND m.subject_id = d.id "
        "WHERE d.area_id = $1 "
        "ORDER BY 4, 1 LIMIT 500",
        area_id,
    )
    return rows
