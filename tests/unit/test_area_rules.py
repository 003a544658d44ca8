"""Key-area rules: the lifecycle, who may step it on, duties by level, escalation, 验收, 回头看."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from backend.areas.follow_rules import (
    AcceptanceMeasure,
    acceptance_passed,
    acceptance_shortfall,
    before_after,
    rate,
    recheck_dates,
    recurrence,
    watch_until,
    watching,
)
from backend.areas.rules import (
    ACTIONS,
    STATES,
    Action,
    Actor,
    Facts,
    LevelDuty,
    Refused,
    State,
    Tier,
    allowed_actions,
    duties_for_level,
    escalation_due,
    next_state,
    period_of,
    plan_problem,
    tier_after,
)
from backend.settings import SettingsError, load_settings

SYSTEM = Actor("system", district_level=True)
DISPATCHER = Actor("dispatcher", district_level=False)
STREET_SUPERVISOR = Actor("supervisor", district_level=False)
DISTRICT_SUPERVISOR = Actor("supervisor", district_level=True)
DISTRICT_ADMIN = Actor("admin", district_level=True)
WORKER = Actor("worker", district_level=False)

# The lifecycle as the field describes it: (from, action, tier) -> (to, one actor who may).
ALLOWED: dict[tuple[State, Action], tuple[State, Actor, Tier | None]] = {
    ("candidate", "propose"): ("proposed", DISPATCHER, None),
    ("candidate", "dismiss"): ("dismissed", DISPATCHER, None),
    ("proposed", "dismiss"): ("dismissed", STREET_SUPERVISOR, None),
    ("candidate", "merge"): ("dismissed", SYSTEM, None),
    ("proposed", "merge"): ("dismissed", DISPATCHER, None),
    ("proposed", "list"): ("listed", STREET_SUPERVISOR, None),
    ("relisted", "list"): ("listed", DISTRICT_ADMIN, "street"),
    ("proposed", "flag"): ("flagged", DISTRICT_SUPERVISOR, None),
    ("relisted", "flag"): ("flagged", DISTRICT_ADMIN, "street"),
    ("listed", "flag"): ("flagged", DISTRICT_SUPERVISOR, "street"),
    ("listed", "escalate"): ("proposed", SYSTEM, "street"),
    ("extended", "escalate"): ("proposed", SYSTEM, "street"),
    ("listed", "accept"): ("accepting", SYSTEM, "street"),
    ("flagged", "accept"): ("accepting", SYSTEM, "district"),
    ("extended", "accept"): ("accepting", SYSTEM, "district"),
    ("accepting", "lift"): ("lifted", SYSTEM, "district"),
    ("accepting", "extend"): ("extended", STREET_SUPERVISOR, "street"),
    ("accepting", "refuse_extension"): ("listed", STREET_SUPERVISOR, "street"),
    ("lifted", "watch"): ("watching", SYSTEM, "district"),
    ("watching", "close"): ("closed", SYSTEM, "district"),
    ("watching", "relist"): ("relisted", DISTRICT_SUPERVISOR, "district"),
}


def facts(
    state: State, tier: Tier | None = None, *, has_plan: bool = True, open_tasks: int = 0
) -> Facts:
    return Facts(state=state, tier=tier, has_plan=has_plan, open_tasks=open_tasks)


def refusal(f: Facts, action: Action, actor: Actor) -> Refused:
    with pytest.raises(Refused) as caught:
        next_state(f, action, actor)
    assert caught.value.zh and caught.value.en
    return caught.value


@pytest.mark.parametrize(("origin", "action"), list(ALLOWED))
def test_every_allowed_transition(origin: State, action: Action) -> None:
    to, actor, tier = ALLOWED[(origin, action)]
    assert next_state(facts(origin, tier), action, actor) == to


@pytest.mark.parametrize(
    ("origin", "action"),
    [pair for pair in itertools.product(STATES, ACTIONS) if pair not in ALLOWED],
)
def test_every_other_transition_is_refused(origin: State, action: Action) -> None:
    for actor, tier in itertools.product((SYSTEM, DISTRICT_ADMIN), ("street", "district")):
        refused = refusal(facts(origin, tier), action, actor)
        assert refused.code == "areas.not_allowed"
        assert origin in refused.en and action in refused.en


def test_refused_carries_code_and_both_languages() -> None:
    refused = refusal(facts("closed"), "relist", DISTRICT_ADMIN)
    assert str(refused) == refused.en == "An area that is closed cannot be given 'relist'"
    assert refused.zh == "处于「销号」的重点地区不能进行此操作"


def test_refusing_an_extension_returns_to_the_tier_it_came_from() -> None:
    assert next_state(facts("accepting", "street"), "refuse_extension", STREET_SUPERVISOR) == (
        "listed"
    )
    assert next_state(facts("accepting", "district"), "refuse_extension", DISTRICT_ADMIN) == (
        "flagged"
    )


def test_only_a_district_level_supervisor_or_admin_flags() -> None:
    proposed = facts("proposed")
    assert refusal(proposed, "flag", DISPATCHER).code == "areas.role_forbidden"
    assert refusal(proposed, "flag", Actor("dispatcher", True)).code == "areas.role_forbidden"
    assert refusal(proposed, "flag", STREET_SUPERVISOR).code == "areas.district_only"
    assert refusal(proposed, "flag", Actor("admin", False)).code == "areas.district_only"
    assert refusal(proposed, "flag", WORKER).code == "areas.role_forbidden"
    assert next_state(proposed, "flag", DISTRICT_SUPERVISOR) == "flagged"
    assert next_state(proposed, "flag", DISTRICT_ADMIN) == "flagged"


def test_listing_is_for_supervisors_and_admins() -> None:
    proposed = facts("proposed")
    assert refusal(proposed, "list", DISPATCHER).code == "areas.role_forbidden"
    assert refusal(proposed, "list", SYSTEM).code == "areas.role_forbidden"
    assert next_state(proposed, "list", Actor("admin", False)) == "listed"


def test_proposing_and_dismissing() -> None:
    candidate = facts("candidate")
    for actor in (DISPATCHER, STREET_SUPERVISOR, DISTRICT_ADMIN, SYSTEM):
        assert next_state(candidate, "propose", actor) == "proposed"
    for actor in (DISPATCHER, STREET_SUPERVISOR, DISTRICT_ADMIN):
        assert next_state(candidate, "dismiss", actor) == "dismissed"
    assert refusal(candidate, "propose", WORKER).code == "areas.role_forbidden"
    assert refusal(candidate, "dismiss", WORKER).code == "areas.role_forbidden"
    assert refusal(candidate, "dismiss", SYSTEM).code == "areas.role_forbidden"


@pytest.mark.parametrize(
    ("origin", "action", "tier"),
    [
        ("listed", "escalate", "street"),
        ("extended", "escalate", "street"),
        ("listed", "accept", "street"),
        ("flagged", "accept", "district"),
        ("extended", "accept", "district"),
        ("lifted", "watch", "district"),
        ("watching", "close", "district"),
    ],
)
def test_steps_only_the_system_takes(origin: State, action: Action, tier: Tier) -> None:
    for actor in (DISTRICT_ADMIN, DISTRICT_SUPERVISOR, DISPATCHER, WORKER):
        assert refusal(facts(origin, tier), action, actor).code == "areas.system_only"
    assert next_state(facts(origin, tier), action, SYSTEM)


def test_relisting_is_a_person_confirming_the_recurrence() -> None:
    watching_area = facts("watching", "district")
    assert refusal(watching_area, "relist", SYSTEM).code == "areas.role_forbidden"
    assert refusal(watching_area, "relist", DISPATCHER).code == "areas.role_forbidden"
    assert next_state(watching_area, "relist", STREET_SUPERVISOR) == "relisted"


def test_lifting_extending_and_refusing_extensions() -> None:
    accepting = facts("accepting", "district")
    assert next_state(accepting, "lift", DISTRICT_SUPERVISOR) == "lifted"
    assert refusal(accepting, "lift", DISPATCHER).code == "areas.role_forbidden"
    assert refusal(accepting, "extend", SYSTEM).code == "areas.role_forbidden"
    assert refusal(accepting, "extend", DISPATCHER).code == "areas.role_forbidden"
    assert refusal(accepting, "refuse_extension", WORKER).code == "areas.role_forbidden"


@pytest.mark.parametrize(
    ("origin", "action", "actor"),
    [
        ("proposed", "list", STREET_SUPERVISOR),
        ("relisted", "list", DISTRICT_ADMIN),
        ("proposed", "flag", DISTRICT_SUPERVISOR),
        ("listed", "flag", DISTRICT_SUPERVISOR),
        ("relisted", "flag", DISTRICT_ADMIN),
    ],
)
def test_listing_and_flagging_need_a_plan(origin: State, action: Action, actor: Actor) -> None:
    refused = refusal(facts(origin, "street", has_plan=False), action, actor)
    assert refused.code == "areas.plan_required"
    assert "一地一策" in refused.zh


def test_acceptance_waits_for_the_last_open_task() -> None:
    for origin, tier in (("listed", "street"), ("flagged", "district"), ("extended", "street")):
        refused = refusal(facts(origin, tier, open_tasks=2), "accept", SYSTEM)
        assert refused.code == "areas.tasks_open"
        assert "2" in refused.en and "2" in refused.zh
        assert next_state(facts(origin, tier, open_tasks=0), "accept", SYSTEM) == "accepting"


def test_only_a_street_listed_area_is_escalated() -> None:
    refused = refusal(facts("extended", "district"), "escalate", SYSTEM)
    assert refused.code == "areas.not_street"


def test_tier_follows_the_step() -> None:
    assert tier_after(facts("proposed"), "list") == "street"
    assert tier_after(facts("proposed"), "flag") == "district"
    assert tier_after(facts("listed", "street"), "flag") == "district"
    assert tier_after(facts("listed", "street"), "escalate") == "district"
    assert tier_after(facts("flagged", "district"), "accept") == "district"
    assert tier_after(facts("accepting", "street"), "extend") == "street"
    assert tier_after(facts("candidate"), "propose") is None


def test_buttons_are_the_allowed_actions() -> None:
    assert allowed_actions(facts("candidate"), DISPATCHER) == ["propose", "dismiss", "merge"]
    assert allowed_actions(facts("proposed"), DISTRICT_SUPERVISOR) == [
        "dismiss",
        "merge",
        "list",
        "flag",
    ]
    assert allowed_actions(facts("proposed", has_plan=False), DISTRICT_SUPERVISOR) == [
        "dismiss",
        "merge",
    ]
    assert allowed_actions(facts("closed"), DISTRICT_ADMIN) == []


def test_duties_by_level() -> None:
    assert duties_for_level("red", yellow_patrols_per_week=3) == [
        LevelDuty("joint_sweep", "week", 1)
    ]
    assert duties_for_level("yellow", yellow_patrols_per_week=3) == [
        LevelDuty("patrols", "week", 3)
    ]
    assert duties_for_level("yellow", yellow_patrols_per_week=7) == [
        LevelDuty("patrols", "week", 7)
    ]
    assert duties_for_level("blue", yellow_patrols_per_week=3) == [
        LevelDuty("daily_check", "day", 1)
    ]


def test_periods_run_monday_to_sunday_or_one_day() -> None:
    thursday = date(2026, 12, 3)
    week = (date(2026, 11, 30), date(2026, 12, 6))
    assert period_of("week", thursday) == week
    assert period_of("week", date(2026, 11, 30)) == week
    assert period_of("week", date(2026, 12, 6)) == week
    assert period_of("week", date(2026, 12, 7)) == (date(2026, 12, 7), date(2026, 12, 13))
    assert period_of("week", date(2027, 1, 1)) == (date(2026, 12, 28), date(2027, 1, 3))
    assert period_of("day", thursday) == (thursday, thursday)


def test_plan_fits_the_level() -> None:
    fits = {
        "first_responsible_district": True,
        "lead_is_department": False,
        "lead_is_street": False,
    }
    assert plan_problem("red", **fits) is None
    red = plan_problem("red", **{**fits, "first_responsible_district": False})
    assert red is not None and red.code == "areas.plan_red_leader" and "包联" in red.zh

    yellow_ok = {"first_responsible_district": False, "lead_is_department": True}
    assert plan_problem("yellow", **yellow_ok, lead_is_street=False) is None
    yellow = plan_problem(
        "yellow", first_responsible_district=True, lead_is_department=False, lead_is_street=True
    )
    assert yellow is not None and yellow.code == "areas.plan_yellow_department"

    assert (
        plan_problem(
            "blue", first_responsible_district=False, lead_is_department=False, lead_is_street=True
        )
        is None
    )
    blue = plan_problem(
        "blue", first_responsible_district=True, lead_is_department=True, lead_is_street=False
    )
    assert blue is not None and blue.code == "areas.plan_blue_street"

    assert (
        plan_problem(
            None, first_responsible_district=False, lead_is_department=False, lead_is_street=False
        )
        is None
    )


def test_escalation_from_the_day_after_the_deadline() -> None:
    deadline = date(2026, 12, 31)
    assert not escalation_due("listed", "street", deadline, date(2026, 12, 30))
    assert not escalation_due("listed", "street", deadline, deadline)
    assert escalation_due("listed", "street", deadline, date(2027, 1, 1))
    assert escalation_due("extended", "street", deadline, date(2027, 1, 1))
    assert not escalation_due("extended", "district", deadline, date(2027, 1, 1))
    assert not escalation_due("flagged", "district", deadline, date(2027, 1, 1))
    assert not escalation_due("accepting", "street", deadline, date(2027, 1, 1))
    assert not escalation_due("listed", "street", None, date(2027, 1, 1))


def measure(survey: tuple[int, int], ratings: tuple[int, int]) -> AcceptanceMeasure:
    return AcceptanceMeasure(survey[0], survey[1], ratings[0], ratings[1])


def test_acceptance_bar_at_ninety_percent() -> None:
    below = measure((600, 540), (400, 359))  # 899 of 1000 pooled: 89.9 %
    at = measure((600, 540), (400, 360))  # 900 of 1000: 90.0 %
    assert (below.answered, below.satisfied, below.satisfaction) == (1000, 899, 0.899)
    assert not acceptance_passed(below, bar_percent=90.0, min_answers=10)
    assert acceptance_passed(at, bar_percent=90.0, min_answers=10)
    assert acceptance_shortfall(at, bar_percent=90.0, min_answers=10) == []
    (reason,) = acceptance_shortfall(below, bar_percent=90.0, min_answers=10)
    assert "89.9" in reason[0] and "90" in reason[0]
    assert "89.9" in reason[1] and "90" in reason[1]
    # A bar with a decimal is compared exactly too.
    assert acceptance_passed(below, bar_percent=89.9, min_answers=10)
    assert not acceptance_passed(measure((1000, 898), (0, 0)), bar_percent=89.9, min_answers=10)


def test_acceptance_needs_enough_answers() -> None:
    nine = measure((5, 5), (4, 4))
    ten = measure((5, 5), (5, 5))
    assert not acceptance_passed(nine, bar_percent=90.0, min_answers=10)
    (reason,) = acceptance_shortfall(nine, bar_percent=90.0, min_answers=10)
    assert "9" in reason[1] and "10" in reason[1]
    assert acceptance_passed(ten, bar_percent=90.0, min_answers=10)
    nobody = measure((0, 0), (0, 0))
    assert nobody.satisfaction is None
    assert not acceptance_passed(nobody, bar_percent=0.0, min_answers=1)
    assert len(acceptance_shortfall(nobody, bar_percent=90.0, min_answers=10)) == 1
    few_and_unhappy = measure((3, 1), (0, 0))
    assert len(acceptance_shortfall(few_and_unhappy, bar_percent=90.0, min_answers=10)) == 2


SHANGHAI = timezone(timedelta(hours=8))


def test_watch_window_edges() -> None:
    lifted_at = datetime(2026, 3, 15, 9, 30, tzinfo=SHANGHAI)
    until = watch_until(lifted_at, months=12)
    assert until == datetime(2027, 3, 15, 9, 30, tzinfo=SHANGHAI)
    assert watching(lifted_at, lifted_at, until)
    assert not watching(lifted_at - timedelta(microseconds=1), lifted_at, until)
    assert watching(until - timedelta(microseconds=1), lifted_at, until)
    assert not watching(until, lifted_at, until)


def test_months_clamp_to_the_end_of_the_month() -> None:
    jan31 = datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
    assert watch_until(jan31, months=1) == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert watch_until(jan31, months=13) == datetime(2027, 2, 28, 23, 0, tzinfo=UTC)
    assert watch_until(datetime(2027, 1, 31, tzinfo=UTC), months=1) == datetime(
        2027, 2, 28, tzinfo=UTC
    )
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert watch_until(leap, months=12) == datetime(2029, 2, 28, tzinfo=UTC)
    assert watch_until(leap, months=48) == datetime(2032, 2, 29, tzinfo=UTC)
    assert watch_until(datetime(2026, 12, 31, tzinfo=UTC), months=2) == datetime(
        2027, 2, 28, tzinfo=UTC
    )
    assert watch_until(datetime(2026, 11, 30, tzinfo=UTC), months=1) == datetime(
        2026, 12, 30, tzinfo=UTC
    )


def test_recheck_dates_count_from_the_lifting() -> None:
    assert recheck_dates(date(2026, 1, 31)) == [
        date(2026, 2, 28),
        date(2026, 4, 30),
        date(2026, 7, 31),
        date(2027, 1, 31),
    ]
    assert recheck_dates(date(2026, 5, 10), months=(2, 4)) == [date(2026, 7, 10), date(2026, 9, 10)]
    assert recheck_dates(date(2026, 5, 10), months=()) == []


def test_recurrence_at_the_flagging_count_or_red() -> None:
    assert not recurrence("yellow", 9, baseline_reports=10)
    assert recurrence("yellow", 10, baseline_reports=10)
    assert recurrence("blue", 11, baseline_reports=10)
    assert recurrence("red", 0, baseline_reports=10)
    assert not recurrence("none", 5, baseline_reports=0)
    assert recurrence("red", 0, baseline_reports=0)


def test_before_and_after_are_equally_long() -> None:
    flagged_at = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    now = flagged_at + timedelta(days=45, hours=3)
    before_start, before_end, after_start, after_end = before_after(flagged_at, now)
    assert before_end == after_start == flagged_at
    assert after_end == now
    assert before_end - before_start == after_end - after_start == timedelta(days=45, hours=3)
    assert before_after(flagged_at, flagged_at - timedelta(days=1)) == (flagged_at,) * 4


def test_rates_round_to_four_places() -> None:
    assert rate(15, 17) == 0.8824
    assert rate(72_500, 81_100) == 0.894
    assert rate(2, 3) == 0.6667
    assert rate(1, 1) == 1.0
    assert rate(0, 5) == 0.0
    assert rate(0, 0) is None
    assert rate(3, 0) is None


def test_area_settings_and_their_defaults() -> None:
    settings = load_settings({})
    assert settings.area_acceptance_percent == 90.0
    assert settings.area_acceptance_min_answers == 10
    assert settings.area_watch_months == 12
    assert settings.area_recheck_months == (1, 3, 6, 12)
    assert settings.area_yellow_patrols_per_week == 3
    custom = load_settings(
        {"GRIDREPORT_AREA_RECHECK_MONTHS": " 2, 6 ", "GRIDREPORT_AREA_WATCH_MONTHS": "6"}
    )
    assert custom.area_recheck_months == (2, 6)
    assert recheck_dates(date(2026, 1, 1), months=custom.area_recheck_months) == [
        date(2026, 3, 1),
        date(2026, 7, 1),
    ]


@pytest.mark.parametrize(
    "environ",
    [
        {"GRIDREPORT_AREA_RECHECK_MONTHS": "1,3,3"},
        {"GRIDREPORT_AREA_RECHECK_MONTHS": "6,3"},
        {"GRIDREPORT_AREA_RECHECK_MONTHS": "0,3"},
        {"GRIDREPORT_AREA_RECHECK_MONTHS": "-1"},
        {"GRIDREPORT_AREA_RECHECK_MONTHS": "1;3"},
        {"GRIDREPORT_AREA_RECHECK_MONTHS": "1,,3"},
        {"GRIDREPORT_AREA_RECHECK_MONTHS": "1,3,6,13"},
        {"GRIDREPORT_AREA_WATCH_MONTHS": "6"},
        {"GRIDREPORT_AREA_ACCEPTANCE_PERCENT": "101"},
        {"GRIDREPORT_AREA_ACCEPTANCE_MIN_ANSWERS": "0"},
        {"GRIDREPORT_AREA_YELLOW_PATROLS_PER_WEEK": "0"},
    ],
)
def test_bad_area_settings_stop_start_up(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match=next(iter(environ))):
        load_settings(environ)
