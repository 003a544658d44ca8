"""The key-area job the worker runs every minute: discover, plan level duties, begin the
acceptance of areas whose tasks are all done, escalate overdue street listings, watch lifted
areas. Each step is idempotent, so two workers, or a run that repeats after a failure, do no
harm; once a day's work is done, a round only reads."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from backend.areas import acceptance, discovery, level_duties, lifecycle, rules, watch
from backend.areas import watch_queries as watch_sql
from backend.clock import city_today
from backend.db.types import Connection
from backend.settings import Settings

ESCALATION_REASON = "逾期未完成整治，提请区级挂牌督办 / Past its deadline: proposed to the district"


async def escalate_overdue(conn: Connection, *, settings: Settings, now: datetime) -> int:
    """A street-listed area past its deadline goes to the district (提级): it is told."""
    day = city_today(settings.timezone, now)
    moved = 0
    for area_id in await watch_sql.street_areas_past(conn, today=day):
        async with conn.transaction():
            area = await lifecycle.load_for_update(conn, area_id=area_id, scope_path=None)
            if not rules.escalation_due(area["state"], area["tier"], area["deadline"], day):
                continue  # changed since it was read
            await lifecycle.transition(
                conn,
                area,
                "escalate",
                actor=None,
                reason=ESCALATION_REASON,
                now=now,
                settings=settings,
            )
            moved += 1
    return moved


class _Step(Protocol):
    async def __call__(self, conn: Connection, *, settings: Settings, now: datetime) -> int: ...


async def tend_areas(conn: Connection, *, settings: Settings, now: datetime) -> int:
    """One round of every key-area job; how many things it did.

    A step that fails holds up none after it (the day's discovery may fail until its cause
    is fixed; duties are owed all the same): the first failure is raised once all have run.
    Acceptance begins before escalation, so an area whose tasks are all done is not sent up.
    """
    steps: tuple[_Step, ...] = (
        discovery.discover,
        level_duties.plan_duties,
        acceptance.begin_ready,
        escalate_overdue,
        watch.watch_areas,
    )
    done = 0
    failure: Exception | None = None
    for step in steps:
        try:
            done += await step(conn, settings=settings, now=now)
        except Exception as exc:  # raised below, after the other steps had their turn
            failure = failure or exc
    if failure is not None:
        raise failure
    return done
