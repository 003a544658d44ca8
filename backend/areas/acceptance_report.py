"""整治工作报告: the acceptance report of an area as a workbook — before/after figures, the
tasks with who, when and whether late, the evidence photos, and the satisfaction."""

from __future__ import annotations

from datetime import datetime

from backend.accounts.rules import Principal
from backend.areas import acceptance_document, lifecycle
from backend.areas import figure_queries as figure_sql
from backend.areas import followup_queries as queries
from backend.areas.acceptance import measure_of
from backend.areas.access import scope_path
from backend.areas.figures import windows
from backend.areas.watch import governed_since
from backend.cases.service import scope_for
from backend.db.types import Connection
from backend.errors import Conflict
from backend.media.links import PhotoLinks
from backend.settings import Settings

_NOT_GOVERNED = Conflict(
    "areas.not_governed",
    "该重点地区尚未列管或挂牌，没有整治报告",
    "This area was never listed or flagged: there is no report yet",
)


async def workbook(
    conn: Connection,
    principal: Principal,
    *,
    area_id: int,
    links: PhotoLinks,
    settings: Settings,
    now: datetime,
) -> tuple[str, bytes]:
    """The report's file name and bytes."""
    area = await queries.area_in_scope(conn, area_id=area_id, scope_path=scope_path(principal))
    if area is None:
        raise lifecycle.NO_SUCH_AREA
    since = area["flagged_at"] or governed_since(area)
    # The workbook's figures are the downloader's: confidential cases only for who sees them.
    visible = scope_for(principal).confidential
    found = await windows(conn, area, confidential=visible, settings=settings, now=now)
    plan = await figure_sql.plan_for_report(conn, area_id=area_id)
    if since is None or found is None or plan is None:
        raise _NOT_GOVERNED
    before, after = found
    latest = await queries.latest_acceptance(conn, area_id=area_id)
    measure = await measure_of(conn, area, latest["survey_id"] if latest else None)
    categories = sorted(set(before.by_category) | set(after.by_category))
    sheet = acceptance_document.AcceptanceSheet(
        area_name=area["name"],
        area_type=area["area_type"],
        region_name=area["region_name"],
        level=area["level"],
        tier=area["tier"],
        first_responsible=plan["first_name"],
        direct_responsible=plan["direct_name"],
        lead_unit=plan["lead_name"] or "",
        goals=plan["goals"],
        flagged_at=since,
        deadline=area["deadline"],
        before=(before.start, before.end),
        after=(after.start, after.end),
        by_category=[
            acceptance_document.FigureRow(
                c, before.by_category.get(c, 0), after.by_category.get(c, 0)
            )
            for c in categories
        ],
        by_hour=[
            acceptance_document.FigureRow(f"{h:02d}:00", before.by_hour[h], after.by_hour[h])
            for h in range(24)
        ],
        measure=measure,
        bar_percent=settings.area_acceptance_percent,
        passed=bool(latest and latest["outcome"] == "passed"),
        generated_at=now,
        tasks=[
            acceptance_document.TaskLine(
                unit=t["unit_name"],
                owner=t["owner_name"],
                measure=t["measure"],
                due_at=t["due_at"],
                state=t["state"],
                done_at=t["done_at"],
            )
            for t in await figure_sql.tasks_for_report(conn, area_id=area_id)
        ],
        photos=[
            acceptance_document.PhotoLine(
                caption=p["caption"],
                taken_at=p["created_at"],
                url=await links.url(p, "display", protected=False),
            )
            for p in await figure_sql.photos_for_report(conn, area_id=area_id)
        ],
        timezone=settings.timezone,
    )
    return f"acceptance-report-{area_id}.xlsx", acceptance_document.acceptance_workbook(sheet)
