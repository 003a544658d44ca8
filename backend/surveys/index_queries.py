"""SQL of the survey indices: sums per answer region, the regions of the tree, the survey
to compare with, and the published surveys residents read. One function per statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import asyncpg

from backend.db.types import Connection


async def region_sums(
    conn: Connection,
    *,
    survey_id: int,
    safety_keys: Sequence[str],
    safety_kinds: Sequence[str],
    share_keys: Sequence[str | None],
    positives: Sequence[Sequence[str]],
) -> list[asyncpg.Record]:
    """Per answer region of a survey: its path, how many answer sets, n/Σ/Σ² of the answer
    sets' 安全感 scores, and answered/positive of the satisfaction, awareness and support items.

    An answer set's score is the mean of its answered safety items (`safety_keys` with their
    `safety_kinds`) rescaled to 0–100. `share_keys` name the three proportion items (null
    when absent), `positives` their positive options, in that order.
    """
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        WITH scored AS (
            SELECT a.region_id, a.answers,
                (SELECT avg(CASE k.kind
                                WHEN 'scale5' THEN ((a.answers ->> k.key)::float8 - 1) * 25
                                ELSE (a.answers ->> k.key)::float8 * 10 END)
                 FROM unnest($2::text[], $3::text[]) AS k (key, kind)
                 WHERE jsonb_typeof(a.answers -> k.key) = 'number') AS score
            FROM survey_answers a
            WHERE a.survey_id = $1
        )
        SELECT r.path,
            count(*)::int AS answered,
            count(s.score)::int AS safety_n,
            coalesce(sum(s.score), 0)::float8 AS safety_total,
            coalesce(sum(s.score * s.score), 0)::float8 AS safety_squares,
            count(*) FILTER (WHERE s.answers ? $4)::int AS satisfaction_answered,
            count(*) FILTER (WHERE s.answers ->> $4 = ANY($5::text[]))::int
                AS satisfaction_positive,
            count(*) FILTER (WHERE s.answers ? $6)::int AS awareness_answered,
            count(*) FILTER (WHERE s.answers ->> $6 = ANY($7::text[]))::int
                AS awareness_positive,
            count(*) FILTER (WHERE s.answers ? $8)::int AS support_answered,
            count(*) FILTER (WHERE s.answers ->> $8 = ANY($9::text[]))::int AS support_positive
        FROM scored s JOIN regions r ON r.id = s.region_id
        GROUP BY r.path
        ORDER BY r.path
        """,
        survey_id,
        list(safety_keys),
        list(safety_kinds),
        share_keys[0],
        list(positives[0]),
        share_keys[1],
        list(positives[1]),
        share_keys[2],
        list(positives[2]),
    )
    return rows


async def regions_by_path(conn: Connection, *, paths: Sequence[str]) -> list[asyncpg.Record]:
    """(path, code, name, level, parent code) of the regions with these paths."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT r.path, r.code, r.name, r.level, p.code AS parent_code
        FROM regions r LEFT JOIN regions p ON p.id = r.parent_id
        WHERE r.path = ANY($1::text[])
        """,
        list(paths),
    )
    return rows


async def previous_survey(
    conn: Connection,
    *,
    survey_id: int,
    purpose: str,
    region_id: int,
    place_id: int | None,
    opens_on: date,
    states: Sequence[str] = ("closed", "published"),
) -> asyncpg.Record | None:
    """The newest survey in one of `states` of the same purpose and scope that opened
    before this one."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        SELECT s.id, s.title, s.questions, s.region_path
        FROM surveys s
        WHERE s.id <> $1 AND s.purpose = $2 AND s.region_id = $3
          AND s.place_id IS NOT DISTINCT FROM $4
          AND s.state = ANY($6::text[]) AND s.opens_on < $5
        ORDER BY s.opens_on DESC, s.id DESC
        LIMIT 1
        """,
        survey_id,
        purpose,
        region_id,
        place_id,
        opens_on,
        list(states),
    )
    return row


async def latest_published_over(
    conn: Connection,
    *,
    paths: Sequence[str],
    survey_id: int | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> asyncpg.Record | None:
    """The newest published 安全感 survey of a whole region whose region has one of `paths`
    (the one that ran last: publishing an older survey late does not displace it); with
    `survey_id`, that survey only, if it is such a survey; with `first_day`/`last_day`, only
    a survey open at some time within those days."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        SELECT s.id, s.purpose, s.region_id, s.region_path, s.place_id, s.title, s.title_en,
            s.questions, s.opens_on, s.closes_on, s.published_at,
            r.code AS region_code, r.name AS region_name
        FROM surveys s JOIN regions r ON r.id = s.region_id
        WHERE s.state = 'published' AND s.purpose = 'safety' AND s.place_id IS NULL
          AND s.region_path = ANY($1::text[]) AND ($2::bigint IS NULL OR s.id = $2)
          AND ($3::date IS NULL OR s.closes_on >= $3)
          AND ($4::date IS NULL OR s.opens_on <= $4)
        ORDER BY s.opens_on DESC, s.published_at DESC, s.id DESC
        LIMIT 1
        """,
        list(paths),
        survey_id,
        first_day,
        last_day,
    )
    return row


async def surveys_in_range(
    conn: Connection,
    *,
    lo: str | None,
    hi: str | None,
    state: str | None,
    purpose: str | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Surveys whose region lies in the range, newest first, with how many answered."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT s.id, s.purpose, s.state, s.title, s.title_en, r.code AS region_code,
            r.name AS region_name, s.place_id, s.opens_on, s.closes_on,
            (SELECT count(*) FROM survey_answers a WHERE a.survey_id = s.id)::int AS answered
        FROM surveys s JOIN regions r ON r.id = s.region_id
        WHERE ($1::text IS NULL OR (s.region_path >= $1 AND s.region_path < $2))
          AND ($3::text IS NULL OR s.state = $3)
          AND ($4::text IS NULL OR s.purpose = $4)
        ORDER BY s.created_at DESC, s.id DESC
        LIMIT $5
        """,
        lo,
        hi,
        state,
        purpose,
        limit,
    )
    return rows


async def latest_report_path(conn: Connection, *, reporter_id: int, lo: str, hi: str) -> str | None:
    """The region path of the resident's latest report within the range [lo, hi)."""
    path: str | None = await conn.fetchval(
        """
        SELECT c.region_path FROM cases c
        WHERE c.reporter_id = $1 AND c.region_path >= $2 AND c.region_path < $3
        ORDER BY c.created_at DESC, c.id DESC
        LIMIT 1
        """,
        reporter_id,
        lo,
        hi,
    )
    return path


async def region_chain(conn: Connection, *, paths: Sequence[str]) -> list[asyncpg.Record]:
    """(id, path, level) of the regions with these paths, top-down."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT r.id, r.path, r.level FROM regions r WHERE r.path = ANY($1::text[]) "
        "ORDER BY length(r.path)",
        list(paths),
    )
    return rows
