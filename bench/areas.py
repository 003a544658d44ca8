"""The key-area register and one area's 整治前后 at a million cases and 500 areas.

A private PostgreSQL gets the demo city and the 1 000 000 cases of bench/queue.py (its loader,
not a copy). Then 500 key areas are created through the project's own service
(`areas.candidates.create`, as `POST /api/v1/areas` calls it, which places the existing cases in
each new place): half on regions of the tree (grids and communities), half drawn around the
clusters of cases. Their plans, tasks and level duties are written with the project's own
statements, in a mix of states. Then it times, with the functions the HTTP handlers call:
  - the register's first page (`areas.service.page`) for a district and a street dispatcher;
  - one busy area's before/after figures (`areas.figures.of_area`);
and the same answers computed by a plain scan of the cases (region path prefix or point in
polygon with shapely, counted in Python, no case_places), checked equal before timing. Creating
an area is timed too, and within it the placing of the existing cases in the new place. Run:
    .venv/bin/python bench/areas.py
"""

from __future__ import annotations

import sys
from pathlib import Path

# The repo root instead of bench/: bench/queue.py would hide the standard library's queue.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import asyncio
import importlib.util
import json
import math
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import shapely
import shapely.geometry

from backend.accounts.rules import Principal
from backend.areas import candidates, figures, follow_rules, queries, rules, service
from backend.areas import level_duty_queries as level_sql
from backend.areas import task_queries as task_sql
from backend.areas.schemas import AreaIn, AreaType, PlaceIn
from backend.db.embedded import EmbeddedPostgres
from backend.db.migrate import migrate
from backend.db.pool import SERVER_SETTINGS, connect
from backend.db.types import Connection
from backend.demo import DISTRICT, load_demo
from backend.duties import service as duties
from backend.places import service as places
from backend.settings import Settings

_spec = importlib.util.spec_from_file_location("bench_queue", Path(__file__).with_name("queue.py"))
assert _spec is not None
assert _spec.loader is not None
cases_bench = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = cases_bench  # its dataclasses look themselves up there
_spec.loader.exec_module(cases_bench)

