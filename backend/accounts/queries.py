"""SQL of the accounts domain: one function per statement."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.db.types import Connection

_USER_COLUMNS = """
    u.id, u.role, u.username, u.password_hash, u.display_name, u.nickname, u.phone, u.locale,
    u.region_id, u.department_id, u.disabled_at, u.created_at,
    coalesce(r.path, dr.path) AS region_path, r.code AS region_code,
    d.code AS department_code
"""
_USER_JOINS = """
    LEFT JOIN regions r ON r.id = u.region_id
    LEFT JOIN departments d ON d.id = u.department_id
    LEFT JOIN regions dr ON dr.id = d.region_id
"""


async def insert_resident(conn: Connection, *, locale: str) -> asyncpg.Record:
    """A new resident device account: no name, no phone."""
    row = await conn.fetchrow(
        "INSERT INTO users (role, locale) VALUES ('resident', $1) RETURNING id", locale
    )
    assert row is not None  # INSERT … RETURNING always yields a row
    return row


async def insert_staff(
    conn: Connection,
    *,
    username: str,
    password_hash: str,
    role: str,
    display_name: str,
    region_id: int | None,
    department_id: int | None,
    can_reveal_reporter: bool = False,
) -> asyncpg.Record | None:
    """A staff account; None when the username is taken."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        INSERT INTO users (role, username, password_hash, display_name, region_id, department_id,
                           can_reveal_reporter)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (username) DO NOTHING
        RETURNING id
        """,
        role,
        username,
        password_hash,
        display_name,
        region_id,
        department_id,
        can_reveal_reporter,
    )
    return row


async def get_user_by_username(conn: Connection, *, username: str) -> asyncpg.Record | None:
    """A staff user with scope, by login name."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_USER_COLUMNS} FROM users u {_USER_JOINS} WHERE u.username = $1", username
    )
    return row


async def get_user(conn: Connection, *, user_id: int) -> asyncpg.Record | None:
    """Any user with scope, by id."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_USER_COLUMNS} FROM users u {_USER_JOINS} WHERE u.id = $1", user_id
    )
    return row


async def set_password_hash(conn: Connection, *, user_id: int, password_hash: str) -> None:
    """Replace a staff user's password hash."""
    await conn.execute("UPDATE users SET password_hash = $2 WHERE id = $1", user_id, password_hash)


async def update_profile(
    conn: Connection, *, user_id: int, nickname: str | None, phone: str | None, locale: str
) -> None:
    """A resident's optional nickname and phone, and anyone's language."""
    await conn.execute(
        "UPDATE users SET nickname = $2, phone = $3, locale = $4 WHERE id = $1",
        user_id,
        nickname,
        phone,
        locale,
    )


async def insert_token(
    conn: Connection,
    *,
    token_hash: bytes,
    user_id: int,
    created_at: datetime,
    expires_at: datetime,
) -> None:
    """Record a new bearer token by its hash."""
    await conn.execute(
        """
        INSERT INTO auth_tokens (token_hash, user_id, created_at, expires_at)
        VALUES ($1, $2, $3, $4)
        """,
        token_hash,
        user_id,
        created_at,
        expires_at,
    )


async def get_token_user(
    conn: Connection, *, token_hash: bytes, now: datetime
) -> asyncpg.Record | None:
    """The enabled user behind a live (unexpired, unrevoked) token."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""
        SELECT {_USER_COLUMNS} FROM auth_tokens t JOIN users u ON u.id = t.user_id {_USER_JOINS}
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2
          AND u.disabled_at IS NULL
        """,
        token_hash,
        now,
    )
    return row


async def revoke_token(conn: Connection, *, token_hash: bytes, now: datetime) -> None:
    """Revoke one token (logout)."""
    await conn.execute(
        "UPDATE auth_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
        token_hash,
        now,
    )


async def get_login_failures(conn: Connection, *, scope: str, key: str) -> asyncpg.Record | None:
    """The failure window of one username or address."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT window_start, failures FROM login_failures WHERE scope = $1 AND key = $2",
        scope,
        key,
    )
    return row


async def record_login_failure(
    conn: Connection, *, scope: str, key: str, now: datetime, window_start_after: datetime
) -> None:
    """Count one failure; a window that started before `window_start_after` starts afresh."""
    await conn.execute(
        """
        INSERT INTO login_failures AS f (scope, key, window_start, failures) VALUES ($1, $2, $3, 1)
        ON CONFLICT (scope, key) DO UPDATE SET
            window_start = CASE WHEN f.window_start <= $4 THEN $3 ELSE f.window_start END,
            failures = CASE WHEN f.window_start <= $4 THEN 1 ELSE f.failures + 1 END
        """,
        scope,
        key,
        now,
        window_start_after,
    )


async def clear_login_failures(conn: Connection, *, scope: str, key: str) -> None:
    """Forget the failures of a key after a successful login."""
    await conn.execute("DELETE FROM login_failures WHERE scope = $1 AND key = $2", scope, key)


async def insert_department(
    conn: Connection, *, code: str, name: str, name_en: str, kind: str, region_id: int
) -> asyncpg.Record:
    """Create a department, or return the existing one with that code unchanged."""
    row = await conn.fetchrow(
        """
        WITH created AS (
            INSERT INTO departments (code, name, name_en, kind, region_id)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING RETURNING id
        )
        SELECT id FROM created UNION ALL SELECT id FROM departments WHERE code = $1
        LIMIT 1
        """,
        code,
        name,
        name_en,
        kind,
        region_id,
    )
    assert row is not None  # INSERT … RETURNING always yields a row
    return row


async def get_department_id(conn: Connection, *, code: str) -> int | None:
    """A department's id by its code."""
    value: int | None = await conn.fetchval("SELECT id FROM departments WHERE code = $1", code)
    return value
