"""红黄蓝三级预警 as pure rules: from counts of valid reports to a colour for every place.

A grid's colour comes from where its count of valid reports in the window stands among every
grid of the city (percentile cut points: red at or above the 95th by default, yellow the 85th,
blue the 70th), lifted one step when it rose sharply against the previous window. Grids with
very few reports are never coloured, whatever the percentiles say: in a quiet city the 95th
percentile may be a single report.

A region above the grid (community, street, district) counts the sum of everything beneath it,
and takes the worst colour among its grids. Percentiles among its peers were the alternative;
they were not chosen because a city has a handful of streets and one or two districts, so
the top street would be red however calm the city, and because a larger street sums more
grids and would always rank first. The worst grid says what a leader needs to act on: "this
street holds a red grid", and it is the level the 挂牌督办 exit bar ("no red level") reads.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

Alert = Literal["red", "yellow", "blue", "none"]
ALERTS: Final[tuple[Alert, ...]] = ("none", "blue", "yellow", "red")
Sort = Literal["level", "count", "trend"]
_RANK: Final[dict[Alert, int]] = {alert: rank for rank, alert in enumerate(ALERTS)}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What colours a grid; percentiles in 0–100, a rise in percent of the previous count."""

    red_percentile: float = 95.0
    yellow_percentile: float = 85.0
    blue_percentile: float = 70.0
    min_reports: int = 3
    rise_percent: float = 100.0
    rise_min_reports: int = 5


@dataclass(frozen=True, slots=True)
class CutPoints:
    """The fewest reports a grid needs for each colour (never below `min_reports`)."""

    red: int
    yellow: int
    blue: int


@dataclass(frozen=True, slots=True)
class Tally:
    """Valid reports in the current window and in the one before it."""

    current: int = 0
    previous: int = 0


@dataclass(frozen=True, slots=True)
class Place:
    """A region as the hotspot list shows it."""

    code: str
    name: str
    level: str
    path: str


@dataclass(frozen=True, slots=True)
class Assessed:
    place: Place
    tally: Tally
    alert: Alert
    trend: float | None


def rank(alert: Alert) -> int:
    """none 0 < blue 1 < yellow 2 < red 3."""
    return _RANK[alert]


def worse(a: Alert, b: Alert) -> Alert:
    """The more serious of two colours."""
    return a if rank(a) >= rank(b) else b


def prefixes(path: str) -> list[str]:
    """A path and those of its ancestors: "/a/b/" gives ["/a/", "/a/b/"]."""
    codes = [code for code in path.split("/") if code]
    return ["/" + "/".join(codes[: n + 1]) + "/" for n in range(len(codes))]


def percentile_value(histogram: Mapping[int, int], percentile: float) -> int | None:
    """Nearest rank: the smallest count that at least `percentile` % of grids do not exceed.

    `histogram` maps a count of reports to how many grids have it; None when it is empty.
    A grid is then at or above the percentile exactly when its count is at least this value.
    """
    total = sum(histogram.values())
    if total == 0:
        return None
    # Multiplying first keeps whole percentiles exact: 95 × 20 / 100 is 19, not 19.000…04.
    wanted = max(1, math.ceil(percentile * total / 100))
    seen = 0
    for count in sorted(histogram):
        seen += histogram[count]
        if seen >= wanted:
            return count
    return max(histogram)


def cut_points(histogram: Mapping[int, int], t: Thresholds) -> CutPoints | None:
    """The city's cut points for this window; None when the city has no grids."""
    red = percentile_value(histogram, t.red_percentile)
    yellow = percentile_value(histogram, t.yellow_percentile)
    blue = percentile_value(histogram, t.blue_percentile)
    if red is None or yellow is None or blue is None:
        return None
    floor = t.min_reports
    return CutPoints(red=max(red, floor), yellow=max(yellow, floor), blue=max(blue, floor))


def roll_up(counts: Mapping[str, Tally]) -> dict[str, Tally]:
    """Each path's total: the reports placed in it or anywhere beneath it."""
    current: dict[str, int] = {}
    previous: dict[str, int] = {}
    for path, tally in counts.items():
        for prefix in prefixes(path):
            current[prefix] = current.get(prefix, 0) + tally.current
            previous[prefix] = previous.get(prefix, 0) + tally.previous
    return {path: Tally(current[path], previous[path]) for path in current}


def grid_histogram(grid_paths: Iterable[str], counts: Mapping[str, Tally]) -> dict[int, int]:
    """How many grids of the city hold each count of current reports (quiet grids included)."""
    totals = roll_up(counts)
    histogram: dict[int, int] = {}
    for path in grid_paths:
        count = totals.get(path, Tally()).current
        histogram[count] = histogram.get(count, 0) + 1
    return histogram


def trend(tally: Tally) -> float | None:
    """The change against the previous window (0.42 is +42 %); None when there was none before."""
    if tally.previous == 0:
        return 0.0 if tally.current == 0 else None
    return round((tally.current - tally.previous) / tally.previous, 2)


def rising(tally: Tally, t: Thresholds) -> bool:
    """A sharp rise: at least `rise_min_reports`, up by at least `rise_percent` on before."""
    grown = tally.current - tally.previous
    return (
        tally.current >= t.rise_min_reports
        and grown > 0
        and grown * 100 >= t.rise_percent * tally.previous
    )


def grid_alert(tally: Tally, cuts: CutPoints | None, t: Thresholds) -> Alert:
    """A grid's colour: by the cut points, one step worse when rising; never below the floor."""
    if cuts is None or tally.current < t.min_reports:
        return "none"
    alert: Alert = "none"
    if tally.current >= cuts.red:
        alert = "red"
    elif tally.current >= cuts.yellow:
        alert = "yellow"
    elif tally.current >= cuts.blue:
        alert = "blue"
    if rising(tally, t):
        alert = ALERTS[min(rank(alert) + 1, len(ALERTS) - 1)]
    return alert


def assess(
    places: Sequence[Place], counts: Mapping[str, Tally], cuts: CutPoints | None, t: Thresholds
) -> dict[str, Assessed]:
    """Every place by path: its summed counts, its colour (a grid's own, else its worst grid's)."""
    totals = roll_up(counts)
    worst: dict[str, Alert] = {}
    for place in places:
        if place.level != "grid":
            continue
        alert = grid_alert(totals.get(place.path, Tally()), cuts, t)
        for prefix in prefixes(place.path):
            worst[prefix] = worse(worst.get(prefix, "none"), alert)
    assessed = {}
    for place in places:
        tally = totals.get(place.path, Tally())
        alert = worst.get(place.path, "none")
        assessed[place.path] = Assessed(place, tally, alert, trend(tally))
    return assessed


def ranked(items: Iterable[Assessed], sort: Sort) -> list[Assessed]:
    """Worst first by colour, by count, or by trend (a place new to reports rises highest)."""

    def by_trend(item: Assessed) -> float:
        return math.inf if item.trend is None else item.trend

    keys = {
        "level": lambda a: (-rank(a.alert), -a.tally.current, a.place.code),
        "count": lambda a: (-a.tally.current, -rank(a.alert), a.place.code),
        "trend": lambda a: (-by_trend(a), -a.tally.current, a.place.code),
    }
    return sorted(items, key=keys[sort])
