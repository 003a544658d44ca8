"""Accounts: log in, register a device, resolve a token, create staff."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from backend.accounts import queries, rules
from backend.accounts.passwords import hash_password, needs_rehash, verify_password
from backend.accounts.rules import Principal
from backend.accounts.schemas import ProfileIn, StaffIn, TokenOut, UserOut
from backend.audit import service as audit
from backend.db.types import Connection
from backend.errors import Conflict, Invalid, TooManyRequests, Unauthorized
from backend.regions import service as regions
from backend.settings import Settings

_BAD_LOGIN = Unauthorized(
    "auth.invalid_credentials", "用户名或密码错误", "Wrong username or password"
)


def user_out(row: asyncpg.Record) -> UserOut:
    """The public shape of a user; a phone is only ever shown to its owner."""
    return UserOut(
        id=row["id"],
        role=row["role"],
        locale=row["locale"],
        username=row["username"],
        display_name=row["display_name"] or None,
        nickname=row["nickname"],
        phone=row["phone"],
        region_code=row["region_code"],
        department_code=row["department_code"],
    )


def principal_from(row: asyncpg.Record) -> Principal:
    """The caller and their scope, from a user row with its region path."""
    return Principal(
        user_id=row["id"],
        role=row["role"],
        region_id=row["region_id"],
        region_path=row["region_path"],
        department_id=row["department_id"],
        locale=row["locale"],
    )


async def login(
    conn: Connection,
    *,
    settings: Settings,
    now: datetime,
    username: str,
    password: str,
    address: str,
) -> TokenOut:
    """登录: a staff token for the right password; throttled per username and per address."""
    keys = (("username", username.lower()), ("address", address))
    await _refuse_if_throttled(conn, settings=settings, now=now, keys=keys)
    user = await queries.get_user_by_username(conn, username=username)
    stored = user["password_hash"] if user is not None and user["disabled_at"] is None else None
    if not verify_password(stored, password) or user is None:
        await _count_failure(conn, settings=settings, now=now, keys=keys)
        raise _BAD_LOGIN
    await queries.clear_login_failures(conn, scope="username", key=username.lower())
    if stored is not None and needs_rehash(stored):
        await queries.set_password_hash(
            conn, user_id=user["id"], password_hash=hash_password(password)
        )
    lifetime = timedelta(hours=settings.staff_token_hours)
    return await _issue_token(conn, user=user, now=now, lifetime=lifetime)


async def _refuse_if_throttled(
    conn: Connection,
    *,
    settings: Settings,
    now: datetime,
    keys: tuple[tuple[str, str], ...],
) -> None:
    length = timedelta(minutes=settings.login_window_minutes)
    limits = {
        "username": settings.login_max_failures_per_user,
        "address": settings.login_max_failures_per_address,
    }
    for scope, key in keys:
        row = await queries.get_login_failures(conn, scope=scope, key=key)
        window = rules.FailureWindow(row["window_start"], row["failures"]) if row else None
        wait = rules.retry_after_seconds(window, now=now, limit=limits[scope], length=length)
        if wait is not None:
            raise TooManyRequests(
                "auth.throttled",
                "登录失败次数过多，请稍后再试",
                "Too many failed logins; try again later",
                retry_after=wait,
            )


async def _count_failure(
    conn: Connection,
    *,
    settings: Settings,
    now: datetime,
    keys: tuple[tuple[str, str], ...],
) -> None:
    since = now - timedelta(minutes=settings.login_window_minutes)
    for scope, key in keys:
        await queries.record_login_failure(
            conn, scope=scope, key=key, now=now, window_start_after=since
        )


async def _issue_token(
    conn: Connection, *, user: asyncpg.Record, now: datetime, lifetime: timedelta
) -> TokenOut:
    token = rules.new_token()
    expires_at = now + lifetime
    await queries.insert_token(
        conn,
        token_hash=rules.token_digest(token),
        user_id=user["id"],
        created_at=now,
        expires_at=expires_at,
    )
    return TokenOut(token=token, expires_at=expires_at, user=user_out(user))


async def register_device(
    conn: Connection, *, settings: Settings, now: datetime, locale: str
) -> TokenOut:
    """A resident's device gets an account and a token without giving a name."""
    async with conn.transaction():
        created = await queries.insert_resident(conn, locale=locale)
        user = await queries.get_user(conn, user_id=created["id"])
        assert user is not None
        lifetime = timedelta(days=settings.resident_token_days)
        return await _issue_token(conn, user=user, now=now, lifetime=lifetime)


