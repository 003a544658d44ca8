"""The survey indices alone, on hand-made answer sets: scores, intervals, roll-up over the
region tree, suppression of small counts, and where a figure stands against the target."""

from __future__ import annotations

import math
import statistics

import pytest

from backend.surveys import indices
from backend.surveys.indices import Items, Moments, Share, Tally
from backend.surveys.schemas import FigureOut


def moments(scores: list[float]) -> Moments:
    return Moments(len(scores), sum(scores), sum(s * s for s in scores))


def tally(scores: list[float], satisfied: tuple[int, int] = (0, 0)) -> Tally:
    return Tally(
        answered=max(len(scores), satisfied[0]),
        safety=moments(scores),
        satisfaction=Share(*satisfied),
    )


@pytest.mark.parametrize(
    ("df", "t"), [(1, 12.706), (4, 2.776), (10, 2.228), (29, 2.045), (40, 2.021), (120, 1.980)]
)
def test_student_t_at_97_5_percent(df: int, t: float) -> None:
    assert indices.t_975(df) == pytest.approx(t, abs=0.0015)


def test_student_t_tends_to_the_normal_point() -> None:
    assert indices.t_975(100_000) == pytest.approx(1.96, abs=0.0005)
    previous = indices.t_975(1)
    for df in range(2, 400):
        assert indices.t_975(df) < previous  # falls steadily, also where the table ends
        previous = indices.t_975(df)
    with pytest.raises(ValueError):
        indices.t_975(0)


def test_the_safety_index_is_the_mean_score_with_a_student_t_interval() -> None:
    scores = [100.0, 75.0, 75.0, 50.0, 100.0]  # scale5 answers 5, 4, 4, 3, 5
    mean, low, high = indices.mean_interval(moments(scores)) or (0, 0, 0)
    half = 2.7764 * statistics.stdev(scores) / math.sqrt(5)
    assert mean == pytest.approx(80.0)
    assert low == pytest.approx(80.0 - half)
    assert high == 100.0  # clipped: 80 + 25.97 lies above the scale
    assert indices.mean_interval(moments([60.0])) is None
    same = indices.mean_interval(moments([50.0] * 8))
    assert same == pytest.approx((50.0, 50.0, 50.0))


def test_a_rate_has_a_wilson_interval() -> None:
    rate, low, high = indices.wilson_interval(Share(10, 8)) or (0, 0, 0)
    assert (rate, low, high) == pytest.approx((80.0, 49.02, 94.33), abs=0.01)
    # Unlike the plain normal interval, it stays inside 0–100 and is not empty at 100 %.
    rate, low, high = indices.wilson_interval(Share(20, 20)) or (0, 0, 0)
    assert rate == 100.0 and high == pytest.approx(100.0) and low == pytest.approx(83.89, abs=0.01)
    assert indices.wilson_interval(Share(0, 0)) is None


@pytest.mark.parametrize(
    ("low", "high", "standing"),
    [(95.0, 99.0, "meets"), (96.0, 100.0, "meets"), (80.0, 94.9, "below"), (90, 97, "uncertain")],
)
def test_a_figure_stands_against_the_target_by_its_whole_interval(
    low: float, high: float, standing: str
) -> None:
    assert indices.standing(low, high, 95.0) == standing


def test_fewer_than_five_answers_show_no_figure_and_publicly_no_count() -> None:
    four = tally([100.0, 75.0, 50.0, 100.0], satisfied=(4, 4))
    staff = indices.indices_of(four, Items(), target=95.0)
    assert staff.answered == 4
    assert staff.safety is not None and staff.satisfaction is not None
    assert (staff.safety.n, staff.safety.value, staff.safety.low, staff.safety.high) == (
        4,
        None,
        None,
        None,
    )
    assert staff.safety.standing is None
    public = indices.publicly(staff)
    assert public.answered is None
    assert public.safety is not None and public.safety.n is None
    assert public.satisfaction is not None and public.satisfaction.n is None
    assert public.awareness is not None and public.awareness.n is None  # asked, none answered
    five = indices.indices_of(tally([100.0] * 5, satisfied=(5, 5)), Items(), target=95.0)
    shown = indices.publicly(five)
    assert (shown.answered, shown.safety, shown.satisfaction) == (5, five.safety, five.satisfaction)
    assert five.safety is not None and five.safety.value == 100.0
    assert five.safety.standing == "meets"
    assert five.satisfaction is not None and five.satisfaction.standing == "uncertain"


def test_an_item_the_questionnaire_lacks_has_no_figure() -> None:
    measured = indices.indices_of(
        tally([50.0] * 6), Items(awareness=False, support=False), target=95.0
    )
    assert measured.awareness is None and measured.support is None
    assert measured.safety is not None and measured.safety.standing == "below"


