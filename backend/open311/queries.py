"""SQL of the Open311 interface: one function per statement.

GET requests is a public read model over cases: every read below keeps to cases whose
category is not confidential, both as filed and as the category stands now, and is public
(or was posted with the reading key), and selects nothing that names or reaches the reporter.
A case is known here by its random public id, never by its tracking number.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from backend.db.types import Connection

# Cases anyone may read through Open311; `cat` is the case's category as it stands now.
_PUBLIC = "NOT c.confidential AND NOT cat.confidential"
# … and those this reader may: public categories, and what its own key posted ($1).
_READABLE = f"""{_PUBLIC} AND (cat.public OR EXISTS (
    SELECT 1 FROM open311_requests o WHERE o.case_id = c.id AND o.key_id = $1))"""
_REQUEST_COLUMNS = """
    c.public_id, c.status, c.category_code, cat.name AS category_name,
    cat.name_en AS category_name_en, c.description, c.address, c.lat, c.lng, c.created_at,
    c.updated_at, c.closed_at, c.resolve_due_at, c.reject_reason, m.public_id AS merged_into,
    coalesce(d.name, a.name) AS agency, p.accept_minutes, p.resolve_minutes,
    (SELECT md.display_key FROM media md
      WHERE md.case_id = c.id AND md.purpose = 'report'
      ORDER BY md.position LIMIT 1) AS display_key
"""
_REQUEST_JOINS = """
    JOIN categories cat ON cat.code = c.category_code
    JOIN deadline_presets p ON p.code = cat.preset_code
    LEFT JOIN cases m ON m.id = c.master_case_id AND NOT m.confidential
    LEFT JOIN departments d ON d.id = c.department_id
    LEFT JOIN regions a ON a.id = c.assigned_region_id
"""


async def insert_key(
    conn: Connection,
    *,
    key_hash: bytes,
    name: str,
    user_id: int,
    reports_per_hour: int,
    created_by: int | None,
    created_at: datetime,
) -> asyncpg.Record:
    """A new API key (its hash) and the account its requests are filed under."""
    row = await conn.fetchrow(
        """
        INSERT INTO open311_keys (key_hash, name, user_id, reports_per_hour, created_by,
                                  created_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        RETURNING id, name, reports_per_hour, created_at, revoked_at
        """,
        key_hash,
        name,
        user_id,
        reports_per_hour,
        created_by,
        created_at,
    )
    assert row is not None  # INSERT … RETURNING always yields a row
    return row


async def list_keys(conn: Connection) -> list[asyncpg.Record]:
    """Every key, newest first (names and limits only; the hashes stay in the database)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, name, reports_per_hour, created_at, revoked_at FROM open311_keys "
        "ORDER BY id DESC"
    )
    return rows


async def revoke_key(conn: Connection, *, key_id: int, at: datetime) -> asyncpg.Record | None:
    """Stop a key at once (a second revoke keeps the first moment); None when unknown."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        UPDATE open311_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1
        RETURNING id, name, reports_per_hour, created_at, revoked_at
        """,
        key_id,
        at,
    )
    return row


async def get_live_key(conn: Connection, *, key_hash: bytes) -> asyncpg.Record | None:
    """The key with this hash, unless it has been revoked."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, user_id, reports_per_hour FROM open311_keys "
        "WHERE key_hash = $1 AND revoked_at IS NULL",
        key_hash,
    )
    return row


async def find_posted(
    conn: Connection, *, key_id: int, client_ids: list[uuid.UUID]
) -> asyncpg.Record | None:
    """The case an earlier POST of the same request created (under any of these ids)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        SELECT c.public_id, c.tracking_no, o.token
        FROM open311_requests o JOIN cases c ON c.id = o.case_id
        WHERE o.key_id = $1 AND o.client_id = ANY($2::uuid[])
        ORDER BY o.created_at DESC LIMIT 1
        """,
        key_id,
        client_ids,
    )
    return row


async def insert_posted(
    conn: Connection,
    *,
    case_id: int,
    key_id: int,
    client_id: uuid.UUID,
    token: uuid.UUID,
    created_at: datetime,
) -> bool:
    """Remember which key posted a case; False when it was already remembered."""
    status: str = await conn.execute(
        """
        INSERT INTO open311_requests (case_id, key_id, client_id, token, region_id, created_at)
        SELECT c.id, $2, $3, $4, c.region_id, $5 FROM cases c WHERE c.id = $1
        ON CONFLICT DO NOTHING
        """,
        case_id,
        key_id,
        client_id,
        token,
        created_at,
    )
    return status.endswith(" 1")


async def token_request(conn: Connection, *, token: uuid.UUID) -> asyncpg.Record | None:
    """The public case a token was issued for."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""
        SELECT c.public_id, o.token
        FROM open311_requests o
        JOIN cases c ON c.id = o.case_id
        JOIN categories cat ON cat.code = c.category_code
        WHERE o.token = $1 AND {_PUBLIC}
        """,
        token,
    )
    return row


async def requests_by_ids(
    conn: Connection, *, ids: list[str], key_id: int | None
) -> list[asyncpg.Record]:
    """Readable cases by public id (the service_request_id), newest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT {_REQUEST_COLUMNS} FROM cases c {_REQUEST_JOINS}
        WHERE c.public_id = ANY($2::text[]) AND {_READABLE}
        ORDER BY c.created_at DESC, c.id DESC
        """,
        key_id,
        ids,
    )
    return rows


async def requests_in_window(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    codes: list[str] | None,
    statuses: list[str] | None,
    limit: int,
    offset: int,
    key_id: int | None,
) -> list[asyncpg.Record]:
    """A page of readable cases filed in [start, end), newest first; filters are optional."""
    # The time window always bounds the scan, so the plan walks the index on the time of
    # receipt whatever filters come with it.
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT {_REQUEST_COLUMNS} FROM cases c {_REQUEST_JOINS}
        WHERE c.created_at >= $2 AND c.created_at < $3 AND {_READABLE}
          AND ($4::text[] IS NULL OR c.category_code = ANY($4::text[]))
          AND ($5::text[] IS NULL OR c.status = ANY($5::text[]))
        ORDER BY c.created_at DESC, c.id DESC
        LIMIT $6 OFFSET $7
        """,
        key_id,
        start,
        end,
        codes,
        statuses,
        limit,
        offset,
    )
    return rows


async def services_changed_at(conn: Connection) -> datetime | None:
    """When a category (a service) last changed: the discovery file's changeset."""
    changed: datetime | None = await conn.fetchval("SELECT max(updated_at) FROM categories")
    return changed
