"""What 考核 measures for each unit, taken from what the product already counts: the case
statistics (按期结案率, 满意率, 返工率, read city-wide so every unit is measured alike), the
安全感 index, key areas lifted and overdue, findings closed on time, monthly reports on time,
duties done on time; and each region's 一票否决 and 先进 standing.

A period not over yet is measured so far: what falls due after the moment of computing is
not owed yet. 一票否决 and 先进 eligibility (flagged key areas) are read as they stand at
the moment of computing, whatever the period.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

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


@dataclass(frozen=True, slots=True)
class Span:
    """What of a period is owed at the moment of computing: the whole period once it is
    over; before that, due times up to `end` and due days up to `last_day` (days ended)."""

    period: Period
    end: datetime
    last_day: date

    @classmethod
    def of(cls, period: Period, *, now: datetime, timezone: str) -> Span:
        if now >= period.end:
            return cls(period, period.end, period.last_day)
        yesterday = now.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)
        return cls(period, max(now, period.start), min(period.last_day, yesterday))


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
    """按期结案率 over closed cases, 满意率 over rated ones, 返工率 over those handled, with
    the counts the statistics divide."""
    if metrics is None:
        return {}
    return {
        "on_time_rate": Figure(metrics.on_time_rate, metrics.closed_on_time, metrics.closed),
        "satisfaction_rate": Figure(metrics.satisfaction_rate, metrics.satisfied, metrics.rated),
        "rework_rate": Figure(metrics.rework_rate, metrics.reworked, metrics.resolved),
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


async def _safety_index(
    conn: Connection, unit: Unit, *, period: Period, settings: Settings
) -> Figure | None:
    """The 安全感 index of the newest published survey over the unit that was open within the
    period, only when its figures are the unit's own: a region whose answers are too few to
    show gets no data, not the figures of the region above it."""
    assert unit.path is not None  # a region
    survey = await index_service.latest_published(
        conn,
        region_path=unit.path,
        settings=settings,
        first_day=period.first_day,
        last_day=period.last_day,
    )
    if survey is None or survey.region_code != unit.code:
        return None
    safety = survey.indices.safety
    if safety is None or safety.value is None:
        return None
    return Figure(safety.value, None, safety.n)


async def _place_figures(
    conn: Connection, unit: Unit, sources: Collection[str], *, span: Span, settings: Settings
) -> dict[str, Figure]:
    """安全感 index and key areas: measured on a region's places only."""
    figures: dict[str, Figure] = {}
    period = span.period
    if unit.path is None:
        return figures
    if "safety_index" in sources:
        safety = await _safety_index(conn, unit, period=period, settings=settings)
        if safety is not None:
            figures["safety_index"] = safety
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
            last_day=span.last_day,
            lifted_by=span.end,
        )
        figures["areas_overdue"] = Figure(float(overdue), overdue, None)
    return figures


async def _kept_figures(
    conn: Connection, unit: Unit, sources: Collection[str], *, span: Span, settings: Settings
) -> dict[str, Figure]:
    """Findings closed on time, monthly reports on time, duties done on time: rates over
    what fell due in the period (so far)."""
    period = span.period
    region_path = unit.path if unit.kind == "region" else None
    department_id = unit.id if unit.kind == "department" else None
    # A report still due is not counted until it is filed or marked missing.
    days = {"first_day": period.first_day, "last_day": period.last_day}
    figures: dict[str, Figure] = {}
    if "findings_on_time" in sources:
        figures["findings_on_time"] = rate(
            *await findings_on_time(
                conn,
                region_path=region_path,
                department_id=department_id,
                first_day=period.first_day,
                last_day=period.last_day,
                timezone=settings.timezone,
                now=span.end,
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
                end=span.end,
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
    now: datetime,
) -> dict[str, Measured]:
    """Every unit's figures for the sources a scheme uses, with its veto and standing as they
    are now. 化解率 (mediation_rate) has nothing to measure it yet: it stays no data."""
    span = Span.of(period, now=now, timezone=settings.timezone)
    cases = await _case_metrics(conn, region, units, period) if CASE_SOURCES & set(sources) else {}
    found: dict[str, Measured] = {}
    for unit in units:
        measured = Measured()
        wanted = case_figures(cases.get(unit.key))
        measured.figures |= {k: v for k, v in wanted.items() if k in sources}
        measured.figures |= await _place_figures(conn, unit, sources, span=span, settings=settings)
        measured.figures |= await _kept_figures(conn, unit, sources, span=span, settings=settings)
        if unit.path is not None:
            standing = await watch.eligibility(conn, region_path=unit.path, year=year)
            measured.vetoed = bool(standing.vetoes)
            measured.veto_reasons = [v["reason"] for v in standing.vetoes]
            measured.eligible = standing.eligible
        found[unit.key] = measured
    return found
