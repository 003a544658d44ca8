"""Statistics at a million cases: the heat map and a quarter's figures, against plain scans.

A private PostgreSQL gets the demo city and the 1 000 000 cases of bench/queue.py (a year of
reports, most closed or rated, a recent open backlog, ~1 % confidential), each with the
timeline its state implies (submit, dispatch, accept, resolve, a failed verification now and
then, 催办 marks where a step ran late, close, rating): about five million events.
Then, through the project's own service functions, it times
  - the heat map of the district's bounding box over the last 30 days at zoom 13, and
  - the summary of the last whole quarter for the district (受理量 … 满意率, by street,
    category and source),
for a district supervisor, against the same answers computed by a plain scan in the same
run: every case row (for the map) or every case of the quarter with its events (for the
figures) fetched with a straightforward query and aggregated in Python. The answers must
agree. Run:
    .venv/bin/python bench/stats.py
"""

from __future__ import annotations

import sys
from pathlib import Path

# The repo root instead of bench/ (bench/queue.py would hide the standard library's queue).
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
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import h3
import msgspec
import shapely.geometry

from backend.cases import rules as case_rules
from backend.db.embedded import EmbeddedPostgres
from backend.db.migrate import migrate
from backend.db.pool import SERVER_SETTINGS, connect
from backend.db.types import Connection
from backend.demo import DISTRICT, load_demo
from backend.stats import heat_rules, rules, service
from backend.stats.rules import Period

_spec = importlib.util.spec_from_file_location("bench_queue", Path(__file__).with_name("queue.py"))
assert _spec is not None
assert _spec.loader is not None
cases_bench = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = cases_bench  # its dataclasses look themselves up there
_spec.loader.exec_module(cases_bench)

ZONE = "Asia/Shanghai"
ZOOM = 13
OURS_RUNS, BASE_RUNS = 7, 3


# Loading ------------------------------------------------------------------------------------


# Each case's timeline as its state implies, written by the database in one statement. Every
# 25th closed case failed verification once and was fixed again at once (返工). A 催办 mark
# (remind) leaves the status as it was; the statistics do not read from_status.
TIMELINES = """
INSERT INTO case_events (case_id, region_id, at, actor_role, action, to_status)
SELECT c.id, c.region_id, s.at, 'system', s.action, s.to_status
FROM cases c
CROSS JOIN LATERAL (VALUES
    (c.created_at, 'submit', 'submitted'),
    (CASE WHEN c.status <> 'submitted' THEN c.created_at + interval '1 second' END,
     'dispatch', 'dispatched'),
    (CASE WHEN c.status IN ('rejected', 'merged') THEN c.closed_at END,
     CASE c.status WHEN 'rejected' THEN 'reject' ELSE 'merge' END, c.status),
    (CASE WHEN c.accepted_at > c.accept_due_at THEN c.accept_due_at END, 'remind', 'dispatched'),
    (c.accepted_at, 'accept', 'accepted'),
    (CASE WHEN c.resolved_at > c.resolve_due_at THEN c.resolve_due_at END, 'remind', 'accepted'),
    (c.resolved_at, 'resolve', 'resolved'),
    (CASE WHEN c.overdue THEN c.due_at END, 'remind', c.status),
    (CASE WHEN c.id % 25 = 0 AND c.closed_at - c.resolved_at > interval '3 minutes'
          THEN c.resolved_at + interval '1 minute' END, 'verify_fail', 'accepted'),
    (CASE WHEN c.id % 25 = 0 AND c.closed_at - c.resolved_at > interval '3 minutes'
          THEN c.resolved_at + interval '2 minutes' END, 'resolve', 'resolved'),
    (CASE WHEN c.status IN ('closed', 'rated') THEN c.closed_at END, 'verify_pass', 'closed'),
    (c.rated_at, 'rate', 'rated')
) AS s (at, action, to_status)
WHERE s.at IS NOT NULL
"""


async def load(conn: Connection, now: datetime) -> None:
    """COPY the cases of bench/queue.py, derive their timelines; indexes rebuilt afterwards."""
    c = await cases_bench.city(conn)
    definitions = await conn.fetch(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.tablename IN ('cases', 'case_events') AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)"
    )
    for row in definitions:
        await conn.execute(f'DROP INDEX "{row["indexname"]}"')
    rows = cases_bench.case_rows(c, now, random.Random(cases_bench.SEED))
    started = time.perf_counter()
    for done in range(0, cases_bench.CASES, cases_bench.CHUNK):
        chunk = [next(rows) for _ in range(min(cases_bench.CHUNK, cases_bench.CASES - done))]
        await conn.copy_records_to_table("cases", records=chunk, columns=cases_bench.COLUMNS)
        elapsed = time.perf_counter() - started
        print(f"  copied {done + len(chunk):>9,} cases ({elapsed:.0f} s)", flush=True)
    # The timelines come from the cases themselves: their foreign keys need no checking.
    await conn.execute("SET session_replication_role = replica")
    events = await conn.execute(TIMELINES)
    await conn.execute("SET session_replication_role = DEFAULT")
    print(f"  {events.split()[-1]} events ({time.perf_counter() - started:.0f} s)", flush=True)
    for row in definitions:
        await conn.execute(row["indexdef"])
    await conn.execute("VACUUM ANALYZE cases")
    await conn.execute("VACUUM ANALYZE case_events")
    print(f"  indexes rebuilt, analysed ({time.perf_counter() - started:.0f} s in all)", flush=True)


