"""The pure helpers of bench/areas.py: its drawings and its plain counts."""

from __future__ import annotations

import importlib.util
import random
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
import shapely.geometry

from backend.places import rules as place_rules

BENCH = Path(__file__).resolve().parents[2] / "bench" / "areas.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    saved = list(sys.path)
    spec = importlib.util.spec_from_file_location("bench_areas", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


# Three clusters of cases: two 120 m apart, one far off.
CLUSTERS = [(30.2741, 120.1551), (30.2741 + 120 / 111_320, 120.1551), (30.29, 120.17)]


def test_each_drawing_holds_its_cluster_and_no_other(bench: ModuleType) -> None:
    reach = bench.radii(CLUSTERS)
    assert reach[0] == pytest.approx(0.45 * 120, rel=0.01)
    assert reach[2] == bench.RADIUS_M
    drawings = [
        shapely.geometry.shape(bench.hexagon(lat, lng, r, turn=0.3))
        for (lat, lng), r in zip(CLUSTERS, reach, strict=True)
    ]
    for i, drawing in enumerate(drawings):
        held = [drawing.contains(shapely.geometry.Point(lng, lat)) for lat, lng in CLUSTERS]
        assert held == [j == i for j in range(len(CLUSTERS))]
    # The project would merge two drawings of one place: these stay three areas.
    assert not place_rules.same_place(drawings[0], drawings[1])


def test_plain_counts_of_a_region_and_a_drawing(bench: ModuleType) -> None:
    zone = ZoneInfo("Asia/Shanghai")
    rows = [
        # Monday 2026-06-01 09:30 in the city; valid, under the community.
        {"lat": 30.2741, "lng": 120.1551, "region_path": "/d/s/c1/g1/", "status": "closed",
         "created_at": datetime(2026, 6, 1, 1, 30, tzinfo=UTC), "category_code": "litter"},
        # Rejected: never counted.
        {"lat": 30.2741, "lng": 120.1551, "region_path": "/d/s/c1/g1/", "status": "rejected",
         "created_at": datetime(2026, 6, 1, 2, 0, tzinfo=UTC), "category_code": "litter"},
        # Another community, far away; Tuesday 00:10 in the city (Monday in UTC).
        {"lat": 30.29, "lng": 120.17, "region_path": "/d/s/c2/g7/", "status": "submitted",
         "created_at": datetime(2026, 6, 1, 16, 10, tzinfo=UTC), "category_code": "noise"},
    ]  # fmt: skip
    cases = bench.columns(rows)
    community = bench.in_place(cases, covers_path="/d/s/c1/", geometry=None)
    assert community.tolist() == [True, False, False]
    drawn = bench.in_place(cases, covers_path=None, geometry=bench.hexagon(30.29, 120.17, 100, 0))
    assert drawn.tolist() == [False, False, True]
    start, end = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC)
    got = bench.window_counts(cases, drawn, start, end, zone)
    assert got["total"] == 1
    assert got["by_category"] == {"noise": 1}
    assert got["by_hour"][0] == 1
    assert got["by_weekday"] == [0, 1, 0, 0, 0, 0, 0]
    assert bench.window_counts(cases, community, end, end, zone)["total"] == 0


def test_the_register_mix_and_streets(bench: ModuleType) -> None:
    states = bench.states_for(500, random.Random(1))
    assert len(states) == 500
    assert {"candidate", "listed", "flagged", "watching"} <= set(states)
    assert bench.street_code("/330106/330106001/330106001002/") == "330106001"
