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


async def insert_resident(conn: Connection, *, locale: str, now: datetime) -> asyncpg.Record:
    """A new resident device account: no name, no phone; made at the app's `now` (the
    surveys compare it with when a survey opened)."""
    row = await conn.fetchrow(
        "INSERT INTO users (role, locale, created_at) VALUES ('resident', $1, $2) RETURNING id",
        locale,
        now,
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


async def get_active_user(conn: Connection, *, user_id: int) -> asyncpg.Record | None:
    """A user with scope, by id, unless their account is deactivated."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_USER_COLUMNS} FROM users u {_USER_JOINS} "
        "WHERE u.id = $1 AND u.disabled_at IS NULL",
        user_id,
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


async def take_login_try(
    conn: Connection,
    *,
    username: str,
    source: str,
    now: datetime,
    forget_before: datetime,
    free_tries: int,
    first_wait: float,
    longest_wait: float,
) -> bool:
    """Count a login try of a username from a source; False (not counted) while it must wait.

    One statement, so parallel tries are counted one after the other. The wait is
    rules.login_wait_seconds in SQL; tries last made before `forget_before` are forgotten.
    """
    taken = await conn.fetchval(
        """
        INSERT INTO login_tries AS t (username, source, tries, last_try_at) VALUES ($1, $2, 1, $3)
        ON CONFLICT (username, source) DO UPDATE SET
            tries = CASE WHEN t.last_try_at <= $4 THEN 1 ELSE t.tries + 1 END,
            last_try_at = $3
        WHERE t.last_try_at <= $4
           OR t.tries < $5
           OR t.last_try_at + make_interval(
                  secs => least($7::float8, $6::float8 * power(2.0, least(t.tries - $5, 60)))
              ) <= $3
        RETURNING true
        """,
        username,
        source,
        now,
        forget_before,
        free_tries,
        first_wait,
        longest_wait,
    )
    return bool(taken)


async def get_login_tries(conn: Connection, *, username: str, source: str) -> asyncpg.Record | None:
    """How many tries a username had from a source, and when the last one was."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT tries, last_try_at FROM login_tries WHERE username = $1 AND source = $2",
        username,
        source,
    )
    return row


async def clear_login_tries(conn: Connection, *, username: str, source: str) -> None:
    """Forget a username's tries from a source after a successful login."""
    await conn.execute(
        "DELETE FROM login_tries WHERE username = $1 AND source = $2", username, source
    )


async def delete_login_tries_of(conn: Connection, *, username: str) -> None:
    """Forget every try of a username, from every source."""
    await conn.execute("DELETE FROM login_tries WHERE username = $1", username)


async def delete_login_tries_before(conn: Connection, *, before: datetime) -> int:
    """Forget the tries of sources quiet since before a moment."""
    result = await conn.execute("DELETE FROM login_tries WHERE last_try_at < $1", before)
    return int(result.split()[-1])


async def insert_known_device(
    conn: Connection, *, token_hash: bytes, user_id: int, created_at: datetime, expires_at: datetime
) -> None:
    """Remember a browser a user logged in from, by the hash of its cookie's token."""
    await conn.execute(
        """
        INSERT INTO known_devices (token_hash, user_id, created_at, expires_at)
        VALUES ($1, $2, $3, $4)
        """,
        token_hash,
        user_id,
        created_at,
        expires_at,
    )


async def is_known_device(
    conn: Connection, *, token_hash: bytes, user_id: int, now: datetime
) -> bool:
    """True when the token marks a browser this user logged in from, and it has not expired."""
    found = await conn.fetchval(
        """
        SELECT true FROM known_devices
        WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3
        """,
        token_hash,
        user_id,
        now,
    )
    return bool(found)


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


async def get_staff_in_scope(
    conn: Connection, *, user_id: int, scope_lo: str | None, scope_hi: str | None
) -> asyncpg.Record | None:
    """A staff user whose region (or department's region) lies in [scope_lo, scope_hi).

    With no bounds the whole city is in scope; a scoped admin never finds a user outside it.
    """
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""
        SELECT {_USER_COLUMNS} FROM users u {_USER_JOINS}
        WHERE u.id = $1 AND u.role <> 'resident'
          AND ($2::text IS NULL
               OR (coalesce(r.path, dr.path) >= $2 AND coalesce(r.path, dr.path) < $3))
        """,
        user_id,
        scope_lo,
        scope_hi,
    )
    return row


async def get_staff_id(conn: Connection, *, username: str) -> int | None:
    """A staff user's id by login name."""
    value: int | None = await conn.fetchval(
        "SELECT id FROM users WHERE username = $1 AND role <> 'resident'", username
    )
    return value


async def set_disabled_at(conn: Connection, *, user_id: int, disabled_at: datetime | None) -> None:
    """Deactivate a user from `disabled_at` (kept if already deactivated), or None to reactivate."""
    await conn.execute(
        """
        UPDATE users SET disabled_at = CASE WHEN $2::timestamptz IS NULL THEN NULL
                                            ELSE coalesce(disabled_at, $2) END
        WHERE id = $1
        """,
        user_id,
        disabled_at,
    )


async def revoke_user_tokens(conn: Connection, *, user_id: int, now: datetime) -> int:
    """Revoke every live token of a user; how many there were."""
    revoked: int = await conn.fetchval(
        """
        WITH revoked AS (
            UPDATE auth_tokens SET revoked_at = $2
            WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
            RETURNING 1
        )
        SELECT count(*) FROM revoked
        """,
        user_id,
        now,
    )
    return revoked


async def notify_sessions_ended(conn: Connection, *, channel: str, payload: str) -> None:
    """Tell every API process, at commit, which sessions ended (their open streams close)."""
    await conn.execute("SELECT pg_notify($1, $2)", channel, payload)


async def staff_answering_for(
    conn: Connection, *, user_ids: list[int], path: str, lo: str | None, hi: str | None
) -> list[asyncpg.Record]:
    """Active staff among `user_ids` whose region holds `path` or lies in [lo, hi); staff
    without a region (city admins, departments) too. Columns id, role, path."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT u.id, u.role, r.path FROM users u LEFT JOIN regions r ON r.id = u.region_id "
        "WHERE u.id = ANY($1::bigint[]) AND u.role <> 'resident' AND u.disabled_at IS NULL "
        "AND (r.path IS NULL OR $2 LIKE r.path || '%' "
        "OR ($3::text IS NULL OR (r.path >= $3 AND r.path < $4)))",
        user_ids,
        path,
        lo,
        hi,
    )
    return rows
