"""The dispatcher's queue at a million cases: with the project's indexes, and without them.

A private PostgreSQL gets the demo city (西湖区, ~300 grids) and 1 000 000 cases loaded with
COPY: a year of reports, most of them closed or rated, a recent backlog of open ones, ~1 % in
confidential categories, a few transferred across grids (接边). Then, through the project's own
code (`views._filtered` → `queries.list_cases` / `queries.count_by_status`, as `views.queue`
calls them), it times the first page of a queue tab (by deadline, LIMIT 51) and the tab
counts, for a district dispatcher and a street dispatcher. The baseline drops the indexes the
queue can use and measures the same statements again in the same run. Run:
    .venv/bin/python bench/queue.py
"""

from __future__ import annotations

import sys
from pathlib import Path

# The repo root instead of bench/: this file's own name would hide the standard library's queue
# (which asyncio imports), as it does for every script in bench/.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import asyncio
import json
import random
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import shapely.geometry

from backend.cases import queries, rules, views
from backend.cases.sql import Where
from backend.db.embedded import EmbeddedPostgres
from backend.db.migrate import migrate
from backend.db.pool import SERVER_SETTINGS, connect
from backend.db.types import Connection
from backend.demo import DISTRICT, load_demo
from backend.reports.rules import h3_cells

CASES = 1_000_000
CHUNK = 100_000
PAGE_RUNS, COUNT_RUNS, WARM_UP = 200, 30, 10
# A run without indexes may be slow: it stops after this many seconds (but never below
# MIN_RUNS), so the whole script stays within a few minutes on 2 cores.
BASELINE_BUDGET_S, MIN_RUNS = 12.0, 30
SEED = 20240601
SERVER_OPTIONS = {
    # Loading speed only: none of these changes how a query is planned or run.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "30min",
    "maintenance_work_mem": "512MB",
}
# The indexes on `cases` that a queue page or its counts can use (scope range on either
# path, status/deadline, and the partial indexes whose predicate an open-status filter implies).
QUEUE_INDEXES = (
    "cases_queue_idx",
    "cases_open_queue_idx",
    "cases_region_path_idx",
    "cases_assigned_path_idx",
    "cases_nearby_idx",
    "cases_department_idx",
)
OPEN = ("submitted", "dispatched", "accepted", "resolved")
OPEN_MIX = (("submitted", 10), ("dispatched", 30), ("accepted", 45), ("resolved", 15))
DONE_MIX = (("rated", 60), ("closed", 32), ("rejected", 5), ("merged", 3))
DESCRIPTIONS = ("垃圾堆放", "路灯不亮", "占道经营", "井盖缺失", "噪音扰民", "车辆乱停")
COLUMNS = (
    "tracking_no",
    "reporter_id",
    "client_id",
    "body_hash",
    "source",
    "category_code",
    "confidential",
    "priority",
    "description",
    "lat",
    "lng",
    "region_id",
    "region_path",
    "route_match",
    "h3_r7",
    "h3_r8",
    "h3_r9",
    "h3_r10",
    "h3_r11",
    "status",
    "accept_due_at",
    "resolve_due_at",
    "verify_due_at",
    "created_at",
    "updated_at",
    "closed_at",
    "rating",
    "rated_at",
    "reject_reason",
    "assigned_region_id",
    "assigned_path",
    "department_id",
    "due_at",
    "check_at",
    "overdue",
    "accepted_at",
    "resolved_at",
)


@dataclass(frozen=True, slots=True)
class Grid:
    id: int
    path: str
    lat: float
    lng: float
    cells: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    confidential: bool
    owner_kind: str
    minutes: tuple[int, int, int]  # accept, resolve, verify
    emergency: bool


@dataclass(frozen=True, slots=True)
class City:
    grids: list[Grid]
    categories: list[Category]
    weights: list[float]
    departments: dict[str, int]
    reporter_id: int


# Loading ------------------------------------------------------------------------------------


