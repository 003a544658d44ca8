"""考核: schemes of indicators per year and region, and a period's result computed from what
the product measures, scored and ranked per unit (the regions below the scheme's region and
its departments). A draft can be computed again until it is posted (公示).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from backend.accounts.rules import Principal
from backend.audit import service as audit
from backend.db.types import Connection
from backend.errors import Conflict, Invalid, NotFound
from backend.oversight import assessment_figures as figures
from backend.oversight import assessment_queries as queries
from backend.oversight import assessment_read_queries as read_sql
from backend.oversight import assessment_scores as scores
from backend.oversight import assessment_step_queries as step_sql
from backend.oversight import scoring
from backend.oversight.assessment_schemas import (
    IndicatorOut,
    ResultOut,
    ResultSummaryOut,
    SchemeIn,
    SchemeOut,
)
from backend.oversight.assessment_views import (
    NO_SCHEME,
    for_change,
    indicators_of,
    readable,
    reader_filter,
    result_out,
    scheme_out,
    scope_path,
    summary_out,
)
from backend.settings import Settings
from backend.stats.rules import Period, parse_period

NO_REGION = NotFound("regions.not_found", "找不到该区域", "No such region")


async def create_scheme(
    conn: Connection, principal: Principal, *, data: SchemeIn, now: datetime
) -> SchemeOut:
    """A new 考核方案 over a region in the caller's scope; 409 when the name is taken."""
    indicators = [
        scoring.Indicator(i.key, i.name, i.name_en, i.weight, i.source, i.target, i.direction)
        for i in data.indicators
    ]
    scoring.check_indicators(indicators)
    region = await queries.region_in_scope(
        conn, code=data.region_code, scope_path=scope_path(principal)
    )
    if region is None:
        raise NO_REGION
    stored = [
        msgspec.to_builtins(
            IndicatorOut(
                key=i.key,
                name=i.name,
                name_en=i.name_en,
                weight=i.weight,
                source=i.source,
                target=None if i.source == "manual" else i.target,
                direction=i.direction,
            )
        )
        for i in data.indicators
    ]
    async with conn.transaction():
        scheme_id = await queries.insert_scheme(
            conn,
            region_id=region["id"],
            region_path=region["path"],
            year=data.year,
            name=data.name,
            indicators=stored,
            user_id=principal.user_id,
            at=now,
        )
        if scheme_id is None:
            raise Conflict(
                "assessment.scheme_exists",
                "该区域本年度已有同名考核方案",
                "The region already has a scheme of that name for the year",
                fields={"name": "taken"},
            )
        await audit.record(
            conn,
            actor_id=principal.user_id,
            action="assessment.scheme",
            subject=("assessment_scheme", str(scheme_id)),
            region_id=region["id"],
            detail={"year": data.year},
        )
        row = await queries.scheme_in_scope(conn, scheme_id=scheme_id, scope_path=None)
    assert row is not None  # written just above
    return scheme_out(row)


async def list_schemes(
    conn: Connection, principal: Principal, *, year: int | None
) -> list[SchemeOut]:
    """The schemes over regions in the caller's scope."""
    rows = await queries.schemes_in_scope(conn, scope_path=scope_path(principal), year=year)
    return [scheme_out(row) for row in rows]


async def get_scheme(conn: Connection, principal: Principal, *, scheme_id: int) -> SchemeOut:
    """One scheme in the caller's scope."""
    row = await queries.scheme_in_scope(conn, scheme_id=scheme_id, scope_path=scope_path(principal))
    if row is None:
        raise NO_SCHEME
    return scheme_out(row)


def _bad_period(year: int) -> Invalid:
    return Invalid(
        "assessment.period_outside_year",
        f"考核周期须在方案年度 {year} 之内",
        f"The period must lie within the scheme's year {year}",
        fields={"period": f"within {year}"},
    )


