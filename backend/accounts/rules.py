"""Pure decisions about accounts: roles, tokens, login sources. No I/O here."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Literal

Role = Literal["resident", "worker", "department", "dispatcher", "supervisor", "admin"]
STAFF_ROLES: frozenset[str] = frozenset(
    {"worker", "department", "dispatcher", "supervisor", "admin"}
)
# Roles whose scope is a region subtree; a department user is scoped by department instead.
REGION_SCOPED_ROLES: frozenset[str] = frozenset({"worker", "dispatcher", "supervisor"})
TOKEN_PREFIX = "grt_"  # noqa: S105 - a marker, not a secret
DEVICE_TOKEN_PREFIX = "grd_"  # noqa: S105 - a marker, not a secret
# NOTIFY channel on which the end of sessions reaches every API process's open streams.
SESSIONS_ENDED_CHANNEL = "sessions_ended"


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


@dataclass(frozen=True, slots=True)
class EndedSessions:
    """Whose sessions just ended: every one of a user, or the one behind a token digest."""

    user_id: int | None = None
    token_digest: bytes | None = None

    def names(self, *, user_id: int | None, token_digest: bytes | None) -> bool:
        """Whether a session of this user, opened with this token, is one of those ended."""
        by_user = self.user_id is not None and user_id == self.user_id
        return by_user or (self.token_digest is not None and token_digest == self.token_digest)


def ended_sessions_payload(*, user_id: int | None = None, token_digest: bytes | None = None) -> str:
    """The NOTIFY payload naming the ended sessions; ids and digests only, never a token."""
    body: dict[str, object] = {}
    if user_id is not None:
        body["userId"] = user_id
    if token_digest is not None:
        body["token"] = token_digest.hex()
    return json.dumps(body)


def parse_ended_sessions(raw: str) -> EndedSessions:
    """The sessions a NOTIFY payload names; nothing for a payload that cannot be read."""
    try:
        body = json.loads(raw)
        user_id, token = body.get("userId"), body.get("token")
        digest = bytes.fromhex(token) if isinstance(token, str) else None
    except (ValueError, AttributeError):
        return EndedSessions()
    return EndedSessions(user_id if isinstance(user_id, int) else None, digest)


def scope_problem(role: str, *, has_region: bool, has_department: bool) -> str | None:
    """Why a staff user's scope does not fit the role, or None when it does."""
    if role == "department" and not has_department:
        return "a department user needs a department"
    if role in REGION_SCOPED_ROLES and not has_region:
        return f"a {role} needs a region"
    if has_region and has_department:
        return "a user is scoped by a region or by a department, not both"
    return None


def new_device_token() -> str:
    """A known-device cookie's value: random, stored only as token_digest like a bearer token."""
    return DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)


def login_source(address_block: str, *, known_device: bytes | None) -> str:
    """Whose tries a login counts with: the known device's own, or the client address's."""
    if known_device is not None:
        return f"device:{known_device.hex()}"
    return f"address:{address_block}"
