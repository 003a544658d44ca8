"""SQL of the public pages and reports: one function per statement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from backend.areas.register_queries import SUMMARY_JOINS
from backend.db.types import Connection

_REGION = """
SELECT r.id, r.code, r.name, r.level, r.path,
       p.code AS parent_code, p.name AS parent_name, p.level AS parent_level
  FROM regions r LEFT JOIN regions p ON p.id = r.parent_id
"""

# An area lies around a region when the region that answers for it, the region its place
# belongs to, or the region its place covers lies in the region's subtree.
_AROUND = """
    ((k.region_path >= $1 AND k.region_path < $2)
     OR (p.region_path >= $1 AND p.region_path < $2)
     OR (p.covers_path >= $1 AND p.covers_path < $2))
"""


async def region_by_code(conn: Connection, *, code: str) -> asyncpg.Record | None:
    """A region and its parent by code; every region's name is public."""
    row: asyncpg.Record | None = await conn.fetchrow(f"{_REGION} WHERE r.code = $1", code)
    return row


async def region_by_id(conn: Connection, *, region_id: int) -> asyncpg.Record | None:
    """A region and its parent by id."""
    row: asyncpg.Record | None = await conn.fetchrow(f"{_REGION} WHERE r.id = $1", region_id)
    return row


async def community_above(conn: Connection, *, path: str) -> asyncpg.Record | None:
    """The community (社区/村) a region lies in, with its parent; None when there is none."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"{_REGION} WHERE r.level = 'community' AND starts_with($1::text, r.path) "
        "ORDER BY length(r.path) DESC LIMIT 1",
        path,
    )
    return row


async def region_in_scope(
    conn: Connection, *, code: str, lo: str | None, hi: str | None
) -> asyncpg.Record | None:
    """A region and its parent by code, only when it lies in [lo, hi) (None: anywhere)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"{_REGION} WHERE r.code = $1 AND ($2::text IS NULL OR (r.path >= $2 AND r.path < $3))",
        code,
        lo,
        hi,
    )
    return row


async def areas_under_way(
    conn: Connection, *, lo: str, hi: str, states: tuple[str, ...], now: datetime, limit: int
) -> list[asyncpg.Record]:
    """Key areas being put right around a region, most serious first, with plan progress
    counted as the key-area register counts it."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT k.id, k.name, k.area_type, k.level, k.state, k.deadline, r.name AS region_name,
               coalesce(t.tasks, 0) AS tasks, coalesce(t.done, 0) AS done,
               coalesce(t.overdue, 0) AS overdue
          FROM key_areas k {SUMMARY_JOINS.format(now="$3")}
         WHERE k.state = ANY($4::text[]) AND {_AROUND}
         ORDER BY (k.tier = 'district') DESC NULLS LAST,
                  CASE k.level WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'blue' THEN 2
                  ELSE 3 END,
                  k.deadline NULLS LAST, k.id
         LIMIT $5
        """,
        lo,
        hi,
        now,
        list(states),
        limit,
    )
    return rows


async def areas_taken_off(
    conn: Connection, *, lo: str, hi: str, states: tuple[str, ...], since: datetime, limit: int
) -> list[asyncpg.Record]:
    """Key areas around a region taken off the list (摘牌) since a moment, latest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT k.id, k.name, k.area_type, k.lifted_at, r.name AS region_name
          FROM key_areas k
          JOIN places p ON p.id = k.place_id
          JOIN regions r ON r.id = k.region_id
         WHERE k.state = ANY($3::text[]) AND k.lifted_at >= $4 AND {_AROUND}
         ORDER BY k.lifted_at DESC, k.id DESC
         LIMIT $5
        """,
        lo,
        hi,
        list(states),
        since,
        limit,
    )
    return rows


async def survey_facts(
    conn: Connection, *, survey_id: int, lo: str | None, hi: str | None
) -> asyncpg.Record | None:
    """What publishing needs to know of a survey (its purpose, state and scope), only when
    its region lies in [lo, hi) (None: anywhere)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, purpose, state, place_id, region_path FROM surveys WHERE id = $1 "
        "AND ($2::text IS NULL OR (region_path >= $2 AND region_path < $3))",
        survey_id,
        lo,
        hi,
    )
    return row


_REF = """
SELECT pr.id, pr.year, pr.quarter, pr.version, pr.sections, pr.survey_id, pr.published_at,
       r.code AS region_code, r.name AS region_name, r.level AS region_level{figures}
  FROM public_reports pr JOIN regions r ON r.id = pr.region_id
"""
_REPORT = _REF.format(figures=", pr.figures")
_REPORT_REF = _REF.format(figures="")


async def insert_report(conn: Connection, *, values: dict[str, Any]) -> int:
    """Store a published quarter as the next version of that region's quarter."""
    report_id: int = await conn.fetchval(
        """
        INSERT INTO public_reports (region_id, region_path, year, quarter, version, sections,
                                    survey_id, figures, published_by, published_at)
        SELECT $1::bigint, $2::text, $3::int, $4::int, coalesce(max(version), 0) + 1,
               $5::text[], $6::bigint, $7::jsonb, $8::bigint, $9::timestamptz
          FROM public_reports WHERE region_id = $1 AND year = $3 AND quarter = $4
        RETURNING id
        """,
        values["region_id"],
        values["region_path"],
        values["year"],
        values["quarter"],
        values["sections"],
        values["survey_id"],
        values["figures"],
        values["published_by"],
        values["published_at"],
    )
    return report_id


async def lock_quarter(conn: Connection, *, region_id: int, year: int, quarter: int) -> None:
    """Hold a region's quarter for this transaction, so two publishers never take one version."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtext('public_reports'), hashtext($1))",
        f"{region_id}:{year}:{quarter}",
    )


async def report_by_id(conn: Connection, *, report_id: int) -> asyncpg.Record | None:
    """One published report with its frozen figures."""
    row: asyncpg.Record | None = await conn.fetchrow(f"{_REPORT} WHERE pr.id = $1", report_id)
    return row


async def reports_of(
    conn: Connection, *, region_id: int | None, limit: int
) -> list[asyncpg.Record]:
    """Published reports of one region (every region when None), newest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""{_REPORT_REF}
         WHERE $1::bigint IS NULL OR pr.region_id = $1
         ORDER BY pr.published_at DESC, pr.id DESC
         LIMIT $2
        """,
        region_id,
        limit,
    )
    return rows


async def latest_report_of(conn: Connection, *, paths: list[str]) -> asyncpg.Record | None:
    """The newest report published for the regions now at these paths (a region and those
    above it), found by the regions' ids: the path stored with a report may be stale."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""{_REPORT_REF}
         WHERE pr.region_id = ANY(SELECT id FROM regions WHERE path = ANY($1::text[]))
         ORDER BY pr.published_at DESC, length(r.path) DESC, pr.id DESC
         LIMIT 1
        """,
        paths,
    )
    return row
