"""SQL of throttling: one function per statement."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.db.types import Connection


async def take_hit(
    conn: Connection,
    *,
    scope: str,
    key: str,
    now: datetime,
    window_start_after: datetime,
    limit: int,
) -> bool:
    """Count one hit if the key is under `limit` in its window; False (nothing counted) if not.

    One statement: the upsert locks the key's row, so concurrent hits are counted one after
    the other and never more than `limit` are taken. A window that started before
    `window_start_after` is over and starts afresh with this hit.
    """
    taken = await conn.fetchval(
        """
        INSERT INTO rate_windows AS w (scope, key, window_start, hits) VALUES ($1, $2, $3, 1)
        ON CONFLICT (scope, key) DO UPDATE SET
            window_start = CASE WHEN w.window_start <= $4 THEN $3 ELSE w.window_start END,
            hits = CASE WHEN w.window_start <= $4 THEN 1 ELSE w.hits + 1 END
        WHERE w.window_start <= $4 OR w.hits < $5
        RETURNING true
        """,
        scope,
        key,
        now,
        window_start_after,
        limit,
    )
    return bool(taken)


async def take_hits(
    conn: Connection,
    *,
    scope: str,
    key: str,
    hits: int,
    now: datetime,
    window_start_after: datetime,
    limit: int,
) -> bool:
    """Count `hits` (at most `limit`) at once if they all fit in the key's window; else none.

    As `take_hit`, in one statement, for a batch that costs more than one hit.
    """
    taken = await conn.fetchval(
        """
        INSERT INTO rate_windows AS w (scope, key, window_start, hits) VALUES ($1, $2, $3, $6)
        ON CONFLICT (scope, key) DO UPDATE SET
            window_start = CASE WHEN w.window_start <= $4 THEN $3 ELSE w.window_start END,
            hits = CASE WHEN w.window_start <= $4 THEN $6 ELSE w.hits + $6 END
        WHERE w.window_start <= $4 OR w.hits + $6 <= $5
        RETURNING true
        """,
        scope,
        key,
        now,
        window_start_after,
        limit,
        hits,
    )
    return bool(taken)


async def get_window(conn: Connection, *, scope: str, key: str) -> asyncpg.Record | None:
    """The key's current window: when it started and how many hits it holds."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT window_start, hits FROM rate_windows WHERE scope = $1 AND key = $2", scope, key
    )
    return row


async def window_start(conn: Connection, *, scope: str, key: str) -> datetime | None:
    """When the key's current window started; None when it has none."""
    value: datetime | None = await conn.fetchval(
        "SELECT window_start FROM rate_windows WHERE scope = $1 AND key = $2", scope, key
    )
    return value


async def delete_window(conn: Connection, *, scope: str, key: str) -> None:
    """Forget a key's window: its limit starts afresh."""
    await conn.execute("DELETE FROM rate_windows WHERE scope = $1 AND key = $2", scope, key)


async def give_back_hit(conn: Connection, *, scope: str, key: str) -> None:
    """Uncount one hit of the key's current window."""
    await conn.execute(
        "UPDATE rate_windows SET hits = hits - 1 WHERE scope = $1 AND key = $2 AND hits > 0",
        scope,
        key,
    )


async def delete_windows_before(
    conn: Connection, *, before: datetime, sparing: list[str] | None = None
) -> int:
    """Forget windows that started before a moment, except those of the `sparing` scopes."""
    result = await conn.execute(
        "DELETE FROM rate_windows WHERE window_start < $1 AND NOT scope = ANY($2::text[])",
        before,
        sparing or [],
    )
    return int(result.split()[-1])


async def delete_scope_windows_before(conn: Connection, *, scope: str, before: datetime) -> int:
    """Forget the windows of one scope that started before a moment."""
    result = await conn.execute(
        "DELETE FROM rate_windows WHERE scope = $1 AND window_start < $2", scope, before
    )
    return int(result.split()[-1])