async def city(conn: Connection) -> City:
    """The demo city's grids (centre and h3 cells once each), categories, departments."""
    grids = []
    for row in await conn.fetch(
        "SELECT id, path, geometry FROM regions WHERE level IN ('grid', 'microgrid') ORDER BY id"
    ):
        centre = shapely.geometry.shape(row["geometry"]).representative_point()
        cells = h3_cells(centre.y, centre.x)
        grids.append(Grid(row["id"], row["path"], centre.y, centre.x, tuple(cells.values())))
    categories = [
        Category(
            r["code"],
            r["confidential"],
            r["owner_kind"],
            (r["accept_minutes"], r["resolve_minutes"], r["verify_minutes"]),
            r["preset_code"] == "emergency",
        )
        for r in await conn.fetch(
            "SELECT k.code, k.confidential, k.owner_kind, k.preset_code, p.accept_minutes, "
            "p.resolve_minutes, p.verify_minutes FROM categories k "
            "JOIN deadline_presets p ON p.code = k.preset_code ORDER BY k.sort_order"
        )
    ]
    secret = [c for c in categories if c.confidential]
    public = [c for c in categories if not c.confidential]
    # ~1 % of reports are confidential leads; the rest share the public categories.
    weights = [0.01 / len(secret) if c.confidential else 0.99 / len(public) for c in categories]
    departments = {r["kind"]: r["id"] for r in await conn.fetch("SELECT id, kind FROM departments")}
    reporter_id = await conn.fetchval("INSERT INTO users (role) VALUES ('resident') RETURNING id")
    return City(grids, categories, weights, departments, reporter_id)


def open_share(age: timedelta) -> float:
    """Recent reports are often still open; old ones rarely (long-term cases, stragglers)."""
    if age < timedelta(days=3):
        return 0.5
    if age < timedelta(days=14):
        return 0.3
    if age < timedelta(days=90):
        return 0.05
    return 0.01


