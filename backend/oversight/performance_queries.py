"""SQL of grid workers' performance: one function per statement, workers read by scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from backend.db.types import Connection


async def workers(
    conn: Connection,
    *,
    scope_lo: str | None,
    scope_hi: str | None,
    user_id: int | None,
    active_since: datetime,
    limit: int,
) -> list[asyncpg.Record]:
    """Grid workers whose region lies in a subtree (None: the whole city), or one of them;
    those disabled before `active_since` are left out."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT u.id, coalesce(nullif(u.display_name, ''), u.username) AS name,
               r.code AS region_code, r.name AS region_name
        FROM users u LEFT JOIN regions r ON r.id = u.region_id
        WHERE u.role = 'worker'
          AND ($1::text IS NULL OR (r.path >= $1 AND r.path < $2))
          AND ($3::bigint IS NULL OR u.id = $3)
          AND (u.disabled_at IS NULL OR u.disabled_at >= $4)
        ORDER BY r.path, name, u.id
        LIMIT $5
        """,
        scope_lo,
        scope_hi,
        user_id,
        active_since,
        limit,
    )
    return rows


async def handled_cases(
    conn: Connection,
    *,
    user_ids: Sequence[int],
    start: datetime,
    end: datetime,
    satisfied_above: int,
) -> list[asyncpg.Record]:
    """Per worker, the cases they did the 处置 of in [start, end), followed to `end`.

    A case's events are compared by their order on its timeline (ids), not by time: steps
    recorded within one instant still come before or after the worker's 处置. A case is late
    for its handler when a step in a handler's hands (已派遣, 已签收) was 催办 anywhere on its
    timeline up to `end`: a case sent back and overrunning its second round is late too."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        WITH handled AS (
            SELECT e.actor_id AS user_id, e.case_id, min(e.id) AS first_resolve
            FROM case_events e
            WHERE e.action = 'resolve' AND e.actor_id = ANY($1::bigint[])
              AND e.at >= $2 AND e.at < $3
            GROUP BY e.actor_id, e.case_id
        ), lives AS (
            SELECT h.user_id, h.case_id, c.rating,
                   bool_or(x.action = 'remind'
                           AND x.from_status IN ('dispatched', 'accepted')) AS late,
                   bool_or(x.action IN ('verify_fail', 'reopen')
                           AND x.id > h.first_resolve) AS reworked,
                   bool_or(x.action = 'rate') AS rated
            FROM handled h
            JOIN cases c ON c.id = h.case_id
            JOIN case_events x ON x.case_id = h.case_id AND x.at < $3
            GROUP BY h.user_id, h.case_id, c.rating
        )
        SELECT user_id, count(*) AS handled,
               count(*) FILTER (WHERE NOT late) AS on_time,
               count(*) FILTER (WHERE reworked) AS reworked,
               count(*) FILTER (WHERE rated) AS rated,
               avg(rating) FILTER (WHERE rated)::float8 AS rating_avg,
               count(*) FILTER (WHERE rated AND rating > $4) AS satisfied
        FROM lives
        GROUP BY user_id
        """,
        list(user_ids),
        start,
        end,
        satisfied_above,
    )
    return rows


async def patrol_reports(
    conn: Connection, *, user_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, int]:
    """Per worker, the reports they filed on patrol (巡查上报) in [start, end)."""
    rows = await conn.fetch(
        """
        SELECT reporter_id, count(*) AS n FROM cases
        WHERE source = 'patrol' AND reporter_id = ANY($1::bigint[])
          AND created_at >= $2 AND created_at < $3
        GROUP BY reporter_id
        """,
        list(user_ids),
        start,
        end,
    )
    return {row["reporter_id"]: row["n"] for row in rows}


async def duties(
    conn: Connection,
    *,
    user_ids: Sequence[int],
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[asyncpg.Record]:
    """Per worker, their duties done in [start, end), and those due in it (up to now) that
    were not done by their due time."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT owner_user_id AS user_id,
               count(*) FILTER (WHERE state = 'done' AND done_at >= $2 AND done_at < $3)
                   AS done,
               count(*) FILTER (WHERE state <> 'cancelled' AND due_at >= $2
                                  AND due_at < least($3, $4)
                                  AND (done_at IS NULL OR done_at > due_at)) AS overdue
        FROM duties
        WHERE owner_user_id = ANY($1::bigint[])
        GROUP BY owner_user_id
        """,
        list(user_ids),
        start,
        end,
        now,
    )
    return rows
