"""How staff logins are throttled, without letting strangers lock a staff member out.

- Per (username, source): the first few tries are free, then each try waits twice as long
  as the one before (GRIDREPORT_LOGIN_FREE_TRIES, _FIRST_WAIT_SECONDS, _LONGEST_WAIT_SECONDS).
  The source is the client address (trusted-proxy aware), or the known device.
- Per username and per client address: a ceiling of failures in a window. A known device —
  a browser holding the cookie set by an earlier login with the right password — passes
  both ceilings, so a flood of wrong guesses from elsewhere never shuts its owner out.
- Every try is counted before its password is checked, by one statement each, so parallel
  guesses cannot all slip under a limit; a try that succeeds is then uncounted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.accounts import queries, rules
from backend.db.types import Connection
from backend.errors import TooManyRequests
from backend.settings import Settings
from backend.throttle import service as throttle
from backend.throttle.rules import login_wait_seconds, seconds_until

DEVICE_COOKIE = "gridreport_device"


def _throttled(wait: int) -> TooManyRequests:
    return TooManyRequests(
        "auth.throttled",
        "登录尝试过于频繁，请稍后再试",
        "Too many login attempts; try again later",
        retry_after=wait,
    )


@dataclass(frozen=True, slots=True)
class LoginTry:
    """One counted try: which counters it took, to give them back if it succeeds."""

    username: str
    source: str
    ceilings: tuple[tuple[str, str], ...]


async def known_device(
    conn: Connection, *, user_id: int | None, device_token: str | None, now: datetime
) -> bytes | None:
    """The device's token digest when this browser is known for this user, else None."""
    if user_id is None or not device_token:
        return None
    digest = rules.token_digest(device_token)
    if await queries.is_known_device(conn, token_hash=digest, user_id=user_id, now=now):
        return digest
    return None


async def take_try(
    conn: Connection,
    *,
    settings: Settings,
    now: datetime,
    username: str,
    address_block: str,
    device: bytes | None,
) -> LoginTry:
    """Count a login try, or raise 429 with how long to wait."""
    name = username.lower()
    source = rules.login_source(address_block, known_device=device)
    await _take_delayed_try(conn, settings=settings, now=now, username=name, source=source)
    ceilings = (
        ()
        if device is not None
        else (
            ("login.username", name, settings.login_max_failures_per_user),
            ("login.address", address_block, settings.login_max_failures_per_address),
        )
    )
    window = timedelta(minutes=settings.login_window_minutes)
    taken: list[tuple[str, str]] = []
    for scope, key, limit in ceilings:
        wait = await throttle.take(conn, scope=scope, key=key, limit=limit, window=window, now=now)
        if wait is not None:
            for given_scope, given_key in taken:
                await throttle.give_back(conn, scope=given_scope, key=given_key)
            raise _throttled(wait)
        taken.append((scope, key))
    return LoginTry(username=name, source=source, ceilings=tuple(taken))


async def _take_delayed_try(
    conn: Connection, *, settings: Settings, now: datetime, username: str, source: str
) -> None:
    if await queries.take_login_try(
        conn,
        username=username,
        source=source,
        now=now,
        forget_before=now - timedelta(minutes=settings.login_window_minutes),
        free_tries=settings.login_free_tries,
        first_wait=settings.login_first_wait_seconds,
        longest_wait=settings.login_longest_wait_seconds,
    ):
        return
    row = await queries.get_login_tries(conn, username=username, source=source)
    if row is None:  # forgotten in between: the caller may simply try again
        raise _throttled(1)
    wait = login_wait_seconds(
        row["tries"],
        free=settings.login_free_tries,
        first_wait=settings.login_first_wait_seconds,
        longest_wait=settings.login_longest_wait_seconds,
    )
    raise _throttled(seconds_until(row["last_try_at"] + timedelta(seconds=wait), now=now))


async def succeeded(conn: Connection, attempt: LoginTry) -> None:
    """The password was right: this try was no failure, and the waits of its source end."""
    await queries.clear_login_tries(conn, username=attempt.username, source=attempt.source)
    for scope, key in attempt.ceilings:
        await throttle.give_back(conn, scope=scope, key=key)


async def unlock(conn: Connection, *, username: str) -> None:
    """解锁: the waits and the ceiling that guesses at this username built up end at once."""
    name = username.lower()
    await queries.delete_login_tries_of(conn, username=name)
    await throttle.reset(conn, scope="login.username", key=name)


async def remember_device(
    conn: Connection, *, settings: Settings, user_id: int, now: datetime
) -> str:
    """A new known-device token for the browser that just logged in with the right password."""
    token = rules.new_device_token()
    await queries.insert_known_device(
        conn,
        token_hash=rules.token_digest(token),
        user_id=user_id,
        created_at=now,
        expires_at=now + timedelta(days=settings.known_device_days),
    )
    return token


async def forget_old(conn: Connection, *, settings: Settings, now: datetime) -> int:
    """Delete the tries of sources quiet for longer than the window: they are forgotten anyway."""
    before = now - timedelta(minutes=settings.login_window_minutes)
    return await queries.delete_login_tries_before(conn, before=before)