AREAS = 500
DRAWN = AREAS // 2
COMMUNITIES = 60  # of the region areas; the rest are grids
# A drawn area: a hexagon around a cluster of cases (a market, a station square), at most this
# wide and never reaching the next cluster, so that no two drawings are one place.
RADIUS_M = 250.0
REACH = 0.45  # of the distance to the nearest other cluster
OFF_CENTRE = 0.2  # of the radius: the cluster lies inside, not at the middle
METRES_PER_DEGREE = 111_320.0
# How long ago the busy area was flagged: its before and after windows are two months each.
FLAGGED_DAYS_AGO = 60
OURS_RUNS, WARM_UP = 60, 5
# The plain scans are slow: each stops after this many seconds, but never below MIN_RUNS.
BASELINE_BUDGET_S, MIN_RUNS = 15.0, 3
SEED = 20240613
VALID_OUT = ("rejected", "merged")
# The mix of states the register holds: (state, share); governed states get plans and tasks.
STATES = (
    ("candidate", 14),
    ("proposed", 10),
    ("listed", 22),
    ("flagged", 20),
    ("accepting", 5),
    ("extended", 5),
    ("lifted", 4),
    ("watching", 8),
    ("closed", 4),
    ("relisted", 3),
    ("dismissed", 5),
)
GOVERNED = {
    "listed",
    "flagged",
    "accepting",
    "extended",
    "lifted",
    "watching",
    "closed",
    "relisted",
}
TYPES: tuple[AreaType, ...] = (
    "urban_village", "old_estate", "back_street", "market", "transport_hub", "other"
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Staff:
    dispatcher: Principal
    supervisor: Principal
    worker_id: int


# Pure helpers -------------------------------------------------------------------------------


def hexagon(lat: float, lng: float, radius_m: float, turn: float) -> dict[str, Any]:
    """A GeoJSON hexagon of `radius_m` around a point, turned by `turn` radians."""
    dlat = radius_m / METRES_PER_DEGREE
    dlng = dlat / math.cos(math.radians(lat))
    ring = [
        [
            round(lng + dlng * math.cos(turn + k * math.pi / 3), 7),
            round(lat + dlat * math.sin(turn + k * math.pi / 3), 7),
        ]
        for k in range(6)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The distance between two (lat, lng) points a few kilometres apart."""
    shrink = math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot((a[0] - b[0]) * METRES_PER_DEGREE, (a[1] - b[1]) * METRES_PER_DEGREE * shrink)


def radii(points: Sequence[tuple[float, float]]) -> list[float]:
    """Per point, how far a drawing around it may reach without nearing the next point."""
    out = []
    for i, p in enumerate(points):
        nearest = min((metres(p, q) for j, q in enumerate(points) if j != i), default=math.inf)
        out.append(min(RADIUS_M, REACH * nearest))
    return out


def states_for(count: int, rng: random.Random) -> list[str]:
    """`count` states drawn from the register's mix."""
    return rng.choices([s for s, _ in STATES], weights=[w for _, w in STATES], k=count)


def street_code(path: str) -> str:
    """The street a region lies in, from its path (/district/street/…)."""
    return path.strip("/").split("/")[1]


def median_ms(times: Sequence[float]) -> float:
    return round(statistics.median(times), 2)


def ratio(base: Sequence[float], ours: Sequence[float]) -> float:
    return round(statistics.median(base) / statistics.median(ours), 1)


@dataclass(frozen=True, slots=True)
class Cases:
    """Cases of a time range as columns, for the plain scans."""

    lat: npt.NDArray[np.float64]
    lng: npt.NDArray[np.float64]
    path: npt.NDArray[np.str_]
    created: list[datetime]
    category: list[str]
    valid: npt.NDArray[np.bool_]


def columns(rows: Sequence[Any]) -> Cases:
    return Cases(
        lat=np.fromiter((r["lat"] for r in rows), dtype=float, count=len(rows)),
        lng=np.fromiter((r["lng"] for r in rows), dtype=float, count=len(rows)),
        path=np.array([r["region_path"] for r in rows], dtype=str),
        created=[r["created_at"] for r in rows],
        category=[r["category_code"] for r in rows],
        valid=np.fromiter((r["status"] not in VALID_OUT for r in rows), dtype=bool),
    )


def in_place(
    cases: Cases, *, covers_path: str | None, geometry: dict[str, Any] | None
) -> npt.NDArray[np.bool_]:
    """Which valid cases lie in a place: under its region, or inside its outline."""
    if covers_path is not None:
        under = np.char.startswith(cases.path, covers_path)
    else:
        under = shapely.intersects_xy(shapely.geometry.shape(geometry), cases.lng, cases.lat)
    return np.asarray(under, dtype=bool) & cases.valid


def window_counts(
    cases: Cases, hits: npt.NDArray[np.bool_], start: datetime, end: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    """Total, by category, by hour and by weekday of the hits created in [start, end)."""
    by_hour, by_weekday = [0] * 24, [0] * 7
    categories: Counter[str] = Counter()
    for i in np.flatnonzero(hits):
        at = cases.created[i]
        if start <= at < end:
            local = at.astimezone(zone)
            by_hour[local.hour] += 1
            by_weekday[local.weekday()] += 1
            categories[cases.category[i]] += 1
    return {
        "total": sum(by_hour),
        "by_category": dict(sorted(categories.items())),
        "by_hour": by_hour,
        "by_weekday": by_weekday,
    }


# Loading ------------------------------------------------------------------------------------


class Stopwatch:
    """Times one async function of the project while the request around it runs as it is.

    The time a new place takes to put the existing cases in it (case_places) is a figure of
    its own: the rest of creating an area does not grow with the cases.
    """

    def __init__(self, module: ModuleType, name: str) -> None:
        self.module, self.name = module, name
        self.original = getattr(module, name)
        self.times: list[float] = []

    def __enter__(self) -> None:
        original, times = self.original, self.times

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                times.append((time.perf_counter() - started) * 1000)

        setattr(self.module, self.name, timed)

    def __exit__(self, *_: object) -> None:
        setattr(self.module, self.name, self.original)

    def take(self) -> list[float]:
        taken, self.times[:] = list(self.times), []
        return taken


async def staff(conn: Connection) -> Staff:
    rows = {
        r["username"]: r
        for r in await conn.fetch(
            "SELECT u.id, u.username, u.role, u.region_id, r.path FROM users u "
            "LEFT JOIN regions r ON r.id = u.region_id WHERE u.username LIKE 'demo-%'"
        )
    }

    def principal(username: str) -> Principal:
        r = rows[username]
        return Principal(r["id"], r["role"], r["region_id"], r["path"], None, "zh-CN")

    return Staff(
        principal("demo-dispatcher"), principal("demo-supervisor"), rows["demo-worker"]["id"]
    )


async def clusters(conn: Connection) -> list[Any]:
    """Where cases gather: one point per grid, busiest first."""
    return await conn.fetch(
        "SELECT region_path, lat, lng, count(*) AS n FROM cases "
        "GROUP BY region_path, lat, lng ORDER BY n DESC, region_path"
    )


async def create_areas(
    conn: Connection, people: Staff, settings: Settings, now: datetime
) -> dict[str, list[float]]:
    """500 candidates through the project's service; how long each kind took (ms)."""
    rng = random.Random(SEED)
    regions = await conn.fetch(
        "SELECT code, path, level FROM regions WHERE level IN ('grid', 'community') "
        "AND path LIKE $1 ORDER BY code",
        f"/{DISTRICT}/%",
    )
    communities = [r for r in regions if r["level"] == "community"][:COMMUNITIES]
    grids = [r for r in regions if r["level"] == "grid"]
    covered = communities + rng.sample(grids, AREAS - DRAWN - len(communities))
    every = await clusters(conn)
    reach = radii([(s["lat"], s["lng"]) for s in every])
    spots = list(zip(every, reach, strict=True))[:DRAWN]
    assert len(spots) == DRAWN, f"only {len(spots)} clusters of cases"
    spent: dict[str, list[float]] = {"region": [], "drawn": []}
    placing = Stopwatch(places, "create_place")
    for n in range(AREAS):
        if n % 2 == 0 and covered:
            r = covered.pop()
            kind, code = "region", street_code(r["path"])
            place = PlaceIn(region_code=r["code"])
        else:
            s, radius = spots.pop()
            off = OFF_CENTRE * radius / METRES_PER_DEGREE
            lat = s["lat"] + rng.uniform(-off, off) * math.sqrt(0.5)
            lng = s["lng"] + rng.uniform(-off, off) * math.sqrt(0.5)
            kind, code = "drawn", street_code(s["region_path"])
            place = PlaceIn(geometry=hexagon(lat, lng, radius, rng.uniform(0, math.pi)))
        data = AreaIn(
            name=f"重点地区 {n + 1:03d}",
            area_type=rng.choice(TYPES),
            region_code=code,
            place=place,
            problems="群众反映集中",
        )
        started = time.perf_counter()
        with placing:
            _, created = await candidates.create(
                conn, people.supervisor, data, settings=settings, now=now
            )
        spent[kind].append((time.perf_counter() - started) * 1000)
        spent.setdefault(f"{kind}_placing", []).extend(placing.take())
        assert created, f"area {n + 1} merged into another"
        if (n + 1) % 100 == 0:
            total = (sum(spent["region"]) + sum(spent["drawn"])) / 1000
            print(f"  created {n + 1} areas ({total:.0f} s)", flush=True)
    return spent


async def govern(
    conn: Connection, people: Staff, settings: Settings, now: datetime, busy: int
) -> None:
    """States, levels, plans, tasks and level duties, written with the project's statements."""
    rng = random.Random(SEED + 1)
    areas = await conn.fetch("SELECT id, region_id, region_path FROM key_areas ORDER BY id")
    for area, state in zip(areas, states_for(len(areas), rng), strict=True):
        if area["id"] == busy:
            state = "flagged"
        # The register is ordered by last change: spread the changes over the past months.
        changed = now - timedelta(minutes=rng.randint(10, 60 * 24 * 120))
        if state not in GOVERNED:
            await queries.update_state(
                conn, area_id=area["id"], changes={"state": state}, now=changed
            )
            continue
        since = now - timedelta(
            days=FLAGGED_DAYS_AGO if area["id"] == busy else rng.randint(20, 300)
        )
        level: rules.Level = rng.choice(("red", "yellow", "blue"))
        flag = state == "flagged" or rng.random() < 0.4
        deadline = (since + timedelta(days=rng.randint(30, 120))).date()
        changes: dict[str, Any] = {
            "state": state,
            "level": level,
            "tier": "district" if flag else "street",
            "deadline": deadline,
            "listed_at": since,
            "flagged_at": since if flag else None,
        }
        if state in {"lifted", "watching", "closed"}:
            lifted = since + timedelta(days=rng.randint(10, 60))
            changes |= {"lifted_at": lifted, "watch_until": lifted + timedelta(days=365)}
        await queries.update_state(conn, area_id=area["id"], changes=changes, now=changed)
        plan_id = await task_sql.insert_plan(
            conn,
            values={
                "area_id": area["id"],
                "first_responsible_id": people.supervisor.user_id,
                "direct_responsible_id": people.dispatcher.user_id,
                "lead_region_id": area["region_id"],
                "goals": "发案数下降三成，群众满意度达到九成",
                "deadline": deadline,
                "created_by": people.supervisor.user_id,
                "created_at": since,
            },
        )
        for k in range(rng.randint(2, 6)):
            due = since + timedelta(days=7 * (k + 1))
            finished = state not in {"listed", "flagged"} or rng.random() < 0.5
            done_at = due + timedelta(days=rng.uniform(-5, 3)) if finished and due < now else None
            await task_sql.insert_task(
                conn,
                values={
                    "area_id": area["id"],
                    "plan_id": plan_id,
                    "region_id": area["region_id"],
                    "region_path": area["region_path"],
                    "owner_id": people.worker_id,
                    "unit_region_id": area["region_id"],
                    "measure": f"整治措施 {k + 1}",
                    "due_at": due,
                    "state": "done" if done_at else "open",
                    "done_at": done_at,
                    "created_at": since,
                },
            )
        if state in {"listed", "flagged", "extended", "relisted"}:
            owed = rules.duties_for_level(level, yellow_patrols_per_week=3)[0]
            start, end = rules.period_of(owed.period, (now - timedelta(days=7)).date())
            row = await level_sql.upsert_area_duty(
                conn, area_id=area["id"], kind=owed.kind, start=start, end=end, target=owed.target
            )
            duty_id = row["id"]
            await duties.open_duty(
                conn,
                duties.NewDuty(
                    subject_kind="area_duty",
                    subject_id=duty_id,
                    region_id=area["region_id"],
                    region_path=area["region_path"],
                    title="联合清查" if level == "red" else "巡查",
                    due_at=now - timedelta(days=rng.choice((1, 2, -1))),
                ),
                settings=settings,
                now=now,
            )
    await conn.execute("ANALYZE")


async def busiest(conn: Connection) -> int:
    """The area whose place holds the most cases."""
    area_id: int = await conn.fetchval(
        "SELECT k.id FROM key_areas k JOIN case_places cp ON cp.place_id = k.place_id "
        "GROUP BY k.id ORDER BY count(*) DESC, k.id LIMIT 1"
    )
    return area_id


# The plain scans ----------------------------------------------------------------------------


async def plain_register(conn: Connection, scope_path: str, now: datetime) -> list[tuple[Any, ...]]:
    """The first page from the areas, their tasks and duties, and a scan of the month's cases."""
    areas = [
        r
        for r in await conn.fetch(
            "SELECT k.id, k.region_path, k.updated_at, p.covers_path, p.geometry "
            "FROM key_areas k JOIN places p ON p.id = k.place_id"
        )
        if r["region_path"].startswith(scope_path)
    ]
    areas.sort(key=lambda r: (r["updated_at"], r["id"]), reverse=True)
    first = areas[: service.PAGE_SIZE]
    month = columns(
        await conn.fetch(
            "SELECT lat, lng, region_path, created_at, category_code, status FROM cases "
            "WHERE created_at >= $1",
            now - service.REPORTS_WINDOW,
        )
    )
    tasks: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for t in await conn.fetch(
        "SELECT t.area_id, t.state, t.due_at FROM key_area_tasks t "
        "JOIN key_area_plans p ON p.id = t.plan_id AND p.current WHERE t.state <> 'cancelled'"
    ):
        counts = tasks[t["area_id"]]
        counts[0] += 1
        counts[1] += t["state"] == "done"
        counts[2] += t["state"] in ("open", "accepted") and t["due_at"] <= now
    late: Counter[int] = Counter()
    for d in await conn.fetch(
        "SELECT k.area_id, d.state, d.due_at FROM key_area_duties k "
        "JOIN duties d ON d.subject_kind = 'area_duty' AND d.subject_id = k.id "
        "WHERE k.done_at IS NULL"
    ):
        late[d["area_id"]] += d["state"] == "open" and now >= d["due_at"]
    return [
        (
            a["id"],
            int(in_place(month, covers_path=a["covers_path"], geometry=a["geometry"]).sum()),
            *tasks[a["id"]],
            late[a["id"]],
        )
        for a in first
    ]


async def plain_figures(
    conn: Connection, area_id: int, settings: Settings, now: datetime
) -> dict[str, Any]:
    """Both windows of one area from a scan of the cases created in them."""
    a = await conn.fetchrow(
        "SELECT k.flagged_at, k.listed_at, p.covers_path, p.geometry FROM key_areas k "
        "JOIN places p ON p.id = k.place_id WHERE k.id = $1",
        area_id,
    )
    assert a is not None
    before_start, before_end, after_start, after_end = follow_rules.before_after(
        a["flagged_at"] or a["listed_at"], now
    )
    scanned = columns(
        await conn.fetch(
            "SELECT lat, lng, region_path, created_at, category_code, status FROM cases "
            "WHERE created_at >= $1 AND created_at < $2",
            before_start,
            after_end,
        )
    )
    hits = in_place(scanned, covers_path=a["covers_path"], geometry=a["geometry"])
    zone = ZoneInfo(settings.timezone)
    return {
        "before": window_counts(scanned, hits, before_start, before_end, zone),
        "after": window_counts(scanned, hits, after_start, after_end, zone),
    }


# Measuring ----------------------------------------------------------------------------------


async def timings(
    call: Callable[[], Awaitable[Any]], runs: int, *, warm_up: int, budget_s: float | None = None
) -> list[float]:
    for _ in range(warm_up):
        await call()
    times: list[float] = []
    while len(times) < runs:
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
        if budget_s is not None and sum(times) / 1000 > budget_s and len(times) >= MIN_RUNS:
            break
    return times


def page_answer(page: Any) -> list[tuple[Any, ...]]:
    return [
        (
            i.id,
            i.reports_30d,
            i.progress.tasks,
            i.progress.done,
            i.progress.overdue,
            i.progress.duties_overdue,
        )
        for i in page.items
    ]


def figures_answer(out: Any) -> dict[str, Any]:
    return {
        name: {
            "total": w.total,
            "by_category": w.by_category,
            "by_hour": w.by_hour,
            "by_weekday": w.by_weekday,
        }
        for name, w in (("before", out.before), ("after", out.after))
    }


async def measure(
    conn: Connection, people: Staff, settings: Settings, now: datetime, busy: int
) -> dict[str, Any]:
    street = await conn.fetchrow(
        "SELECT r.id, r.path FROM key_areas k JOIN regions r ON r.path = "
        "split_part(k.region_path, '/', 1) || '/' || split_part(k.region_path, '/', 2) || '/' "
        "|| split_part(k.region_path, '/', 3) || '/' "
        "GROUP BY r.id, r.path ORDER BY count(*) DESC, r.path LIMIT 1"
    )
    assert street is not None
    district = people.dispatcher
    on_street = Principal(
        district.user_id, "dispatcher", street["id"], street["path"], None, "zh-CN"
    )
    results: dict[str, Any] = {}
    for name, who in (("district", district), ("street", on_street)):
        assert who.region_path is not None

        async def ours(p: Principal = who) -> Any:
            return await service.page(
                conn,
                p,
                state=None,
                area_type=None,
                level=None,
                region_code=None,
                cursor=None,
                settings=settings,
                now=now,
            )

        async def plain(path: str = who.region_path) -> Any:
            return await plain_register(conn, path, now)

        got, expected = page_answer(await ours()), await plain()
        assert got == expected, f"{name} register pages differ:\n{got[:5]}\n{expected[:5]}"
        print(
            f"  register ({name} {who.region_path}): {len(got)} rows, "
            f"{sum(r[1] for r in got):,} reports in 30 days; answers agree",
            flush=True,
        )
        results[name] = (
            await timings(ours, OURS_RUNS, warm_up=WARM_UP),
            await timings(plain, OURS_RUNS, warm_up=1, budget_s=BASELINE_BUDGET_S),
        )
        print(
            f"  register ({name}): p50 {median_ms(results[name][0])} ms vs "
            f"{median_ms(results[name][1])} ms by a plain scan",
            flush=True,
        )

    async def ours_figures() -> Any:
        return await figures.of_area(
            conn, people.supervisor, area_id=busy, settings=settings, now=now
        )

    async def plain_fig() -> Any:
        return await plain_figures(conn, busy, settings, now)

    got_fig, expected_fig = figures_answer(await ours_figures()), await plain_fig()
    assert got_fig == expected_fig, "before/after figures differ"
    print(
        f"  figures of area {busy}: {got_fig['before']['total']:,} reports before, "
        f"{got_fig['after']['total']:,} after; answers agree",
        flush=True,
    )
    results["figures"] = (
        await timings(ours_figures, OURS_RUNS, warm_up=WARM_UP),
        await timings(plain_fig, OURS_RUNS, warm_up=1, budget_s=BASELINE_BUDGET_S),
        got_fig["before"]["total"] + got_fig["after"]["total"],
    )
    return results


async def run(dsn: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    settings = Settings()
    conn = await connect(dsn, server_settings=SERVER_SETTINGS)
    try:
        await migrate(conn)
        await load_demo(conn, password="bench-password-1")
        await cases_bench.load_cases(conn, now)
        people = await staff(conn)
        started = time.perf_counter()
        spent = await create_areas(conn, people, settings, now)
        placed = await conn.fetchval("SELECT count(*) FROM case_places")
        print(
            f"  {AREAS} areas, {placed:,} cases placed ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        busy = await busiest(conn)
        await govern(conn, people, settings, now, busy)
        mix = await conn.fetch("SELECT state, count(*) AS n FROM key_areas GROUP BY 1 ORDER BY 2")
        print("  states: " + ", ".join(f"{r['state']} {r['n']}" for r in mix), flush=True)
        results = await measure(conn, people, settings, now, busy)
    finally:
        await conn.close()
    results["create"] = spent
    results["placed"] = placed
    return results


def summary(results: dict[str, Any]) -> dict[str, Any]:
    district_ours, district_base = results["district"]
    street_ours, street_base = results["street"]
    fig_ours, fig_base, fig_reports = results["figures"]
    region_ms, drawn_ms = results["create"]["region"], results["create"]["drawn"]
    return {
        "bench": "areas",
        "cases": cases_bench.CASES,
        "areas": AREAS,
        "register_ms": median_ms(district_ours),
        "register_baseline_ms": median_ms(district_base),
        "register_ratio": ratio(district_base, district_ours),
        "street_register_ms": median_ms(street_ours),
        "street_register_baseline_ms": median_ms(street_base),
        "street_register_ratio": ratio(street_base, street_ours),
        "figures_reports": fig_reports,
        "figures_ms": median_ms(fig_ours),
        "figures_baseline_ms": median_ms(fig_base),
        "figures_ratio": ratio(fig_base, fig_ours),
        "case_places": results["placed"],
        "create_region_area_ms": median_ms(region_ms),
        "create_drawn_area_ms": median_ms(drawn_ms),
        "placing_region_ms": median_ms(results["create"]["region_placing"]),
        "placing_drawn_ms": median_ms(results["create"]["drawn_placing"]),
        "create_all_s": round((sum(region_ms) + sum(drawn_ms)) / 1000, 1),
        "runs": {
            "ours": len(district_ours),
            "baseline": min(len(district_base), len(street_base), len(fig_base)),
        },
    }


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        server = EmbeddedPostgres(Path(scratch) / "pg", server_options=cases_bench.SERVER_OPTIONS)
        dsn = server.start()
        try:
            results = asyncio.run(run(dsn))
        finally:
            server.stop()
    out = summary(results)
    print(
        f"register first page (district): p50 {out['register_ms']} ms vs "
        f"{out['register_baseline_ms']} ms by a plain scan (×{out['register_ratio']}); "
        f"one area's before/after: p50 {out['figures_ms']} ms vs {out['figures_baseline_ms']} ms "
        f"(×{out['figures_ratio']}); creating an area: {out['create_region_area_ms']} ms "
        f"(region), {out['create_drawn_area_ms']} ms (drawn), of which placing the existing "
        f"cases {out['placing_region_ms']} ms and {out['placing_drawn_ms']} ms"
    )
    print(f"total {time.perf_counter() - started:.0f} s")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