async def authenticate(conn: Connection, *, token: str, now: datetime) -> Principal:
    """The principal behind a bearer token; 401 when it is unknown, expired or revoked."""
    row = await queries.get_token_user(conn, token_hash=rules.token_digest(token), now=now)
    if row is None:
        raise Unauthorized(
            "auth.invalid_token", "登录已失效，请重新登录", "Your session has expired; log in again"
        )
    return principal_from(row)


async def logout(conn: Connection, *, token: str, now: datetime) -> None:
    """注销: the token stops working at once."""
    await queries.revoke_token(conn, token_hash=rules.token_digest(token), now=now)


async def profile(conn: Connection, *, principal: Principal) -> UserOut:
    """The caller's own account."""
    row = await queries.get_user(conn, user_id=principal.user_id)
    assert row is not None
    return user_out(row)


async def update_profile(conn: Connection, *, principal: Principal, data: ProfileIn) -> UserOut:
    """A resident may add a nickname and phone; everyone may choose a language."""
    current = await profile(conn, principal=principal)
    if principal.is_staff and (data.nickname is not None or data.phone is not None):
        raise Invalid(
            "accounts.staff_profile",
            "工作人员资料由管理员维护",
            "Staff details are kept by an administrator",
        )
    await queries.update_profile(
        conn,
        user_id=principal.user_id,
        nickname=data.nickname if data.nickname is not None else current.nickname,
        phone=data.phone if data.phone is not None else current.phone,
        locale=data.locale or current.locale,
    )
    return await profile(conn, principal=principal)


async def create_staff(conn: Connection, *, actor_id: int | None, data: StaffIn) -> UserOut:
    """Create a staff account with its scope (admin endpoint and `gridreport create-user`)."""
    async with conn.transaction():
        region_id = await _region_id(conn, data.region_code)
        department_id = await _department_id(conn, data.department_code)
        problem = rules.scope_problem(
            data.role, has_region=region_id is not None, has_department=department_id is not None
        )
        if problem:
            raise Invalid("accounts.bad_scope", "账号的管辖范围与角色不符", problem)
        created = await queries.insert_staff(
            conn,
            username=data.username,
            password_hash=hash_password(data.password),
            role=data.role,
            display_name=data.display_name,
            region_id=region_id,
            department_id=department_id,
            can_reveal_reporter=data.can_reveal_reporter,
        )
        if created is None:
            raise Conflict("accounts.username_taken", "用户名已被使用", "That username is taken")
        await audit.record(
            conn,
            actor_id=actor_id,
            action="user.create",
            subject=("user", str(created["id"])),
            region_id=region_id,
            detail={"role": data.role},
        )
        row = await queries.get_user(conn, user_id=created["id"])
        assert row is not None
        return user_out(row)


async def _region_id(conn: Connection, code: str | None) -> int | None:
    if code is None:
        return None
    region_id = await regions.region_id_by_code(conn, code=code)
    if region_id is None:
        raise Invalid(
            "accounts.unknown_region",
            "没有这个区域",
            f"No region with code {code}",
            fields={"regionCode": "unknown"},
        )
    return region_id


async def _department_id(conn: Connection, code: str | None) -> int | None:
    if code is None:
        return None
    department_id = await queries.get_department_id(conn, code=code)
    if department_id is None:
        raise Invalid(
            "accounts.unknown_department",
            "没有这个部门",
            f"No department with code {code}",
            fields={"departmentCode": "unknown"},
        )
    return department_id
