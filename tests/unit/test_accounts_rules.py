"""Pure account rules: tokens, scopes, login waits and throttling windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.accounts import rules
from backend.accounts.passwords import hash_password, verify_password
from backend.regions.paths import child_path, codes_of, subtree_bounds
from backend.throttle.rules import login_wait_seconds, window_retry_after

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def test_tokens_are_random_and_hashed() -> None:
    first, second = rules.new_token(), rules.new_token()
    assert first != second
    assert first.startswith(rules.TOKEN_PREFIX)
    assert len(first) > 40
    assert rules.token_digest(first) != rules.token_digest(second)
    assert len(rules.token_digest(first)) == 32


def test_login_waits_start_after_the_free_tries_and_double_up_to_the_longest() -> None:
    waits = [
        login_wait_seconds(tries, free=3, first_wait=1.0, longest_wait=900.0)
        for tries in range(1, 16)
    ]
    assert waits[:5] == [0.0, 0.0, 1.0, 2.0, 4.0]
    assert waits[-1] == 900.0
    assert waits == sorted(waits)
    assert login_wait_seconds(10_000, free=3, first_wait=1.0, longest_wait=900.0) == 900.0


def test_a_full_window_waits_until_it_ends() -> None:
    assert window_retry_after(NOW, now=NOW, window=WINDOW) == 900
    later = NOW + timedelta(minutes=14, seconds=59, microseconds=500)
    assert window_retry_after(NOW, now=later, window=WINDOW) == 1
    assert window_retry_after(None, now=NOW, window=WINDOW) == 900


def test_a_known_device_counts_its_own_tries() -> None:
    device = rules.token_digest(rules.new_device_token())
    assert rules.login_source("203.0.113.9", known_device=None) == "address:203.0.113.9"
    assert rules.login_source("203.0.113.9", known_device=device) == f"device:{device.hex()}"
    assert rules.new_device_token().startswith(rules.DEVICE_TOKEN_PREFIX)


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