async def compute(
    conn: Connection,
    principal: Principal,
    *,
    scheme_id: int,
    period_text: str,
    settings: Settings,
    now: datetime,
) -> tuple[ResultOut, bool]:
    """A period's result as a draft, computed now; again while still a draft (409 after it
    is posted). A period not over yet gives the standing so far. Also says whether the
    result is new."""
    scheme = await queries.scheme_in_scope(
        conn, scheme_id=scheme_id, scope_path=scope_path(principal)
    )
    if scheme is None:
        raise NO_SCHEME
    period = parse_period(period_text, zone=settings.timezone)
    if period.first_day.year != scheme["year"] or period.last_day.year != scheme["year"]:
        raise _bad_period(scheme["year"])
    async with conn.transaction():
        new_id = await queries.insert_result(
            conn,
            scheme_id=scheme_id,
            region_id=scheme["region_id"],
            region_path=scheme["region_path"],
            label=period.label,
            first_day=period.first_day,
            last_day=period.last_day,
            user_id=principal.user_id,
            at=now,
        )
        result_id = new_id or await queries.result_of_period(
            conn, scheme_id=scheme_id, first_day=period.first_day, last_day=period.last_day
        )
        assert result_id is not None  # inserted, or there already
        row = await for_change(conn, principal, result_id=result_id)
        if row["state"] != "draft":
            raise Conflict(
                "assessment.not_draft",
                "考核结果已公示，不能重新计算",
                "The result is posted already and cannot be computed again",
            )
        region = await queries.region_in_scope(conn, code=scheme["region_code"], scope_path=None)
        assert region is not None  # the scheme's own region
        units = await figures.units_of(conn, region)
        indicators = indicators_of(scheme["indicators"])
        measured = await figures.measure(
            conn,
            region,
            units,
            sources={i.source for i in indicators},
            period=period,
            year=scheme["year"],
            settings=settings,
            now=now,
        )
        keyed: dict[scores.UnitKey, figures.Measured] = {
            (u.kind, u.id): measured[u.key] for u in units
        }
        await scores.store(conn, row, indicators, keyed)
        await queries.set_computed(conn, result_id=result_id, at=now)
        await record(conn, principal, row, action="compute", now=now, detail={})
        row = await for_change(conn, principal, result_id=result_id)
        out = await result_out(conn, row, bottom=settings.assessment_interview_bottom)
    return out, new_id is not None


async def record(
    conn: Connection,
    principal: Principal,
    result: asyncpg.Record,
    *,
    action: str,
    now: datetime,
    detail: dict[str, Any],
    state: str | None = None,
) -> None:
    """One step of a result: an event on its timeline and an audit row."""
    await step_sql.insert_event(
        conn,
        result_id=result["id"],
        region_id=result["region_id"],
        region_path=result["region_path"],
        at=now,
        actor_id=principal.user_id,
        action=action,
        state=state or result["state"],
        detail=detail,
    )
    await audit.record(
        conn,
        actor_id=principal.user_id,
        action=f"assessment.{action}",
        subject=("assessment_result", str(result["id"])),
        region_id=result["region_id"],
        detail=detail,
    )


async def get_result(
    conn: Connection, principal: Principal, *, result_id: int, settings: Settings
) -> ResultOut:
    """A result the caller may read, whole."""
    row = await readable(conn, principal, result_id=result_id)
    return await result_out(conn, row, bottom=settings.assessment_interview_bottom)


async def list_results(
    conn: Connection, principal: Principal, *, scheme_id: int | None
) -> list[ResultSummaryOut]:
    """The results over regions in the caller's scope, latest period first."""
    rows = await queries.results_in_scope(
        conn, scope_path=scope_path(principal), scheme_id=scheme_id
    )
    return [summary_out(row) for row in rows]


async def list_mine(conn: Connection, principal: Principal) -> list[ResultSummaryOut]:
    """The posted (公示) or final results that score the caller's unit: their department,
    or their region or one above it; latest period first."""
    rows = await read_sql.results_of_unit(
        conn, department_id=principal.department_id, region_path=principal.region_path
    )
    return [summary_out(row) for row in rows]


async def shown_for(
    conn: Connection,
    *,
    reader: Principal,
    region_code: str,
    period: Period,
    settings: Settings,
) -> ResultOut | None:
    """The posted (公示) or final result over a region for exactly this period that the
    reader may read (as GET of the result allows), as the statistics workbook shows it; the
    newest scheme's when several are."""
    region = await queries.region_in_scope(conn, code=region_code, scope_path=None)
    if region is None:
        return None
    rows = await read_sql.shown_results(
        conn,
        region_path=region["path"],
        first_day=period.first_day,
        last_day=period.last_day,
        **reader_filter(reader),
    )
    if not rows:
        return None
    return await result_out(conn, rows[0], bottom=settings.assessment_interview_bottom)
