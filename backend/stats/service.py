"""Statistics: the figures of a region subtree over a period, rolled up its region tree.

Scope comes from the cases domain (the same rule as every case list: a region subtree or a
department, confidential categories only for those who handle them), so a figure never
counts a case its reader could not open.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import asyncpg
import h3
import msgspec

from backend.cases.rules import Scope
from backend.cases.service import scope_for
from backend.cases.sql import Where, scoped
from backend.categories import service as categories
from backend.db.types import Connection
from backend.errors import Invalid
from backend.regions import service as regions
from backend.regions.paths import subtree_bounds
from backend.stats import queries, rules
from backend.stats.heat_rules import HEAT_STATUSES, MAX_CELLS, BBox, HeatStatus
from backend.stats.rules import Counts, Period
from backend.stats.schemas import (
    CellFeatureOut,
    CellPropertiesOut,
    ComparisonOut,
    GroupOut,
    HeatmapOut,
    HourWeekdayOut,
    MetricsOut,
    PeriodOut,
    PolygonOut,
    RankedOut,
    RankingOut,
    RegionRefOut,
    SourcesOut,
    SummaryOut,
)

CITY = RegionRefOut(code="", name="全市")
# A district's quarter is some 250 000 cases: their per-case rows sort in memory with this.
SORT_MEMORY_MB = 64
_COUNT_FIELDS = tuple(f.name for f in dataclasses.fields(Counts))

__all__ = [
    "Period",
    "Scope",
    "heatmap",
    "hour_weekday",
    "place",
    "rankings",
    "scope_for",
    "summary",
]


@dataclass(frozen=True, slots=True)
class Place:
    """The region a statistic is about: its code, name, path ("/" for the whole city)."""

    ref: RegionRefOut
    path: str
    children: list[RegionRefOut]


async def place(conn: Connection, *, scope: Scope, region_code: str | None) -> Place:
    """The region asked for (default: the caller's own); 404 when outside the caller's scope."""
    scope_path = scope.path
    if region_code is None and scope_path is None:
        tops = await regions.children(conn, parent_code=None, scope_path=None)
        return Place(CITY, "/", [RegionRefOut(code=r.code, name=r.name) for r in tops])
    if region_code is None:
        own = await regions.children(conn, parent_code=None, scope_path=scope_path)
        region_code = own[0].code
    feature = await regions.feature(conn, code=region_code, scope_path=scope_path)
    path = await regions.region_path_by_code(conn, code=region_code)
    assert path is not None  # the feature above exists
    kids = await regions.children(conn, parent_code=region_code, scope_path=scope_path)
    ref = RegionRefOut(code=region_code, name=str(feature.properties["name"]))
    return Place(ref, path, [RegionRefOut(code=r.code, name=r.name) for r in kids])


async def _category_names(conn: Connection, category: str | None) -> dict[str, str]:
    names = {c.code: c.name for c in await categories.list_categories(conn, include_inactive=True)}
    if category is not None and category not in names:
        raise Invalid(
            "stats.unknown_category",
            "没有这个类别",
            "No such category",
            fields={"category": "unknown"},
        )
    return names


def _cohort(scope: Scope, *, path: str, period: Period, category: str | None) -> Where:
    """The cases received in the period within the region, as the caller's scope allows."""
    where = scoped(scope)
    if path != "/":
        lo, hi = subtree_bounds(path)
        where.add("c.region_path >= {0} AND c.region_path < {1}", lo, hi)
    where.add("c.created_at >= {0} AND c.created_at < {1}", period.start, period.end)
    if category is not None:
        where.add("c.category_code = {0}", category)
    return where


def _figures(row: asyncpg.Record | None) -> MetricsOut:
    counts = Counts() if row is None else Counts(**{k: row[k] for k in _COUNT_FIELDS})
    return rules.figures(counts)


def _period_out(period: Period) -> PeriodOut:
    return PeriodOut(
        kind=period.kind, label=period.label, from_=period.first_day, to=period.last_day
    )


@dataclass(frozen=True, slots=True)
class _Rows:
    """The grouped rows of one figures query, by grouping."""

    total: asyncpg.Record | None
    child: dict[str, asyncpg.Record]
    category: dict[str, asyncpg.Record]
    source: dict[str, asyncpg.Record]
    department: dict[int, asyncpg.Record]


def _split(rows: Iterable[asyncpg.Record]) -> _Rows:
    split = _Rows(None, {}, {}, {}, {})
    total = None
    for row in rows:
        if row["by_child"]:
            split.child[row["child"]] = row
        elif row["by_category"]:
            split.category[row["category_code"]] = row
        elif row["by_source"]:
            split.source[row["source"]] = row
        elif row["by_department"]:
            if row["department_id"] is not None:
                split.department[row["department_id"]] = row
        else:
            total = row
    return dataclasses.replace(split, total=total)


async def _rows(
    conn: Connection, scope: Scope, where_of: Place, period: Period, category: str | None
) -> _Rows:
    where = _cohort(scope, path=where_of.path, period=period, category=category)
    async with conn.transaction():
        await queries.allow_sort_memory(conn, megabytes=SORT_MEMORY_MB)
        rows = await queries.figures(
            conn,
            where=where,
            region_path=where_of.path,
            end=period.end,
            satisfied_above=rules.SATISFIED_ABOVE,
        )
    return _split(rows)


def _by_region(where_of: Place, rows: _Rows) -> list[tuple[RegionRefOut, MetricsOut]]:
    """Each child rolled up over its subtree; cases held at the region itself (属地兜底) last."""
    groups = [(child, _figures(rows.child.get(child.code))) for child in where_of.children]
    own = rows.child.get("")
    if own is not None:
        ref = RegionRefOut(code=where_of.ref.code, name=f"{where_of.ref.name}（本级）")
        groups.append((ref, _figures(own)))
    return groups


class _Earlier:
    """The grouped rows of an earlier period, or nothing when that period cannot be counted."""

    def __init__(self, rows: _Rows | None) -> None:
        self.rows = rows

    def total(self) -> MetricsOut | None:
        return None if self.rows is None else _figures(self.rows.total)

    def source(self, source: str) -> MetricsOut | None:
        return None if self.rows is None else _figures(self.rows.source.get(source))

    def category(self, code: str) -> MetricsOut | None:
        return None if self.rows is None else _figures(self.rows.category.get(code))

    def region(self, where_of: Place) -> dict[str, MetricsOut]:
        return {} if self.rows is None else {r.code: f for r, f in _by_region(where_of, self.rows)}


async def _earlier(
    conn: Connection, scope: Scope, where_of: Place, period: Period | None, category: str | None
) -> _Earlier:
    if period is None:
        return _Earlier(None)
    return _Earlier(await _rows(conn, scope, where_of, period, category))


async def summary(
    conn: Connection,
    *,
    scope: Scope,
    region_code: str | None,
    period: Period,
    category: str | None,
    zone: str | None = None,
) -> SummaryOut:
    """受理量, 立案量 … 满意率 of a region subtree over a period, by child, category, source;
    with `zone` (the city's time zone) each group also gets its 同比 and 环比."""
    names = await _category_names(conn, category)
    where_of = await place(conn, scope=scope, region_code=region_code)
    rows = await _rows(conn, scope, where_of, period, category)
    by_region = _by_region(where_of, rows)
    by_category = [
        (code, names.get(code, code), _figures(row))
        for code, row in sorted(
            rows.category.items(), key=lambda item: (-item[1]["received"], item[0])
        )
    ]
    out = SummaryOut(
        region=where_of.ref,
        period=_period_out(period),
        totals=_figures(rows.total),
        by_region=[GroupOut(code=r.code, name=r.name, metrics=f) for r, f in by_region],
        by_category=[GroupOut(code=c, name=n, metrics=f) for c, n, f in by_category],
        by_source=SourcesOut(
            resident=_figures(rows.source.get("resident")),
            patrol=_figures(rows.source.get("patrol")),
        ),
    )
    if zone is None:
        return out
    before, year_ago = rules.compared_periods(period, zone=zone)
    prev = await _earlier(conn, scope, where_of, before, category)
    ago = await _earlier(conn, scope, where_of, year_ago, category)
    regions_before, regions_ago = prev.region(where_of), ago.region(where_of)
    return msgspec.structs.replace(
        out,
        by_region=[
            msgspec.structs.replace(
                g,
                compared=rules.compared(
                    g.metrics, regions_before.get(g.code), regions_ago.get(g.code)
                ),
            )
            for g in out.by_region
        ],
        by_category=[
            msgspec.structs.replace(
                g, compared=rules.compared(g.metrics, prev.category(g.code), ago.category(g.code))
            )
            for g in out.by_category
        ],
        compared=ComparisonOut(
            previous_period=None if before is None else _period_out(before),
            year_before_period=None if year_ago is None else _period_out(year_ago),
            totals=rules.compared(out.totals, prev.total(), ago.total()),
            resident=rules.compared(
                out.by_source.resident, prev.source("resident"), ago.source("resident")
            ),
            patrol=rules.compared(
                out.by_source.patrol, prev.source("patrol"), ago.source("patrol")
            ),
        ),
    )


async def rankings(
    conn: Connection,
    *,
    scope: Scope,
    region_code: str | None,
    period: Period,
    by: Literal["region", "department"],
    metric: str,
    category: str | None = None,
) -> RankingOut:
    """The region's children, or the departments handling its cases, best first by `metric`."""
    attribute = rules.metric_field(metric)
    await _category_names(conn, category)
    where_of = await place(conn, scope=scope, region_code=region_code)
    rows = await _rows(conn, scope, where_of, period, category)
    if by == "region":
        groups = [((ref.code, ref.name), f) for ref, f in _by_region(where_of, rows)]
    else:
        names = await queries.department_names(conn, ids=list(rows.department))
        groups = [(names[i], _figures(row)) for i, row in rows.department.items()]
    by_key = {code: (name, f) for (code, name), f in groups}
    ordered = rules.ranked([(code, f) for code, (_, f) in by_key.items()], metric)
    return RankingOut(
        region=where_of.ref,
        period=_period_out(period),
        by=by,
        metric=metric,
        items=[
            RankedOut(
                rank=n,
                code=code,
                name=by_key[code][0],
                value=getattr(figures, attribute),
                metrics=figures,
            )
            for n, (code, figures) in enumerate(ordered, start=1)
        ],
    )


def _valid_reports(scope: Scope, *, path: str, period: Period, category: str | None) -> Where:
    """The valid reports received in the period within the region, as the caller may see.

    A region scope's bounds are implied by the region's own (`place` keeps the region inside
    the scope), so a region's reports are read by receipt time, path and confidentiality
    alone: what the valid-cases index holds, read without touching the table.
    """
    inside = scope.path is not None and path != "/" and path.startswith(scope.path)
    if inside and scope.department_id is None and not scope.everything:
        where = Where()
        if not scope.confidential:
            where.add("NOT c.confidential")
    else:
        where = scoped(scope)
    if path != "/":
        lo, hi = subtree_bounds(path)
        where.add("c.region_path >= {0} AND c.region_path < {1}", lo, hi)
    where.add("c.created_at >= {0} AND c.created_at < {1}", period.start, period.end)
    where.add("c.status NOT IN ('rejected', 'merged')")
    if category is not None:
        where.add("c.category_code = {0}", category)
    return where


async def hour_weekday(
    conn: Connection,
    *,
    scope: Scope,
    region_code: str | None,
    period: Period,
    category: str | None,
    zone: str,
) -> HourWeekdayOut:
    """时段分布: valid reports of a region subtree over a period by local hour and weekday."""
    await _category_names(conn, category)
    where_of = await place(conn, scope=scope, region_code=region_code)
    where = _valid_reports(scope, path=where_of.path, period=period, category=category)
    rows = await queries.hour_weekday(conn, where=where, zone=zone)
    grid = rules.hour_weekday_grid((r["hour"], r["isodow"], r["n"]) for r in rows)
    return HourWeekdayOut(
        region=where_of.ref,
        period=_period_out(period),
        category=category,
        total=sum(map(sum, grid)),
        counts=grid,
        by_hour=[sum(row) for row in grid],
        by_weekday=[sum(row[d] for row in grid) for d in range(rules.WEEKDAYS)],
    )


async def category_codes(
    conn: Connection, *, category: str | None, class_: str | None
) -> list[str] | None:
    """The category codes a filter names (one category, or every category of a class)."""
    if category is None and class_ is None:
        return None
    listed = await categories.list_categories(conn, include_inactive=True)
    codes = [c.code for c in listed if c.code == category or c.class_ == class_]
    if not codes:
        field = "category" if category is not None else "class"
        raise Invalid(
            "stats.unknown_category", "没有这个类别", "No such category", fields={field: "unknown"}
        )
    return codes


def _cell_feature(cell: int, count: int) -> CellFeatureOut:
    name = h3.int_to_str(cell)
    ring = [(round(lng, 6), round(lat, 6)) for lat, lng in h3.cell_to_boundary(name)]
    ring.append(ring[0])  # GeoJSON rings close on their first point
    return CellFeatureOut(
        type="Feature",
        geometry=PolygonOut(type="Polygon", coordinates=[ring]),
        properties=CellPropertiesOut(cell=name, count=count),
    )


async def heatmap(
    conn: Connection,
    *,
    scope: Scope,
    box: BBox,
    resolution: int,
    window: tuple[datetime, datetime],
    codes: list[str] | None,
    status: HeatStatus,
) -> HeatmapOut:
    """Reports per h3 hexagon in a box and time window, as the caller's scope allows."""
    where = scoped(scope)
    where.add("c.lat BETWEEN {0} AND {1}", box.min_lat, box.max_lat)
    where.add("c.lng BETWEEN {0} AND {1}", box.min_lng, box.max_lng)
    where.add("c.created_at >= {0} AND c.created_at < {1}", *window)
    if codes is not None:
        where.add("c.category_code = ANY({0}::text[])", codes)
    where.add("c.status = ANY({0}::text[])", list(HEAT_STATUSES[status]))
    rows = await queries.heat_cells(conn, where=where, resolution=resolution, limit=MAX_CELLS + 1)
    return HeatmapOut(
        type="FeatureCollection",
        resolution=resolution,
        features=[_cell_feature(row["cell"], row["n"]) for row in rows[:MAX_CELLS]],
        truncated=len(rows) > MAX_CELLS,
    )
