"""What 考核 measures for each unit, taken from what the product already counts: the case
statistics (按期结案率, 满意率, 返工率, read city-wide so every unit is measured alike), the
安全感 index, key areas lifted and overdue, findings closed on time, monthly reports on time,
duties done on time; and each region's 一票否决 and 先进 standing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import asyncpg

from backend.areas import watch
from backend.cases.rules import Scope
from backend.db.types import Connection
from backend.oversight import assessment_figure_queries as figure_sql
from backend.oversight import assessment_queries as queries
from backend.oversight.findings import findings_on_time
from backend.oversight.monthly import reports_on_time
from backend.oversight.scoring import Figure, UnitKind, rate
from backend.settings import Settings
from backend.stats import service as stats
from backend.stats.rules import Period
from backend.stats.schemas import MetricsOut
from backend.surveys import index_service

# The whole city, confidential cases aside: what an admin reads in the statistics.
CITY = Scope(everything=True, path=None, department_id=None, confidential=False)
CASE_SOURCES = frozenset({"on_time_rate", "satisfaction_rate", "rework_rate"})


@dataclass(frozen=True, slots=True)
class Unit:
    """A region or a department scored by a result."""

    kind: UnitKind
    id: int
    code: str
    name: str
    path: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(slots=True)
class Measured:
    """A unit's figures by source, its 一票否决 and whether it may be rated 先进."""

    figures: dict[str, Figure] = field(default_factory=dict)
    vetoed: bool = False
    veto_reasons: list[str] = field(default_factory=list)
    eligible: bool = True


async def units_of(conn: Connection, region: asyncpg.Record) -> list[Unit]:
    """The units a result over a region scores: the regions right below it, then the
    departments that belong to it."""
    children = await queries.child_regions(conn, region_id=region["id"])
    departments = await queries.departments_under(conn, region_path=region["path"])
    return [
        *(Unit("region", r["id"], r["code"], r["name"], r["path"]) for r in children),
        *(Unit("department", d["id"], d["code"], d["name"]) for d in departments),
    ]


def case_figures(metrics: MetricsOut | None) -> dict[str, Figure]:
    """按期结案率 over closed cases, 满意率 over rated ones, 返工率 as the statistics give it."""
    if metrics is None:
        return {}
    on_time, satisfied = metrics.on_time_rate, metrics.satisfaction_rate
    return {
        "on_time_rate": Figure(
            on_time, None if on_time is None else round(on_time * metrics.closed), metrics.closed
        ),
        "satisfaction_rate": Figure(
            satisfied,
            None if satisfied is None else round(satisfied * metrics.rated),
            metrics.rated,
        ),
        "rework_rate": Figure(metrics.rework_rate),
    }


async def _case_metrics(
    conn: Connection, region: asyncpg.Record, units: list[Unit], period: Period
) -> dict[str, MetricsOut]:
    """The case figures of each unit by key: regions rolled up over their subtree, departments
    over the cases of the region they handle."""
    found: dict[str, MetricsOut] = {}
    kinds = {u.kind for u in units}
    if "region" in kinds:
        summary = await stats.summary(
            conn, scope=CITY, region_code=region["code"], period=period, category=None
        )
        by_code = {g.code: g.metrics for g in summary.by_region}
        found |= {u.key: by_code[u.code] for u in units if u.kind == "region" and u.code in by_code}
    if "department" in kinds:
        ranking = await stats.rankings(
            conn,
            scope=CITY,
            region_code=region["code"],
            period=period,
            by="department",
            metric="received",
        )
        by_code = {i.code: i.metrics for i in ranking.items}
        found |= {
            u.key: by_code[u.code] for u in units if u.kind == "department" and u.code in by_code
        }
    return found


async def _place_figures(
    conn: Connection, unit: Unit, sources: Collection[str], *, period: Period, settings: Settings
) -> dict[str, Figure]:
    """安全感 index and key areas: measured on a region's places only."""
    figures: dict[str, Figure] = {}
    if unit.path is None:
        return figures
    if "safety_index" in sources:
        survey = await index_service.latest_published(
            conn, region_path=unit.path, settings=settings
        )
        safety = None if survey is None else survey.indices.safety
        if safety is not None and safety.value is not None:
            figures["safety_index"] = Figure(safety.value, None, safety.n)
    if "areas_lifted" in sources:
        lifted = await figure_sql.areas_lifted(
            conn, region_path=unit.path, start=period.start, end=period.end
        )
        figures["areas_lifted"] = Figure(float(lifted), lifted, None)
    if "areas_overdue" in sources:
        overdue = await figure_sql.areas_overdue(
            conn,
            region_path=unit.path,
            first_day=period.first_day,
            last_day=period.last_day,
            lifted_by=period.end,
        )
        figures["areas_overdue"] = Figure(float(overdue), overdue, None)
    return figures


async def _kept_figures(
    conn: Connection, unit: Unit, sources: Collection[str], *, period: Period, settings: Settings
) -> dict[str, Figure]:
    """Findings closed on time, monthly reports on time, duties done on time: rates over
    what fell due in the period."""
    region_path = unit.path if unit.kind == "region" else None
    department_id = unit.id if unit.kind == "department" else None
    days = {"first_day": period.first_day, "last_day": period.last_day}
    figures: dict[str, Figure] = {}
    if "findings_on_time" in sources:
        figures["findings_on_time"] = rate(
            *await findings_on_time(
                conn,
                region_path=region_path,
                department_id=department_id,
                timezone=settings.timezone,
                **days,
            )
        )
    if "monthly_reports_on_time" in sources:
        figures["monthly_reports_on_time"] = rate(
            *await reports_on_time(
                conn, region_path=region_path, department_id=department_id, **days
            )
        )
    if "duties_on_time" in sources:
        figures["duties_on_time"] = rate(
            *await figure_sql.duties_on_time(
                conn,
                region_path=region_path,
                department_id=department_id,
                start=period.start,
                end=period.end,
            )
        )
    return figures


async def measure(
    conn: Connection,
    region: asyncpg.Record,
    units: list[Unit],
    *,
    sources: Collection[str],
    period: Period,
    year: int,
    settings: Settings,
) -> dict[str, Measured]:
    """Every unit's figures for the sources a scheme uses, with its veto and standing.
    化解率 (mediation_rate) has nothing to measure it yet: it stays no data."""
    cases = await _case_metrics(conn, region, units, period) if CASE_SOURCES & set(sources) else {}
    found: dict[str, Measured] = {}
    for unit in units:
        measured = Measured()
        wanted = case_figures(cases.get(unit.key))
        measured.figures |= {k: v for k, v in wanted.items() if k in sources}
        measured.figures |= await _place_figures(
            conn, unit, sources, period=period, settings=settings
        )
        measured.figures |= await _kept_figures(
            conn, unit, sources, period=period, settings=settings
        )
        if unit.path is not None:
            standing = await watch.eligibility(conn, region_path=unit.path, year=year)
            measured.vetoed = bool(standing.vetoes)
            measured.veto_reasons = [v["reason"] for v in standing.vetoes]
            measured.eligible = standing.eligible
        found[unit.key] = measured
    return found
