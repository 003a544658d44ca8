"""SQL of a 考核 result's steps: manual items, objections, 约谈, its events; 一票否决."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from backend.db.types import Connection
from backend.oversight.assessment_queries import UNIT, UNIT_JOIN


async def upsert_manual(
    conn: Connection,
    *,
    result_id: int,
    region_id: int,
    region_path: str,
    unit_region_id: int | None,
    unit_department_id: int | None,
    key: str,
    points: float,
    reason: str,
    user_id: int,
    at: datetime,
) -> None:
    """A manual item's points for a unit, replacing any given before."""
    await conn.execute(
        "INSERT INTO assessment_manual_scores (result_id, region_id, region_path, "
        "unit_region_id, unit_department_id, indicator_key, points, reason, set_by, set_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
        "ON CONFLICT (result_id, unit_region_id, unit_department_id, indicator_key) "
        "DO UPDATE SET points = EXCLUDED.points, reason = EXCLUDED.reason, "
        "set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at",
        result_id,
        region_id,
        region_path,
        unit_region_id,
        unit_department_id,
        key,
        points,
        reason,
        user_id,
        at,
    )


async def manual_scores(conn: Connection, *, result_id: int) -> list[asyncpg.Record]:
    """A result's manual items."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT unit_region_id, unit_department_id, indicator_key, points, reason "
        "FROM assessment_manual_scores WHERE result_id = $1",
        result_id,
    )
    return rows


async def insert_objection(
    conn: Connection,
    *,
    result_id: int,
    region_id: int,
    region_path: str,
    unit_region_id: int | None,
    unit_department_id: int | None,
    text: str,
    user_id: int,
    at: datetime,
) -> int | None:
    """An objection of a unit to a result, only while the result is posted and its window
    is open at `at` (checked in the same statement, so a result made final meanwhile takes
    none); None otherwise."""
    new_id: int | None = await conn.fetchval(
        "INSERT INTO assessment_objections (result_id, region_id, region_path, unit_region_id, "
        "unit_department_id, text, raised_by, raised_at) "
        "SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM assessment_results x "
        "WHERE x.id = $1 AND x.state = 'posted' AND $8 < x.objection_until "
        "FOR SHARE OF x RETURNING id",
        result_id,
        region_id,
        region_path,
        unit_region_id,
        unit_department_id,
        text,
        user_id,
        at,
    )
    return new_id


async def objection_answered(conn: Connection, *, result_id: int, objection_id: int) -> bool | None:
    """Whether an objection to the result is answered already; None when there is none."""
    answered: bool | None = await conn.fetchval(
        "SELECT answer IS NOT NULL FROM assessment_objections WHERE id = $2 AND result_id = $1",
        result_id,
        objection_id,
    )
    return answered


async def answer_objection(
    conn: Connection, *, objection_id: int, answer: str, user_id: int, at: datetime
) -> None:
    """The answer to an objection that has none yet."""
    await conn.execute(
        "UPDATE assessment_objections SET answer = $2, answered_by = $3, answered_at = $4 "
        "WHERE id = $1 AND answer IS NULL",
        objection_id,
        answer,
        user_id,
        at,
    )


async def unanswered_objections(conn: Connection, *, result_id: int) -> int:
    """How many objections to the result still wait for an answer."""
    n: int = await conn.fetchval(
        "SELECT count(*) FROM assessment_objections WHERE result_id = $1 AND answer IS NULL",
        result_id,
    )
    return n


async def objections(conn: Connection, *, result_id: int) -> list[asyncpg.Record]:
    """A result's objections, oldest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT t.id, t.unit_region_id, t.unit_department_id, t.text, t.raised_by, "
        "t.raised_at, t.answer, t.answered_by, t.answered_at, " + UNIT + " "
        "FROM assessment_objections t " + UNIT_JOIN + "WHERE t.result_id = $1 ORDER BY t.id",
        result_id,
    )
    return rows


async def insert_interview(
    conn: Connection,
    *,
    result_id: int,
    region_id: int,
    region_path: str,
    unit_region_id: int | None,
    unit_department_id: int | None,
    at: datetime,
    who: str,
    notes: str,
    user_id: int,
    recorded_at: datetime,
) -> int:
    """A 约谈 record."""
    new_id: int = await conn.fetchval(
        "INSERT INTO assessment_interviews (result_id, region_id, region_path, unit_region_id, "
        "unit_department_id, at, who, notes, recorded_by, recorded_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        result_id,
        region_id,
        region_path,
        unit_region_id,
        unit_department_id,
        at,
        who,
        notes,
        user_id,
        recorded_at,
    )
    return new_id


async def interviews(conn: Connection, *, result_id: int) -> list[asyncpg.Record]:
    """A result's 约谈 records, in the order they were held."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT t.id, t.unit_region_id, t.unit_department_id, t.at, t.who, t.notes, "
        "t.recorded_by, t.recorded_at, " + UNIT + " "
        "FROM assessment_interviews t " + UNIT_JOIN + "WHERE t.result_id = $1 "
        "ORDER BY t.at, t.id",
        result_id,
    )
    return rows


async def insert_event(
    conn: Connection,
    *,
    result_id: int,
    region_id: int,
    region_path: str,
    at: datetime,
    actor_id: int,
    action: str,
    state: str,
    detail: dict[str, Any],
) -> None:
    """One step of the result's life."""
    await conn.execute(
        "INSERT INTO assessment_events (result_id, region_id, region_path, at, actor_id, "
        "action, state, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        result_id,
        region_id,
        region_path,
        at,
        actor_id,
        action,
        state,
        detail,
    )


async def insert_veto(
    conn: Connection, *, region_id: int, year: int, reason: str, user_id: int, at: datetime
) -> int:
    """一票否决 set by hand on a region for a year (no key area behind it)."""
    new_id: int = await conn.fetchval(
        "INSERT INTO region_vetoes (region_id, year, area_id, reason, set_by, at) "
        "VALUES ($1, $2, NULL, $3, $4, $5) RETURNING id",
        region_id,
        year,
        reason,
        user_id,
        at,
    )
    return new_id
