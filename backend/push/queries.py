"""SQL of Web Push: subscriptions, and the outbox as a leased queue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from backend.db.types import Connection


async def upsert_subscription(
    conn: Connection, *, user_id: int, endpoint: str, p256dh: str, auth: str, at: datetime
) -> None:
    """One row per endpoint; subscribing again (also as another user) takes it over."""
    await conn.execute(
        """
        INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh,
                                             auth = EXCLUDED.auth
        """,
        user_id,
        endpoint,
        p256dh,
        auth,
        at,
    )


async def delete_subscription(conn: Connection, *, user_id: int, endpoint: str) -> bool:
    """Unsubscribe one of the caller's own devices."""
    status: str = await conn.execute(
        "DELETE FROM push_subscriptions WHERE endpoint = $1 AND user_id = $2", endpoint, user_id
    )
    return status.endswith(" 1")


async def delete_gone(conn: Connection, *, subscription_id: int) -> None:
    """The push service said this subscription is gone (404/410)."""
    await conn.execute("DELETE FROM push_subscriptions WHERE id = $1", subscription_id)


async def lease_batch(
    conn: Connection, *, now: datetime, until: datetime, limit: int
) -> list[asyncpg.Record]:
    """Take due notifications for this worker until `until`; others skip them meanwhile.

    A lease that ran out (its worker died) makes the row due again: at least once.
    """
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        WITH due AS (
            SELECT id FROM outbox
            WHERE state = 'pending' AND next_attempt_at <= $1
              AND (leased_until IS NULL OR leased_until < $1)
            ORDER BY next_attempt_at, id LIMIT $3
            FOR UPDATE SKIP LOCKED
        )
        UPDATE outbox o SET leased_until = $2, attempts = o.attempts + 1
        FROM due, users u
        WHERE o.id = due.id AND u.id = o.user_id
        RETURNING o.id, o.user_id, o.kind, o.payload, o.attempts, u.locale, u.role
        """,
        now,
        until,
        limit,
    )
    return rows


async def targets(conn: Connection, *, outbox_id: int, user_id: int) -> list[asyncpg.Record]:
    """The user's devices this notification has not reached yet."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT s.id, s.endpoint, s.p256dh, s.auth FROM push_subscriptions s
        WHERE s.user_id = $2 AND NOT EXISTS (
            SELECT 1 FROM push_deliveries d WHERE d.outbox_id = $1 AND d.subscription_id = s.id)
        ORDER BY s.id
        """,
        outbox_id,
        user_id,
    )
    return rows


async def record_delivery(
    conn: Connection, *, outbox_id: int, subscription_id: int, at: datetime
) -> None:
    """One device got this notification."""
    await conn.execute(
        """
        WITH delivered AS (
            INSERT INTO push_deliveries (outbox_id, subscription_id, delivered_at)
            VALUES ($1, $2, $3) ON CONFLICT DO NOTHING
        )
        UPDATE push_subscriptions SET last_success_at = $3 WHERE id = $2
        """,
        outbox_id,
        subscription_id,
        at,
    )


async def finish(
    conn: Connection, *, outbox_id: int, state: str, at: datetime, error: str | None
) -> None:
    """Sent (every device reached, or none left) or dead (given up, with the reason)."""
    await conn.execute(
        "UPDATE outbox SET state = $2, sent_at = CASE WHEN $2 = 'sent' THEN $3::timestamptz END, "
        "leased_until = NULL, last_error = $4 WHERE id = $1",
        outbox_id,
        state,
        at,
        error,
    )


async def retry_later(conn: Connection, *, outbox_id: int, at: datetime, error: str) -> None:
    """Release the lease and come back at `at`."""
    await conn.execute(
        "UPDATE outbox SET next_attempt_at = $2, leased_until = NULL, last_error = $3 "
        "WHERE id = $1",
        outbox_id,
        at,
        error,
    )


async def insert_notifications(
    conn: Connection,
    *,
    user_ids: Sequence[int],
    region_id: int | None,
    kind: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> None:
    """Queue one notification of `kind` per user, about something other than a case."""
    await conn.execute(
        "INSERT INTO outbox (user_id, region_id, kind, payload, created_at, next_attempt_at) "
        "SELECT u, $2, $3, $4, $5, $5 FROM unnest($1::bigint[]) AS u",
        list(user_ids),
        region_id,
        kind,
        dict(payload),
        now,
    )
