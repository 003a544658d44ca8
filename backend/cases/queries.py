"""SQL of the case loop: one function per statement, every read scoped by the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from backend.cases.rules import Scope
from backend.cases.sql import Where, scoped
from backend.db.types import Connection

CASE_COLUMNS = """
    c.id, c.tracking_no, c.status, c.version, c.category_code, c.confidential, c.priority,
    c.description, c.lat, c.lng, c.address, c.anonymous, c.source, c.region_id, c.region_path,
    c.assigned_region_id, c.assigned_path, c.department_id, c.assignee_id, c.master_case_id,
    c.reject_reason, c.escalations, c.reworks, c.due_at, c.overdue, c.accept_due_at,
    c.resolve_due_at, c.verify_due_at, c.created_at, c.updated_at, c.closed_at, c.rating,
    c.reporter_id, c.supervised_step, r.code AS region_code, r.name AS region_name,
    a.code AS assigned_code, a.name AS assigned_name, d.code AS department_code,
    d.name AS department_name
"""
CASE_JOINS = """
    JOIN regions r ON r.id = c.region_id
    LEFT JOIN regions a ON a.id = c.assigned_region_id
    LEFT JOIN departments d ON d.id = c.department_id
"""


async def get_in_scope(
    conn: Connection, *, case_id: int, scope: Scope, for_update: bool = False
) -> asyncpg.Record | None:
    """One case, only if the caller may see it."""
    where = scoped(scope)
    where.add("c.id = {0}", case_id)
    lock = " FOR UPDATE OF c" if for_update else ""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {CASE_COLUMNS} FROM cases c {CASE_JOINS} WHERE {where.sql()}{lock}", *where.args
    )
    return row


async def update_case(
    conn: Connection, *, case_id: int, version: int, changes: dict[str, Any]
) -> bool:
    """Apply changes if nobody changed the case since `version` was read (optimistic lock)."""
    names = list(changes)
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=3))
    status: str = await conn.execute(
        f"UPDATE cases SET {sets}, version = version + 1 WHERE id = $1 AND version = $2",
        case_id,
        version,
        *changes.values(),
    )
    return status.endswith(" 1")


async def list_cases(conn: Connection, *, where: Where, limit: int) -> list[asyncpg.Record]:
    """A page of cases by deadline (open steps first, soonest first), then id."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {CASE_COLUMNS} FROM cases c {CASE_JOINS} WHERE {where.sql()} "
        f"ORDER BY coalesce(c.due_at, 'infinity'), c.id LIMIT {int(limit)}",
        *where.args,
    )
    return rows


async def count_by_status(conn: Connection, *, where: Where) -> dict[str, int]:
    """How many open cases of each status match (the working tabs of a queue).

    Only open statuses are counted: they are what a dispatcher works through, and counting
    a district's whole history on every refresh would cost a scan of it.
    """
    rows = await conn.fetch(
        f"SELECT c.status, count(*) AS n FROM cases c WHERE {where.sql()} "
        "AND c.status IN ('submitted', 'dispatched', 'accepted', 'resolved') GROUP BY c.status",
        *where.args,
    )
    return {row["status"]: row["n"] for row in rows}


async def timeline(
    conn: Connection, *, case_id: int, public_only: bool = False
) -> list[asyncpg.Record]:
    """The steps of a case, oldest first: all of them for staff, the public ones for residents."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT e.at, e.action, e.from_status, e.to_status, e.actor_role, e.note, e.public, "
        "e.detail FROM case_events e WHERE e.case_id = $1 AND (e.public OR NOT $2) "
        "ORDER BY e.at, e.id",
        case_id,
        public_only,
    )
    return rows


async def reporter_contact(conn: Connection, *, case_id: int) -> asyncpg.Record | None:
    """The reporter's nickname and phone (for masking or a recorded reveal)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT u.id, u.nickname, u.phone, c.anonymous "
        "FROM cases c JOIN users u ON u.id = c.reporter_id WHERE c.id = $1",
        case_id,
    )
    return row


async def followers(conn: Connection, *, case_id: int) -> list[int]:
    """The reporter and everyone following a case (and cases merged into it).

    A confidential case is told only to its own reporter: followers and the reporters of
    merged duplicates may not read it, so they hear nothing of it either.
    """
    rows = await conn.fetch(
        """
        SELECT c.reporter_id AS user_id FROM cases c WHERE c.id = $1
        UNION SELECT d.reporter_id FROM cases d JOIN cases m ON m.id = d.master_case_id
              WHERE d.master_case_id = $1 AND NOT m.confidential
        UNION SELECT f.user_id FROM case_followers f JOIN cases c ON c.id = f.case_id
              WHERE f.case_id = $1 AND NOT c.confidential
        """,
        case_id,
    )
    return [row["user_id"] for row in rows]


