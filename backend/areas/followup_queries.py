"""SQL of a key area's follow-up: acceptance, extensions, level duties, watch, vetoes, figures.

Reads a caller makes are scoped by `key_areas.region_path` starting with the caller's path
(NULL = the whole city); the jobs read every area.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from backend.db.types import Connection

_IN_SCOPE = "($2::text IS NULL OR a.region_path LIKE $2 || '%')"


async def area_in_scope(
    conn: Connection, *, area_id: int, scope_path: str | None
) -> asyncpg.Record | None:
    """One area with its region's code, only if it lies in the scope."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT a.id, a.place_id, a.region_id, a.region_path, a.name, a.area_type, a.state, "
        "a.level, a.tier, a.deadline, a.baseline, a.listed_at, a.flagged_at, a.lifted_at, "
        "a.watch_until, a.created_at, r.code AS region_code, r.name AS region_name "
        f"FROM key_areas a JOIN regions r ON r.id = a.region_id WHERE a.id = $1 AND {_IN_SCOPE}",
        area_id,
        scope_path,
    )
    return row


async def current_plan(conn: Connection, *, area_id: int) -> asyncpg.Record | None:
    """The area's current plan (一地一策)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, first_responsible_id, direct_responsible_id, lead_region_id, "
        "lead_department_id, deadline, goals FROM key_area_plans WHERE area_id = $1 AND current",
        area_id,
    )
    return row


async def last_event_at(conn: Connection, *, area_id: int, action: str) -> datetime | None:
    """When the area last had an event of this kind."""
    at: datetime | None = await conn.fetchval(
        "SELECT max(at) FROM key_area_events WHERE area_id = $1 AND action = $2", area_id, action
    )
    return at


async def set_baseline(conn: Connection, *, area_id: int, baseline: dict[str, Any]) -> None:
    """Keep what the area showed when it was listed or flagged, once."""
    await conn.execute(
        "UPDATE key_areas SET baseline = $2 WHERE id = $1 AND baseline IS NULL", area_id, baseline
    )


async def set_watch_until(conn: Connection, *, area_id: int, until: datetime) -> None:
    """The end of 回头看."""
    await conn.execute("UPDATE key_areas SET watch_until = $2 WHERE id = $1", area_id, until)


async def move_deadline(conn: Connection, *, area_id: int, deadline: date, at: datetime) -> None:
    """A new deadline for the area and its current plan (延期)."""
    await conn.execute(
        "UPDATE key_areas SET deadline = $2, updated_at = $3 WHERE id = $1", area_id, deadline, at
    )
    await conn.execute(
        "UPDATE key_area_plans SET deadline = $2 WHERE area_id = $1 AND current", area_id, deadline
    )


# --- acceptance (验收) ---------------------------------------------------------------------


async def insert_acceptance(
    conn: Connection, *, area_id: int, survey_id: int | None, at: datetime
) -> int | None:
    """A new round; None when one is already open."""
    round_id: int | None = await conn.fetchval(
        "INSERT INTO key_area_acceptances (area_id, survey_id, started_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (area_id) WHERE decided_at IS NULL DO NOTHING RETURNING id",
        area_id,
        survey_id,
        at,
    )
    return round_id


async def open_acceptance(conn: Connection, *, area_id: int) -> asyncpg.Record | None:
    """The round not yet decided, locked."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, area_id, survey_id, started_at, decided_at, outcome, measure, decided_by "
        "FROM key_area_acceptances WHERE area_id = $1 AND decided_at IS NULL FOR UPDATE",
        area_id,
    )
    return row


