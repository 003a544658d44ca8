"""红黄蓝 rules at their thresholds: percentiles, the floor, the rise, the roll-up, the order."""

from __future__ import annotations

import pytest

from backend.hotspots.rules import (
    Assessed,
    CutPoints,
    Place,
    Tally,
    Thresholds,
    assess,
    cut_points,
    grid_alert,
    grid_histogram,
    percentile_value,
    prefixes,
    ranked,
    rising,
    roll_up,
    trend,
)

DEFAULT = Thresholds()
# Twenty grids holding 1, 2 … 20 reports: the 95th percentile is 19, the 85th 17, the 70th 14.
ONE_TO_TWENTY = dict.fromkeys(range(1, 21), 1)


def test_percentiles_are_nearest_rank_over_grids() -> None:
    assert percentile_value(ONE_TO_TWENTY, 95) == 19
    assert percentile_value(ONE_TO_TWENTY, 85) == 17
    assert percentile_value(ONE_TO_TWENTY, 70) == 14
    assert percentile_value(ONE_TO_TWENTY, 100) == 20
    assert percentile_value(ONE_TO_TWENTY, 0) == 1
    assert percentile_value({}, 95) is None
    # Quiet grids count: 97 of 100 grids without a report put the 95th percentile at zero.
    assert percentile_value({0: 97, 4: 3}, 95) == 0
    assert percentile_value({0: 94, 4: 6}, 95) == 4


@pytest.mark.parametrize(
    ("count", "expected"),
    [(20, "red"), (19, "red"), (18, "yellow"), (17, "yellow"), (16, "blue"), (14, "blue"),
     (13, "none"), (0, "none")],
)  # fmt: skip
def test_colours_change_exactly_at_the_cut_points(count: int, expected: str) -> None:
    cuts = cut_points(ONE_TO_TWENTY, DEFAULT)
    assert cuts == CutPoints(red=19, yellow=17, blue=14)
    assert grid_alert(Tally(count, count), cuts, DEFAULT) == expected


def test_grids_with_very_few_reports_are_never_coloured() -> None:
    # In a quiet city every cut point is zero; the floor of three reports still holds.
    cuts = cut_points({0: 97, 1: 2, 3: 1}, DEFAULT)
    assert cuts == CutPoints(red=3, yellow=3, blue=3)
    assert grid_alert(Tally(2, 2), cuts, DEFAULT) == "none"
    assert grid_alert(Tally(3, 3), cuts, DEFAULT) == "red"
    assert grid_alert(Tally(5, 0), None, DEFAULT) == "none"  # a city without grids


def test_a_rise_of_100_percent_with_enough_reports_lifts_one_level() -> None:
    assert rising(Tally(10, 5), DEFAULT)  # exactly +100 %
    assert not rising(Tally(9, 5), DEFAULT)  # +80 %
    assert rising(Tally(5, 0), DEFAULT)  # from nothing, with the five reports needed
    assert not rising(Tally(4, 0), DEFAULT)  # four is too few to call a rise
    assert not rising(Tally(5, 5), Thresholds(rise_percent=0))  # no change is no rise
    cuts = CutPoints(red=19, yellow=17, blue=14)
    assert grid_alert(Tally(14, 7), cuts, DEFAULT) == "yellow"  # blue, lifted
    assert grid_alert(Tally(14, 8), cuts, DEFAULT) == "blue"
    assert grid_alert(Tally(6, 3), cuts, DEFAULT) == "blue"  # none, lifted
    assert grid_alert(Tally(20, 1), cuts, DEFAULT) == "red"  # red stays red
    assert grid_alert(Tally(2, 0), cuts, Thresholds(rise_min_reports=1)) == "none"  # the floor


def test_trend_is_the_change_on_the_previous_window() -> None:
    assert trend(Tally(142, 100)) == 0.42
    assert trend(Tally(5, 10)) == -0.5
    assert trend(Tally(0, 0)) == 0.0
    assert trend(Tally(3, 0)) is None  # nothing before: no ratio to give


def test_counts_roll_up_every_level_and_quiet_grids_join_the_histogram() -> None:
    assert prefixes("/1/1001/") == ["/1/", "/1/1001/"]
    counts = {"/1/11/111/": Tally(2, 1), "/1/11/112/": Tally(3, 0), "/1/11/": Tally(1, 1)}
    totals = roll_up(counts)
    assert totals["/1/"] == Tally(6, 2)
    assert totals["/1/11/"] == Tally(6, 2)
    assert totals["/1/11/112/"] == Tally(3, 0)
    grids = ["/1/11/111/", "/1/11/112/", "/1/11/113/"]
    assert grid_histogram(grids, counts) == {2: 1, 3: 1, 0: 1}


def place(code: str, level: str, path: str) -> Place:
    return Place(code, code, level, path)


def test_a_region_sums_its_grids_and_takes_the_worst_colour() -> None:
    places = [
        place("d", "district", "/d/"),
        place("s1", "street", "/d/s1/"),
        place("s2", "street", "/d/s2/"),
        place("g1", "grid", "/d/s1/g1/"),
        place("g2", "grid", "/d/s1/g2/"),
        place("g3", "grid", "/d/s2/g3/"),
        place("m1", "microgrid", "/d/s1/g1/m1/"),
    ]
    counts = {
        "/d/s1/g1/m1/": Tally(15, 15),  # a micro-grid's reports belong to its grid
        "/d/s1/g1/": Tally(5, 5),
        "/d/s1/g2/": Tally(4, 4),
        "/d/s2/g3/": Tally(9, 9),
        "/d/s2/": Tally(30, 30),  # placed in the street itself (属地兜底): counted, not coloured
    }
    cuts = CutPoints(red=19, yellow=17, blue=9)
    seen = assess(places, counts, cuts, DEFAULT)
    assert (seen["/d/s1/g1/"].tally.current, seen["/d/s1/g1/"].alert) == (20, "red")
    assert seen["/d/s1/g2/"].alert == "none"
    assert seen["/d/s2/g3/"].alert == "blue"
    assert (seen["/d/s1/"].tally.current, seen["/d/s1/"].alert) == (24, "red")
    assert (seen["/d/s2/"].tally.current, seen["/d/s2/"].alert) == (39, "blue")
    assert (seen["/d/"].tally.current, seen["/d/"].alert) == (63, "red")
    assert seen["/d/s1/g1/m1/"].alert == "none"


def test_the_list_sorts_by_level_count_or_trend() -> None:
    def item(code: str, alert: str, current: int, previous: int) -> Assessed:
        tally = Tally(current, previous)
        return Assessed(place(code, "grid", f"/{code}/"), tally, alert, trend(tally))  # type: ignore[arg-type]

    items = [
        item("a", "blue", 30, 30),
        item("b", "red", 20, 19),
        item("c", "none", 2, 0),
        item("d", "yellow", 25, 10),
    ]
    assert [a.place.code for a in ranked(items, "level")] == ["b", "d", "a", "c"]
    assert [a.place.code for a in ranked(items, "count")] == ["a", "d", "b", "c"]
    # New reports where there were none rise highest; then +150 %, +5 %, unchanged.
    assert [a.place.code for a in ranked(items, "trend")] == ["c", "d", "b", "a"]
