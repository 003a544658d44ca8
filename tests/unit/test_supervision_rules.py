"""摘牌 rules at their thresholds: satisfaction, ratings needed, the level, the deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.supervision.rules import (
    SATISFIED_AT_OR_ABOVE,
    ExitBar,
    Measure,
    deadline_problem,
    lift_path,
    nearest,
    overdue,
    regions_above,
    unmet,
)

BAR = ExitBar()
TODAY = date(2026, 11, 23)


def codes(measure: Measure, bar: ExitBar = BAR) -> list[str]:
    return [u.code for u in unmet(measure, bar)]


def test_satisfied_means_a_rating_that_does_not_send_the_case_back() -> None:
    assert SATISFIED_AT_OR_ABOVE == 3


@pytest.mark.parametrize(
    ("rated", "satisfied", "met"),
    [(10, 9, True), (10, 8, False), (20, 18, True), (20, 17, False), (1, 1, True), (3, 2, False),
     (30, 27, True)],
)  # fmt: skip
def test_satisfaction_is_met_at_exactly_90_percent(rated: int, satisfied: int, met: bool) -> None:
    assert (codes(Measure(rated, satisfied, "none")) == []) is met


def test_no_ratings_since_flagging_do_not_meet_the_bar() -> None:
    assert codes(Measure(0, 0, "none")) == ["ratings"]
    assert codes(Measure(4, 4, "none"), ExitBar(min_rated=5)) == ["ratings"]
    assert codes(Measure(5, 5, "none"), ExitBar(min_rated=5)) == []


@pytest.mark.parametrize(
    ("alert", "met"), [("none", True), ("blue", True), ("yellow", True), ("red", False)]
)
def test_a_red_level_keeps_the_flag(alert: str, met: bool) -> None:
    assert (codes(Measure(10, 10, alert)) == []) is met  # type: ignore[arg-type]
    assert codes(Measure(10, 10, "yellow"), ExitBar(worst_level="blue")) == ["level"]


def test_every_unmet_condition_is_named_in_both_languages() -> None:
    missing = unmet(Measure(10, 8, "red"), BAR)
    assert [u.code for u in missing] == ["satisfaction", "level"]
    assert "8/10 = 80.0%" in missing[0].zh and "90%" in missing[0].zh
    assert missing[0].en == "satisfaction 8/10 = 80.0%, needs at least 90%"
    assert "红色" in missing[1].zh and "red" in missing[1].en


def test_lifting_goes_by_the_bar_or_by_a_written_override() -> None:
    met, unmet_bar = unmet(Measure(10, 9, "none"), BAR), unmet(Measure(10, 8, "none"), BAR)
    assert lift_path(met, override=False) == "exit_bar"
    assert lift_path(met, override=True) == "exit_bar"  # the bar is met: no override needed
    assert lift_path(unmet_bar, override=True) == "override"
    assert lift_path(unmet_bar, override=False) is None


def test_deadlines_from_today_to_a_year_ahead() -> None:
    assert deadline_problem(TODAY, today=TODAY) is None
    assert deadline_problem(TODAY - timedelta(days=1), today=TODAY) is not None
    assert deadline_problem(TODAY + timedelta(days=366), today=TODAY) is None
    problem = deadline_problem(TODAY + timedelta(days=367), today=TODAY)
    assert problem is not None and "year" in problem[1]
    assert not overdue(TODAY, today=TODAY, active=True)
    assert overdue(TODAY, today=TODAY + timedelta(days=1), active=True)
    assert not overdue(TODAY, today=TODAY + timedelta(days=1), active=False)


def test_a_place_shows_the_flag_of_the_deepest_flagged_region_above_it() -> None:
    flagged = {"/d/": "district flag", "/d/s1/": "street flag"}
    found = nearest(["/d/s1/g1/", "/d/s2/g9/", "/d/s1/", "/x/g/", "/d/s10/"], flagged)
    assert found == {
        "/d/s1/g1/": "street flag",
        "/d/s2/g9/": "district flag",
        "/d/s1/": "street flag",
        "/d/s10/": "district flag",  # "/d/s1/" is not a prefix of "/d/s10/": paths end in "/"
    }


def test_the_regions_a_flag_may_come_from_are_the_place_and_those_above_it() -> None:
    assert regions_above(["/d/s1/g1/", "/d/s1/g2/", "/d/s1/g1/"]) == [
        "/d/",
        "/d/s1/",
        "/d/s1/g1/",
        "/d/s1/g2/",
    ]
