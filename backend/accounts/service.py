"""Accounts: log in, register a device, resolve a token, create staff."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from backend.accounts import login_limits, queries, rules
from backend.accounts.passwords import (
    hash_password_off_loop,
    needs_rehash,
    verify_password_off_loop,
)
from backend.accounts.rules import Principal
from backend.accounts.schemas import ProfileIn, StaffIn, TokenOut, UserOut
from backend.audit import service as audit
from backend.db.types import Connection
from backend.errors import Conflict, Forbidden, Invalid, TooManyRequests, Unauthorized
from backend.regions import service as regions
from backend.regions.paths import subtree_bounds
from backend.settings import Settings
from backend.throttle import service as throttle
from backend.web.client_address import address_block

_BAD_LOGIN = Unauthorized(
    "auth.invalid_credentials", "用户名或密码错误", "Wrong username or password"
)
_DEACTIVATED = Forbidden(
    "auth.deactivated",
    "该账号已停用，请联系管理员",
    "This account has been deactivated; ask an administrator",
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
        active=row["disabled_at"] is None,
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
    device_token: str | None = None,
) -> tuple[TokenOut, str | None]:
    """登录: a staff token for the right password, throttled (see login_limits).

    Also returns a new known-device token when this browser was not known for the user yet.
    """
    user = await queries.get_user_by_username(conn, username=username)
    device = await login_limits.known_device(
        conn, user_id=user["id"] if user else None, device_token=device_token, now=now
    )
    attempt = await login_limits.take_try(
        conn,
        settings=settings,
        now=now,
        username=username,
        address_block=address_block(address),
        device=device,
    )
    stored = user["password_hash"] if user is not None else None
    at_once = settings.password_checks_at_once
    if not await verify_password_off_loop(stored, password, at_once=at_once) or user is None:
        raise _BAD_LOGIN
    await login_limits.succeeded(conn, attempt)
    if user["disabled_at"] is not None:
        # Said only to whoever knows the password: to anyone else it is a wrong password.
        raise _DEACTIVATED
    if stored is not None and needs_rehash(stored):
        rehashed = await hash_password_off_loop(password, at_once=at_once)
        await queries.set_password_hash(conn, user_id=user["id"], password_hash=rehashed)
    new_device = None
    if device is None:
        new_device = await login_limits.remember_device(
            conn, settings=settings, user_id=user["id"], now=now
        )
    lifetime = timedelta(hours=settings.staff_token_hours)
    return await _issue_token(conn, user=user, now=now, lifetime=lifetime), new_device


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


async def register_device_from(
    conn: Connection, *, settings: Settings, now: datetime, locale: str, address: str
) -> TokenOut:
    """register_device for a caller on the internet: limited per client address.

    Accounts are free, so every per-device limit would be void if new devices were too.
    """
    wait = await throttle.take(
        conn,
        scope="device.address",
        key=address_block(address),
        limit=settings.devices_per_hour_per_address,
        window=timedelta(hours=1),
        now=now,
    )
    if wait is not None:
        raise TooManyRequests(
            "auth.devices_throttled",
            "此网络新注册的设备过多，请稍后再试",
            "Too many new devices from this network; try again later",
            retry_after=wait,
        )
    return await register_device(conn, settings=settings, now=now, locale=locale)


async def register_device(
    conn: Connection, *, settings: Settings, now: datetime, locale: str
) -> TokenOut:
    """A resident's device gets an account and a token without giving a name."""
    async with conn.transaction():
        created = await queries.insert_resident(conn, locale=locale, now=now)
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


async def active_principal(conn: Connection, *, user_id: int) -> Principal | None:
    """A user and their scope while their account is active; None once deactivated or unknown."""
    row = await queries.get_active_user(conn, user_id=user_id)
    return principal_from(row) if row is not None else None


async def logout(conn: Connection, *, token: str, now: datetime) -> None:
    """注销: the token stops working at once, and so do the live streams opened with it."""
    digest = rules.token_digest(token)
    async with conn.transaction():
        await queries.revoke_token(conn, token_hash=digest, now=now)
        await queries.notify_sessions_ended(
            conn,
            channel=rules.SESSIONS_ENDED_CHANNEL,
            payload=rules.ended_sessions_payload(token_digest=digest),
        )


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


async def create_staff(conn: Connection, *, actor: Principal | None, data: StaffIn) -> UserOut:
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
            password_hash=await hash_password_off_loop(data.password),
            role=data.role,
            display_name=data.display_name,
            region_id=region_id,
            department_id=department_id,
            can_reveal_reporter=data.can_reveal_reporter,
        )
        if created is None:
            raise Conflict("accounts.username_taken", "用户名已被使用", "That username is taken")
        await _within_actor_scope(conn, actor, created["id"], data)
        await audit.record(
            conn,
            actor_id=actor.user_id if actor is not None else None,
            action="user.create",
            subject=("user", str(created["id"])),
            region_id=region_id,
            detail={"role": data.role},
        )
        row = await queries.get_user(conn, user_id=created["id"])
        assert row is not None
        return user_out(row)


async def _within_actor_scope(
    conn: Connection, actor: Principal | None, user_id: int, data: StaffIn
) -> None:
    # The same subtree rule an admin's other staff actions obey, checked on the new row
    # (its region, or its department's region) so the two can never disagree; raising
    # inside the caller's transaction takes the row back.
    if actor is None or actor.region_path is None:
        return
    lo, hi = subtree_bounds(actor.region_path)
    if await queries.get_staff_in_scope(conn, user_id=user_id, scope_lo=lo, scope_hi=hi):
        return
    field = "departmentCode" if data.department_code is not None else "regionCode"
    raise Forbidden(
        "accounts.out_of_scope",
        "只能在自己的管辖范围内创建工作人员账号",
        "You may create staff accounts only within your own area",
        fields={field: "out_of_scope"},
    )


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


async def staff_answering_for(
    conn: Connection, *, user_ids: list[int], path: str, lo: str | None, hi: str | None
) -> list[asyncpg.Record]:
    """Active staff among `user_ids` who may answer for a place at `path`: their region holds
    it or lies in the subtree [lo, hi) (all when lo is None); city admins and departments too."""
    return await queries.staff_answering_for(conn, user_ids=user_ids, path=path, lo=lo, hi=hi)


async def account_created_at(conn: Connection, *, user_id: int) -> datetime | None:
    """When an account was made; None for no such account."""
    row = await queries.get_user(conn, user_id=user_id)
    return None if row is None else row["created_at"]