def pick(rng: random.Random, mix: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([s for s, _ in mix], weights=[w for _, w in mix])[0]


def case_rows(c: City, now: datetime, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """Cases in creation order (ids grow with time, as in production), over the past year."""
    start = now - timedelta(days=365)
    step = timedelta(days=365) / CASES
    per_day: Counter[str] = Counter()
    categories = rng.choices(c.categories, weights=c.weights, k=CASES)
    for n in range(CASES):
        created = start + step * n + timedelta(seconds=rng.uniform(0, 20))
        age = now - created
        status = pick(rng, OPEN_MIX if rng.random() < open_share(age) else DONE_MIX)
        grid = rng.choice(c.grids)
        day = created.strftime("%Y%m%d")
        per_day[day] += 1
        yield case_row(
            c, rng, categories[n], grid, status, created, now, f"{day}-{per_day[day]:06d}"
        )


def current_step(
    rng: random.Random, created: datetime, now: datetime, length: timedelta
) -> tuple[datetime, datetime]:
    """When an open case entered its step, and that step's deadline.

    Steps restart (a transfer, an extension, a reopen), so an open case's step began
    recently whatever its age: about a quarter of open cases are past their deadline.
    """
    entered = max(created, now - length * rng.uniform(0, 4 / 3))
    return entered, entered + length


@dataclass(slots=True)
class Life:
    """One case's deadlines and milestones, as the loop would have left them."""

    accept_due: datetime
    resolve_due: datetime
    verify_due: datetime | None = None
    accepted_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    rated_at: datetime | None = None
    due: datetime | None = None  # the current step's deadline: open cases only


def open_life(
    rng: random.Random, status: str, created: datetime, now: datetime, k: Category
) -> Life:
    accept, resolve, verify = (timedelta(minutes=m) for m in k.minutes)
    if status in {"submitted", "dispatched"}:
        _, accept_due = current_step(rng, created, now, accept)
        return Life(accept_due, accept_due + resolve, due=accept_due)
    if status == "accepted":
        accepted_at, resolve_due = current_step(rng, created, now, resolve)
        return Life(created + accept, resolve_due, accepted_at=accepted_at, due=resolve_due)
    resolved_at, verify_due = current_step(rng, created, now, verify)
    accepted_at = created + (resolved_at - created) * rng.uniform(0.1, 0.9)
    return Life(
        created + accept,
        accepted_at + resolve,
        verify_due,
        accepted_at,
        resolved_at,
        due=verify_due,
    )


def finished_life(
    rng: random.Random, status: str, created: datetime, now: datetime, k: Category
) -> Life:
    accept, resolve, verify = (timedelta(minutes=m) for m in k.minutes)
    if status in {"rejected", "merged"}:
        closed_at = min(created + accept * rng.uniform(0.1, 1.0), now)
        return Life(created + accept, created + accept + resolve, closed_at=closed_at)
    accepted_at = min(created + accept * rng.uniform(0.1, 1.3), now)
    resolved_at = min(accepted_at + resolve * rng.uniform(0.1, 1.2), now)
    closed_at = min(resolved_at + verify * rng.uniform(0.1, 1.1), now)
    rated_at = None
    if status == "rated":
        rated_at = min(closed_at + timedelta(hours=rng.uniform(1, 48)), now)
    return Life(
        created + accept,
        accepted_at + resolve,
        resolved_at + verify,
        accepted_at,
        resolved_at,
        closed_at,
        rated_at,
    )


def case_row(
    c: City,
    rng: random.Random,
    category: Category,
    grid: Grid,
    status: str,
    created: datetime,
    now: datetime,
    tracking_no: str,
) -> tuple[Any, ...]:
    life = (open_life if status in OPEN else finished_life)(rng, status, created, now, category)
    rating = rng.choices((5, 4, 3, 2, 1), weights=(60, 25, 8, 4, 3))[0] if life.rated_at else None
    department_id = None
    if status != "submitted" and category.owner_kind != "grid":
        department_id = c.departments.get(category.owner_kind)
    assigned = grid
    if status not in {"submitted", "rejected", "merged"} and rng.random() < 0.01:
        assigned = rng.choice(c.grids)  # 转办 to another grid, maybe across a street border
    milestones = (created, life.accepted_at, life.resolved_at, life.closed_at, life.rated_at)
    due = life.due
    return (
        tracking_no,
        c.reporter_id,
        uuid.uuid4(),
        b"bench",
        "resident",
        category.code,
        category.confidential,
        "emergency" if category.emergency else "normal",
        rng.choice(DESCRIPTIONS),
        grid.lat,
        grid.lng,
        grid.id,
        grid.path,
        "inside",
        *grid.cells,
        status,
        life.accept_due,
        life.resolve_due,
        life.verify_due,
        created,
        max(t for t in milestones if t),
        life.closed_at,
        rating,
        life.rated_at,
        "不属于受理范围" if status == "rejected" else None,
        assigned.id,
        assigned.path,
        department_id,
        due,
        due if due is not None and due > now else None,
        due is not None and due <= now,
        life.accepted_at,
        life.resolved_at,
    )


async def load_cases(conn: Connection, now: datetime) -> None:
    """COPY the cases in chunks; the project's secondary indexes are rebuilt afterwards."""
    c = await city(conn)
    print(f"demo city: {len(c.grids)} grids, {len(c.categories)} categories", flush=True)
    definitions = await conn.fetch(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.tablename = 'cases' AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)"
    )
    # Building an index once is far faster than growing it row by row; the definitions are
    # the project's own, read back from the catalogue and replayed verbatim.
    for row in definitions:
        await conn.execute(f'DROP INDEX "{row["indexname"]}"')
    rows = case_rows(c, now, random.Random(SEED))
    started = time.perf_counter()
    for done in range(0, CASES, CHUNK):
        chunk = [next(rows) for _ in range(min(CHUNK, CASES - done))]
        await conn.copy_records_to_table("cases", records=chunk, columns=COLUMNS)
        elapsed = time.perf_counter() - started
        print(f"  copied {done + len(chunk):>9,} cases ({elapsed:.0f} s)", flush=True)
    for row in definitions:
        await conn.execute(row["indexdef"])
    # As autovacuum would: the visibility map lets index-only scans skip the table.
    await conn.execute("VACUUM ANALYZE cases")
    print(
        f"  rebuilt {len(definitions)} indexes and analysed "
        f"({time.perf_counter() - started:.0f} s in all)",
        flush=True,
    )


async def describe(conn: Connection) -> None:
    mix = await conn.fetch("SELECT status, count(*) AS n FROM cases GROUP BY status ORDER BY n")
    print("  status mix: " + ", ".join(f"{r['status']} {r['n']:,}" for r in mix))
    extra = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE confidential) AS secret, "
        "count(*) FILTER (WHERE overdue) AS overdue, "
        "count(*) FILTER (WHERE assigned_path <> region_path) AS transferred, "
        "pg_size_pretty(pg_total_relation_size('cases')) AS size FROM cases"
    )
    print(
        f"  confidential {extra['secret']:,}, overdue {extra['overdue']:,}, "
        f"transferred {extra['transferred']:,}, table with indexes {extra['size']}",
        flush=True,
    )


