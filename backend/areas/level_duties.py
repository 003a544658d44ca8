"""Duties that come with an area's level (分级管控): a red area's weekly 联合清查, a yellow
area's weekly patrols (a count of patrol reports), a blue area's daily 巡查.

One key_area_duties row per area, kind and period, each with its deadline in the one duty
engine (subject 'area_duty'): at the period's end the owner is reminded (催办), a day later
the supervisors are told (督办) — unless the record was made, or the patrols were counted.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import asyncpg

from backend.accounts.rules import Principal
from backend.areas import followup_queries as queries
from backend.areas import level_duty_queries as duty_sql
from backend.areas import lifecycle, rules, watch
from backend.areas import queries as area_sql
from backend.areas.access import scope_path
from backend.areas.followup_schemas import AreaDutyOut, DutyRecordIn
from backend.clock import city_today, end_of_day
from backend.db.types import Connection
from backend.duties import service as duties
from backend.duties.watcher import Stage
from backend.errors import Conflict, Invalid, NotFound
from backend.media import service as media
from backend.settings import Settings

SUBJECT = "area_duty"
KIND_ZH = {"joint_sweep": "联合清查", "patrols": "巡逻", "daily_check": "日常巡查"}
_NO_DUTY = NotFound("areas.duty_not_found", "找不到该管控任务", "No such level duty")
_BY_COUNT = Conflict(
    "areas.duty_by_count",
    "巡逻任务按巡逻上报数自动核销，无需填报",
    "Patrol duties are met by the count of patrol reports, not by a record",
)
_BAD_PHOTOS = Invalid(
    "areas.bad_photos",
    "照片无效：不存在、不是您上传的或已被使用",
    "A photo is unknown, not yours, or already used",
    fields={"mediaIds": "invalid"},
)


class AreaDutySubject:
    """What the duty engine asks of a level duty."""

    async def settle(self, conn: Connection, duty: asyncpg.Record, *, now: datetime) -> bool:
        """Patrols: enough patrol reports in the period; the others: the record was made.

        A row or area someone is changing right now raises LockNotAvailableError: the
        watcher looks again later rather than wait while it holds the duty."""
        row = await duty_sql.area_duty_unless_busy(conn, row_id=duty["subject_id"])
        if row is None:
            return True
        if row["done_at"] is not None:
            return True
        if row["kind"] != "patrols":
            return False
        start, end = _bounds(row, duty)
        count = await duty_sql.patrol_reports(conn, place_id=row["place_id"], start=start, end=end)
        if count < row["target"]:
            return False
        await duty_sql.mark_duty_done(conn, row_id=row["id"], at=now)
        return True

    async def on_stage(
        self, conn: Connection, duty: asyncpg.Record, *, stage: Stage, now: datetime
    ) -> None:
        """催办/督办 on the area's timeline, naming the duty row."""
        # Already held since settle; the event's reference to the area needs its key lock.
        row = await duty_sql.area_duty_unless_busy(conn, row_id=duty["subject_id"])
        if row is None:
            return
        await area_sql.insert_system_event(
            conn,
            area_id=row["area_id"],
            region_id=row["region_id"],
            state=row["state"],
            action=stage,
            at=now,
            detail={"areaDutyId": row["id"], "kind": row["kind"], "dutyId": duty["id"]},
        )


def _bounds(row: asyncpg.Record, duty: asyncpg.Record) -> tuple[datetime, datetime]:
    """The period as instants [start, end): its deadline is the last second of its last day."""
    end = duty["due_at"] + timedelta(seconds=1)
    days = (row["period_end"] - row["period_start"]).days + 1
    return end - timedelta(days=days), end


DUTY_SUBJECT = AreaDutySubject()


async def plan_duties(conn: Connection, *, settings: Settings, now: datetime) -> int:
    """The current period's row and deadline of every level duty every governed area owes."""
    day = city_today(settings.timezone, now)
    made = 0
    for area in await duty_sql.areas_with_level_duties(conn):
        async with conn.transaction():
            await watch.ensure_baseline(conn, area, settings=settings, now=now)
            for owed in rules.duties_for_level(
                area["level"], yellow_patrols_per_week=settings.area_yellow_patrols_per_week
            ):
                made += await _plan_one(conn, area, owed, day=day, settings=settings, now=now)
    return made


