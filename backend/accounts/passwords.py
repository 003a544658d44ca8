"""Staff passwords: argon2id, and a verification that costs the same for unknown users."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@cache
def _hasher() -> PasswordHasher:
    # argon2-cffi's defaults are RFC 9106's low-memory profile (argon2id, t=3, m=64 MiB).
    return PasswordHasher()


@cache
def _decoy_hash() -> str:
    return _hasher().hash("decoy password that no account has")


def hash_password(password: str) -> str:
    """An argon2id hash with its own salt and parameters."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; an absent user is checked against a decoy, in equal time."""
    try:
        ok = _hasher().verify(stored_hash or _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(stored_hash)