DISTRICT, STREET_A, STREET_B = "/1/", "/1/1001/", "/1/1002/"
COMMUNITY_A1, COMMUNITY_A2 = "/1/1001/1001001/", "/1/1001/1001002/"
COMMUNITY_B1 = "/1/1002/1002001/"
SCORES = {
    COMMUNITY_A1: [100.0, 75.0, 75.0, 50.0, 100.0, 25.0],
    COMMUNITY_A2: [100.0, 100.0],
    STREET_B: [0.0, 50.0, 75.0],  # answers entered for the street itself
    COMMUNITY_B1: [75.0, 100.0, 100.0, 50.0, 75.0, 75.0, 100.0],
}
SATISFIED = {COMMUNITY_A1: (6, 5), COMMUNITY_A2: (2, 1), STREET_B: (3, 0), COMMUNITY_B1: (7, 7)}


def test_the_roll_up_pools_every_answer_below_each_region_depth_first() -> None:
    tallies = {path: tally(scores, SATISFIED[path]) for path, scores in SCORES.items()}
    tallies["/2/2001/"] = tally([0.0] * 9)  # outside the survey's region: not counted
    nodes = indices.roll_up(DISTRICT, tallies)
    assert [path for path, _ in nodes] == [
        DISTRICT,
        STREET_A,
        COMMUNITY_A1,
        COMMUNITY_A2,
        STREET_B,
        COMMUNITY_B1,
    ]
    for path, pooled in nodes:
        below = [s for p, scores in SCORES.items() if p.startswith(path) for s in scores]
        measured = indices.indices_of(pooled, Items(), target=95.0)
        assert measured.answered == len(below)
        assert measured.safety is not None and measured.safety.n == len(below)
        if len(below) >= 5:
            half = indices.t_975(len(below) - 1) * statistics.stdev(below) / math.sqrt(len(below))
            assert measured.safety.value == pytest.approx(statistics.mean(below), abs=0.005)
            assert measured.safety.low == pytest.approx(
                max(0.0, statistics.mean(below) - half), abs=0.005
            )
        else:
            assert measured.safety.value is None
        positive = sum(SATISFIED[p][1] for p in SATISFIED if p.startswith(path))
        assert pooled.satisfaction == Share(len(below), positive)
    assert indices.pooled_below(STREET_A, tallies) == dict(nodes)[STREET_A]


def test_the_roll_up_always_has_the_survey_region() -> None:
    assert indices.roll_up(STREET_A, {}) == [(STREET_A, Tally())]
    only_here = indices.roll_up(STREET_A, {STREET_A: tally([50.0])})
    assert [path for path, _ in only_here] == [STREET_A]


def test_ancestor_paths_run_top_down() -> None:
    assert indices.ancestor_paths(COMMUNITY_A1) == [DISTRICT, STREET_A, COMMUNITY_A1]


def test_standing_is_decided_before_rounding() -> None:
    # 94.996 shows as 95.0, yet the interval does not lie at or above a target of 95.
    shown = indices.figure(10, (97.0, 94.996, 99.0), 95.0)
    assert (shown.low, shown.standing) == (95.0, "uncertain")
    assert indices.figure(10, (97.0, 95.0, 99.0), 95.0).standing == "meets"
    below = indices.figure(10, (94.0, 90.0, 94.996), 95.0)
    assert (below.high, below.standing) == (95.0, "below")


def shown_counts(
    nodes: list[tuple[str, Tally]], name: str, hidden: dict[str, frozenset[str]]
) -> dict[str, int]:
    """The counts of one figure at the nodes where its value is shown."""
    counts = {path: indices.count_of(tally, name) for path, tally in nodes}
    return {
        path: n
        for path, n in counts.items()
        if n >= indices.MIN_ANSWERS and name not in hidden[path]
    }


def assert_no_small_group_is_left_over(
    nodes: list[tuple[str, Tally]], hidden: dict[str, frozenset[str]]
) -> None:
    """No shown figure less the nearest shown ones below it leaves a group of 1 to 4."""
    for name in indices.FIGURES:
        shown = shown_counts(nodes, name, hidden)
        for parent, n in shown.items():
            below = [p for p in shown if p != parent and p.startswith(parent)]
            nearest = [p for p in below if not any(p != o and p.startswith(o) for o in below)]
            assert not 0 < n - sum(shown[p] for p in nearest) < indices.MIN_ANSWERS, (name, parent)


STREET, SMALL_A, SMALL_B, SMALL_C = "/9/", "/9/901/", "/9/902/", "/9/903/"


