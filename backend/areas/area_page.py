"""One area's page: its place, its current plan with tasks, and its timeline with photos."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from backend.areas import register_queries, task_queries, views
from backend.areas.schemas import AreaOut, AreaSummaryOut, PlanOut, TaskOut, UnitOut
from backend.db.types import Connection
from backend.duties import service as duties
from backend.media.links import PhotoLinks


async def photo_urls(
    conn: Connection, links: PhotoLinks | None, *, subject_kind: str, subject_ids: list[int]
) -> dict[int, list[str]]:
    """The evidence photos' URLs of each subject."""
    urls: dict[int, list[str]] = {}
    if links is None or not subject_ids:
        return urls
    rows = await task_queries.subject_photos(
        conn, subject_kind=subject_kind, subject_ids=subject_ids
    )
    for row in rows:
        urls.setdefault(row["subject_id"], []).append(
            await links.url(row, "display", protected=False)
        )
    return urls


async def plan_out(conn: Connection, plan: asyncpg.Record) -> PlanOut:
    """The plan with its cooperating units named."""
    units = await task_queries.units_named(
        conn,
        region_ids=list(plan["cooperating_region_ids"]),
        department_ids=list(plan["cooperating_department_ids"]),
    )
    cooperating = [UnitOut(kind=u["kind"], code=u["code"], name=u["name"]) for u in units]
    return views.plan(plan, cooperating)


async def task_outs(
    conn: Connection, rows: list[asyncpg.Record], *, links: PhotoLinks | None, now: datetime
) -> list[TaskOut]:
    """Tasks with where their duty stands and the photos of their steps."""
    ids = [row["id"] for row in rows]
    status = await duties.statuses(conn, subject_kind="area_task", subject_ids=ids, now=now)
    updates = await task_queries.updates_of_tasks(conn, task_ids=ids) if ids else []
    by_update = await photo_urls(
        conn,
        links,
        subject_kind="area_task_update",
        subject_ids=[u["id"] for u in updates],
    )
    photos: dict[int, list[str]] = {}
    for update in updates:
        photos.setdefault(update["task_id"], []).extend(by_update.get(update["id"], []))
    return [
        views.task(row, status.get(row["id"]), now=now, photos=photos.get(row["id"]))
        for row in rows
    ]


async def full(
    conn: Connection,
    row: asyncpg.Record,
    base: AreaSummaryOut,
    *,
    links: PhotoLinks | None,
    now: datetime,
) -> AreaOut:
    """The area's page from its register row."""
    plan = await task_queries.current_plan(conn, area_id=row["id"])
    tasks = await task_queries.tasks_of_plan(conn, plan_id=plan["id"]) if plan else []
    events = await register_queries.events_of(conn, area_id=row["id"])
    event_photos = await photo_urls(
        conn, links, subject_kind="area_event", subject_ids=[e["id"] for e in events]
    )
    return AreaOut(
        **msgspec.structs.asdict(base),
        problems=row["problems"],
        problem_categories=list(row["problem_categories"]),
        source=row["source"],
        geometry=row["geometry"],
        covers_region_code=row["covers_region_code"],
        covers_region_name=row["covers_region_name"],
        plan=await plan_out(conn, plan) if plan else None,
        tasks=await task_outs(conn, tasks, links=links, now=now),
        events=[views.event(e, event_photos.get(e["id"], [])) for e in events],
        listed_at=row["listed_at"],
        flagged_at=row["flagged_at"],
        lifted_at=row["lifted_at"],
        watch_until=row["watch_until"],
    )
