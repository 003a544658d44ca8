"""Staff passwords: argon2id, and a verification that costs the same for unknown users.

argon2 takes tens of milliseconds of CPU and 64 MiB per check on purpose. The async
functions run it on a small thread pool of its own (argon2-cffi releases the GIL), so logins
never stall the event loop, and the pool's size bounds the memory that logins can take.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
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


@cache
def _checkers(at_once: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(at_once, thread_name_prefix="passwords")


async def verify_password_off_loop(stored_hash: str | None, password: str, *, at_once: int) -> bool:
    """verify_password on the password thread pool, at most `at_once` at a time."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_checkers(at_once), verify_password, stored_hash, password)


async def hash_password_off_loop(password: str, *, at_once: int = 1) -> str:
    """hash_password on the password thread pool, at most `at_once` at a time.

    Hashing outside a login (an administrator setting a password) is rare: one at a time.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_checkers(at_once), hash_password, password)
