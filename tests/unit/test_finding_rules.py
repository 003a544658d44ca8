"""The findings ledger's states: each move from where it may start, by whom, with what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.oversight import finding_rules as rules

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
STATES = ("open", "rectifying", "reported", "rechecked", "closed", "reopened")
ACTIONS = ("accept", "report", "recheck", "close", "reopen")


def test_the_road_to_closing_and_back_through_a_reopen() -> None:
    state = "open"
    for action in ("accept", "report", "recheck", "reopen", "accept", "report", "recheck"):
        following = rules.next_state(state, action)
        assert following is not None, (state, action)
        state = following
    assert state == "rechecked"
    assert rules.next_state(state, "close") == "closed"


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_only_the_listed_moves_are_open(state: str, action: str) -> None:
    allowed = {
        ("open", "accept"),
        ("reopened", "accept"),
        ("rectifying", "report"),
        ("reported", "recheck"),
        ("rechecked", "close"),
        ("rechecked", "reopen"),
    }
    assert (rules.next_state(state, action) is not None) == ((state, action) in allowed)


def test_a_closed_finding_moves_no_more() -> None:
    assert all(rules.next_state("closed", action) is None for action in ACTIONS)


@pytest.mark.parametrize(
    ("action", "answers", "checks", "allowed"),
    [
        ("accept", True, False, True),
        ("report", True, False, True),
        ("accept", False, True, False),
        ("report", False, True, False),
        ("recheck", False, True, True),
        ("close", False, True, True),
        ("reopen", False, True, True),
        ("close", True, False, False),
        ("reopen", True, False, False),
        ("recheck", False, False, False),
        ("accept", True, True, True),
    ],
)
def test_the_unit_rectifies_and_the_inspectors_check(
    action: str, answers: bool, checks: bool, allowed: bool
) -> None:
    assert rules.may_move(action, answers=answers, checks=checks) is allowed


def test_a_report_needs_evidence_photos_and_a_note() -> None:
    bare = rules.Move("report", "", 0, None)
    assert set(rules.missing(bare, now=NOW)) == {"note", "mediaIds"}
    assert rules.missing(rules.Move("report", "摊点已清理", 0, None), now=NOW) == {
        "mediaIds": "evidence photos required"
    }
    assert rules.missing(rules.Move("report", "摊点已清理", 2, None), now=NOW) == {}


def test_a_recheck_needs_a_note_and_photos_are_optional() -> None:
    assert "note" in rules.missing(rules.Move("recheck", "  ", 0, None), now=NOW)
    assert rules.missing(rules.Move("recheck", "现场已整改", 0, None), now=NOW) == {}


def test_a_reopen_needs_a_reason_and_a_later_deadline() -> None:
    later = NOW + timedelta(days=3)
    assert set(rules.missing(rules.Move("reopen", "", 0, None), now=NOW)) == {"note", "deadline"}
    assert "deadline" in rules.missing(rules.Move("reopen", "未整改到位", 0, NOW), now=NOW)
    assert rules.missing(rules.Move("reopen", "未整改到位", 0, later), now=NOW) == {}
    naive = later.replace(tzinfo=None)
    assert "deadline" in rules.missing(rules.Move("reopen", "未整改到位", 0, naive), now=NOW)


def test_a_deadline_lies_within_a_year() -> None:
    assert rules.deadline_fits(NOW + timedelta(days=365), now=NOW)
    assert not rules.deadline_fits(NOW + timedelta(days=367), now=NOW)
    far = NOW.replace(year=9999, month=12, day=31)
    assert "deadline" in rules.missing(rules.Move("reopen", "未整改到位", 0, far), now=NOW)


def test_accept_and_close_need_nothing() -> None:
    assert rules.missing(rules.Move("accept", "", 0, None), now=NOW) == {}
    assert rules.missing(rules.Move("close", "", 0, None), now=NOW) == {}


@pytest.mark.parametrize(
    ("state", "overdue"),
    [
        ("open", True),
        ("rectifying", True),
        ("reopened", True),
        ("reported", False),
        ("rechecked", False),
        ("closed", False),
    ],
)
def test_overdue_only_while_the_unit_still_owes(state: str, overdue: bool) -> None:
    deadline = NOW - timedelta(minutes=1)
    assert rules.overdue(state, deadline, now=NOW) is overdue
    assert rules.overdue(state, NOW + timedelta(minutes=1), now=NOW) is False


def test_closed_on_time_counts_the_last_report_against_the_deadline() -> None:
    deadline = NOW
    assert rules.closed_on_time("closed", NOW, deadline) is True
    assert rules.closed_on_time("closed", NOW + timedelta(seconds=1), deadline) is False
    assert rules.closed_on_time("rechecked", NOW - timedelta(days=1), deadline) is False
    assert rules.closed_on_time("closed", None, deadline) is False
