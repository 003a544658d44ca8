"""SQL of surveys: one function per statement; staff reads limited to a region range [lo, hi)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import asyncpg

from backend.db.types import Connection

_SURVEY_COLUMNS = """
    s.id, s.purpose, s.region_id, s.region_path, s.place_id, s.title, s.title_en, s.questions,
    s.channels, s.state, s.opens_on, s.closes_on, s.created_at, s.opened_at, s.closed_at,
    s.published_at, s.barred_entrants, r.code AS region_code, r.name AS region_name
"""
_IN_RANGE = "({lo}::text IS NULL OR (s.region_path >= {lo} AND s.region_path < {hi}))"


async def region_in_scope(
    conn: Connection, *, code: str, lo: str | None, hi: str | None
) -> asyncpg.Record | None:
    """A region by code, only if it lies in the range."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT r.id, r.path FROM regions r "
        "WHERE r.code = $1 AND ($2::text IS NULL OR (r.path >= $2 AND r.path < $3))",
        code,
        lo,
        hi,
    )
    return row


async def place_in_scope(
    conn: Connection, *, place_id: int, lo: str | None, hi: str | None
) -> asyncpg.Record | None:
    """An active place, only if the region it belongs to lies in the range."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT p.id, p.region_id, p.region_path FROM places p "
        "WHERE p.id = $1 AND p.active "
        "AND ($2::text IS NULL OR (p.region_path >= $2 AND p.region_path < $3))",
        place_id,
        lo,
        hi,
    )
    return row


async def insert_survey(conn: Connection, *, values: dict[str, Any]) -> int:
    """A new survey from named column values."""
    columns = list(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    survey_id: int = await conn.fetchval(
        f"INSERT INTO surveys ({', '.join(columns)}) VALUES ({placeholders}) RETURNING id",
        *values.values(),
    )
    return survey_id


async def survey_in_scope(
    conn: Connection, *, survey_id: int, lo: str | None, hi: str | None, lock: bool = False
) -> asyncpg.Record | None:
    """One survey, only if its region lies in the range."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_SURVEY_COLUMNS} FROM surveys s JOIN regions r ON r.id = s.region_id "
        f"WHERE s.id = $1 AND {_IN_RANGE.format(lo='$2', hi='$3')}"
        + (" FOR UPDATE OF s" if lock else ""),
        survey_id,
        lo,
        hi,
    )
    return row


async def set_state(conn: Connection, *, survey_id: int, state: str, at: datetime) -> None:
    """Move a survey to `state`, stamping when it was opened, closed or published."""
    await conn.execute(
        """
        UPDATE surveys SET state = $2,
            opened_at = CASE WHEN $2 = 'open' THEN $3 ELSE opened_at END,
            closed_at = CASE WHEN $2 = 'closed' THEN $3 ELSE closed_at END,
            published_at = CASE WHEN $2 = 'published' THEN $3 ELSE published_at END
        WHERE id = $1
        """,
        survey_id,
        state,
        at,
    )


async def insert_mark(
    conn: Connection, *, survey_id: int, mark: bytes, pending: bool = False
) -> bool:
    """Remember that a device answered; False when its mark is already there."""
    inserted: int | None = await conn.fetchval(
        "INSERT INTO survey_respondents (survey_id, mark, pending) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING RETURNING 1",
        survey_id,
        mark,
        pending,
    )
    return inserted is not None


async def answering_state(conn: Connection, *, survey_id: int) -> asyncpg.Record | None:
    """What decides whether a survey takes answers, its row held against a change of state
    (closing) until the answer's transaction ends; answers do not wait for one another."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT state, opens_on, closes_on, channels FROM surveys WHERE id = $1 FOR SHARE",
        survey_id,
    )
    return row


async def pending_answer_count(conn: Connection, *, survey_id: int) -> int:
    """How many of a survey's answers wait to be re-written with their batch."""
    count: int = await conn.fetchval(
        "SELECT count(*) FROM survey_answers WHERE survey_id = $1 AND pending", survey_id
    )
    return count