# Measuring ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scenario:
    """One dispatcher's queue on one tab; `counts` also times the tab counts (tab-independent)."""

    name: str
    scope: rules.Scope
    tab: list[str]
    counts: bool

    def page_where(self) -> Where:
        return views._filtered(self.scope, views.CaseFilter(statuses=self.tab), with_status=True)

    def counts_where(self) -> Where:
        return views._filtered(self.scope, views.CaseFilter(statuses=self.tab), with_status=False)


class Recorder:
    """Passes `fetch` through and keeps the last statement, to EXPLAIN exactly what ran."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.sql = ""
        self.args: tuple[Any, ...] = ()

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        self.sql, self.args = sql, args
        return await self.conn.fetch(sql, *args)


async def timings(
    call: Callable[[], Awaitable[object]], runs: int, budget_s: float | None = None
) -> list[float]:
    for _ in range(WARM_UP):  # also past the 5 custom plans PostgreSQL tries before a generic one
        await call()
    spent, times = 0.0, []
    while len(times) < runs:
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
        spent += times[-1] / 1000
        if budget_s is not None and spent > budget_s and len(times) >= MIN_RUNS:
            break
    return times


def p50_p99(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


async def measure(conn: Connection, scenarios: list[Scenario], label: str) -> dict[str, Any]:
    """p50/p99 of the first page (and of the tab counts) for each scenario."""
    budget = BASELINE_BUDGET_S if label == "baseline" else None
    figures: dict[str, Any] = {}
    for s in scenarios:
        page_where, counts_where = s.page_where(), s.counts_where()
        page = await timings(
            lambda w=page_where: queries.list_cases(conn, where=w, limit=views.PAGE_SIZE + 1),
            PAGE_RUNS,
            budget,
        )
        page_p50, page_p99 = p50_p99(page)
        figures[s.name] = {
            "first_page_p50_ms": round(page_p50, 2),
            "first_page_p99_ms": round(page_p99, 2),
        }
        line = (
            f"  {label:8} {s.name:20} first page p50 {page_p50:8.2f} ms "
            f"p99 {page_p99:8.2f} ms ({len(page)} runs)"
        )
        if s.counts:
            counts = await timings(
                lambda w=counts_where: queries.count_by_status(conn, where=w), COUNT_RUNS, budget
            )
            counts_p50, counts_p99 = p50_p99(counts)
            figures[s.name] |= {
                "counts_p50_ms": round(counts_p50, 2),
                "counts_p99_ms": round(counts_p99, 2),
            }
            line += (
                f" | counts p50 {counts_p50:8.2f} ms p99 {counts_p99:8.2f} ms ({len(counts)} runs)"
            )
        print(line, flush=True)
    return figures


async def plan_use(conn: Connection) -> None:
    """Whether the statements asyncpg cached ran with generic or custom plans.

    Every scenario sends the same statement text, so one connection holds one prepared
    statement for the pages and one for the counts, as an API process does.
    """
    for row in await conn.fetch(
        "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
        "WHERE statement LIKE '%FROM cases c%' AND statement NOT LIKE '%pg_prepared%' "
        "ORDER BY statement"
    ):
        kind = "counts" if "count(*)" in row["statement"] else "page"
        print(
            f"    {kind:6} generic plans {row['generic_plans']:4}, custom {row['custom_plans']:4}"
        )


def literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "ARRAY[" + ", ".join(literal(v) for v in value) + "]::text[]"
    return "'" + str(value).replace("'", "''") + "'"


async def explain(conn: Connection, s: Scenario, *, counts: bool, generic: bool) -> list[str]:
    """EXPLAIN ANALYZE of the very statement the project sends, as a prepared statement."""
    recorder = Recorder(conn)
    if counts:
        await queries.count_by_status(recorder, where=s.counts_where())  # type: ignore[arg-type]
    else:
        page = s.page_where()
        await queries.list_cases(recorder, where=page, limit=views.PAGE_SIZE + 1)  # type: ignore[arg-type]
    mode = "force_generic_plan" if generic else "force_custom_plan"
    async with conn.transaction():
        await conn.execute(f"SET LOCAL plan_cache_mode = {mode}")
        await conn.execute(f"PREPARE bench_plan AS {recorder.sql}")
        values = ", ".join(literal(v) for v in recorder.args)
        rows = await conn.fetch(
            f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE bench_plan({values})"
        )
        await conn.execute("DEALLOCATE bench_plan")
    return [r[0] for r in rows]


async def show_plans(conn: Connection, scenarios: list[Scenario], label: str) -> None:
    print(f"  plans asyncpg's cached statements used ({label}):")
    await plan_use(conn)
    for s in scenarios:
        if not s.name.startswith("district"):
            continue
        for counts in (False, True) if s.counts else (False,):
            for generic in (False, True):
                what = "counts" if counts else "first page"
                kind = "generic" if generic else "custom"
                print(f"  EXPLAIN ANALYZE ({label}, {kind} plan) {s.name} {what}:")
                for line in await explain(conn, s, counts=counts, generic=generic):
                    print("    " + line)


def scenarios_for(street_path: str) -> list[Scenario]:
    district = rules.scope_of(role="dispatcher", region_path=f"/{DISTRICT}/", department_id=None)
    street = rules.scope_of(role="dispatcher", region_path=street_path, department_id=None)
    dispatched, open_tab = ["dispatched"], list(OPEN)
    return [
        Scenario("district/dispatched", district, dispatched, counts=True),
        Scenario("district/open", district, open_tab, counts=False),
        Scenario("street/dispatched", street, dispatched, counts=True),
        Scenario("street/open", street, open_tab, counts=False),
    ]


async def fresh(dsn: str) -> Connection:
    # The product's own session settings (see backend.db.pool), so plans match the API's.
    return await connect(dsn, server_settings=SERVER_SETTINGS)


async def run(dsn: str) -> dict[str, Any]:
    conn = await fresh(dsn)
    try:
        await migrate(conn)
        await load_demo(conn, password="bench-password-1")
        await load_cases(conn, datetime.now(UTC))
        await describe(conn)
        street_path = await conn.fetchval(
            "SELECT path FROM regions WHERE level = 'street' ORDER BY code LIMIT 1"
        )
    finally:
        await conn.close()
    scenarios = scenarios_for(street_path)
    print(f"district {DISTRICT}, street {street_path}", flush=True)
    results = {}
    for label in ("ours", "baseline"):
        conn = await fresh(dsn)  # a new connection: no statement cached from the other phase
        try:
            if label == "baseline":
                for name in QUEUE_INDEXES:
                    await conn.execute(f"DROP INDEX {name}")
                await conn.execute("ANALYZE cases")
                print(f"dropped {', '.join(QUEUE_INDEXES)}; analysed", flush=True)
            results[label] = await measure(conn, scenarios, label)
            await show_plans(conn, scenarios, label)
        finally:
            await conn.close()
    return results


def summary(results: dict[str, Any]) -> dict[str, Any]:
    ours, base = results["ours"], results["baseline"]
    page = counts = ours["district/dispatched"]
    base_page = base_counts = base["district/dispatched"]
    return {
        "bench": "queue",
        "cases": CASES,
        "first_page_p50_ms": page["first_page_p50_ms"],
        "first_page_p99_ms": page["first_page_p99_ms"],
        "baseline_first_page_p50_ms": base_page["first_page_p50_ms"],
        "counts_p50_ms": counts["counts_p50_ms"],
        "baseline_counts_p50_ms": base_counts["counts_p50_ms"],
        "ratio_first_page": round(base_page["first_page_p50_ms"] / page["first_page_p50_ms"], 2),
        "ratio_counts": round(base_counts["counts_p50_ms"] / counts["counts_p50_ms"], 2),
        "dropped": list(QUEUE_INDEXES),
        "scenarios": {
            name: {
                **figures,
                **{f"baseline_{k}": v for k, v in base[name].items()},
            }
            for name, figures in ours.items()
        },
    }


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        server = EmbeddedPostgres(Path(scratch) / "pg", server_options=SERVER_OPTIONS)
        dsn = server.start()
        try:
            results = asyncio.run(run(dsn))
        finally:
            server.stop()
    figures = summary(results)
    print(
        f"district dispatcher, 'dispatched' tab: first page p50 {figures['first_page_p50_ms']} ms "
        f"vs {figures['baseline_first_page_p50_ms']} ms without the indexes "
        f"(×{figures['ratio_first_page']}); tab counts p50 {figures['counts_p50_ms']} ms vs "
        f"{figures['baseline_counts_p50_ms']} ms (×{figures['ratio_counts']})"
    )
    print(f"total {time.perf_counter() - started:.0f} s")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
