"""Periods, figures, rankings and heat-map inputs: the pure rules of statistics."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest

from backend.errors import Invalid
from backend.stats import heat_rules, rules
from backend.stats.rules import Counts
from backend.stats.schemas import MetricsOut

ZONE = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("text", "kind", "first", "last"),
    [
        ("2026-W47", "week", date(2026, 11, 16), date(2026, 11, 22)),
        ("2026-W01", "week", date(2025, 12, 29), date(2026, 1, 4)),  # ISO week 1 starts in 2025
        ("2026-W53", "week", date(2026, 12, 28), date(2027, 1, 3)),  # 2026 has 53 ISO weeks
        ("2026-11", "month", date(2026, 11, 1), date(2026, 11, 30)),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-12", "month", date(2026, 12, 1), date(2026, 12, 31)),
        ("2026-Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-11-23", "day", date(2026, 11, 23), date(2026, 11, 23)),
        ("2026", "year", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_named_periods(text: str, kind: str, first: date, last: date) -> None:
    period = rules.parse_period(text, zone=ZONE)
    assert (period.kind, period.label, period.first_day, period.last_day) == (
        kind,
        text,
        first,
        last,
    )


def test_a_period_runs_from_local_midnight_to_local_midnight() -> None:
    period = rules.parse_period("2026-11", zone=ZONE)
    assert period.start == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert rules.parse_period("2026-11", zone="UTC").start == datetime(2026, 11, 1, tzinfo=UTC)


def test_a_day_across_a_daylight_saving_change_is_23_hours_long() -> None:
    period = rules.parse_period("2026-03-29", zone="Europe/Berlin")
    assert period.end - period.start == timedelta(hours=23)


@pytest.mark.parametrize(
    "text", ["2025-W53", "2026-W00", "2026-W54", "2026-13", "2026-00", "2026-Q0", "2026-Q5",
             "2026-02-30", "26-11", "2026/11", "", "2026-11-23T00:00"],
)  # fmt: skip
def test_unreadable_or_impossible_periods_are_refused(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        rules.parse_period(text, zone=ZONE)
    assert caught.value.code == "stats.bad_period"
    assert caught.value.status == 422


def test_custom_periods_include_both_days_and_have_limits() -> None:
    period = rules.custom_period(date(2026, 11, 1), date(2026, 11, 15), zone=ZONE)
    assert (period.kind, period.label, period.days) == ("custom", "2026-11-01..2026-11-15", 15)
    assert period.end == datetime(2026, 11, 15, 16, 0, tzinfo=UTC)
    with pytest.raises(Invalid):
        rules.custom_period(date(2026, 11, 2), date(2026, 11, 1), zone=ZONE)
    with pytest.raises(Invalid):
        rules.custom_period(date(2020, 1, 1), date(2026, 1, 1), zone=ZONE)


def test_what_a_request_names() -> None:
    today = date(2026, 11, 23)
    assert rules.period_of(None, None, None, zone=ZONE, today=today).label == "2026-11"
    assert rules.period_of("2026-Q4", None, None, zone=ZONE, today=today).kind == "quarter"
    custom = rules.period_of(None, "2026-11-01", "2026-11-07", zone=ZONE, today=today)
    assert custom.days == 7
    for args in [
        ("2026-11", "2026-11-01", None),
        (None, "2026-11-01", None),
        (None, None, "2026-11-02"),
    ]:
        with pytest.raises(Invalid):
            rules.period_of(*args, zone=ZONE, today=today)
    with pytest.raises(Invalid) as caught:
        rules.period_of(None, "2026-11-01", "1 Dec", zone=ZONE, today=today)
    assert caught.value.code == "stats.bad_date"


@pytest.mark.parametrize(
    ("text", "before"),
    [
        ("2026-W01", "2025-W52"),
        ("2026-01", "2025-12"),
        ("2026-Q1", "2025-Q4"),
        ("2026-Q4", "2026-Q3"),
        ("2026-03-01", "2026-02-28"),
        ("2026", "2025"),
    ],
)
def test_the_period_before(text: str, before: str) -> None:
    period = rules.parse_period(text, zone=ZONE)
    assert rules.previous_period(period, zone=ZONE).label == before


def test_the_period_before_a_custom_one_has_the_same_length() -> None:
    period = rules.custom_period(date(2026, 11, 10), date(2026, 11, 19), zone=ZONE)
    before = rules.previous_period(period, zone=ZONE)
    assert (before.first_day, before.last_day) == (date(2026, 10, 31), date(2026, 11, 9))


def test_local_today() -> None:
    late = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # half past midnight on 1 December
    assert rules.local_today(late, zone=ZONE) == date(2026, 12, 1)


def test_figures_divide_only_what_can_be_divided() -> None:
    empty = rules.figures(Counts())
    assert empty.close_rate is None and empty.satisfaction_rate is None
    assert empty.accept_hours_avg is None and empty.received == 0
    some = rules.figures(
        Counts(received=10, registered=8, refused=1, closed=6, closed_on_time=4, rated=3,
               satisfied=2, resolved=7, reworked=1, overdue=2, accept_avg_s=5400.0,
               accept_p90_s=7200.0, resolve_avg_s=36000.0, resolve_p90_s=90000.0)
    )  # fmt: skip
    assert (some.close_rate, some.on_time_rate) == (0.75, 0.6667)
    assert (some.satisfaction_rate, some.rework_rate) == (0.6667, 0.1429)
    assert (some.accept_hours_avg, some.accept_hours_p90) == (1.5, 2.0)
    assert (some.resolve_hours_avg, some.resolve_hours_p90) == (10.0, 25.0)
    assert (some.received, some.refused, some.overdue) == (10, 1, 2)


def test_a_rating_of_three_is_satisfied_and_two_is_not() -> None:
    assert rules.SATISFIED_ABOVE == 2


def _figures(close_rate: float | None, hours: float | None) -> MetricsOut:
    blank = rules.figures(rules.Counts(received=1))
    return msgspec.structs.replace(blank, close_rate=close_rate, accept_hours_avg=hours)


def test_rankings_put_higher_rates_and_shorter_times_first_and_unknowns_last() -> None:
    items = [("a", _figures(0.5, 3.0)), ("b", _figures(None, None)), ("c", _figures(0.9, 9.0))]
    assert [code for code, _ in rules.ranked(items, "closeRate")] == ["c", "a", "b"]
    assert [code for code, _ in rules.ranked(items, "acceptHoursAvg")] == ["a", "c", "b"]
    with pytest.raises(Invalid) as caught:
        rules.ranked(items, "close_rate")
    assert caught.value.code == "stats.bad_metric"


@pytest.mark.parametrize(
    ("zoom", "resolution"),
    [(0, 7), (11, 7), (12, 7), (13, 8), (14, 9), (15, 10), (16, 11), (20, 11)],
)
def test_the_zoom_picks_a_stored_resolution(zoom: int, resolution: int) -> None:
    assert heat_rules.resolution_for_zoom(zoom) == resolution
    assert heat_rules.parse_zoom(str(zoom)) == resolution


@pytest.mark.parametrize("text", ["-1", "21", "12.5", "", "x"])
def test_bad_zooms(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        heat_rules.parse_zoom(text)
    assert caught.value.code == "stats.bad_zoom"


def test_bbox() -> None:
    box = heat_rules.parse_bbox("120.0,30.1,120.3,30.4")
    assert (box.min_lng, box.min_lat, box.max_lng, box.max_lat) == (120.0, 30.1, 120.3, 30.4)
    for bad in ["1,2,3", "1,2,3,4,5", "a,b,c,d", "120,30,119,31", "120,31,121,30",
                "-181,0,0,1", "0,-91,1,0", "120,30,120,31", "nan,30,121,31"]:  # fmt: skip
        with pytest.raises(Invalid) as caught:
            heat_rules.parse_bbox(bad)
        assert caught.value.code == "stats.bad_bbox", bad


def test_heat_window() -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert heat_rules.heat_window(None, None, now=now) == (now - timedelta(days=30), now)
    start, end = heat_rules.heat_window("2026-11-01T00:00:00+08:00", "2026-11-02T00:00Z", now=now)
    assert (start, end) == (
        datetime(2026, 10, 31, 16, tzinfo=UTC),
        datetime(2026, 11, 2, tzinfo=UTC),
    )
    for first, last, code in [
        ("2026-11-01T00:00:00", None, "stats.bad_time"),
        (None, "soon", "stats.bad_time"),
        ("2026-11-02T00:00Z", "2026-11-01T00:00Z", "stats.bad_window"),
        ("2020-01-01T00:00Z", None, "stats.bad_window"),
    ]:
        with pytest.raises(Invalid) as caught:
            heat_rules.heat_window(first, last, now=now)
        assert caught.value.code == code


def test_heat_status() -> None:
    assert heat_rules.parse_status("open") == "open"
    assert "rejected" not in heat_rules.HEAT_STATUSES["all"]
    with pytest.raises(Invalid):
        heat_rules.parse_status("done")


@pytest.mark.parametrize(
    ("text", "before", "year_before"),
    [
        ("2026-01", "2025-12", "2025-01"),  # across the year's boundary
        ("2026-03", "2026-02", "2025-03"),
        ("2026-Q1", "2025-Q4", "2025-Q1"),
        ("2026-Q3", "2026-Q2", "2025-Q3"),
        ("2026-W47", "2026-W46", "2025-W47"),
        ("2026-W53", "2026-W52", "2025-W52"),  # 2025 has no 53rd ISO week
        ("2028-02-29", "2028-02-28", "2027-02-28"),  # a leap day falls on 28 February
        ("2026-03-01", "2026-02-28", "2025-03-01"),
        ("2026", "2025", "2025"),
    ],
)
def test_the_periods_compared_with(text: str, before: str, year_before: str) -> None:
    previous, year_ago = rules.compared_periods(rules.parse_period(text, zone=ZONE), zone=ZONE)
    assert previous is not None and year_ago is not None
    assert (previous.label, year_ago.label) == (before, year_before)
    assert year_ago.kind == previous.kind == rules.parse_period(text, zone=ZONE).kind


def test_a_free_period_compares_with_as_many_days_before_and_the_same_days_a_year_before() -> None:
    period = rules.custom_period(date(2026, 11, 10), date(2026, 11, 19), zone=ZONE)
    previous, year_ago = rules.compared_periods(period, zone=ZONE)
    assert previous is not None and year_ago is not None
    assert (previous.first_day, previous.last_day) == (date(2026, 10, 31), date(2026, 11, 9))
    assert (year_ago.first_day, year_ago.last_day) == (date(2025, 11, 10), date(2025, 11, 19))
    assert year_ago.start == datetime(2025, 11, 9, 16, 0, tzinfo=UTC)
    leap = rules.custom_period(date(2028, 2, 1), date(2028, 2, 29), zone=ZONE)
    previous, year_ago = rules.compared_periods(leap, zone=ZONE)
    assert previous is not None and year_ago is not None
    assert (previous.first_day, previous.last_day) == (date(2028, 1, 3), date(2028, 1, 31))
    assert (year_ago.first_day, year_ago.last_day) == (date(2027, 2, 1), date(2027, 2, 28))


def test_a_period_before_the_calendar_compares_with_nothing() -> None:
    period = rules.parse_period("0002-01", zone="UTC")
    previous, year_ago = rules.compared_periods(period, zone="UTC")
    assert previous is not None and previous.label == "0001-12"
    assert year_ago is not None and year_ago.label == "0001-01"
    first = rules.parse_period("0001-02", zone="UTC")
    assert rules.compared_periods(first, zone="UTC")[1] is None  # no year 0


def test_counts_change_as_a_ratio_and_rates_in_percentage_points() -> None:
    assert rules.change("received", 12, 8) == 0.5
    assert rules.change("received", 4, 8) == -0.5
    assert rules.change("received", 3, 0) is None  # nothing to compare with
    assert rules.change("accept_hours_avg", 3.0, 2.0) == 0.5
    assert rules.change("accept_hours_avg", 3.0, None) is None
    assert rules.change("close_rate", 0.8, 0.75) == 5.0
    assert rules.change("close_rate", 0.5, 0.0) == 50.0
    assert rules.change("rework_rate", None, 0.1) is None
    now = rules.figures(Counts(received=6, registered=4, closed=3))
    then = rules.figures(Counts(received=3, registered=4, closed=2))
    compared = rules.compared(now, then, None)
    assert compared.period_on_period is not None
    assert (compared.period_on_period.received, compared.period_on_period.closed) == (1.0, 0.5)
    assert compared.period_on_period.close_rate == 25.0
    assert compared.period_on_period.refused is None
    assert compared.year_before is None and compared.year_on_year is None


def test_the_hour_weekday_grid_has_24_rows_of_7() -> None:
    grid = rules.hour_weekday_grid([(0, 1, 2), (23, 7, 5), (8, 3, 1)])
    assert len(grid) == 24 and {len(row) for row in grid} == {7}
    assert (grid[0][0], grid[23][6], grid[8][2]) == (2, 5, 1)
    assert sum(map(sum, grid)) == 8