async def take_pending_answers(conn: Connection, *, survey_id: int) -> list[asyncpg.Record]:
    """Delete a survey's pending answers, returning what they held."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "DELETE FROM survey_answers WHERE survey_id = $1 AND pending "
        "RETURNING region_id, channel, grp, answers, entered_by",
        survey_id,
    )
    return rows


async def reinsert_answers(
    conn: Connection, *, survey_id: int, rows: Sequence[asyncpg.Record], day: date
) -> None:
    """Write answers anew in the given order (their ids follow it), all dated `day`."""
    await conn.execute(
        """
        INSERT INTO survey_answers (survey_id, region_id, channel, grp, answers, entered_by, day)
        SELECT $1, g.region_id, g.channel, g.grp, g.answers, g.entered_by, $7
        FROM unnest($2::bigint[], $3::text[], $4::text[], $5::jsonb[], $6::bigint[])
            WITH ORDINALITY AS g (region_id, channel, grp, answers, entered_by, position)
        ORDER BY g.position
        """,
        survey_id,
        [row["region_id"] for row in rows],
        [row["channel"] for row in rows],
        [row["grp"] for row in rows],
        [row["answers"] for row in rows],
        [row["entered_by"] for row in rows],
        day,
    )


async def take_pending_marks(conn: Connection, *, survey_id: int) -> list[bytes]:
    """Delete a survey's pending marks, returning them."""
    rows = await conn.fetch(
        "DELETE FROM survey_respondents WHERE survey_id = $1 AND pending RETURNING mark",
        survey_id,
    )
    return [row["mark"] for row in rows]


async def insert_marks(conn: Connection, *, survey_id: int, marks: Sequence[bytes]) -> None:
    """Write marks in order of mark, so that their order says nothing of when they came."""
    await conn.execute(
        "INSERT INTO survey_respondents (survey_id, mark) "
        "SELECT $1, m.mark FROM unnest($2::bytea[]) AS m (mark) ORDER BY m.mark",
        survey_id,
        list(marks),
    )


async def insert_answers(
    conn: Connection,
    *,
    survey_id: int,
    region_id: int,
    channel: str,
    rows: Sequence[tuple[str | None, dict[str, Any]]],
    entered_by: int | None,
    day: date,
    pending: bool = False,
) -> int:
    """Answer sets (group, answers) of one channel and day; returns how many were kept.

    An app answer is `pending` until it is re-written with its batch (see batches.py)."""
    count: int = await conn.fetchval(
        """
        WITH added AS (
            INSERT INTO survey_answers
                (survey_id, region_id, channel, grp, answers, entered_by, day, pending)
            SELECT $1, $2, $3, g.grp, g.answers, $6, $7, $8
            FROM unnest($4::text[], $5::jsonb[]) AS g (grp, answers)
            RETURNING 1
        )
        SELECT count(*) FROM added
        """,
        survey_id,
        region_id,
        channel,
        [group for group, _ in rows],
        [answers for _, answers in rows],
        entered_by,
        day,
        pending,
    )
    return count


async def answer_count(conn: Connection, *, survey_id: int) -> int:
    """How many answer sets a survey has."""
    count: int = await conn.fetchval(
        "SELECT count(*) FROM survey_answers WHERE survey_id = $1", survey_id
    )
    return count


async def chosen_counts(
    conn: Connection, *, survey_id: int, keys: Sequence[str]
) -> list[asyncpg.Record]:
    """(key, value, n): how often each value of these items was chosen (each option of a list)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT e.key, v.value, count(*)::int AS n
        FROM survey_answers a
        CROSS JOIN LATERAL jsonb_each(a.answers) AS e (key, value)
        CROSS JOIN LATERAL jsonb_array_elements_text(
            CASE jsonb_typeof(e.value) WHEN 'array' THEN e.value ELSE jsonb_build_array(e.value) END
        ) AS v (value)
        WHERE a.survey_id = $1 AND e.key = ANY($2::text[])
        GROUP BY e.key, v.value
        """,
        survey_id,
        list(keys),
    )
    return rows


async def answered_counts(
    conn: Connection, *, survey_id: int, keys: Sequence[str]
) -> list[asyncpg.Record]:
    """(key, n): how many answer sets answered each of these items."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT e.key, count(*)::int AS n
        FROM survey_answers a CROSS JOIN LATERAL jsonb_object_keys(a.answers) AS e (key)
        WHERE a.survey_id = $1 AND e.key = ANY($2::text[])
        GROUP BY e.key
        """,
        survey_id,
        list(keys),
    )
    return rows


# A survey reaches a resident through one of their reports in its scope (its region subtree,
# or its place), or through the point they stand at ($3: its region path, $4: its places).
_RESIDENT_REACH = """
    (s.place_id IS NULL AND (
        left($3::text, length(s.region_path)) = s.region_path
        OR EXISTS (
            SELECT 1 FROM cases c
            WHERE c.reporter_id = $1
              AND c.region_path >= s.region_path
              AND c.region_path < left(s.region_path, -1) || '0')))
    OR (s.place_id IS NOT NULL AND (
        s.place_id = ANY($4::bigint[])
        OR EXISTS (
            SELECT 1 FROM case_places cp JOIN cases c ON c.id = cp.case_id
            WHERE cp.place_id = s.place_id AND c.reporter_id = $1)))
"""


