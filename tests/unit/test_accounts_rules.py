"""Pure account rules: tokens, scopes, throttling windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.accounts import rules
from backend.accounts.passwords import hash_password, verify_password
from backend.regions.paths import child_path, codes_of, subtree_bounds

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def test_tokens_are_random_and_hashed() -> None:
    first, second = rules.new_token(), rules.new_token()
    assert first != second
    assert first.startswith(rules.TOKEN_PREFIX)
    assert len(first) > 40
    assert rules.token_digest(first) != rules.token_digest(second)
    assert len(rules.token_digest(first)) == 32


def test_throttle_only_after_the_limit_and_only_inside_the_window() -> None:
    under = rules.FailureWindow(NOW, 4)
    at = rules.FailureWindow(NOW, 5)
    assert rules.retry_after_seconds(None, now=NOW, limit=5, length=WINDOW) is None
    assert rules.retry_after_seconds(under, now=NOW, limit=5, length=WINDOW) is None
    assert rules.retry_after_seconds(at, now=NOW, limit=5, length=WINDOW) == 900
    later = NOW + timedelta(minutes=14, seconds=59, microseconds=500)
    assert rules.retry_after_seconds(at, now=later, limit=5, length=WINDOW) == 1
    assert rules.retry_after_seconds(at, now=NOW + WINDOW, limit=5, length=WINDOW) is None


def test_scope_must_fit_the_role() -> None:
    assert rules.scope_problem("worker", has_region=True, has_department=False) is None
    assert rules.scope_problem("worker", has_region=False, has_department=False)
    assert rules.scope_problem("department", has_region=False, has_department=False)
    assert rules.scope_problem("department", has_region=False, has_department=True) is None
    assert rules.scope_problem("admin", has_region=False, has_department=False) is None
    assert rules.scope_problem("dispatcher", has_region=True, has_department=True)


def test_passwords_hash_with_argon2id_and_verify() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "wrong horse")
    assert not verify_password(None, "correct horse")
    assert not verify_password("not a hash", "correct horse")


def test_region_paths_bound_exactly_their_subtree() -> None:
    street = child_path(child_path(None, "330106"), "330106001")
    assert street == "/330106/330106001/"
    assert codes_of(street) == ["330106", "330106001"]
    lo, hi = subtree_bounds(street)
    inside = child_path(street, "330106001002")
    sibling = child_path(child_path(None, "330106"), "3301060010")
    assert lo <= street < hi
    assert lo <= inside < hi
    assert not lo <= sibling < hi
    assert not lo <= "/330106/" < hi
