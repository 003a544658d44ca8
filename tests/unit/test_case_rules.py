"""The case state machine, deadlines, masking and scopes: every move allowed and forbidden.

The expected table below is written from the domain (the loop 发现 → 派遣 → 签收 → 处置 → 核查 →
结案 → 评价 and its side roads), not copied from `MOVES`, so a slip in either shows up here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import NamedTuple

import pytest

from backend.cases import rules
from backend.cases.rules import DeadlineOutcome, DeadlineState, Preset, Scope
from backend.cases.sql import Where, scoped
from backend.errors import Conflict, Forbidden

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

ROLES = ("resident", "worker", "department", "dispatcher", "supervisor", "admin")
TRIAGE = frozenset({"dispatcher", "supervisor", "admin"})
HANDLERS = frozenset({"worker", "department"})
STAFF = TRIAGE | HANDLERS
RESIDENT = frozenset({"resident"})
STATUSES = (
    "submitted",
    "dispatched",
    "accepted",
    "resolved",
    "closed",
    "rated",
    "rejected",
    "merged",
)
OPEN_STATUSES = ("submitted", "dispatched", "accepted", "resolved")
FINISHED_STATUSES = ("closed", "rated", "rejected", "merged")
# How a caller may stand to a case: a stranger, a handler of its grid or department, the
# handler who accepted it (relation_of always adds "handler" to "assignee").
RELATIONS = (frozenset(), frozenset({"handler"}), frozenset({"handler", "assignee"}))


class Expected(NamedTuple):
    roles: frozenset[str]
    origins: frozenset[str]
    to: str | None
    relation: str  # what a worker or department needs; triage roles and residents need nothing


def _from(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)


DOMAIN: dict[str, Expected] = {
    # 派遣: triage sends a new case to a grid or a department.
    "dispatch": Expected(TRIAGE, _from("submitted"), "dispatched", "any"),
    # 签收: a worker of the grid (or the department) takes it.
    "accept": Expected(HANDLERS, _from("dispatched"), "accepted", "handler"),
    # 退回: not my remit, back to triage.
    "return": Expected(HANDLERS, _from("dispatched", "accepted"), "submitted", "handler"),
    # 转办: triage sends it elsewhere.
    "transfer": Expected(TRIAGE, _from("submitted", "dispatched", "accepted"), "dispatched", "any"),
    # 上报: up the region tree, by triage or by the case's handler.
    "escalate": Expected(
        TRIAGE | HANDLERS, _from("submitted", "dispatched", "accepted"), "submitted", "handler"
    ),
    # 处置: only the handler who accepted it.
    "resolve": Expected(HANDLERS, _from("accepted"), "resolved", "assignee"),
    # 核查: triage checks the after-photo.
    "verify_pass": Expected(TRIAGE, _from("resolved"), "closed", "any"),
    "verify_fail": Expected(TRIAGE, _from("resolved"), "accepted", "any"),
    # 不予受理 and 合并: only before anyone has taken the case on.
    "reject": Expected(TRIAGE, _from("submitted", "dispatched"), "rejected", "any"),
    "merge": Expected(TRIAGE, _from("submitted", "dispatched"), "merged", "any"),
    # 延期: asked by the assignee, decided by a supervisor; the status stays.
    "request_extension": Expected(HANDLERS, _from("accepted"), None, "assignee"),
    "decide_extension": Expected(
        frozenset({"supervisor", "admin"}), _from("accepted"), None, "any"
    ),
    # A note on the timeline: any staff, any time.
    "comment": Expected(STAFF, frozenset(STATUSES), None, "any"),
    # 评价 and 返工 at the reporter's word.
    "rate": Expected(RESIDENT, _from("closed"), "rated", "any"),
    "reopen": Expected(RESIDENT, _from("rated"), "accepted", "any"),
}


def expected_outcome(action: str, role: str, status: str, relation: frozenset[str]) -> str:
    """ "ok", "not_allowed" (403), "not_yours" (403) or "wrong_state" (409): 403 before 409."""
    move = DOMAIN[action]
    if role not in move.roles:
        return "not_allowed"
    if move.relation != "any" and role in HANDLERS and move.relation not in relation:
        return "not_yours"
    if status not in move.origins:
        return "wrong_state"
    return "ok"


def _relation_id(relation: frozenset[str]) -> str:
    return "+".join(sorted(relation)) or "stranger"


def test_the_domain_table_names_every_action_and_status() -> None:
    assert set(rules.MOVES) == set(DOMAIN)
    assert rules.STATUSES == STATUSES
    assert set(rules.OPEN) == set(OPEN_STATUSES)
    assert rules.TRIAGE_ROLES == TRIAGE
    assert rules.HANDLER_ROLES == HANDLERS


@pytest.mark.parametrize("action", DOMAIN)
def test_each_move_is_declared_as_the_domain_says(action: str) -> None:
    move, expected = rules.MOVES[action], DOMAIN[action]
    assert move.roles == expected.roles
    assert move.origins == expected.origins
    assert move.to == expected.to
    # A relation matters only for handler roles; triage-only moves must not pretend otherwise.
    if expected.roles & HANDLERS:
        assert move.relation == expected.relation
    else:
        assert move.relation == "any"


@pytest.mark.parametrize("relation", RELATIONS, ids=_relation_id)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", DOMAIN)
def test_check_move(action: str, status: str, role: str, relation: frozenset[str]) -> None:
    outcome = expected_outcome(action, role, status, relation)
    if outcome == "ok":
        move = rules.check_move(action, role=role, status=status, relation=set(relation))
        assert move is rules.MOVES[action]
        assert move.to == DOMAIN[action].to
    elif outcome == "wrong_state":
        with pytest.raises(Conflict) as raised:
            rules.check_move(action, role=role, status=status, relation=set(relation))
        assert raised.value.code == "cases.wrong_state"
    else:
        with pytest.raises(Forbidden) as raised:
            rules.check_move(action, role=role, status=status, relation=set(relation))
        code = "cases.role_forbidden" if outcome == "not_allowed" else "cases.not_yours"
        assert raised.value.code == code


@pytest.mark.parametrize("action", [a for a, e in DOMAIN.items() if e.origins != set(STATUSES)])
def test_a_forbidden_role_hears_403_even_in_the_wrong_state(action: str) -> None:
    expected = DOMAIN[action]
    outsiders = [role for role in ROLES if role not in expected.roles]
    wrong_states = [status for status in STATUSES if status not in expected.origins]
    assert outsiders
    for role, status in product(outsiders, wrong_states):
        with pytest.raises(Forbidden):
            rules.check_move(action, role=role, status=status, relation={"handler", "assignee"})


@pytest.mark.parametrize("action", [a for a, e in DOMAIN.items() if e.relation != "any"])
def test_a_handler_who_is_not_related_hears_403_even_in_the_wrong_state(action: str) -> None:
    wrong_states = [status for status in STATUSES if status not in DOMAIN[action].origins]
    for role, status in product(sorted(HANDLERS), wrong_states):
        with pytest.raises(Forbidden) as raised:
            rules.check_move(action, role=role, status=status, relation=set())
        assert raised.value.code == "cases.not_yours"


def test_only_the_assignee_may_resolve_or_ask_for_more_time() -> None:
    for action in ("resolve", "request_extension"):
        for role in sorted(HANDLERS):
            with pytest.raises(Forbidden):
                rules.check_move(action, role=role, status="accepted", relation={"handler"})
            rules.check_move(action, role=role, status="accepted", relation={"assignee"})


@pytest.mark.parametrize("relation", RELATIONS, ids=_relation_id)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", STATUSES)
def test_allowed_actions_agree_with_check_move(
    status: str, role: str, relation: frozenset[str]
) -> None:
    allowed = rules.allowed_actions(role=role, status=status, relation=set(relation))
    expected = [
        action for action in rules.MOVES if expected_outcome(action, role, status, relation) == "ok"
    ]
    assert allowed == expected


def test_every_status_but_the_loop_s_end_has_someone_who_can_move_it() -> None:
    # No open case is stuck: somebody can always take it further.
    for status in OPEN_STATUSES:
        movers = [
            action
            for action, e in DOMAIN.items()
            if status in e.origins and e.to not in (None, status)
        ]
        assert movers, status
        for action in movers:
            role = sorted(DOMAIN[action].roles)[0]
            rules.check_move(action, role=role, status=status, relation={"handler", "assignee"})


# Deadlines ---------------------------------------------------------------------------------

PRESET = Preset(accept_minutes=7, resolve_minutes=11, verify_minutes=13)
EMERGENCY = Preset(accept_minutes=1, resolve_minutes=5, verify_minutes=30)
STEP_MINUTES = {
    "submitted": ("accept", 7),
    "dispatched": ("accept", 7),
    "accepted": ("resolve", 11),
    "resolved": ("verify", 13),
}


@pytest.mark.parametrize("status", STATUSES)
def test_due_for_counts_each_step_from_now(status: str) -> None:
    due = rules.due_for(status, now=NOW, preset=PRESET)
    if status in FINISHED_STATUSES:
        assert due is None
    else:
        assert due == NOW + timedelta(minutes=STEP_MINUTES[status][1])
        assert rules.STEP_OF[status] == STEP_MINUTES[status][0]


def _state(
    status: str, due: datetime | None, reminded: str | None = None, supervised: str | None = None
) -> DeadlineState:
    return DeadlineState(status, due, reminded, supervised)


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_before_the_deadline_nothing_happens_until_it(status: str) -> None:
    step, _ = STEP_MINUTES[status]
    due = NOW + timedelta(minutes=3)
    outcome = rules.deadline_outcome(_state(status, due), now=NOW, preset=PRESET)
    assert outcome == DeadlineOutcome(False, False, False, step, due)
    just_before = rules.deadline_outcome(
        _state(status, due), now=due - timedelta(microseconds=1), preset=PRESET
    )
    assert just_before == DeadlineOutcome(False, False, False, step, due)


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_at_the_deadline_overdue_and_reminded_then_look_again_a_step_later(status: str) -> None:
    step, minutes = STEP_MINUTES[status]
    supervise_at = NOW + timedelta(minutes=minutes)
    outcome = rules.deadline_outcome(_state(status, NOW), now=NOW, preset=PRESET)
    assert outcome == DeadlineOutcome(True, True, False, step, supervise_at)
    # Once reminded, a later look before the threshold reminds nobody again.
    again = rules.deadline_outcome(
        _state(status, NOW, reminded=step),
        now=supervise_at - timedelta(microseconds=1),
        preset=PRESET,
    )
    assert again == DeadlineOutcome(True, False, False, step, supervise_at)


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_at_the_supervision_threshold_supervise_once(status: str) -> None:
    step, minutes = STEP_MINUTES[status]
    supervise_at = NOW + timedelta(minutes=minutes)
    reminded = _state(status, NOW, reminded=step)
    outcome = rules.deadline_outcome(reminded, now=supervise_at, preset=PRESET)
    assert outcome == DeadlineOutcome(True, False, True, step, None)
    supervised = _state(status, NOW, reminded=step, supervised=step)
    later = rules.deadline_outcome(supervised, now=supervise_at + timedelta(days=3), preset=PRESET)
    assert later == DeadlineOutcome(True, False, False, step, None)


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_a_late_scheduler_reminds_and_supervises_in_one_look(status: str) -> None:
    step, minutes = STEP_MINUTES[status]
    late = NOW + timedelta(minutes=minutes, hours=1)
    outcome = rules.deadline_outcome(_state(status, NOW), now=late, preset=PRESET)
    assert outcome == DeadlineOutcome(True, True, True, step, None)


def test_a_reminder_of_an_earlier_step_does_not_count_for_this_one() -> None:
    state = _state("accepted", NOW, reminded="accept", supervised="accept")
    outcome = rules.deadline_outcome(state, now=NOW, preset=PRESET)
    assert outcome == DeadlineOutcome(True, True, False, "resolve", NOW + timedelta(minutes=11))


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_a_scheduler_following_check_at_reminds_and_supervises_exactly_once(status: str) -> None:
    step, minutes = STEP_MINUTES[status]
    due = NOW + timedelta(minutes=2)
    reminded: str | None = None
    supervised: str | None = None
    reminders = supervisions = 0
    now = NOW
    for _ in range(400):  # every 30 s for 200 minutes: well past both thresholds
        outcome = rules.deadline_outcome(
            _state(status, due, reminded, supervised), now=now, preset=PRESET
        )
        if outcome.remind:
            reminders += 1
            reminded = outcome.step
            assert now == due
        if outcome.supervise:
            supervisions += 1
            supervised = outcome.step
            assert now == due + timedelta(minutes=minutes)
        now += timedelta(seconds=30)
    assert (reminders, supervisions) == (1, 1)
    assert (reminded, supervised) == (step, step)


@pytest.mark.parametrize("status", FINISHED_STATUSES)
def test_finished_cases_have_no_deadline_to_watch(status: str) -> None:
    for reminded in (None, "accept", "verify"):
        outcome = rules.deadline_outcome(
            _state(status, NOW - timedelta(days=9), reminded), now=NOW, preset=PRESET
        )
        assert outcome == DeadlineOutcome(False, False, False, None, None)


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_an_open_case_without_a_deadline_is_left_alone(status: str) -> None:
    outcome = rules.deadline_outcome(_state(status, None), now=NOW, preset=PRESET)
    assert outcome == DeadlineOutcome(False, False, False, None, None)


@pytest.mark.parametrize(
    ("status", "step", "minutes"),
    [
        ("submitted", "accept", 1),
        ("dispatched", "accept", 1),
        ("accepted", "resolve", 5),
        ("resolved", "verify", 30),
    ],
)
def test_the_emergency_preset_at_its_exact_thresholds(status: str, step: str, minutes: int) -> None:
    # 1 min response / 5 min handling / 30 min feedback: accept due at +1 min is reminded at
    # +1 min and supervised at +2 min.
    entered = NOW
    due = rules.due_for(status, now=entered, preset=EMERGENCY)
    assert due == entered + timedelta(minutes=minutes)
    second = timedelta(seconds=1)
    before = rules.deadline_outcome(_state(status, due), now=due - second, preset=EMERGENCY)
    assert before == DeadlineOutcome(False, False, False, step, due)
    at_due = rules.deadline_outcome(_state(status, due), now=due, preset=EMERGENCY)
    supervise_at = entered + timedelta(minutes=2 * minutes)
    assert at_due == DeadlineOutcome(True, True, False, step, supervise_at)
    reminded = _state(status, due, reminded=step)
    just_before = rules.deadline_outcome(reminded, now=supervise_at - second, preset=EMERGENCY)
    assert just_before == DeadlineOutcome(True, False, False, step, supervise_at)
    at_threshold = rules.deadline_outcome(reminded, now=supervise_at, preset=EMERGENCY)
    assert at_threshold == DeadlineOutcome(True, False, True, step, None)


# Rating ------------------------------------------------------------------------------------

WEEK = timedelta(days=7)


@pytest.mark.parametrize(
    ("score", "closed_ago", "reopens"),
    [
        (1, timedelta(minutes=5), True),
        (2, timedelta(days=3), True),
        (1, WEEK, True),
        (2, WEEK, True),
        (2, WEEK + timedelta(microseconds=1), False),
        (1, timedelta(days=30), False),
        (3, timedelta(minutes=5), False),
        (3, WEEK, False),
        (4, timedelta(days=1), False),
        (5, timedelta(0), False),
    ],
)
def test_only_an_unhappy_rating_within_a_week_reopens(
    score: int, closed_ago: timedelta, reopens: bool
) -> None:
    assert rules.reopens_on_rating(score, closed_at=NOW - closed_ago, now=NOW) is reopens


@pytest.mark.parametrize("score", [1, 2, 3, 5])
def test_a_case_never_closed_is_not_reopened_by_rating(score: int) -> None:
    assert rules.reopens_on_rating(score, closed_at=None, now=NOW) is False


# Masking -----------------------------------------------------------------------------------


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


@pytest.mark.parametrize("length", range(1, 16))
def test_a_masked_phone_never_shows_the_whole_number(length: int) -> None:
    digits = ("1357924680" * 2)[:length]
    shown = _digits(rules.masked_phone(digits, anonymous=False))
    assert shown != digits
    # At most the first three and the last four, whatever the length.
    assert shown in {digits[:3] + digits[-4:], digits[-2:], ""}


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "861****5678"),
        ("008613812345678", "008****5678"),
        ("0571-87654321", "057****4321"),
    ],
)
def test_a_mobile_length_number_keeps_its_first_three_and_last_four(
    phone: str, masked: str
) -> None:
    assert rules.masked_phone(phone, anonymous=False) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("87654321", "******21"),
        ("8765432", "*****32"),
        ("0571-876543", "********43"),
        ("123456", "****56"),
        ("12345", "***45"),
    ],
)
def test_a_shorter_number_shows_only_its_last_two_digits(phone: str, masked: str) -> None:
    assert rules.masked_phone(phone, anonymous=False) == masked


@pytest.mark.parametrize("phone", ["13812345678", None, ""])
def test_an_anonymous_reporter_shows_no_number_at_all(phone: str | None) -> None:
    masked = rules.masked_phone(phone, anonymous=True)
    assert masked == "匿名 anonymous"
    assert not _digits(masked)


@pytest.mark.parametrize("phone", [None, ""])
def test_a_missing_phone_says_so(phone: str | None) -> None:
    assert rules.masked_phone(phone, anonymous=False) == "未留联系方式 no contact"


@pytest.mark.parametrize("phone", ["110", "1234", "1-2-3", "电话"])
def test_a_very_short_number_is_starred_entirely(phone: str) -> None:
    masked = rules.masked_phone(phone, anonymous=False)
    assert masked == "*" * len(_digits(phone))


# Scopes ------------------------------------------------------------------------------------

DISTRICT = "/330106/"
STREET = "/330106/330106001/"


@pytest.mark.parametrize(
    ("role", "region_path", "department_id", "expected"),
    [
        ("department", None, 7, Scope(False, None, 7, True)),
        ("department", DISTRICT, 7, Scope(False, None, 7, True)),
        ("admin", None, None, Scope(True, None, None, False)),
        ("admin", DISTRICT, None, Scope(False, DISTRICT, None, False)),
        ("supervisor", DISTRICT, None, Scope(False, DISTRICT, None, True)),
        ("dispatcher", DISTRICT, None, Scope(False, DISTRICT, None, False)),
        ("dispatcher", STREET, None, Scope(False, STREET, None, False)),
        ("worker", STREET, None, Scope(False, STREET, None, False)),
    ],
)
def test_scope_of(
    role: str, region_path: str | None, department_id: int | None, expected: Scope
) -> None:
    assert rules.scope_of(role=role, region_path=region_path, department_id=department_id) == (
        expected
    )


@pytest.mark.parametrize("role", ["dispatcher", "worker", "admin"])
def test_dispatchers_workers_and_admins_never_see_confidential_cases(role: str) -> None:
    for path in (None, DISTRICT, STREET):
        assert not rules.scope_of(role=role, region_path=path, department_id=None).confidential


@pytest.mark.parametrize("role", ["worker", "dispatcher", "supervisor", "resident"])
def test_only_an_admin_without_a_region_sees_the_whole_city(role: str) -> None:
    scope = rules.scope_of(role=role, region_path=None, department_id=None)
    assert not scope.everything
    assert scoped(scope).sql().startswith("FALSE")


def test_a_department_without_a_department_sees_nothing() -> None:
    scope = rules.scope_of(role="department", region_path=None, department_id=None)
    assert scoped(scope).sql() == "FALSE"


# The scoped WHERE ----------------------------------------------------------------------------

RANGE = (
    "((c.region_path >= $1 AND c.region_path < $2) "
    "OR (c.assigned_path >= $1 AND c.assigned_path < $2))"
)


def _placeholders_in_order(where: Where) -> None:
    numbers = [int(n) for n in re.findall(r"\$(\d+)", where.sql())]
    first_seen = list(dict.fromkeys(numbers))
    assert first_seen == list(range(1, len(where.args) + 1))


@pytest.mark.parametrize(
    ("scope", "sql", "args"),
    [
        (Scope(True, None, None, True), "TRUE", []),
        (Scope(True, None, None, False), "NOT c.confidential", []),
        (Scope(False, None, 7, True), "c.department_id = $1", [7]),
        (Scope(False, None, 7, False), "c.department_id = $1 AND NOT c.confidential", [7]),
        (Scope(False, DISTRICT, None, True), RANGE, ["/330106/", "/3301060"]),
        (
            Scope(False, STREET, None, False),
            RANGE + " AND NOT c.confidential",
            ["/330106/330106001/", "/330106/3301060010"],
        ),
        (Scope(False, None, None, True), "FALSE", []),
        (Scope(False, None, None, False), "FALSE AND NOT c.confidential", []),
    ],
    ids=[
        "city",
        "city-public",
        "department",
        "department-public",
        "region",
        "region-public",
        "nothing",
        "nothing-public",
    ],
)
def test_scoped_where(scope: Scope, sql: str, args: list[object]) -> None:
    where = scoped(scope)
    assert where.sql() == sql
    assert where.args == args
    _placeholders_in_order(where)


def test_the_subtree_range_holds_the_subtree_and_nothing_else() -> None:
    lo, hi = scoped(Scope(False, STREET, None, False)).args
    for inside in (STREET, STREET + "330106001002/", STREET + "330106001002/330106001002003/"):
        assert lo <= inside < hi
    for outside in ("/330106/", "/330106/330106002/", "/330106/3301060010/", "/330107/"):
        assert not lo <= outside < hi


def test_filters_after_the_scope_number_their_placeholders_on() -> None:
    where = scoped(Scope(False, STREET, None, False))
    where.add("c.status = ANY({0}::text[])", ["dispatched"])
    where.add("(c.tracking_no = {0} OR c.description ILIKE '%' || {0} || '%')", "x")
    where.add("({0}, {1}) > (c.due_at, c.id)", NOW, 9)
    assert where.sql() == (
        RANGE + " AND NOT c.confidential AND c.status = ANY($3::text[]) "
        "AND (c.tracking_no = $4 OR c.description ILIKE '%' || $4 || '%') "
        "AND ($5, $6) > (c.due_at, c.id)"
    )
    assert where.args == [
        "/330106/330106001/",
        "/330106/3301060010",
        ["dispatched"],
        "x",
        NOW,
        9,
    ]
    _placeholders_in_order(where)


def test_an_empty_where_selects_everything() -> None:
    assert Where().sql() == "TRUE"


def test_supervision_belongs_to_the_step_that_is_running() -> None:
    assert rules.under_supervision("dispatched", "accept")
    assert not rules.under_supervision("accepted", "accept")  # accepted since: that step is done
    assert rules.under_supervision("accepted", "resolve")
    assert not rules.under_supervision("closed", "verify")
    assert not rules.under_supervision("submitted", None)


@pytest.mark.parametrize(
    ("confidential", "owner_kind", "department_kind", "allowed"),
    [
        (False, "police", None, True),
        (False, "police", "chengguan", True),
        (True, "police", "police", True),
        (True, "police", "chengguan", False),
        (True, "police", None, False),
        (True, "grid", None, False),
    ],
)
def test_a_lead_is_held_only_by_a_department_of_its_category(
    confidential: bool, owner_kind: str, department_kind: str | None, allowed: bool
) -> None:
    assert (
        rules.may_hold(
            confidential=confidential, owner_kind=owner_kind, department_kind=department_kind
        )
        is allowed
    )
