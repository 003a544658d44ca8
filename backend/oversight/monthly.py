"""Monthly reports (定期访查, 零报告): owed by each unit per month, filed, counted.

Every department owes a report for each month (and every street, by setting). The worker
asks for the month just ended once, each report with a duty in the one deadline engine:
its 催办 at the due time marks an unfiled report missing, 督办 follows. A report filed after
its due time is late. Counts per unit feed the summary and the assessment (考核).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import asyncpg

from backend.accounts.rules import Principal
from backend.audit import service as audit
from backend.clock import city_today, start_of_day
from backend.db.types import Connection
from backend.duties import service as duties
from backend.errors import Conflict, Forbidden, NotFound
from backend.oversight import monthly_access as access
from backend.oversight import monthly_queries as queries
from backend.oversight import monthly_rules as rules
from backend.oversight import monthly_views as views
from backend.oversight.monthly_schemas import MonthlyReportIn, MonthlyReportOut, UnitSummaryOut
from backend.regions.paths import subtree_bounds
from backend.settings import Settings

SUBJECT = "monthly_report"
LIST_LIMIT = 5000
MINE_LIMIT = 120

NO_SUCH_REPORT = NotFound(
    "oversight.report_not_found", "找不到该月度报告", "No such monthly report"
)
NOT_YOUR_UNIT = Forbidden(
    "oversight.not_your_unit",
    "只有应报单位可以填报该月度报告",
    "Only the unit that owes this monthly report may file it",
)
ALREADY_FILED = Conflict(
    "oversight.report_filed",
    "该月度报告已填报，不能修改",
    "This monthly report was already filed; it cannot be changed",
)


async def owe_reports(conn: Connection, *, settings: Settings, now: datetime) -> int:
    """Ask every unit for the month just ended, once; how many reports were asked for.

    Safe in any number of workers: a report is made at most once per unit and month, and
    its duty in the same transaction."""
    today = city_today(settings.timezone, now)
    month = rules.owed_month(today)
    due_day = settings.monthly_report_due_day
    if not rules.still_owable(today, month, due_day_of_month=due_day):
        return 0
    # Due at the first moment that is late: anything filed on the due day is on time.
    last_day = rules.due_day(month, due_day_of_month=due_day)
    due_at = start_of_day(settings.timezone, last_day + timedelta(days=1))
    async with conn.transaction():
        made = await queries.owe_departments(conn, month=month, due_at=due_at, now=now)
        if settings.monthly_reports_from_streets:
            made += await queries.owe_streets(conn, month=month, due_at=due_at, now=now)
        for row in made:
            await _open(conn, row, month=month, due_at=due_at, settings=settings, now=now)
        if made:
            await audit.record(
                conn,
                actor_id=None,
                action="monthly_report.owed",
                subject=("monthly_report", rules.month_label(month)),
                region_id=None,
                detail={"month": rules.month_label(month), "units": len(made)},
            )
    return len(made)


async def _open(
    conn: Connection,
    row: asyncpg.Record,
    *,
    month: date,
    due_at: datetime,
    settings: Settings,
    now: datetime,
) -> None:
    await queries.insert_event(
        conn,
        report_id=row["id"],
        region_id=row["region_id"],
        at=now,
        actor_id=None,
        action="owe",
        from_state=None,
        to_state="due",
    )
    await duties.open_duty(
        conn,
        duties.NewDuty(
            subject_kind=SUBJECT,
            subject_id=row["id"],
            region_id=row["region_id"],
            region_path=row["region_path"],
            title=f"{row['unit_name']}：{rules.month_label(month)} 月度访查报告",
            due_at=due_at,
            owner_region_id=row.get("owner_region_id"),
            owner_department_id=row.get("owner_department_id"),
        ),
        settings=settings,
        now=now,
    )


async def of_month(
    conn: Connection, principal: Principal, *, month: date, state: str | None, now: datetime
) -> tuple[list[MonthlyReportOut], bool]:
    """The reports of a month in the caller's scope, departments first, by name; and whether
    there were more than LIST_LIMIT of them (the rest left out)."""
    lo, hi = access.scope_bounds(principal)
    rows = await queries.of_month(
        conn, month=month, state=state, scope_lo=lo, scope_hi=hi, limit=LIST_LIMIT + 1
    )
    return [views.report_out(row, now=now) for row in rows[:LIST_LIMIT]], len(rows) > LIST_LIMIT


async def mine(conn: Connection, principal: Principal, *, now: datetime) -> list[MonthlyReportOut]:
    """What the caller's unit owes and has filed (its department, or its street)."""
    if principal.role == "department":
        rows = await queries.owed_by(
            conn, department_id=principal.department_id, region_path=None, limit=MINE_LIMIT
        )
    elif principal.role in access.REGION_STAFF and principal.region_path is not None:
        rows = await queries.owed_by(
            conn, department_id=None, region_path=principal.region_path, limit=MINE_LIMIT
        )
    else:
        raise NOT_YOUR_UNIT
    return [views.report_out(row, now=now) for row in rows]