async def latest_acceptance(conn: Connection, *, area_id: int) -> asyncpg.Record | None:
    """The current round, or the last decided one."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, area_id, survey_id, started_at, decided_at, outcome, measure, decided_by "
        "FROM key_area_acceptances WHERE area_id = $1 "
        "ORDER BY (decided_at IS NULL) DESC, started_at DESC, id DESC LIMIT 1",
        area_id,
    )
    return row


async def decide_acceptance(
    conn: Connection,
    *,
    round_id: int,
    outcome: str,
    measure: dict[str, Any],
    user_id: int,
    at: datetime,
) -> None:
    """Close the round with what it measured."""
    await conn.execute(
        "UPDATE key_area_acceptances SET decided_at = $2, outcome = $3, measure = $4, "
        "decided_by = $5 WHERE id = $1",
        round_id,
        at,
        outcome,
        measure,
        user_id,
    )


async def insert_recheck_task(
    conn: Connection,
    *,
    area: asyncpg.Record,
    plan_id: int,
    owner_id: int,
    measure: str,
    due_at: datetime,
    at: datetime,
) -> int:
    """A 回头看 re-check task on the area's current plan."""
    task_id: int = await conn.fetchval(
        "INSERT INTO key_area_tasks (area_id, plan_id, region_id, region_path, owner_id, "
        "unit_region_id, kind, measure, due_at, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $3, 'recheck', $6, $7, $8) RETURNING id",
        area["id"],
        plan_id,
        area["region_id"],
        area["region_path"],
        owner_id,
        measure,
        due_at,
        at,
    )
    return task_id


# --- extensions (延期整治) ------------------------------------------------------------------


async def last_outcome(conn: Connection, *, area_id: int) -> str | None:
    """How the last decided acceptance round ended."""
    outcome: str | None = await conn.fetchval(
        "SELECT outcome FROM key_area_acceptances WHERE area_id = $1 AND decided_at IS NOT NULL "
        "ORDER BY decided_at DESC, id DESC LIMIT 1",
        area_id,
    )
    return outcome


async def insert_extension(
    conn: Connection, *, area_id: int, user_id: int, at: datetime, reason: str, deadline: date
) -> int | None:
    """A request; None when one is already pending."""
    ext_id: int | None = await conn.fetchval(
        "INSERT INTO key_area_extensions (area_id, requested_by, requested_at, reason, "
        "new_deadline) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (area_id) WHERE state = 'pending' DO NOTHING RETURNING id",
        area_id,
        user_id,
        at,
        reason,
        deadline,
    )
    return ext_id


_EXTENSION_COLUMNS = (
    "id, area_id, requested_by, requested_at, reason, new_deadline, state, decided_by, "
    "decided_at, decision_note"
)


async def extension(
    conn: Connection, *, area_id: int, extension_id: int, lock: bool = False
) -> asyncpg.Record | None:
    """One extension request of the area."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_EXTENSION_COLUMNS} FROM key_area_extensions WHERE id = $1 AND area_id = $2"
        + (" FOR UPDATE" if lock else ""),
        extension_id,
        area_id,
    )
    return row


async def decide_extension(
    conn: Connection, *, extension_id: int, state: str, user_id: int, at: datetime, note: str
) -> asyncpg.Record:
    """Approve or refuse a pending request."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "UPDATE key_area_extensions SET state = $2, decided_by = $3, decided_at = $4, "
        f"decision_note = $5 WHERE id = $1 RETURNING {_EXTENSION_COLUMNS}",
        extension_id,
        state,
        user_id,
        at,
        note,
    )
    assert row is not None  # the caller holds the row locked
    return row


# An area being put right whose current plan has tasks, none of them unfinished; an extended
# area only once a task given after the extension is done.
_READY = """
    SELECT k.id FROM key_areas k
      JOIN key_area_plans p ON p.area_id = k.id AND p.current
     WHERE k.state IN ('listed', 'flagged', 'extended')
       AND ($1::bigint IS NULL OR k.id = $1)
       AND NOT EXISTS (SELECT 1 FROM key_area_tasks t
                        WHERE t.plan_id = p.id AND t.state IN ('open', 'accepted'))
       AND EXISTS (SELECT 1 FROM key_area_tasks t
                    WHERE t.plan_id = p.id AND t.state <> 'cancelled'
                      AND (k.state <> 'extended' OR t.created_at >
                           (SELECT max(e.at) FROM key_area_events e
                             WHERE e.area_id = k.id AND e.action = 'extend')))
     ORDER BY k.id
"""


async def ready_for_acceptance(conn: Connection, *, area_id: int) -> bool:
    """Whether the area's plan is all done and its acceptance may begin."""
    found: int | None = await conn.fetchval(_READY, area_id)
    return found is not None


async def areas_ready_for_acceptance(conn: Connection) -> list[int]:
    """Areas whose plan is all done but whose acceptance has not begun."""
    rows = await conn.fetch(_READY, None)
    return [row["id"] for row in rows]
