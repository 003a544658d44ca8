"""Helpers for the follow-up of key areas: an area already governed, and the jobs run by hand."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from backend.areas import jobs, level_duties
from backend.db.pool import connect
from backend.duties import registry, watcher
from backend.places import service as places
from backend.settings import Settings

HOME_GRID, HOME_STREET, DISTRICT = "330106002003010", "330106002", "330106"


async def user_named(conn: asyncpg.Connection, username: str) -> int:
    user_id: int = await conn.fetchval("SELECT id FROM users WHERE username = $1", username)
    return user_id


async def governed_area(
    dsn: str,
    *,
    now: datetime,
    state: str = "flagged",
    level: str | None = "red",
    tier: str = "district",
    deadline: date = date(2026, 12, 31),
    name: str = "城东老旧小区",
) -> int:
    """An area on the home grid already listed or flagged, with a plan led by its street.

    The demo supervisor is its first responsible person, the demo dispatcher its direct one.
    """
    conn = await connect(dsn)
    try:
        grid = await conn.fetchrow("SELECT id, path FROM regions WHERE code = $1", HOME_GRID)
        street = await conn.fetchrow("SELECT id, path FROM regions WHERE code = $1", HOME_STREET)
        place_id = await places.create_place(
            conn,
            kind="key_area",
            region_id=street["id"],
            region_path=street["path"],
            covers=(grid["id"], grid["path"]),
            geometry=None,
            now=now,
        )
        stamp = "flagged_at" if state == "flagged" or tier == "district" else "listed_at"
        area_id: int = await conn.fetchval(
            "INSERT INTO key_areas (place_id, region_id, region_path, name, area_type, state, "
            f"level, tier, source, deadline, {stamp}, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, 'old_estate', $5, $6, $7, 'staff', $8, $9, $9, $9) "
            "RETURNING id",
            place_id,
            street["id"],
            street["path"],
            name,
            state,
            level,
            tier,
            deadline,
            now,
        )
        supervisor = await user_named(conn, "demo-supervisor")
        dispatcher = await user_named(conn, "demo-dispatcher")
        await conn.execute(
            "INSERT INTO key_area_plans (area_id, first_responsible_id, direct_responsible_id, "
            "lead_region_id, goals, deadline, created_by, created_at) "
            "VALUES ($1, $2, $3, $4, '治理乱堆乱放', $5, $2, $6)",
            area_id,
            supervisor,
            dispatcher,
            street["id"],
            deadline,
            now,
        )
    finally:
        await conn.close()
    return area_id


async def run(dsn: str, job: Any, *, settings: Settings, now: datetime) -> int:
    """Run one of the key-area jobs as the worker would."""
    conn = await connect(dsn)
    try:
        done: int = await job(conn, settings=settings, now=now)
    finally:
        await conn.close()
    return done


async def plan_duties(dsn: str, *, settings: Settings, now: datetime) -> int:
    return await run(dsn, level_duties.plan_duties, settings=settings, now=now)


async def tend(dsn: str, *, settings: Settings, now: datetime) -> int:
    return await run(dsn, jobs.tend_areas, settings=settings, now=now)


async def watch_duties(dsn: str, *, now: datetime) -> int:
    """The duty watcher over every kind of subject, looped until nothing is due, as the
    worker runs it."""
    conn = await connect(dsn)
    handled = 0
    try:
        while (batch := await watcher.run_due(conn, now=now, subjects=registry.subjects())) > 0:
            handled += batch
    finally:
        await conn.close()
    return handled


async def area_outbox(dsn: str, *, since_id: int = 0) -> list[tuple[int, str, dict[str, Any]]]:
    """Pushes that are not about a case: (user, kind, payload), oldest first."""
    conn = await connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT user_id, kind, payload FROM outbox WHERE case_id IS NULL AND id > $1 "
            "ORDER BY id",
            since_id,
        )
    finally:
        await conn.close()
    return [(r["user_id"], r["kind"], r["payload"]) for r in rows]


async def fetch(dsn: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await connect(dsn)
    try:
        rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
    finally:
        await conn.close()
    return rows
