"""What the public may read: small counts withheld, no confidential category, the community
of a point, quarters that have begun, sections chosen, and the page's cache validator."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from backend.errors import Invalid
from backend.public import rules
from backend.stats.rules import Counts, figures


def test_rates_resting_on_fewer_than_five_cases_are_withheld() -> None:
    few = rules.report_figures(figures(Counts(registered=4, closed=4, rated=4, satisfied=4)))
    assert (few.valid, few.close_rate, few.on_time_rate, few.satisfaction_rate) == (None,) * 4
    some = rules.report_figures(
        figures(Counts(registered=10, closed=4, closed_on_time=4, rated=2, satisfied=2))
    )
    assert (some.valid, some.close_rate, some.on_time_rate) == (10, 0.4, None)
    # Two ratings out of ten cases: a rate of one or two people's scores is not published.
    assert some.satisfaction_rate is None
    enough = rules.report_figures(
        figures(Counts(registered=10, closed=5, closed_on_time=4, rated=5, satisfied=4))
    )
    assert (enough.on_time_rate, enough.satisfaction_rate) == (0.8, 0.8)


def test_top_categories_are_five_or_more_and_never_confidential() -> None:
    names = {
        "sanitation": ("环境卫生", "Sanitation", False),
        "vice_clue": ("黄赌毒线索", "Vice lead", True),
        "parking": ("乱停车", "Parking", False),
    }
    counts = [("parking", 4), ("vice_clue", 50), ("sanitation", 7), ("retired", 9)]
    shown = rules.top_categories(counts, names)
    assert [(c.code, c.count, c.name_en) for c in shown] == [("sanitation", 7, "Sanitation")]
    many = {f"c{n}": (f"类{n}", f"Kind {n}", False) for n in range(8)}
    top = rules.top_categories([(f"c{n}", 5 + n) for n in range(8)], many)
    assert [c.code for c in top] == ["c7", "c6", "c5", "c4", "c3"]


def test_a_point_belongs_to_its_community_or_its_deepest_region() -> None:
    chain = [(1, "district"), (2, "street"), (3, "community"), (4, "grid")]
    assert rules.community_of(chain) == 3
    assert rules.community_of([(1, "district"), (2, "street"), (5, "grid")]) == 5


def test_only_a_quarter_that_has_begun_is_published() -> None:
    today = date(2026, 11, 23)
    assert rules.quarter_of(today) == (2026, 4)
    rules.check_quarter_started(2026, 4, today=today)
    rules.check_quarter_started(2025, 1, today=today)
    with pytest.raises(Invalid):
        rules.check_quarter_started(2027, 1, today=today)
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


def test_figures_are_as_of_the_start_of_their_five_minutes() -> None:
    at = datetime(2026, 11, 23, 8, 7, 31, tzinfo=UTC)
    assert rules.as_of(at) == datetime(2026, 11, 23, 8, 5, tzinfo=UTC)
