"""Pure decisions about accounts: roles, tokens, login throttling. No I/O here."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Role = Literal["resident", "worker", "department", "dispatcher", "supervisor", "admin"]
STAFF_ROLES: frozenset[str] = frozenset(
    {"worker", "department", "dispatcher", "supervisor", "admin"}
)
# Roles whose scope is a region subtree; a department user is scoped by department instead.
REGION_SCOPED_ROLES: frozenset[str] = frozenset({"worker", "dispatcher", "supervisor"})
TOKEN_PREFIX = "grt_"  # noqa: S105 - a marker, not a secret


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, and the part of the city they may see."""

    user_id: int
    role: Role
    region_id: int | None
    region_path: str | None
    department_id: int | None
    locale: str

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def new_token() -> str:
    """A bearer token: 256 random bits; the prefix lets secret scanners recognise a leak."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> bytes:
    """What is stored and looked up: the token itself never reaches the database."""
    return hashlib.sha256(token.encode()).digest()


def scope_problem(role: str, *, has_region: bool, has_department: bool) -> str | None:
    """Why a staff user's scope does not fit the role, or None when it does."""
    if role == "department" and not has_department:
        return "a department user needs a department"
    if role in REGION_SCOPED_ROLES and not has_region:
        return f"a {role} needs a region"
    if has_region and has_department:
        return "a user is scoped by a region or by a department, not both"
    return None


@dataclass(frozen=True, slots=True)
class FailureWindow:
    """Failed logins counted for one username or one address since `start`."""

    start: datetime
    failures: int


def retry_after_seconds(
    window: FailureWindow | None, *, now: datetime, limit: int, length: timedelta
) -> int | None:
    """Seconds until another login may be tried, or None when the key is not throttled."""
    if window is None or window.failures < limit:
        return None
    ends = window.start + length
    if ends <= now:
        return None
    return max(1, math.ceil((ends - now).total_seconds()))
