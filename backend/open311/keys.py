"""Open311 API keys: issued by an admin (API or CLI), stored as a hash, revoked at once.

Each key gets an account of its own, made the way a phone's is (a resident with no name and
no phone), so its requests have a reporter of record without anyone's identity. The device
token that comes with such an account is revoked at once: the key is its only credential.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from backend.accounts import service as accounts
from backend.audit import service as audit
from backend.db.types import Connection
from backend.errors import NotFound
from backend.open311 import queries, rules
from backend.open311.schemas import Open311KeyCreatedOut, Open311KeyIn, Open311KeyOut
from backend.settings import Settings

_UNKNOWN_KEY = NotFound("open311.unknown_key", "没有这个密钥", "No such Open311 key")


def _key_out(row: asyncpg.Record) -> Open311KeyOut:
    return Open311KeyOut(
        id=row["id"],
        name=row["name"],
        reports_per_hour=row["reports_per_hour"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


async def issue_key(
    conn: Connection, *, settings: Settings, actor_id: int | None, data: Open311KeyIn, now: datetime
) -> Open311KeyCreatedOut:
    """A new key for a partner system; the key itself is in this answer and nowhere else."""
    api_key = rules.new_api_key()
    async with conn.transaction():
        account = await accounts.register_device(conn, settings=settings, now=now, locale="zh-CN")
        await accounts.logout(conn, token=account.token, now=now)
        row = await queries.insert_key(
            conn,
            key_hash=rules.key_digest(api_key),
            name=data.name,
            user_id=account.user.id,
            reports_per_hour=data.reports_per_hour,
            created_by=actor_id,
            created_at=now,
        )
        await audit.record(
            conn,
            actor_id=actor_id,
            action="open311_key.issue",
            subject=("open311_key", str(row["id"])),
            detail={"reportsPerHour": data.reports_per_hour},
        )
    return Open311KeyCreatedOut(**msgspec.structs.asdict(_key_out(row)), api_key=api_key)


async def list_keys(conn: Connection) -> list[Open311KeyOut]:
    """Every key, newest first, without the keys themselves."""
    return [_key_out(row) for row in await queries.list_keys(conn)]


async def revoke_key(
    conn: Connection, *, actor_id: int, key_id: int, now: datetime
) -> Open311KeyOut:
    """The key stops working at once; its requests stay as they are."""
    async with conn.transaction():
        row = await queries.revoke_key(conn, key_id=key_id, at=now)
        if row is None:
            raise _UNKNOWN_KEY
        await audit.record(
            conn,
            actor_id=actor_id,
            action="open311_key.revoke",
            subject=("open311_key", str(key_id)),
        )
    return _key_out(row)
