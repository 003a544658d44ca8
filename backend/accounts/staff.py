"""The off-switch for staff accounts: deactivate (停用), reactivate (启用), reset a password.

Deactivation and a password reset end every session of the user at once: their tokens are
revoked and, at commit, a NOTIFY tells every API process to close the user's live streams.
An admin acts on the staff within their own scope (the whole city when they have none);
the command line acts for the operator of the server, on anyone. Each change is audited.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.accounts import login_limits, queries, rules
from backend.accounts.passwords import hash_password_off_loop
from backend.accounts.rules import Principal
from backend.accounts.schemas import UserOut
from backend.accounts.service import user_out
from backend.audit import service as audit
from backend.db.types import Connection
from backend.errors import Invalid, NotFound
from backend.regions.paths import subtree_bounds

_NO_SUCH_STAFF = NotFound("accounts.not_found", "找不到该工作人员账号", "No such staff account")


async def staff_id(conn: Connection, *, username: str) -> int:
    """A staff user's id by login name (for the command line)."""
    found = await queries.get_staff_id(conn, username=username)
    if found is None:
        raise _NO_SUCH_STAFF
    return found


async def deactivate(
    conn: Connection, *, actor: Principal | None, user_id: int, now: datetime
) -> UserOut:
    """停用: the account can no longer log in; its sessions and live streams end at once."""
    if actor is not None and actor.user_id == user_id:
        raise Invalid(
            "accounts.deactivate_self",
            "不能停用自己的账号",
            "You cannot deactivate your own account",
        )
    async with conn.transaction():
        user = await _staff(conn, actor, user_id)
        await queries.set_disabled_at(conn, user_id=user_id, disabled_at=now)
        ended = await _end_sessions(conn, user_id=user_id, now=now)
        await _audit(conn, actor, user, "user.deactivate", {"sessionsEnded": ended})
        return await _current(conn, user_id)


async def reactivate(conn: Connection, *, actor: Principal | None, user_id: int) -> UserOut:
    """启用: the account may log in again (its old sessions stay ended)."""
    async with conn.transaction():
        user = await _staff(conn, actor, user_id)
        await queries.set_disabled_at(conn, user_id=user_id, disabled_at=None)
        await _audit(conn, actor, user, "user.reactivate", {})
        return await _current(conn, user_id)


async def reset_password(
    conn: Connection, *, actor: Principal | None, user_id: int, password: str, now: datetime
) -> UserOut:
    """重置密码: the new password works, every session opened with the old one ends."""
    password_hash = await hash_password_off_loop(password)
    async with conn.transaction():
        user = await _staff(conn, actor, user_id)
        await queries.set_password_hash(conn, user_id=user_id, password_hash=password_hash)
        ended = await _end_sessions(conn, user_id=user_id, now=now)
        await _audit(conn, actor, user, "user.password_reset", {"sessionsEnded": ended})
        return await _current(conn, user_id)


async def unlock(conn: Connection, *, actor: Principal | None, user_id: int) -> UserOut:
    """解锁: strangers' guesses no longer hold up this user's logins (see login_limits)."""
    async with conn.transaction():
        user = await _staff(conn, actor, user_id)
        await login_limits.unlock(conn, username=user["username"])
        await _audit(conn, actor, user, "user.unlock", {})
        return await _current(conn, user_id)


async def _staff(conn: Connection, actor: Principal | None, user_id: int) -> asyncpg.Record:
    """The staff user; 404 when absent, a resident, or outside the admin's scope."""
    path = actor.region_path if actor is not None else None
    lo, hi = subtree_bounds(path) if path else (None, None)
    user = await queries.get_staff_in_scope(conn, user_id=user_id, scope_lo=lo, scope_hi=hi)
    if user is None:
        raise _NO_SUCH_STAFF
    return user


async def _end_sessions(conn: Connection, *, user_id: int, now: datetime) -> int:
    revoked = await queries.revoke_user_tokens(conn, user_id=user_id, now=now)
    await queries.notify_sessions_ended(
        conn,
        channel=rules.SESSIONS_ENDED_CHANNEL,
        payload=rules.ended_sessions_payload(user_id=user_id),
    )
    return revoked


async def _audit(
    conn: Connection,
    actor: Principal | None,
    user: asyncpg.Record,
    action: str,
    detail: dict[str, object],
) -> None:
    await audit.record(
        conn,
        actor_id=actor.user_id if actor is not None else None,
        action=action,
        subject=("user", str(user["id"])),
        region_id=user["region_id"],
        detail={"role": user["role"], **detail},
    )


async def _current(conn: Connection, user_id: int) -> UserOut:
    row = await queries.get_user(conn, user_id=user_id)
    assert row is not None  # found by _staff in this same transaction
    return user_out(row)
