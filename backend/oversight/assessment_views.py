"""Who may see and change a 考核 result, and how a result reads on the wire.

Supervisors and admins whose scope holds the result's region see it in every state and
change it; dispatchers of that scope read it. Once posted (公示), the staff of each unit it
scores read it too: a region's staff (its subtree) and a department's people. Anyone else
gets 404, so a result's existence does not leak.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from backend.accounts.rules import Principal
from backend.cases.service import scope_for
from backend.db.types import Connection
from backend.errors import Forbidden, NotFound
from backend.oversight import assessment_queries as queries
from backend.oversight import assessment_read_queries as read_sql
from backend.oversight import assessment_step_queries as step_sql
from backend.oversight.assessment_schemas import (
    IndicatorOut,
    InterviewOut,
    ItemOut,
    ObjectionOut,
    PeriodOut,
    ResultOut,
    ResultSummaryOut,
    SchemeOut,
    ScoreOut,
    UnitOut,
)
from backend.oversight.scoring import Indicator, at_bottom

NO_RESULT = NotFound("assessment.result_not_found", "找不到该考核结果", "No such assessment result")
NO_SCHEME = NotFound("assessment.scheme_not_found", "找不到该考核方案", "No such assessment scheme")
WRITERS = frozenset({"supervisor", "admin"})
READERS = frozenset({"dispatcher", "supervisor", "admin"})
_REGION_ONLY = Forbidden(
    "assessment.region_staff_only",
    "考核由区域的督办人员和管理员负责",
    "Assessment is run by the supervisors and admins of a region",
)


def scope_path(principal: Principal) -> str | None:
    """The region subtree whose schemes and results the caller runs (None: the whole city);
    403 for staff without a region."""
    scope = scope_for(principal)
    if scope.everything:
        return None
    if scope.path is None:
        raise _REGION_ONLY
    return scope.path


def reader_filter(principal: Principal) -> dict[str, Any]:
    """Which results a person may read, as the SQL filters them: every result or those over
    a region subtree (the readers of a scope), and the posted or final ones that score
    their own unit."""
    covers_all, cover_path = False, None
    if principal.role in READERS:
        scope = scope_for(principal)
        covers_all, cover_path = scope.everything, scope.path
    return {
        "covers_all": covers_all,
        "cover_path": cover_path,
        "department_id": principal.department_id,
        "own_path": principal.region_path,
    }


def unit_of(row: asyncpg.Record) -> UnitOut:
    """The unit a score, objection or 约谈 row is about."""
    if row["unit_region_id"] is not None:
        return UnitOut(
            kind="region", code=row["unit_code"], id=row["unit_region_id"], name=row["unit_name"]
        )
    return UnitOut(
        kind="department",
        code=row["unit_code"],
        id=row["unit_department_id"],
        name=row["unit_name"],
    )


def belongs(principal: Principal, row: asyncpg.Record) -> bool:
    """Whether the caller is staff of the unit of a row (a score, an objection)."""
    if row["unit_department_id"] is not None:
        department_id: int = row["unit_department_id"]
        return principal.department_id == department_id
    path = principal.region_path
    unit_path: str | None = row["unit_path"]
    return path is not None and unit_path is not None and path.startswith(unit_path)


async def readable(conn: Connection, principal: Principal, *, result_id: int) -> asyncpg.Record:
    """A result the caller may read; 404 otherwise."""
    row = await read_sql.readable_result(conn, result_id=result_id, **reader_filter(principal))
    if row is None:
        raise NO_RESULT
    return row


async def for_change(conn: Connection, principal: Principal, *, result_id: int) -> asyncpg.Record:
    """A result in the caller's scope, locked for a change; 404 outside it (unlocked)."""
    row = await queries.result_for_change(
        conn, result_id=result_id, scope_path=scope_path(principal)
    )
    if row is None:
        raise NO_RESULT
    return row


def indicators_of(stored: list[dict[str, Any]]) -> list[Indicator]:
    """A scheme's stored indicators (as sent on the wire) as scoring reads them."""
    return [
        Indicator(
            key=i["key"],
            name=i["name"],
            name_en=i.get("nameEn", ""),
            weight=float(i["weight"]),
            source=i["source"],
            target=None if i.get("target") is None else float(i["target"]),
            direction=i.get("direction", "higher"),
        )
        for i in stored
    ]


def scheme_out(row: asyncpg.Record) -> SchemeOut:
    return SchemeOut(
        id=row["id"],
        year=row["year"],
        region_code=row["region_code"],
        region_name=row["region_name"],
        name=row["name"],
        indicators=msgspec.convert(row["indicators"], list[IndicatorOut]),
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


def summary_out(row: asyncpg.Record) -> ResultSummaryOut:
    return ResultSummaryOut(**_summary_fields(row))


def _summary_fields(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": row["id"],
        "scheme_id": row["scheme_id"],
        "scheme_name": row["scheme_name"],
        "year": row["year"],
        "region_code": row["region_code"],
        "region_name": row["region_name"],
        "period": PeriodOut(label=row["period_label"], from_=row["first_day"], to=row["last_day"]),
        "state": row["state"],
        "computed_at": row["computed_at"],
        "posted_at": row["posted_at"],
        "objection_until": row["objection_until"],
        "final_at": row["final_at"],
    }


def _bottom_keys(scored: list[asyncpg.Record], count: int) -> set[tuple[str, int]]:
    """The units at the bottom of their kind's ranking."""
    found: set[tuple[str, int]] = set()
    for kind in ("region", "department"):
        ranked = {str(u.id): s["rank"] for s in scored if (u := unit_of(s)).kind == kind}
        found |= {(kind, int(key)) for key in at_bottom(ranked, count=count)}
    return found


async def result_out(conn: Connection, row: asyncpg.Record, *, bottom: int) -> ResultOut:
    """A whole result: indicators, scores by kind and rank, objections, 约谈."""
    result_id = row["id"]
    scored = await queries.scores(conn, result_id=result_id)
    lowest = _bottom_keys(scored, bottom)
    return ResultOut(
        **_summary_fields(row),
        indicators=msgspec.convert(row["indicators"], list[IndicatorOut]),
        scores=[_score_out(s, lowest) for s in scored],
        objections=[
            ObjectionOut(
                id=o["id"],
                unit=unit_of(o),
                text=o["text"],
                raised_by=o["raised_by"],
                raised_at=o["raised_at"],
                answer=o["answer"],
                answered_by=o["answered_by"],
                answered_at=o["answered_at"],
            )
            for o in await step_sql.objections(conn, result_id=result_id)
        ],
        interviews=[
            InterviewOut(
                id=i["id"],
                unit=unit_of(i),
                at=i["at"],
                who=i["who"],
                notes=i["notes"],
                recorded_by=i["recorded_by"],
                recorded_at=i["recorded_at"],
            )
            for i in await step_sql.interviews(conn, result_id=result_id)
        ],
    )


def _score_out(row: asyncpg.Record, lowest: set[tuple[str, int]]) -> ScoreOut:
    unit = unit_of(row)
    assert unit.id is not None  # every unit row names its region or department
    return ScoreOut(
        unit=unit,
        total=row["total"],
        rank=row["rank"],
        vetoed=row["vetoed"],
        veto_reasons=list(row["veto_reasons"]),
        eligible=row["eligible"],
        at_bottom=(unit.kind, unit.id) in lowest,
        breakdown=msgspec.convert(row["breakdown"], list[ItemOut]),
    )