async def _plan_one(
    conn: Connection,
    area: asyncpg.Record,
    owed: rules.LevelDuty,
    *,
    day: date,
    settings: Settings,
    now: datetime,
) -> int:
    start, end = rules.period_of(owed.period, day)
    row = await duty_sql.upsert_area_duty(
        conn, area_id=area["id"], kind=owed.kind, start=start, end=end, target=owed.target
    )
    if row is None or not row["inserted"]:
        return 0  # the row and its deadline were made together, by an earlier round
    leader = area["first_responsible_id"]
    await duties.open_duty(
        conn,
        duties.NewDuty(
            subject_kind=SUBJECT,
            subject_id=row["id"],
            region_id=area["region_id"],
            region_path=area["region_path"],
            title=f"{area['name']}：{KIND_ZH[owed.kind]} {start.isoformat()}",
            due_at=end_of_day(settings.timezone, end),
            owner_user_id=area["direct_responsible_id"],
            escalate_to=(leader,) if leader is not None else (),
        ),
        settings=settings,
        now=now,
    )
    return 1


async def release(conn: Connection, *, area_id: int, now: datetime) -> int:
    """摘牌: the level's duties not yet met are no longer owed; how many were let go."""
    released = 0
    for row_id in await duty_sql.unmet_rows(conn, area_id=area_id):
        released += await duties.cancel(conn, subject_kind=SUBJECT, subject_id=row_id, now=now)
    return released


async def record(
    conn: Connection,
    principal: Principal,
    *,
    area_id: int,
    row_id: int,
    data: DutyRecordIn,
    now: datetime,
) -> AreaDutyOut:
    """The record of a sweep or a check, with its photos: the period's duty is done."""
    # Locks the area, then the row, then ends the row's duty. The watcher holds duties
    # first, so it never waits for the area or the row (AreaDutySubject): no circle.
    async with conn.transaction():
        area = await lifecycle.load_for_update(
            conn, area_id=area_id, scope_path=scope_path(principal)
        )
        row = await duty_sql.area_duty(conn, row_id=row_id, lock=True)
        if row is None or row["area_id"] != area_id:
            raise _NO_DUTY
        if row["kind"] == "patrols":
            raise _BY_COUNT
        if data.media_ids and not await media.attach_to_subject(
            conn,
            media_ids=list(data.media_ids),
            uploader_id=principal.user_id,
            subject_kind=SUBJECT,
            subject_id=row_id,
            region_id=area["region_id"],
            now=now,
        ):
            raise _BAD_PHOTOS
        await duty_sql.record_duty(
            conn,
            row_id=row_id,
            units=data.units,
            findings=data.findings,
            user_id=principal.user_id,
            at=now,
        )
        await duties.complete(conn, subject_kind=SUBJECT, subject_id=row_id, now=now)
        await area_sql.insert_event(
            conn,
            area_id=area_id,
            region_id=area["region_id"],
            at=now,
            actor_id=principal.user_id,
            actor_role=principal.role,
            action="duty_recorded",
            from_state=area["state"],
            to_state=area["state"],
            reason=None,
            detail={"areaDutyId": row_id, "kind": row["kind"]},
        )
    outs = await _outs(conn, [row_id], area_id=area_id, now=now)
    return outs[0]


async def of_area(
    conn: Connection, principal: Principal, *, area_id: int, now: datetime
) -> list[AreaDutyOut]:
    """The area's level duties, newest period first, each with its deadline's standing."""
    area = await queries.area_in_scope(conn, area_id=area_id, scope_path=scope_path(principal))
    if area is None:
        raise lifecycle.NO_SUCH_AREA
    rows = await duty_sql.duties_of_area(conn, area_id=area_id)
    return await _outs(conn, [r["id"] for r in rows], area_id=area_id, now=now, rows=rows)


async def _outs(
    conn: Connection,
    ids: list[int],
    *,
    area_id: int,
    now: datetime,
    rows: list[asyncpg.Record] | None = None,
) -> list[AreaDutyOut]:
    if rows is None:
        rows = [r for r in await duty_sql.duties_of_area(conn, area_id=area_id) if r["id"] in ids]
    standing = await duties.statuses(conn, subject_kind=SUBJECT, subject_ids=ids, now=now)
    photos = await duty_sql.duty_photos(conn, row_ids=ids)
    outs = []
    for row in rows:
        status = standing.get(row["id"])
        outs.append(
            AreaDutyOut(
                id=row["id"],
                kind=row["kind"],
                period_start=row["period_start"],
                period_end=row["period_end"],
                target=row["target"],
                done_at=row["done_at"],
                units=row["units"],
                findings=row["findings"],
                recorded_at=row["recorded_at"],
                due_at=status.due_at if status else None,
                duty_state=status.state if status else None,
                overdue=status.overdue if status else False,
                reminded=bool(status and status.reminded_at),
                supervised=bool(status and status.supervised_at),
                photos=photos.get(row["id"], []),
            )
        )
    return outs