# The plain scans ----------------------------------------------------------------------------


def p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = 0.9 * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


async def plain_heat(
    conn: Connection, box: heat_rules.BBox, window: tuple[datetime, datetime]
) -> dict[str, int]:
    """Every case row fetched, filtered and counted in Python."""
    counted: Counter[str] = Counter()
    wanted = set(heat_rules.HEAT_STATUSES["all"])
    for r in await conn.fetch("SELECT lat, lng, created_at, status, h3_r8 FROM cases"):
        if (
            box.min_lat <= r["lat"] <= box.max_lat
            and box.min_lng <= r["lng"] <= box.max_lng
            and window[0] <= r["created_at"] < window[1]
            and r["status"] in wanted
        ):
            counted[h3.int_to_str(r["h3_r8"])] += 1
    return dict(counted)


def plain_figures(lives: list[dict[str, Any]]) -> dict[str, Any]:
    closed = [x for x in lives if x["status"] in {"closed", "rated"}]
    rated = [x for x in lives if x["rated"]]
    handled = [x for x in lives if x["resolve_s"] is not None]
    accept = [x["accept_s"] for x in lives if x["accept_s"] is not None]
    resolve = [x["resolve_s"] for x in handled]
    registered = sum(x["registered"] for x in lives)

    def share(part: int, whole: int) -> float | None:
        return None if whole == 0 else round(part / whole, 4)

    def hours(seconds: float | None) -> float | None:
        return None if seconds is None else round(seconds / 3600, 2)

    return {
        "received": len(lives),
        "registered": registered,
        "refused": sum(x["refused"] for x in lives),
        "closed": len(closed),
        "closeRate": share(len(closed), registered),
        "onTimeRate": share(sum(not x["overdue"] for x in closed), len(closed)),
        "satisfactionRate": share(sum((x["rating"] or 0) > 2 for x in rated), len(rated)),
        "reworkRate": share(sum(x["reworked"] for x in handled), len(handled)),
        "acceptHoursAvg": hours(statistics.fmean(accept)) if accept else None,
        "acceptHoursP90": hours(p90(accept)),
        "resolveHoursAvg": hours(statistics.fmean(resolve)) if resolve else None,
        "resolveHoursP90": hours(p90(resolve)),
        "overdue": sum(x["overdue"] for x in lives),
    }


async def plain_summary(conn: Connection, period: Period, district_path: str) -> dict[str, Any]:
    """The quarter's cases and all their events in one plain join, aggregated in Python."""
    rows = await conn.fetch(
        "SELECT c.id, c.region_path, c.category_code, c.source, c.rating, e.at, e.action, "
        "e.to_status FROM cases c JOIN case_events e ON e.case_id = c.id "
        "WHERE c.created_at >= $1 AND c.created_at < $2 ORDER BY c.id, e.at, e.id",
        period.start,
        period.end,
    )
    cases: dict[int, dict[str, Any]] = {}
    for r in rows:
        if not r["region_path"].startswith(district_path) or r["at"] >= period.end:
            continue
        x = cases.get(r["id"])
        if x is None:
            street = r["region_path"][len(district_path) :].split("/")[0]
            x = cases[r["id"]] = {
                "street": street, "category": r["category_code"], "source": r["source"],
                "rating": r["rating"], "actions": set(), "first": {}, "status": None,
            }  # fmt: skip
        x["actions"].add(r["action"])
        x["first"].setdefault(r["action"], r["at"])
        x["status"] = r["to_status"]
    lives = [_life(x) for x in cases.values()]
    groups: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for x in lives:
        groups["byRegion"][x["street"]].append(x)
        groups["byCategory"][x["category"]].append(x)
        groups["bySource"][x["source"]].append(x)
    return {
        "totals": plain_figures(lives),
        **{
            name: {key: plain_figures(members) for key, members in by.items()}
            for name, by in groups.items()
        },
    }


def _life(x: dict[str, Any]) -> dict[str, Any]:
    actions, first = x["actions"], x["first"]
    received = first["submit"]

    def since(action: str) -> float | None:
        at = first.get(action)
        return None if at is None else (at - received).total_seconds()

    return {
        **x,
        "registered": "dispatch" in actions and not actions & {"reject", "merge"},
        "refused": "reject" in actions,
        "rated": "rate" in actions,
        "reworked": bool(actions & {"verify_fail", "reopen"}),
        "overdue": "remind" in actions,
        "accept_s": since("accept"),
        "resolve_s": since("resolve"),
    }


# Measuring ----------------------------------------------------------------------------------


async def timings(
    call: Callable[[], Awaitable[Any]], runs: int, warm_up: int = 1
) -> tuple[list[float], Any]:
    for _ in range(warm_up):
        answer = await call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = await call()
        times.append((time.perf_counter() - started) * 1000)
    return times, answer