def test_a_small_group_cannot_be_recovered_from_a_parent_and_its_shown_children() -> None:
    a = [100.0, 75.0, 75.0, 50.0, 100.0, 25.0, 75.0, 50.0, 100.0, 75.0]
    b = [0.0]  # the one answer that must stay hidden
    c = [50.0, 75.0, 100.0, 75.0, 50.0, 75.0]
    nodes = indices.roll_up(STREET, {SMALL_A: tally(a), SMALL_B: tally(b), SMALL_C: tally(c)})
    hidden = indices.complementary_suppression(nodes)
    # Each node on its own would show A (10) and C (6) with the street (17), and B's score
    # would be street·17 − A·10 − C·6. C, the smaller of the two, is hidden too.
    assert hidden == {
        STREET: frozenset(),
        SMALL_A: frozenset(),
        SMALL_B: frozenset(),
        SMALL_C: {"answered", "safety"},  # the figures these answer sets give
    }
    shown = {
        path: indices.indices_of(t, Items(), target=95.0, hidden=hidden[path]) for path, t in nodes
    }
    street, small_c = shown[STREET].safety, shown[SMALL_C].safety
    assert street is not None and street.value == pytest.approx(statistics.mean(a + b + c), 0.01)
    assert small_c is not None and (small_c.n, small_c.value, small_c.standing) == (6, None, None)
    assert indices.publicly(shown[SMALL_C]).safety == FigureOut(
        n=None, value=None, low=None, high=None, standing=None
    )
    # What can be read: the street less A, a group of 7 answers, not B's one.
    assert_no_small_group_is_left_over(nodes, hidden)


def test_ties_hide_the_child_with_the_smaller_code() -> None:
    twelve = {"/9/902/": tally([50.0] * 6), "/9/901/": tally([75.0] * 6), STREET: tally([0.0])}
    hidden = indices.complementary_suppression(indices.roll_up(STREET, twelve))
    assert [path for path, names in hidden.items() if names] == ["/9/901/"]


DEEP = {
    # Street A: community A1 in two grids (5 and 3), A2 with 6, A3 with 2.
    "/1/1001/1001001/g1/": 5,
    "/1/1001/1001001/g2/": 3,
    "/1/1001/1001002/": 6,
    "/1/1001/1001003/": 2,
    # Street B: community B1 with 7, and 3 entered for the street itself.
    "/1/1002/1002001/": 7,
    "/1/1002/": 3,
    # Street C: community C1 all in one grid (6), C2 with 9, and 2 for the street.
    "/1/1003/1003001/g1/": 6,
    "/1/1003/1003002/": 9,
    "/1/1003/": 2,
}


def test_suppression_runs_over_a_deeper_tree_until_nothing_small_is_left_over() -> None:
    tallies = {path: tally([50.0 + k for k in range(n)]) for path, n in DEEP.items()}
    nodes = indices.roll_up("/1/", tallies)
    hidden = indices.complementary_suppression(nodes)
    assert sorted(path for path, names in hidden.items() if names) == [
        # A1 (8) less its grid g1 (5) would give g2's 3.
        "/1/1001/1001001/g1/",
        # Street A (16) less A1 (8) and A2 (6) would give A3's 2: the smaller A2 goes.
        "/1/1001/1001002/",
        # Street B (10) less B1 (7) would give the street's own 3.
        "/1/1002/1002001/",
        # Street C (17) less C1 (6) and C2 (9) gives 2: C1 goes; but C1's grid holds all of
        # C1's answers, so the street less C2 and that grid would give the same 2: it goes too.
        "/1/1003/1003001/",
        "/1/1003/1003001/g1/",
    ]
    assert all(names in (frozenset(), {"answered", "safety"}) for names in hidden.values())
    assert_no_small_group_is_left_over(nodes, hidden)


def test_each_figure_is_suppressed_over_the_tree_on_its_own() -> None:
    # Everyone answered the safety items; only some the satisfaction item.
    tallies = {
        SMALL_A: tally([50.0] * 8, satisfied=(8, 4)),
        SMALL_B: tally([50.0] * 6, satisfied=(6, 6)),
        STREET: tally([50.0] * 5, satisfied=(2, 1)),
    }
    nodes = indices.roll_up(STREET, tallies)
    hidden = indices.complementary_suppression(nodes)
    # Safety: street 19 less 14 is 5, shown. Satisfaction: street 16 less 14 is 2.
    assert hidden == {STREET: frozenset(), SMALL_A: frozenset(), SMALL_B: {"satisfaction"}}
    measured = indices.indices_of(
        dict(nodes)[SMALL_B], Items(), target=95.0, hidden=hidden[SMALL_B]
    )
    assert measured.safety is not None and measured.safety.value == 50.0
    assert measured.satisfaction is not None
    assert (measured.satisfaction.n, measured.satisfaction.value) == (6, None)
    assert_no_small_group_is_left_over(nodes, hidden)
