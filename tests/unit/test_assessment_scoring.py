"""考核 scoring: weights and caps, lower-is-better, missing data, manual bounds, vetoes, ties."""

from __future__ import annotations

import pytest

from backend.errors import Invalid
from backend.oversight.scoring import (
    Figure,
    Indicator,
    Manual,
    Standing,
    at_bottom,
    check_indicators,
    check_manual,
    points,
    ranks,
    rate,
    score,
)

ON_TIME = Indicator("on_time", "按期结案率", "On time", 30, "on_time_rate", 0.9)
REWORK = Indicator("rework", "返工率", "Rework", 10, "rework_rate", 0.05, "lower")
OVERDUE = Indicator("overdue", "超期重点地区", "Overdue areas", 10, "areas_overdue", 0, "lower")
SAFETY = Indicator("safety", "安全感", "Safety", 20, "safety_index", 95)
MANUAL = Indicator("work", "工作实绩", "Work", 15, "manual", None)


def test_higher_is_better_earns_its_share_of_the_weight() -> None:
    assert points(ON_TIME, 0.45) == 15.0
    assert points(SAFETY, 76) == 16.0


def test_reaching_the_target_caps_at_the_weight() -> None:
    assert points(ON_TIME, 0.9) == 30.0
    assert points(ON_TIME, 1.0) == 30.0


def test_lower_is_better_full_at_or_below_the_target() -> None:
    assert points(REWORK, 0.0) == 10.0
    assert points(REWORK, 0.05) == 10.0
    assert points(REWORK, 0.1) == 5.0
    assert points(OVERDUE, 0) == 10.0
    assert points(OVERDUE, 2) == 0.0


def test_missing_data_scores_nothing_and_says_so() -> None:
    assert points(ON_TIME, None) is None
    mediation = Indicator("mediation", "化解率", "Mediation", 10, "mediation_rate", 0.98)
    scored = score([ON_TIME, mediation], {"on_time_rate": Figure(0.9, 9, 10)}, {})
    assert scored.total == 30.0
    by_key = {item.key: item for item in scored.items}
    assert by_key["mediation"].no_data and by_key["mediation"].points == 0
    assert not by_key["on_time"].no_data


def test_a_rate_with_nothing_to_divide_is_no_data() -> None:
    assert rate(0, 0) == Figure(None, 0, 0)
    assert rate(3, 4) == Figure(0.75, 3, 4)


def test_total_adds_measured_and_manual_points() -> None:
    figures = {"on_time_rate": Figure(0.45, 9, 20), "rework_rate": Figure(0.1, 1, 10)}
    scored = score([ON_TIME, REWORK, MANUAL], figures, {"work": Manual(12, "台账规范")})
    assert scored.total == 15 + 5 + 12
    manual = scored.items[2]
    assert manual.reason == "台账规范" and not manual.no_data
    unscored = score([MANUAL], {}, {})
    assert unscored.total == 0 and unscored.items[0].no_data


def test_manual_points_within_the_weight_with_a_reason() -> None:
    check_manual(MANUAL, 0, "无")
    check_manual(MANUAL, 15, "突出")
    for given in (-1, 15.5):
        with pytest.raises(Invalid) as too_many:
            check_manual(MANUAL, given, "原因")
        assert too_many.value.code == "assessment.manual_points"
    check_manual(MANUAL, 7.25, "较好")
    with pytest.raises(Invalid) as too_fine:
        check_manual(MANUAL, 7.255, "较好")
    assert too_fine.value.code == "assessment.manual_points"
    with pytest.raises(Invalid) as no_reason:
        check_manual(MANUAL, 5, "  ")
    assert no_reason.value.code == "assessment.manual_reason"
    with pytest.raises(Invalid) as measured:
        check_manual(ON_TIME, 5, "原因")
    assert measured.value.code == "assessment.not_manual"


def test_vetoed_units_rank_below_every_unvetoed_one() -> None:
    found = ranks(
        [
            Standing("a", 90, vetoed=True),
            Standing("b", 60, vetoed=False),
            Standing("c", 70, vetoed=False),
            Standing("d", 40, vetoed=True),
        ]
    )
    assert found == {"c": 1, "b": 2, "a": 3, "d": 4}


def test_ties_share_a_rank_and_the_next_skips() -> None:
    found = ranks([Standing("a", 80, False), Standing("b", 80, False), Standing("c", 70, False)])
    assert found == {"a": 1, "b": 1, "c": 3}


def test_the_bottom_counts_ties_with_the_last_places() -> None:
    found = {"a": 1, "b": 2, "c": 3, "d": 3, "e": 5}
    assert at_bottom(found, count=1) == {"e"}
    assert at_bottom(found, count=2) == {"c", "d", "e"}
    assert at_bottom(found, count=0) == set()


def test_the_first_ranked_are_never_at_the_bottom() -> None:
    found = {"a": 1, "b": 2, "c": 3, "d": 3, "e": 5}
    assert at_bottom(found, count=9) == {"b", "c", "d", "e"}
    assert at_bottom(found, count=5) == {"b", "c", "d", "e"}
    assert at_bottom({"a": 1, "b": 2}, count=3) == {"b"}
    assert at_bottom({"a": 1}, count=3) == set()


def test_when_every_unit_ties_none_is_at_the_bottom() -> None:
    assert at_bottom({"a": 1, "b": 1, "c": 1}, count=1) == set()
    assert at_bottom({"a": 1, "b": 1, "c": 1}, count=3) == set()
    assert at_bottom({"a": 1, "b": 1, "c": 3, "d": 3}, count=1) == {"c", "d"}


def test_a_scheme_needs_unique_keys_and_reachable_targets() -> None:
    check_indicators([ON_TIME, REWORK, OVERDUE, SAFETY, MANUAL])
    with pytest.raises(Invalid):
        check_indicators([])
    with pytest.raises(Invalid):
        check_indicators([ON_TIME, ON_TIME])
    zero = Indicator("z", "零", "Zero", 5, "satisfaction_rate", 0)
    with pytest.raises(Invalid):
        check_indicators([zero])
    untargeted = Indicator("u", "无目标", "None", 5, "duties_on_time", None)
    with pytest.raises(Invalid):
        check_indicators([untargeted])