def agree(ours: dict[str, Any], plain: dict[str, Any], what: str) -> None:
    for name, value in plain.items():
        mine = ours[name]
        if isinstance(value, float) and mine is not None:
            assert abs(mine - value) <= 0.011, (what, name, mine, value)
        else:
            assert mine == value, (what, name, mine, value)


def check_summary(ours: Any, plain: dict[str, Any]) -> None:
    body = msgspec.to_builtins(ours)
    agree(body["totals"], plain["totals"], "totals")
    for key in ("byRegion", "byCategory"):
        got = {g["code"]: g["metrics"] for g in body[key] if g["metrics"]["received"]}
        assert set(got) == set(plain[key]), key
        for code, figures in plain[key].items():
            agree(got[code], figures, f"{key} {code}")
    for source, figures in plain["bySource"].items():
        agree(body["bySource"][source], figures, source)


async def district(conn: Connection) -> tuple[str, heat_rules.BBox]:
    row = await conn.fetchrow("SELECT path, geometry FROM regions WHERE code = $1", DISTRICT)
    west, south, east, north = shapely.geometry.shape(row["geometry"]).bounds
    return row["path"], heat_rules.BBox(west, south, east, north)


def last_quarter(now: datetime) -> Period:
    this = rules.parse_period(f"{now.year}-Q{(now.month - 1) // 3 + 1}", zone=ZONE)
    return rules.previous_period(this, zone=ZONE)


async def measure(dsn: str, now: datetime) -> dict[str, Any]:
    conn = await connect(dsn, server_settings=SERVER_SETTINGS)
    try:
        path, box = await district(conn)
        scope = case_rules.scope_of(role="supervisor", region_path=path, department_id=None)
        window = (now - heat_rules.HEAT_WINDOW, now)
        resolution = heat_rules.resolution_for_zoom(ZOOM)
        heat_ours, heat_answer = await timings(
            lambda: service.heatmap(
                conn,
                scope=scope,
                box=box,
                resolution=resolution,
                window=window,
                codes=None,
                status="all",
            ),
            OURS_RUNS * 3,
            warm_up=3,
        )
        heat_base, heat_plain = await timings(lambda: plain_heat(conn, box, window), BASE_RUNS)
        got = {f.properties.cell: f.properties.count for f in heat_answer.features}
        assert not heat_answer.truncated
        assert got == heat_plain, "heat maps differ"
        print(
            f"  heat map: {len(got)} cells, {sum(got.values()):,} cases; answers agree", flush=True
        )
        quarter = last_quarter(now)
        sum_ours, summary = await timings(
            lambda: service.summary(
                conn, scope=scope, region_code=DISTRICT, period=quarter, category=None
            ),
            OURS_RUNS,
        )
        sum_base, plain = await timings(lambda: plain_summary(conn, quarter, path), BASE_RUNS)
        check_summary(summary, plain)
        print(
            f"  summary {quarter.label}: {summary.totals.received:,} cases received; answers agree",
            flush=True,
        )
    finally:
        await conn.close()
    return {
        "heat": (heat_ours, heat_base, len(got)),
        "summary": (sum_ours, sum_base, quarter.label, summary.totals.received),
    }


async def run(dsn: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    conn = await connect(dsn, server_settings=SERVER_SETTINGS)
    try:
        await migrate(conn)
        await load_demo(conn, password="bench-password-1")
        await load(conn, now)
    finally:
        await conn.close()
    return await measure(dsn, now)


def figures(results: dict[str, Any]) -> dict[str, Any]:
    heat_ours, heat_base, cells = results["heat"]
    sum_ours, sum_base, label, received = results["summary"]
    heat_p50, heat_base_p50 = statistics.median(heat_ours), statistics.median(heat_base)
    sum_p50, sum_base_p50 = statistics.median(sum_ours), statistics.median(sum_base)
    return {
        "bench": "stats",
        "cases": cases_bench.CASES,
        "heatmap_cells": cells,
        "heatmap_p50_ms": round(heat_p50, 1),
        "baseline_heatmap_p50_ms": round(heat_base_p50, 1),
        "ratio_heatmap": round(heat_base_p50 / heat_p50, 1),
        "quarter": label,
        "quarter_cases": received,
        "summary_p50_ms": round(sum_p50, 1),
        "baseline_summary_p50_ms": round(sum_base_p50, 1),
        "ratio_summary": round(sum_base_p50 / sum_p50, 1),
        "runs": {"ours": OURS_RUNS, "baseline": BASE_RUNS},
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
    out = figures(results)
    print(
        f"heat map (district, 30 days, zoom {ZOOM}): p50 {out['heatmap_p50_ms']} ms vs "
        f"{out['baseline_heatmap_p50_ms']} ms by a plain scan (×{out['ratio_heatmap']}); "
        f"{out['quarter']} summary of the district: p50 {out['summary_p50_ms']} ms vs "
        f"{out['baseline_summary_p50_ms']} ms (×{out['ratio_summary']})"
    )
    print(f"total {time.perf_counter() - started:.0f} s")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
