"""Fixed-window rate limits: take a hit, or learn how long to wait."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from backend.db.types import Connection
from backend.errors import TooManyRequests
from backend.throttle import queries, rules

HOUR = timedelta(hours=1)


async def take(
    conn: Connection, *, scope: str, key: str, limit: int, window: timedelta, now: datetime
) -> int | None:
    """Count one hit of `key` in `scope`; None when taken, else seconds until one may be."""
    if await queries.take_hit(
        conn, scope=scope, key=key, now=now, window_start_after=now - window, limit=limit
    ):
        return None
    started = await queries.window_start(conn, scope=scope, key=key)
    return rules.window_retry_after(started, now=now, window=window)


async def within_hourly(
    conn: Connection,
    *,
    scope: str,
    key: str,
    limit: int,
    now: datetime,
    refusal: tuple[str, str, str],
) -> None:
    """Count one hit of `key` in this hour's allowance, or raise 429 with the wait and the
    refusal (code, Chinese, English)."""
    wait = await take(conn, scope=scope, key=key, limit=limit, window=HOUR, now=now)
    if wait is not None:
        raise TooManyRequests(*refusal, retry_after=wait)


async def take_many(
    conn: Connection,
    *,
    scope: str,
    key: str,
    hits: int,
    limit: int,
    window: timedelta,
    now: datetime,
) -> int | None:
    """Count `hits` of `key` at once (all or none); None when taken, else seconds to wait.

    A batch larger than the whole limit never fits: it waits a full window.
    """
    if hits > limit:
        return rules.window_retry_after(None, now=now, window=window)
    if await queries.take_hits(
        conn,
        scope=scope,
        key=key,
        hits=hits,
        now=now,
        window_start_after=now - window,
        limit=limit,
    ):
        return None
    started = await queries.window_start(conn, scope=scope, key=key)
    return rules.window_retry_after(started, now=now, window=window)


async def give_back(conn: Connection, *, scope: str, key: str) -> None:
    """Uncount a hit that turned out not to be one (a login that succeeded)."""
    await queries.give_back_hit(conn, scope=scope, key=key)


async def reset(conn: Connection, *, scope: str, key: str) -> None:
    """Start a key's limit afresh (an administrator's unlock)."""
    await queries.delete_window(conn, scope=scope, key=key)


async def forget_old(
    conn: Connection,
    *,
    now: datetime,
    older_than: timedelta,
    longer: Mapping[str, timedelta] | None = None,
) -> int:
    """Delete windows long over, so the table holds only keys seen lately; the scopes in
    `longer` count over longer windows (a survey's life) and are kept as long as theirs."""
    longer = longer or {}
    forgotten = await queries.delete_windows_before(
        conn, before=now - older_than, sparing=sorted(longer)
    )
    for scope, kept in longer.items():
        forgotten += await queries.delete_scope_windows_before(
            conn, scope=scope, before=now - max(kept, older_than)
        )
    return forgotten


async def peek(
    conn: Connection, *, scope: str, key: str, limit: int, window: timedelta, now: datetime
) -> int | None:
    """Like `take` without counting: seconds to wait when the key is already at its limit."""
    row = await queries.get_window(conn, scope=scope, key=key)
    if row is None or row["window_start"] <= now - window or row["hits"] < limit:
        return None
    return rules.window_retry_after(row["window_start"], now=now, window=window)
