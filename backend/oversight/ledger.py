"""The ledger as a list (问题台账): filtered pages, the XLSX export, and counts per unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from backend.accounts.rules import Principal
from backend.clock import start_of_day
from backend.db.types import Connection
from backend.errors import Invalid
from backend.media.links import PhotoLinks
from backend.oversight import (
    findings_access,
    findings_queries,
    findings_views,
    inspections_queries,
    ledger_limits,
)
from backend.oversight.findings_queries import LedgerFilter
from backend.oversight.inspections_schemas import FindingOut, FindingPageOut, UnitFindingsOut
from backend.regions.paths import subtree_bounds
from backend.settings import Settings

PAGE_SIZE = 50
EXPORT_MAX = 10_000
# The years a period of the per-unit counts may name.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True, slots=True)
class Filters:
    """The ledger's filters as the caller sent them."""

    state: str | None = None
    overdue: bool | None = None
    region_code: str | None = None
    department_id: int | None = None
    inspection_id: int | None = None


async def _wanted(conn: Connection, filters: Filters, *, before_id: int | None) -> LedgerFilter:
    lo = hi = None
    if filters.region_code is not None:
        region = await inspections_queries.region_by_code(conn, code=filters.region_code)
        if region is None:
            raise Invalid(
                "oversight.bad_filter", "区域不存在", "No such region", fields={"region": "unknown"}
            )
        lo, hi = subtree_bounds(region["path"])
    return LedgerFilter(
        state=filters.state,
        overdue=filters.overdue,
        lo=lo,
        hi=hi,
        department_id=filters.department_id,
        inspection_id=filters.inspection_id,
        before_id=before_id,
    )


async def page(
    conn: Connection,
    principal: Principal,
    filters: Filters,
    *,
    before_id: int | None,
    now: datetime,
    links: PhotoLinks | None = None,
) -> FindingPageOut:
    """A page of the findings the caller sees that match the filters, newest first."""
    rows = await findings_queries.ledger(
        conn,
        viewer=findings_access.viewer_of(principal),
        wanted=await _wanted(conn, filters, before_id=before_id),
        now=now,
        limit=PAGE_SIZE + 1,
    )
    items = await findings_views.findings(conn, rows[:PAGE_SIZE], links=links, now=now)
    following = str(items[-1].id) if len(rows) > PAGE_SIZE and items else None
    return FindingPageOut(items=items, next=following)


async def for_export(
    conn: Connection,
    principal: Principal,
    filters: Filters,
    *,
    settings: Settings,
    now: datetime,
) -> list[FindingOut]:
    """Every finding that matches, for the workbook; 422 beyond EXPORT_MAX rows, 429 beyond
    the caller's hourly allowance of exports."""
    await ledger_limits.take_export(conn, principal, settings=settings, now=now)
    rows = await findings_queries.ledger(
        conn,
        viewer=findings_access.viewer_of(principal),
        wanted=await _wanted(conn, filters, before_id=None),
        now=now,
        limit=EXPORT_MAX + 1,
    )
    if len(rows) > EXPORT_MAX:
        raise Invalid(
            "oversight.export_too_large",
            f"导出最多 {EXPORT_MAX} 条，请缩小筛选范围",
            f"At most {EXPORT_MAX} findings can be exported; narrow the filters",
        )
    return [findings_views.finding(row, now=now) for row in rows]


async def units(
    conn: Connection,
    principal: Principal,
    *,
    first_day: date | None,
    last_day: date | None,
    settings: Settings,
    now: datetime,
) -> list[UnitFindingsOut]:
    """Per responsible unit: open, overdue now, closed, closed on time (findings due in the
    period when one is given)."""
    for name, day in (("from", first_day), ("to", last_day)):
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise Invalid(
                "oversight.bad_period",
                f"日期须在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间",
                f"Dates must lie in the years {FIRST_YEAR} to {LAST_YEAR}",
                fields={name: "out of range"},
            )
    if first_day is not None and last_day is not None and last_day < first_day:
        raise Invalid(
            "oversight.bad_period",
            "结束日期不能早于开始日期",
            "The period ends before it starts",
            fields={"to": "before from"},
        )
    zone = settings.timezone
    rows = await findings_queries.unit_counts(
        conn,
        viewer=findings_access.viewer_of(principal),
        now=now,
        start=start_of_day(zone, first_day) if first_day else None,
        end=start_of_day(zone, last_day + timedelta(days=1)) if last_day else None,
    )
    return [
        UnitFindingsOut(
            kind=row["kind"],
            id=row["id"],
            code=row["code"],
            name=row["name"],
            open=row["open"],
            overdue=row["overdue"],
            closed=row["closed"],
            closed_on_time=row["closed_on_time"],
        )
        for row in rows
    ]
