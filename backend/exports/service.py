"""Exports: a case list as CSV (the queue's own filters and scope), statistics as a workbook.

The list is read through a server-side cursor in one transaction, a chunk at a time, so an
export of a whole city's year costs the same memory as one of a grid's week. A reveal of
reporters' contacts is checked before the first byte and audited case by case, on its own
connection and committed before the chunk it covers is sent: what left the server is on record
even if the download is cut off.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg

from backend.accounts.rules import Principal
from backend.areas import figures as area_figures
from backend.areas.views import overdue as area_overdue
from backend.audit import service as audit
from backend.cases import queries as case_queries
from backend.cases.rules import TRIAGE_ROLES, Scope, reveal_reason_ok
from backend.cases.service import scope_for
from backend.cases.views import CaseFilter, _filtered
from backend.clock import city_today
from backend.db.pool import ACQUIRE_TIMEOUT_SECONDS
from backend.db.types import Connection
from backend.errors import Forbidden, Invalid
from backend.exports import queries, rules, workbook
from backend.exports.areas_sheet import AreaLine, KeyAreas
from backend.oversight import assessment
from backend.settings import Settings
from backend.stats import service as stats
from backend.stats.rules import Period


@dataclass(frozen=True, slots=True)
class Reveal:
    """A request to include reporters' contacts: why, and when."""

    reason: str
    at: datetime


async def check_reveal(conn: Connection, principal: Principal, reason: str | None) -> None:
    """The single reveal's rule: triage staff holding the permission, with a reason."""
    if principal.role not in TRIAGE_ROLES or not await case_queries.can_reveal(
        conn, user_id=principal.user_id
    ):
        raise Forbidden(
            "exports.reveal_forbidden",
            "您没有查看举报人信息的权限",
            "You are not permitted to see who reported these cases",
        )
    if not reveal_reason_ok(reason):
        raise Invalid(
            "exports.reveal_reason",
            "导出举报人信息须写明理由（至少10个字，不能只重复一个字）",
            "Give a real reason (at least 10 characters, not one character repeated) to export "
            "reporters' contacts",
            fields={"reason": "required"},
        )


async def case_csv(
    pool: asyncpg.Pool,
    principal: Principal,
    f: CaseFilter,
    *,
    zone: ZoneInfo,
    reveal: Reveal | None,
) -> AsyncIterator[bytes]:
    """The caller's filtered cases as CSV chunks: BOM and header first, then every row."""
    where = _filtered(scope_for(principal), f, with_status=True)
    contact = reveal is not None
    async with (
        pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn,
        conn.transaction(readonly=True),
    ):
        if contact:
            cursor = await queries.open_cases_with_reporters(conn, where=where)
        else:
            cursor = await queries.open_cases(conn, where=where)
        yield rules.BOM + rules.csv_bytes([rules.header(contact=contact)])
        while rows := await cursor.fetch(rules.CHUNK_ROWS):
            if reveal is not None:
                await _record_reveals(pool, principal, rows, reveal)
            yield rules.csv_bytes(rules.case_cells(row, zone, contact=contact) for row in rows)


async def started(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The same chunks, the first one made now: refusals come as an error, not a cut-off 200.

    Making the first chunk opens the cursor, where the database checks the filter's values
    (a NUL byte in the text, a number out of range); after the answer has begun, a
    refusal could only end the download midway.
    """
    first = await anext(chunks)

    async def resumed() -> AsyncIterator[bytes]:
        yield first
        async for chunk in chunks:
            yield chunk

    return resumed()


async def _record_reveals(
    pool: asyncpg.Pool, principal: Principal, rows: list[asyncpg.Record], reveal: Reveal
) -> None:
    """One audit row per case, as the single reveal writes it; committed before sending."""
    detail = {"reason": reveal.reason, "at": reveal.at.isoformat(), "via": "export"}
    async with pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn, conn.transaction():
        for row in rows:
            await audit.record(
                conn,
                actor_id=principal.user_id,
                action="reporter.reveal",
                subject=("case", str(row["id"])),
                region_id=row["region_id"],
                detail=detail,
            )


def csv_filename(now: datetime, zone: ZoneInfo) -> str:
    """cases-YYYYMMDD-HHMM.csv in the city's time."""
    return f"cases-{now.astimezone(zone):%Y%m%d-%H%M}.csv"


@dataclass(frozen=True, slots=True)
class Report:
    """A statistics workbook, and the names to save it under (UTF-8, and plain ASCII)."""

    content: bytes
    filename: str
    ascii_filename: str
    received: int


async def report(
    conn: Connection,
    *,
    reader: Principal,
    scope: Scope,
    region_code: str | None,
    period: Period,
    now: datetime,
    settings: Settings,
) -> Report:
    """周/月/季报: the statistics of a region subtree over a period, with 同比/环比, the
    hour × weekday grid, the reader's key areas and the period's posted 考核 result, as an
    XLSX workbook."""
    zone = ZoneInfo(settings.timezone)
    summary = await stats.summary(
        conn, scope=scope, region_code=region_code, period=period, category=None, zone=zone.key
    )
    hours = await stats.hour_weekday(
        conn, scope=scope, region_code=region_code, period=period, category=None, zone=zone.key
    )
    areas = await key_areas(
        conn,
        reader,
        scope=scope,
        region_code=region_code,
        period=period,
        settings=settings,
        now=now,
    )
    shown = None
    if summary.region.code:
        shown = await assessment.shown_for(
            conn, reader=reader, region_code=summary.region.code, period=period, settings=settings
        )
    # Writing a workbook is CPU work: off the event loop, so other requests keep flowing.
    content = await asyncio.to_thread(
        workbook.build, summary, hours, areas, generated_at=now, zone=zone, assessment=shown
    )
    name, fallback = rules.report_filenames(
        region_code=summary.region.code, region_name=summary.region.name, label=period.label
    )
    return Report(content, name, fallback, summary.totals.received)


def report_scope(*, confidential: bool) -> Scope:
    """The whole city, for the command line (its operator runs the server)."""
    return Scope(everything=True, path=None, department_id=None, confidential=confidential)


# The command line's reader of the key areas: the whole city, as a city admin reads it.
CITY_READER = Principal(
    user_id=0, role="admin", region_id=None, region_path=None, department_id=None, locale="zh-CN"
)


async def key_areas(
    conn: Connection,
    reader: Principal,
    *,
    scope: Scope,
    region_code: str | None,
    period: Period,
    settings: Settings,
    now: datetime,
) -> KeyAreas | None:
    """重点地区 of the reader's scope under the region: the register's figures for the period
    and the areas listed or flagged in it. None for staff who govern no areas (departments)."""
    if not scope.everything and scope.path is None:
        return None
    figures = await area_figures.summary(
        conn,
        reader,
        start=period.first_day,
        end=period.last_day,
        region_code=region_code,
        settings=settings,
    )
    rows = await queries.areas_governed_in(
        conn,
        scope_path=scope.path,
        region_code=region_code,
        start=period.start,
        end=period.end,
        now=now,
    )
    today = city_today(settings.timezone, now)
    return KeyAreas(figures, [_area_line(row, today) for row in rows])


def _area_line(row: asyncpg.Record, today: date) -> AreaLine:
    return AreaLine(
        name=row["name"],
        area_type=row["area_type"],
        level=row["level"],
        state=row["state"],
        region_name=row["region_name"],
        deadline=row["deadline"],
        tasks_done=row["done"],
        tasks=row["tasks"],
        tasks_overdue=row["tasks_overdue"],
        overdue=area_overdue(row, today),
    )