async def one(
    conn: Connection, principal: Principal, *, report_id: int, now: datetime
) -> MonthlyReportOut:
    """One report with its timeline, for staff whose scope holds it and for its unit."""
    row = await queries.report(conn, report_id=report_id, reader=access.reader(principal))
    if row is None:
        raise NO_SUCH_REPORT
    out = views.report_out(row, now=now)
    out.events = [views.event_out(e) for e in await queries.events(conn, report_id=report_id)]
    return out


async def submit(
    conn: Connection,
    principal: Principal,
    *,
    report_id: int,
    data: MonthlyReportIn,
    now: datetime,
) -> MonthlyReportOut:
    """File a unit's report: on time, or late after its due time. The same body again
    answers with the report as filed; other contents for a filed report are a conflict."""
    rules.check_contents(problems_found=data.problems_found, zero_report=data.zero_report)
    note = data.note.strip() or None
    async with conn.transaction():
        row = await queries.lock(conn, report_id=report_id, reader=access.reader(principal))
        if row is None:
            raise NO_SUCH_REPORT
        if not access.owes(principal, row):
            raise NOT_YOUR_UNIT
        if row["state"] in rules.FILED:
            if _same(row, data, note):
                return await one(conn, principal, report_id=report_id, now=now)
            raise ALREADY_FILED
        await _file(conn, principal, row, data=data, note=note, now=now)
    return await one(conn, principal, report_id=report_id, now=now)


def _same(row: asyncpg.Record, data: MonthlyReportIn, note: str | None) -> bool:
    return bool(
        row["places_visited"] == data.places_visited
        and row["problems_found"] == data.problems_found
        and row["zero_report"] == data.zero_report
        and row["note"] == note
    )


async def _file(
    conn: Connection,
    principal: Principal,
    row: asyncpg.Record,
    *,
    data: MonthlyReportIn,
    note: str | None,
    now: datetime,
) -> None:
    state = rules.state_on_submit(row["state"], due_at=row["due_at"], now=now)
    await queries.set_filed(
        conn,
        report_id=row["id"],
        state=state,
        places_visited=data.places_visited,
        problems_found=data.problems_found,
        zero_report=data.zero_report,
        note=note,
        user_id=principal.user_id,
        at=now,
    )
    detail = {"zeroReport": data.zero_report, "month": rules.month_label(row["month"])}
    await queries.insert_event(
        conn,
        report_id=row["id"],
        region_id=row["region_id"],
        at=now,
        actor_id=principal.user_id,
        action="submit",
        from_state=row["state"],
        to_state=state,
        detail=detail,
    )
    await audit.record(
        conn,
        actor_id=principal.user_id,
        action=f"monthly_report.{state}",
        subject=("monthly_report", str(row["id"])),
        region_id=row["region_id"],
        detail=detail,
    )
    await duties.complete(conn, subject_kind=SUBJECT, subject_id=row["id"], now=now)


async def mark_missing(
    conn: Connection, row: asyncpg.Record, *, duty_id: int, stage: str, now: datetime
) -> None:
    """催办: an unfiled report past its due time is missing; 督办 is written on its timeline."""
    to_state = "missing" if stage == "remind" and row["state"] == "due" else row["state"]
    if to_state != row["state"]:
        await queries.set_state(conn, report_id=row["id"], state=to_state)
        await audit.record(
            conn,
            actor_id=None,
            action="monthly_report.missing",
            subject=("monthly_report", str(row["id"])),
            region_id=row["region_id"],
            detail={"dutyId": duty_id},
        )
    await queries.insert_event(
        conn,
        report_id=row["id"],
        region_id=row["region_id"],
        at=now,
        actor_id=None,
        action=stage,
        from_state=row["state"],
        to_state=to_state,
        detail={"dutyId": duty_id},
    )


async def summary(
    conn: Connection, principal: Principal, *, first: date, last: date, now: datetime
) -> list[UnitSummaryOut]:
    """Per unit in the caller's scope over months [first, last]: owed, on time, late, missing."""
    months = rules.month_range(first, last)
    lo, hi = access.scope_bounds(principal)
    rows = await queries.summary(
        conn, first=months.first, last=months.last, scope_lo=lo, scope_hi=hi, now=now
    )
    return [
        UnitSummaryOut(
            kind=unit.kind,
            id=unit.id,
            code=unit.code,
            name=unit.name,
            owed=row["owed"],
            on_time=row["on_time"],
            late=row["late"],
            missing=row["missing"],
        )
        for row in rows
        for unit in (views.unit_out(row),)
    ]


async def reports_on_time(
    conn: Connection,
    *,
    region_path: str | None,
    department_id: int | None,
    first_day: date,
    last_day: date,
) -> tuple[int, int]:
    """(filed on time, owed and no longer open) of the reports of the months that begin in
    [first_day, last_day]: a department's own, or those of the streets in a region's subtree
    (both None: every unit). A report still open before its due time is not counted yet."""
    lo, hi = subtree_bounds(region_path) if region_path is not None else (None, None)
    row = await queries.on_time(
        conn,
        department_id=department_id,
        scope_lo=lo,
        scope_hi=hi,
        first=first_day,
        last=last_day,
    )
    return int(row["on_time"]), int(row["decided"])
