"""Helpers of the survey-indices tests: points in the demo city's communities, answer sets,
and the figures computed independently from the answers the test sent."""

from __future__ import annotations

import math
import statistics
from typing import Any

import asyncpg
from shapely.geometry import shape

TARGET = 95.0
# Student's t at 97.5 % for the degrees of freedom these tests meet (n − 1), from tables:
# kept here so that the figures are checked against numbers the code under test did not give.
T_975 = {4: 2.77645, 13: 2.16037, 79: 1.99045, 117: 1.98045, 229: 1.97038}
Z = 1.959963984540054
SAFETY_KEYS = ("safe_day", "safe_night", "safe_home")
POSITIVE = {
    "satisfaction": {"satisfied", "basically_satisfied"},
    "awareness": {"aware", "heard"},
    "support": {"support", "basically_support"},
}


def answer_set(i: int) -> dict[str, Any]:
    """The i-th answer set: every safety item; some leave awareness or support out."""
    answers: dict[str, Any] = {
        "safe_day": 1 + i % 5,
        "safe_night": 1 + (2 * i) % 5,
        "safe_home": 5 - i % 3,
        "satisfaction": ["satisfied", "basically_satisfied", "dissatisfied", "unsure"][i % 4],
    }
    if i % 4:
        answers["awareness"] = ["aware", "heard", "unaware"][i % 3]
    if i % 5:
        answers["support"] = ["support", "basically_support", "not_support", "unsure"][i % 4]
    if i % 7 == 0:
        answers["worries"] = ["theft", "fraud"]
        answers["remark"] = f"第{i}份意见"
    return answers


async def grid_points(db: asyncpg.Connection, community: str) -> list[dict[str, float]]:
    """A point inside each grid of a community."""
    rows = await db.fetch(
        "SELECT g.geometry FROM regions g JOIN regions c ON c.id = g.parent_id "
        "WHERE c.code = $1 AND g.level = 'grid' ORDER BY g.code",
        community,
    )
    points = [shape(row["geometry"]).representative_point() for row in rows]
    assert points, community
    return [{"lat": point.y, "lng": point.x} for point in points]


async def path_of(db: asyncpg.Connection, code: str) -> str:
    path: str = await db.fetchval("SELECT path FROM regions WHERE code = $1", code)
    return path


async def community_above(db: asyncpg.Connection, path: str) -> str:
    """The path of the community above (or at) a region path."""
    found: str = await db.fetchval(
        "SELECT path FROM regions WHERE level = 'community' AND left($1, length(path)) = path",
        path,
    )
    return found


def _interval(n: int, value: float, low: float, high: float) -> dict[str, float | int | str | None]:
    low, high = max(0.0, low), min(100.0, high)
    standing = "meets" if low >= TARGET else "below" if high < TARGET else "uncertain"
    return {"n": n, "value": value, "low": low, "high": high, "standing": standing}


def safety_figure(answer_sets: list[dict[str, Any]]) -> dict[str, Any]:
    """The 安全感 index: mean of per-set mean scores rescaled to 0–100, t interval."""
    scores = [statistics.mean((a[k] - 1) * 25 for k in SAFETY_KEYS if k in a) for a in answer_sets]
    n = len(scores)
    if n < 5:
        return {"n": n, "value": None, "low": None, "high": None, "standing": None}
    mean = statistics.mean(scores)
    half = T_975[n - 1] * statistics.stdev(scores) / math.sqrt(n)
    return _interval(n, mean, mean - half, mean + half)


def share_figure(answer_sets: list[dict[str, Any]], item: str) -> dict[str, Any]:
    """A rate: the share of the item's answers with a positive option, Wilson interval."""
    chosen = [a[item] for a in answer_sets if item in a]
    n = len(chosen)
    if n < 5:
        return {"n": n, "value": None, "low": None, "high": None, "standing": None}
    p = sum(1 for c in chosen if c in POSITIVE[item]) / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return _interval(n, 100 * p, 100 * (centre - half), 100 * (centre + half))


def expected_indices(answer_sets: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "answered": len(answer_sets),
        "safety": safety_figure(answer_sets),
        **{item: share_figure(answer_sets, item) for item in POSITIVE},
    }


def assert_figures_match(shown: dict[str, Any], expected: dict[str, Any]) -> None:
    """The API's indices equal the independent ones (values rounded to 2 places)."""
    assert shown["answered"] == expected["answered"]
    for item in ("safety", *POSITIVE):
        got, want = shown[item], expected[item]
        assert (got["n"], got["standing"]) == (want["n"], want["standing"]), item
        for key in ("value", "low", "high"):
            if want[key] is None:
                assert got[key] is None, (item, key)
            else:
                assert abs(got[key] - want[key]) < 0.006, (item, key, got, want)
