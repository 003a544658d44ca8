"""What the public may read: small counts withheld, no confidential category, the community
of a point, quarters that have begun, sections chosen, and the page's cache validator."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from backend.errors import Invalid
from backend.public import rules
from backend.public.daily_figures import DailyFigures
from backend.public.schemas import ReportFiguresOut
from backend.stats.rules import Counts, figures


def test_rates_resting_on_fewer_than_five_cases_are_withheld() -> None:
    few = rules.report_figures(figures(Counts(registered=4, closed=4, rated=4, satisfied=4)))
    assert (few.valid, few.close_rate, few.on_time_rate, few.satisfaction_rate) == (None,) * 4
    some = rules.report_figures(
        figures(Counts(registered=10, closed=4, closed_on_time=4, rated=2, satisfied=2))
    )
    # Four closed cases: neither how many closed nor how many on time is published.
    assert (some.valid, some.close_rate, some.on_time_rate) == (10, None, None)
    # Two ratings out of ten cases: a rate of one or two people's scores is not published.
    assert some.satisfaction_rate is None
    enough = rules.report_figures(
        figures(Counts(registered=10, closed=5, closed_on_time=4, rated=5, satisfied=4))
    )
    assert (enough.close_rate, enough.on_time_rate, enough.satisfaction_rate) == (0.5, 0.8, 0.8)


def test_counts_are_rounded_to_five_and_rates_to_whole_percents() -> None:
    assert [rules.published_count(n) for n in (0, 4, 5, 7, 8, 9, 12, 13)] == [
        None,
        None,
        5,
        5,
        10,
        10,
        10,
        15,
    ]
    shown = rules.report_figures(
        figures(Counts(registered=9, closed=6, closed_on_time=5, rated=6, satisfied=5))
    )
    assert shown.valid == 10
    assert (shown.close_rate, shown.on_time_rate, shown.satisfaction_rate) == (0.67, 0.83, 0.83)


def test_top_categories_are_five_or_more_and_never_confidential() -> None:
    names = {
        "sanitation": ("环境卫生", "Sanitation", False),
        "vice_clue": ("黄赌毒线索", "Vice lead", True),
        "parking": ("乱停车", "Parking", False),
    }
    counts = [("parking", 4), ("vice_clue", 50), ("sanitation", 7), ("retired", 9)]
    shown = rules.top_categories(counts, names)
    assert [(c.code, c.count, c.name_en) for c in shown] == [("sanitation", 5, "Sanitation")]
    many = {f"c{n}": (f"类{n}", f"Kind {n}", False) for n in range(8)}
    top = rules.top_categories([(f"c{n}", 5 + n) for n in range(8)], many)
    # 12, 11, 10, 9 and 8 reports: all shown as 10, so ordered by code.
    assert [(c.code, c.count) for c in top] == [(f"c{n}", 10) for n in (3, 4, 5, 6, 7)]


def test_a_point_belongs_to_its_community_or_its_deepest_region() -> None:
    chain = [(1, "district"), (2, "street"), (3, "community"), (4, "grid")]
    assert rules.community_of(chain) == 3
    assert rules.community_of([(1, "district"), (2, "street"), (5, "grid")]) == 5
    assert [rules.goes_to_community(level) for level in ("grid", "microgrid")] == [True, True]
    assert not any(rules.goes_to_community(level) for level in ("community", "street", "district"))


def test_only_this_quarter_and_the_one_before_are_published() -> None:
    today = date(2026, 11, 23)
    assert rules.quarter_of(today) == (2026, 4)
    rules.check_quarter_publishable(2026, 4, today=today)
    rules.check_quarter_publishable(2026, 3, today=today)
    with pytest.raises(Invalid) as too_old:
        rules.check_quarter_publishable(2026, 2, today=today)
    assert too_old.value.code == "public_reports.quarter_too_old"
    with pytest.raises(Invalid):
        rules.check_quarter_publishable(2027, 1, today=today)
    rules.check_quarter_publishable(2025, 4, today=date(2026, 1, 1))
    with pytest.raises(Invalid):
        rules.check_quarter_publishable(2025, 3, today=date(2026, 1, 1))
    assert rules.chosen_sections(["survey", "reports", "survey"]) == ["reports", "survey"]


def test_the_validator_is_strong_and_matched_as_browsers_send_it() -> None:
    tag = rules.strong_etag(b"{}")
    assert tag == rules.strong_etag(b"{}") != rules.strong_etag(b"[]")
    assert tag.startswith('"') and not tag.startswith("W/")
    assert rules.matches(tag, tag)
    assert rules.matches(f'"other", W/{tag}', tag)
    assert rules.matches("*", tag)
    assert not rules.matches(None, tag)
    assert not rules.matches('"other"', tag)


def test_the_page_counts_cases_to_the_end_of_the_previous_city_day() -> None:
    # 01:30 on the 24th in Hangzhou is still the 23rd in UTC.
    at = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)
    day, cut = rules.page_cut(at, "Asia/Shanghai")
    assert day == date(2026, 11, 23)
    assert cut == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


def test_the_kept_figures_are_bounded_and_drop_the_least_recently_read() -> None:
    def counted(valid: int) -> rules.CaseFigures:
        return rules.CaseFigures(
            reports=ReportFiguresOut(
                valid=valid, close_rate=None, on_time_rate=None, satisfaction_rate=None
            ),
            categories=[],
        )

    day = date(2026, 11, 23)
    kept = DailyFigures(2)
    kept.put(1, day, counted(5))
    kept.put(2, day, counted(10))
    assert kept.get(1, day) == counted(5)
    kept.put(3, day, counted(15))
    assert len(kept) == 2
    assert kept.get(2, day) is None
    assert kept.get(1, day) == counted(5)
    assert kept.get(1, date(2026, 11, 24)) is None
