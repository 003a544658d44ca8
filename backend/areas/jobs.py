"""The key-area job the worker runs every minute: discover, plan level duties, escalate
overdue street listings, watch lifted areas. Each step is idempotent, so two workers, or
a run that repeats after a failure, do no harm."""

from __future__ import annotations

from datetime import datetime

from backend.areas import discovery, level_duties, lifecycle, rules, watch
from backend.areas import watch_queries as watch_sql
from backend.areas.followup_access import today
from backend.db.types import Connection
from backend.settings import Settings

ESCALATION_REASON = "逾期未完成整治，提请区级挂牌督办 / Past its deadline: proposed to the district"


async def escalate_overdue(conn: Connection, *, settings: Settings, now: datetime) -> int:
    """A street-listed area past its deadline goes to the district (提级): it is told."""
    day = today(settings, now)
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


async def tend_areas(conn: Connection, *, settings: Settings, now: datetime) -> int:
    """One round of every key-area job; how many things it did."""
    done = await discovery.discover(conn, settings=settings, now=now)
    done += await level_duties.plan_duties(conn, settings=settings, now=now)
    done += await escalate_overdue(conn, settings=settings, now=now)
    done += await watch.watch_areas(conn, settings=settings, now=now)
    return done