async def handlers_of(
    conn: Connection, *, assigned_path: str | None, department_id: int | None
) -> list[int]:
    """The staff who may accept a case: workers of its grid, or users of its department."""
    if department_id is not None:
        rows = await conn.fetch(
            "SELECT id FROM users WHERE role = 'department' AND department_id = $1 "
            "AND disabled_at IS NULL",
            department_id,
        )
    else:
        rows = await conn.fetch(
            "SELECT u.id FROM users u JOIN regions r ON r.id = u.region_id "
            "WHERE u.role = 'worker' AND u.disabled_at IS NULL AND $1 LIKE r.path || '%'",
            assigned_path or "",
        )
    return [row["id"] for row in rows]


async def supervisors_of(conn: Connection, *, region_path: str) -> list[int]:
    """Supervisors whose region contains this path."""
    rows = await conn.fetch(
        "SELECT u.id FROM users u JOIN regions r ON r.id = u.region_id "
        "WHERE u.role = 'supervisor' AND u.disabled_at IS NULL AND $1 LIKE r.path || '%'",
        region_path,
    )
    return [row["id"] for row in rows]


async def insert_outbox(conn: Connection, *, rows: list[tuple[Any, ...]]) -> None:
    """Queue notifications: (user_id, case_id, region_id, kind, payload, created_at) each."""
    if rows:
        await conn.executemany(
            "INSERT INTO outbox (user_id, case_id, region_id, kind, payload, created_at, "
            "next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
            rows,
        )


async def region_by_code(conn: Connection, *, code: str) -> asyncpg.Record | None:
    """A region a case may be sent to (any region: a transfer may cross a border, 接边)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, code, name, level, path, parent_id FROM regions WHERE code = $1", code
    )
    return row


async def region_by_id(conn: Connection, *, region_id: int) -> asyncpg.Record | None:
    """A region by id, with its path."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, code, name, level, path, parent_id FROM regions WHERE id = $1", region_id
    )
    return row


async def seal_category(conn: Connection, *, category_code: str) -> int:
    """Make every case of a category confidential; how many were not yet."""
    status: str = await conn.execute(
        "UPDATE cases SET confidential = true WHERE category_code = $1 AND NOT confidential",
        category_code,
    )
    return int(status.split()[-1])


async def department_by_code(conn: Connection, *, code: str) -> asyncpg.Record | None:
    """A department by code."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, code, name, kind FROM departments WHERE code = $1", code
    )
    return row


async def department_for(conn: Connection, *, kind: str, region_path: str) -> int | None:
    """The department of a kind whose jurisdiction holds this place, the nearest one first."""
    value: int | None = await conn.fetchval(
        "SELECT d.id FROM departments d JOIN regions r ON r.id = d.region_id "
        "WHERE d.kind = $1 AND $2 LIKE r.path || '%' ORDER BY length(r.path) DESC LIMIT 1",
        kind,
        region_path,
    )
    return value


async def insert_event(
    conn: Connection,
    *,
    case_id: int,
    region_id: int,
    at: datetime,
    actor_id: int | None,
    actor_role: str,
    action: str,
    from_status: str | None,
    to_status: str,
    note: str | None = None,
    public: bool = True,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one step to a case's timeline, and tell the live feeds (delivered at commit)."""
    await conn.execute(
        """
        WITH event AS (
            INSERT INTO case_events (case_id, region_id, at, actor_id, actor_role, action,
                                     from_status, to_status, note, public, detail)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            RETURNING id, case_id, at, action, to_status
        )
        SELECT pg_notify('case_changes', json_build_object(
            'eventId', e.id, 'caseId', e.case_id, 'at', e.at, 'action', e.action,
            'status', e.to_status, 'regionPath', c.region_path, 'assignedPath', c.assigned_path,
            'departmentId', c.department_id, 'confidential', c.confidential)::text)
        FROM event e JOIN cases c ON c.id = e.case_id
        """,
        case_id,
        region_id,
        at,
        actor_id,
        actor_role,
        action,
        from_status,
        to_status,
        note,
        public,
        detail or {},
    )


async def pending_extension(conn: Connection, *, case_id: int) -> asyncpg.Record | None:
    """The extension request waiting for a decision, if any."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, minutes, reason, requested_at FROM case_extensions "
        "WHERE case_id = $1 AND state = 'pending'",
        case_id,
    )
    return row


async def insert_extension(
    conn: Connection,
    *,
    case_id: int,
    region_id: int,
    user_id: int,
    at: datetime,
    minutes: int,
    reason: str,
) -> None:
    """Record a request for more time."""
    await conn.execute(
        "INSERT INTO case_extensions (case_id, region_id, requested_by, requested_at, minutes, "
        "reason) VALUES ($1, $2, $3, $4, $5, $6)",
        case_id,
        region_id,
        user_id,
        at,
        minutes,
        reason,
    )


async def decide_extension(
    conn: Connection, *, extension_id: int, user_id: int, at: datetime, approved: bool, note: str
) -> None:
    """Approve or deny a pending request."""
    await conn.execute(
        "UPDATE case_extensions SET state = $2, decided_by = $3, decided_at = $4, "
        "decision_note = $5 WHERE id = $1 AND state = 'pending'",
        extension_id,
        "approved" if approved else "denied",
        user_id,
        at,
        note,
    )


async def list_extensions(conn: Connection, *, case_id: int) -> list[asyncpg.Record]:
    """Every extension request of a case."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT minutes, reason, state, requested_at, decided_at, decision_note "
        "FROM case_extensions WHERE case_id = $1 ORDER BY requested_at",
        case_id,
    )
    return rows