async def open_for_resident(
    conn: Connection,
    *,
    reporter_id: int,
    today: date,
    point_path: str | None,
    place_ids: Sequence[int],
) -> list[asyncpg.Record]:
    """Open app surveys whose scope holds one of the resident's reports or the given point."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT s.id, s.purpose, s.title, s.title_en, s.questions, s.closes_on,
            coalesce(s.opened_at, s.created_at) AS opened_at
        FROM surveys s
        WHERE s.state = 'open' AND $2 BETWEEN s.opens_on AND s.closes_on
          AND 'app' = ANY(s.channels)
          AND ({_RESIDENT_REACH})
        ORDER BY s.closes_on, s.id
        """,
        reporter_id,
        today,
        point_path,
        list(place_ids),
    )
    return rows


async def reaches_resident(
    conn: Connection,
    *,
    survey_id: int,
    reporter_id: int,
    point_path: str | None,
    place_ids: Sequence[int],
) -> bool:
    """Whether the survey's scope holds one of the resident's reports or the given point."""
    reached: bool | None = await conn.fetchval(
        f"SELECT true FROM surveys s WHERE s.id = $2 AND ({_RESIDENT_REACH})",
        reporter_id,
        survey_id,
        point_path,
        list(place_ids),
    )
    return bool(reached)


async def satisfaction_by_channel(
    conn: Connection, *, survey_id: int, key: str, satisfied: Sequence[str]
) -> list[asyncpg.Record]:
    """(channel, answered, satisfied) of one single-choice item, per channel with answers."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT channel,
               count(*)::int AS answered,
               count(*) FILTER (WHERE answers ->> $2 = ANY($3::text[]))::int AS satisfied
        FROM survey_answers
        WHERE survey_id = $1 AND answers ? $2
        GROUP BY channel
        ORDER BY channel
        """,
        survey_id,
        key,
        list(satisfied),
    )
    return rows


async def safety_surveys_between(conn: Connection, *, start: date, end: date) -> list[int]:
    """Ids of 安全感 surveys that ran (opened) on some day of [start, end]."""
    rows = await conn.fetch(
        "SELECT id FROM surveys WHERE purpose = 'safety' AND opened_at IS NOT NULL "
        "AND opens_on <= $2 AND closes_on >= $1",
        start,
        end,
    )
    return [row["id"] for row in rows]


async def marked_among(
    conn: Connection, *, survey_ids: Sequence[int], marks: Sequence[bytes]
) -> set[int]:
    """Which of these (survey, mark) pairs are already recorded: the surveys answered."""
    rows = await conn.fetch(
        """
        SELECT r.survey_id FROM survey_respondents r
        JOIN unnest($1::bigint[], $2::bytea[]) AS w (survey_id, mark)
          ON r.survey_id = w.survey_id AND r.mark = w.mark
        """,
        list(survey_ids),
        list(marks),
    )
    return {row["survey_id"] for row in rows}


async def ended_open_surveys(conn: Connection, *, today: date, limit: int) -> list[int]:
    """Open surveys whose last day has passed, oldest first."""
    rows = await conn.fetch(
        "SELECT id FROM surveys WHERE state = 'open' AND closes_on < $1 "
        "ORDER BY closes_on, id LIMIT $2",
        today,
        limit,
    )
    return [row["id"] for row in rows]


async def entry_batch(
    conn: Connection, *, entered_by: int, batch_id: uuid.UUID
) -> asyncpg.Record | None:
    """A batch of staff entries already kept under this id, if any."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT survey_id, entered FROM survey_entry_batches "
        "WHERE entered_by = $1 AND batch_id = $2",
        entered_by,
        batch_id,
    )
    return row


async def insert_entry_batch(
    conn: Connection,
    *,
    entered_by: int,
    batch_id: uuid.UUID,
    survey_id: int,
    region_id: int,
    entered: int,
    at: datetime,
) -> None:
    """Remember a batch of staff entries by the id its desk made for it."""
    await conn.execute(
        "INSERT INTO survey_entry_batches "
        "(entered_by, batch_id, survey_id, region_id, entered, at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        entered_by,
        batch_id,
        survey_id,
        region_id,
        entered,
        at,
    )
