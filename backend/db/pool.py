"""The asyncpg pool and the per-request connection dependency."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from backend.db.types import Connection
from backend.settings import Settings

# Queue and scope statements depend on their values (a district or one grid): every
# execution is planned for its values instead of reusing a generic plan that fits neither.
SERVER_SETTINGS = {
    "application_name": "gridreport",
    "timezone": "UTC",
    "plan_cache_mode": "force_custom_plan",
}
# A database that does not answer within these is treated as down: the request gets a 503
# with Retry-After at once instead of holding a phone for asyncpg's default minute. The
# pool needs nothing else to recover: a connection the server dropped is replaced on its
# next acquire, and one that fails while in use is terminated when it is released.
CONNECT_TIMEOUT_SECONDS = 5.0
ACQUIRE_TIMEOUT_SECONDS = 10.0


async def _init_connection(conn: Connection) -> None:
    # jsonb in and out through msgspec: the same encoder the API uses for its responses.
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name,
            schema="pg_catalog",
            encoder=lambda value: msgspec.json.encode(value).decode(),
            decoder=msgspec.json.decode,
        )


async def create_pool(settings: Settings, dsn: str) -> asyncpg.Pool:
    """Open the pool for one process; connections come ready with the jsonb codec."""
    pool: asyncpg.Pool = await asyncpg.create_pool(
        dsn,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        init=_init_connection,
        command_timeout=30,
        timeout=CONNECT_TIMEOUT_SECONDS,
        server_settings=SERVER_SETTINGS,
    )
    return pool


async def connect(dsn: str, **kwargs: Any) -> Connection:
    """One connection outside the pool (migrations, CLI, LISTEN)."""
    conn: Connection = await asyncpg.connect(dsn, **kwargs)
    await _init_connection(conn)
    return conn