async def award_points(
    conn: Connection, *, user_id: int, case_id: int, region_id: int, points: int, at: datetime
) -> None:
    """举报奖励: credit the reporter once per case."""
    await conn.execute(
        "INSERT INTO points_ledger (user_id, case_id, region_id, points, reason, at) "
        "VALUES ($1, $2, $3, $4, 'closed_valid', $5) ON CONFLICT DO NOTHING",
        user_id,
        case_id,
        region_id,
        points,
        at,
    )


async def add_follower(
    conn: Connection, *, case_id: int, user_id: int, region_id: int, at: datetime
) -> None:
    """Make a user follow a case (a merged duplicate's reporter follows the master)."""
    await conn.execute(
        "INSERT INTO case_followers (case_id, user_id, region_id, created_at) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        case_id,
        user_id,
        region_id,
        at,
    )


async def copy_followers(
    conn: Connection, *, from_case_id: int, to_case_id: int, region_id: int, at: datetime
) -> None:
    """Those following a duplicate follow its master too, once it is merged (合并)."""
    await conn.execute(
        "INSERT INTO case_followers (case_id, user_id, region_id, created_at) "
        "SELECT $2, f.user_id, $3, $4 FROM case_followers f "
        "WHERE f.case_id = $1 AND f.user_id <> (SELECT reporter_id FROM cases WHERE id = $2) "
        "ON CONFLICT DO NOTHING",
        from_case_id,
        to_case_id,
        region_id,
        at,
    )


async def can_reveal(conn: Connection, *, user_id: int) -> bool:
    """True when a staff member holds the permission to see a reporter's contact."""
    allowed: bool = await conn.fetchval(
        "SELECT can_reveal_reporter FROM users WHERE id = $1", user_id
    )
    return bool(allowed)


async def due_for_check(conn: Connection, *, now: datetime, limit: int) -> list[asyncpg.Record]:
    """Open cases whose deadline or supervision threshold has come, locked for this worker.

    SKIP LOCKED: another worker running at the same moment takes other cases, never these.
    """
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT {CASE_COLUMNS}, c.reminded_step, p.accept_minutes,
               p.resolve_minutes, p.verify_minutes
        FROM cases c {CASE_JOINS}
        JOIN categories k ON k.code = c.category_code
        JOIN deadline_presets p ON p.code = k.preset_code
        WHERE c.check_at <= $1 AND c.status IN ('submitted', 'dispatched', 'accepted', 'resolved')
        ORDER BY c.check_at LIMIT $2
        FOR UPDATE OF c SKIP LOCKED
        """,
        now,
        limit,
    )
    return rows


async def set_deadline_state(conn: Connection, *, case_id: int, changes: dict[str, Any]) -> None:
    """Scheduler bookkeeping (overdue, reminded, supervised, next check): no new version."""
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(changes, start=2))
    await conn.execute(f"UPDATE cases SET {sets} WHERE id = $1", case_id, *changes.values())


async def events_since(
    conn: Connection, *, where: Where, after_id: int, not_before: datetime
) -> list[asyncpg.Record]:
    """Timeline events after an id (and not older than a moment) of cases in the caller's scope."""
    start = len(where.args)
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT e.id AS event_id, e.case_id, e.at, e.action, e.to_status
        FROM case_events e JOIN cases c ON c.id = e.case_id
        WHERE {where.sql()} AND e.id > ${start + 1} AND e.at >= ${start + 2}
        ORDER BY e.id LIMIT 1000
        """,
        *where.args,
        after_id,
        not_before,
    )
    return rows


async def ratings_in_place(
    conn: Connection, *, place_id: int, since: datetime, satisfied_at_or_above: int
) -> asyncpg.Record:
    """Cases placed in the place and rated since `since`, and how many were satisfied."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT count(*) AS rated, count(*) FILTER (WHERE c.rating >= $3) AS satisfied "
        "FROM case_places cp JOIN cases c ON c.id = cp.case_id "
        "WHERE cp.place_id = $1 AND c.rating IS NOT NULL AND c.rated_at >= $2",
        place_id,
        since,
        satisfied_at_or_above,
    )
    assert row is not None  # an aggregate always answers one row
    return row
