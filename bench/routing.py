"""Routing look-ups per second on 10 000 grids: RoutingIndex against a brute-force loop.

The baseline asks every polygon in turn (plain shapely, unprepared, no index) and applies
the same rules: deepest covering grid, else nearest grid within reach, else deepest covering
area. Both answer the same sampled points and must agree. Run:
    .venv/bin/python bench/routing.py
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

# The repo root instead of bench/, whose queue.py would hide the standard library's queue.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from backend.regions.levels import LEAF_LEVELS, depth
from backend.regions.routing import METRES_PER_DEGREE, IndexedRegion, RoutingIndex

GRIDS = 10_000
EMPTY_CELLS = 100  # cells left without a grid: near misses and fallbacks happen in cities
COMMUNITY_COLUMNS, COMMUNITY_ROWS = 10, 10
NEAR_METRES = 100.0
WEST, SOUTH, EAST, NORTH = 119.90, 30.05, 120.50, 30.50  # ~58 km × 50 km around Hangzhou
OURS_POINTS, OURS_ROUNDS = 20_000, 5
BASELINE_POINTS, BASELINE_ROUNDS = 300, 5
AGREEMENT_POINTS = 1_000
REBUILDS = 5

Answer = tuple[str, str, float] | None


def city(rng: np.random.Generator) -> tuple[list[IndexedRegion], list[BaseGeometry]]:
    """A district, 100 communities and 10 000 jittered Voronoi grids; also the empty cells."""
    district = shapely.box(WEST, SOUTH, EAST, NORTH)
    regions = [IndexedRegion(1, "330106", "西湖区", "district", None, district)]
    communities = _communities(district)
    regions += [
        IndexedRegion(2 + k, f"330106{k:06d}", f"社区{k}", "community", 1, geometry)
        for k, geometry in enumerate(communities)
    ]
    cells = _cells(district, rng)
    empty = set(rng.choice(len(cells), EMPTY_CELLS, replace=False).tolist())
    kept = [cell for k, cell in enumerate(cells) if k not in empty]
    owners = shapely.STRtree(communities)
    for k, cell in enumerate(kept):
        owner = int(owners.query(cell.representative_point(), predicate="intersects")[0])
        code = f"330106{owner:06d}{k:05d}"
        regions.append(IndexedRegion(1000 + k, code, f"第{k}网格", "grid", 2 + owner, cell))
    return regions, [cells[k] for k in sorted(empty)]


def _communities(district: BaseGeometry) -> list[BaseGeometry]:
    west, south, east, north = district.bounds
    width, height = (east - west) / COMMUNITY_COLUMNS, (north - south) / COMMUNITY_ROWS
    return [
        shapely.box(
            west + i * width, south + j * height, west + (i + 1) * width, south + (j + 1) * height
        )
        for j in range(COMMUNITY_ROWS)
        for i in range(COMMUNITY_COLUMNS)
    ]


def _cells(district: BaseGeometry, rng: np.random.Generator) -> list[BaseGeometry]:
    count = GRIDS + EMPTY_CELLS
    columns = math.ceil(math.sqrt(count * (EAST - WEST) / (NORTH - SOUTH)))
    rows = math.ceil(count / columns)
    i, j = np.meshgrid(np.arange(columns), np.arange(rows))
    jitter = rng.uniform(-0.4, 0.4, (2, rows, columns))
    x = WEST + (i + 0.5 + jitter[0]) * (EAST - WEST) / columns
    y = SOUTH + (j + 0.5 + jitter[1]) * (NORTH - SOUTH) / rows
    seeds = shapely.multipoints(np.c_[x.ravel(), y.ravel()][:count])
    cells = shapely.voronoi_polygons(seeds, extend_to=district, ordered=True)
    return list(shapely.intersection(np.array(cells.geoms), district))


def sample_points(
    rng: np.random.Generator, empty_cells: Sequence[BaseGeometry], count: int
) -> list[tuple[float, float]]:
    """8 in 10 anywhere in the city, 1 in an empty cell, 1 in a 200 m band outside the city."""
    anywhere = [_inside(shapely.box(WEST, SOUTH, EAST, NORTH), rng) for _ in range(count * 8 // 10)]
    cells = rng.choice(len(empty_cells), count // 10)
    in_gaps = [_inside(empty_cells[int(k)], rng) for k in cells]
    outside = [_outside_band(rng) for _ in range(count - len(anywhere) - len(in_gaps))]
    points = anywhere + in_gaps + outside
    return [points[int(k)] for k in rng.permutation(len(points))]


def _inside(area: BaseGeometry, rng: np.random.Generator) -> tuple[float, float]:
    west, south, east, north = area.bounds
    while True:
        lng, lat = rng.uniform(west, east), rng.uniform(south, north)
        if shapely.contains_xy(area, lng, lat):
            return (float(lat), float(lng))


def _outside_band(rng: np.random.Generator) -> tuple[float, float]:
    band_lat = 200.0 / METRES_PER_DEGREE
    band_lng = band_lat / math.cos(math.radians(SOUTH))
    while True:
        lat = rng.uniform(SOUTH - band_lat, NORTH + band_lat)
        lng = rng.uniform(WEST - band_lng, EAST + band_lng)
        if not (SOUTH <= lat <= NORTH and WEST <= lng <= EAST):
            return (float(lat), float(lng))


def brute_force_locate(regions: Sequence[IndexedRegion], lat: float, lng: float) -> Answer:
    """The same rules as RoutingIndex, by asking every polygon in turn."""
    point = Point(lng, lat)
    leaf: tuple[int, str] | None = None
    area: tuple[int, str] | None = None
    for region in regions:
        if region.geometry.intersects(point):
            key = (-depth(region.level), region.code)
            if region.level in LEAF_LEVELS:
                leaf = key if leaf is None else min(leaf, key)
            else:
                area = key if area is None else min(area, key)
    if leaf is not None:
        return (leaf[1], "inside", 0.0)
    near = _brute_force_nearest(regions, point)
    if near is not None:
        return (near[1], "nearest", near[0])
    return None if area is None else (area[1], "fallback", 0.0)


def _brute_force_nearest(
    regions: Sequence[IndexedRegion], point: Point
) -> tuple[float, str] | None:
    reach = NEAR_METRES / (METRES_PER_DEGREE * math.cos(math.radians(point.y)))
    best: tuple[float, int, str] | None = None
    for region in regions:
        if region.level in LEAF_LEVELS and region.geometry.distance(point) <= reach:
            metres = _metres(region.geometry, point)
            key = (round(metres, 3), -depth(region.level), region.code)
            if metres <= NEAR_METRES and (best is None or key < best):
                best = key
    return None if best is None else (best[0], best[2])


def _metres(geometry: BaseGeometry, point: Point) -> float:
    scale = np.array([METRES_PER_DEGREE * math.cos(math.radians(point.y)), METRES_PER_DEGREE])
    origin = np.array([point.x, point.y])
    local = shapely.transform(geometry, lambda xy: (xy - origin) * scale)
    return float(local.distance(Point(0.0, 0.0)))


def ours_answer(index: RoutingIndex, lat: float, lng: float) -> Answer:
    placement = index.locate(lat, lng)
    if placement is None:
        return None
    return (placement.region.code, placement.match, round(placement.distance_m, 3))


def fresh_copies(regions: Sequence[IndexedRegion]) -> list[IndexedRegion]:
    """The same rows with new, unprepared geometries, as a rebuild from the database gets."""
    copies = shapely.from_wkb(shapely.to_wkb(np.array([r.geometry for r in regions])))
    return [
        IndexedRegion(r.id, r.code, r.name, r.level, r.parent_id, geometry)
        for r, geometry in zip(regions, copies, strict=True)
    ]


def per_second(
    look_up: Callable[[float, float], object], points: list[tuple[float, float]]
) -> float:
    started = time.perf_counter()
    for lat, lng in points:
        look_up(lat, lng)
    return len(points) / (time.perf_counter() - started)


def rebuild_ms(regions: Sequence[IndexedRegion]) -> float:
    timings = []
    for _ in range(REBUILDS):
        rows = fresh_copies(regions)
        started = time.perf_counter()
        RoutingIndex.build(rows, near_metres=NEAR_METRES)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def check_agreement(
    index: RoutingIndex, rows: Sequence[IndexedRegion], points: list[tuple[float, float]]
) -> Counter[str]:
    """Assert both give the same answer everywhere; count how each point was placed."""
    kinds: Counter[str] = Counter()
    for lat, lng in points:
        ours, theirs = ours_answer(index, lat, lng), brute_force_locate(rows, lat, lng)
        if theirs is not None:
            theirs = (theirs[0], theirs[1], round(theirs[2], 3))
        assert ours == theirs, f"({lat}, {lng}): index says {ours}, brute force {theirs}"
        kinds[ours[1] if ours else "outside"] += 1
    return kinds


def main() -> None:
    rng = np.random.default_rng(20240601)
    regions, empty_cells = city(rng)
    grids = sum(region.level in LEAF_LEVELS for region in regions)
    areas = len(regions) - grids - 1
    print(f"city: {grids} grids, {len(empty_cells)} empty cells, {areas} communities, a district")
    rebuild = rebuild_ms(regions)
    print(f"index rebuild: {rebuild:.1f} ms (median of {REBUILDS})")
    index = RoutingIndex.build(fresh_copies(regions), near_metres=NEAR_METRES)
    rows = fresh_copies(regions)  # the baseline gets unprepared outlines
    checked = sample_points(rng, empty_cells, AGREEMENT_POINTS)
    kinds = check_agreement(index, rows, checked)
    print(f"agreement on {len(checked)} points: " + ", ".join(f"{k} {n}" for k, n in kinds.items()))
    sample = checked[:BASELINE_POINTS]
    points = sample_points(rng, empty_cells, OURS_POINTS)
    ours = statistics.median(per_second(index.locate, points) for _ in range(OURS_ROUNDS))
    print(f"RoutingIndex.locate: {ours:,.0f}/s (median of {OURS_ROUNDS} × {OURS_POINTS} points)")
    baseline = statistics.median(
        per_second(lambda lat, lng: brute_force_locate(rows, lat, lng), sample)
        for _ in range(BASELINE_ROUNDS)
    )
    print(f"brute force: {baseline:,.1f}/s (median of {BASELINE_ROUNDS} × {len(sample)} points)")
    print(f"ratio: {ours / baseline:,.0f}×")
    figures = {
        "bench": "routing",
        "grids": grids,
        "ours_per_s": round(ours),
        "baseline_per_s": round(baseline, 1),
        "ratio": round(ours / baseline, 1),
        "rebuild_ms": round(rebuild, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
