"""SQL of uploaded photos."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from backend.cases.sql import Where
from backend.db.types import Connection

_COLUMNS = """
    id, uploader_id, client_key, display_key, thumbnail_key, width, height, bytes,
    thumbnail_width, thumbnail_height, content_type, purpose, case_id, subject_id, created_at
"""

_OF_M = ", ".join(f"m.{column.strip()}" for column in _COLUMNS.split(","))


async def lock_key(conn: Connection, *, key: str) -> None:
    """Serialise upload and sweep of one stored object for the rest of the transaction."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)


async def insert_media(conn: Connection, *, values: dict[str, Any]) -> asyncpg.Record | None:
    """Record an uploaded photo; None when this uploader already sent this client key."""
    columns = list(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    row: asyncpg.Record | None = await conn.fetchrow(
        f"INSERT INTO media ({', '.join(columns)}) VALUES ({placeholders}) "
        f"ON CONFLICT (uploader_id, client_key) DO NOTHING RETURNING {_COLUMNS}",
        *values.values(),
    )
    return row


async def get_by_client_key(
    conn: Connection, *, uploader_id: int, client_key: str
) -> asyncpg.Record | None:
    """The photo this uploader already sent under a client key."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM media WHERE uploader_id = $1 AND client_key = $2",
        uploader_id,
        client_key,
    )
    return row


async def attach(
    conn: Connection,
    *,
    media_ids: list[uuid.UUID],
    uploader_id: int,
    case_id: int,
    region_id: int,
    purpose: str,
    at: datetime,
) -> int:
    """Attach the uploader's unattached photos of a purpose to a case, in the given order."""
    status: str = await conn.execute(
        """
        UPDATE media m SET case_id = $3, region_id = $4, attached_at = $6, position = o.n
        FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)
        WHERE m.id = o.id AND m.uploader_id = $2 AND m.case_id IS NULL AND m.purpose = $5
        """,
        media_ids,
        uploader_id,
        case_id,
        region_id,
        purpose,
        at,
    )
    return int(status.split()[-1])


async def attach_to_subject(
    conn: Connection,
    *,
    media_ids: list[uuid.UUID],
    uploader_id: int,
    subject_kind: str,
    subject_id: int,
    region_id: int,
    at: datetime,
) -> int:
    """Attach the uploader's unused evidence photos to a subject (a task, a sweep record …):
    all of them, or none when any is unknown, someone else's or already used."""
    status: str = await conn.execute(
        """
        WITH given AS (
            SELECT o.id, o.n FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)
        ), usable AS (
            SELECT m.id FROM media m JOIN given g ON g.id = m.id
            WHERE m.uploader_id = $2 AND m.purpose = 'evidence'
              AND m.case_id IS NULL AND m.subject_id IS NULL
        )
        UPDATE media m SET subject_kind = $3, subject_id = $4, region_id = $5, attached_at = $6,
                           position = g.n
        FROM given g
        WHERE m.id = g.id AND m.uploader_id = $2 AND m.purpose = 'evidence'
          AND m.case_id IS NULL AND m.subject_id IS NULL
          AND (SELECT count(*) FROM usable) = (SELECT count(DISTINCT id) FROM given)
        """,
        media_ids,
        uploader_id,
        subject_kind,
        subject_id,
        region_id,
        at,
    )
    return int(status.split()[-1])


async def list_for_subject(
    conn: Connection, *, subject_kind: str, subject_id: int
) -> list[asyncpg.Record]:
    """The evidence photos of a subject, in order."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {_COLUMNS} FROM media WHERE subject_kind = $1 AND subject_id = $2 "
        "ORDER BY position, created_at",
        subject_kind,
        subject_id,
    )
    return rows


async def list_for_case(conn: Connection, *, case_id: int) -> list[asyncpg.Record]:
    """The photos of a case, before (report) and after (resolution), in order, with whether
    the case is confidential."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT {_OF_M}, c.confidential FROM media m JOIN cases c ON c.id = m.case_id
        WHERE m.case_id = $1 ORDER BY m.purpose, m.position
        """,
        case_id,
    )
    return rows


async def covers(conn: Connection, *, case_ids: list[int]) -> list[asyncpg.Record]:
    """The first report photo of each of these cases, with whether its case is confidential."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT DISTINCT ON (m.case_id) m.case_id, m.id, m.display_key, m.thumbnail_key,
               c.confidential
        FROM media m JOIN cases c ON c.id = m.case_id
        WHERE m.case_id = ANY($1::bigint[]) AND m.purpose = 'report'
        ORDER BY m.case_id, m.position
        """,
        case_ids,
    )
    return rows


async def get_media(conn: Connection, *, media_id: uuid.UUID) -> asyncpg.Record | None:
    """One photo by id."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM media WHERE id = $1", media_id
    )
    return row


async def shown_to(
    conn: Connection,
    *,
    media_id: uuid.UUID,
    viewer: int,
    rendition: str,
    staff_scope: Where,
    open_statuses: list[str],
    evidence_scope: tuple[str, str] | None = None,
    all_evidence: bool = False,
) -> bool:
    """Whether a user may still see a photo: their own upload not yet sent; a photo of a case
    in their staff scope, or of a case they reported; of a non-confidential case, one merged
    into or followed by them, or the cover thumbnail of an open one (shown to all nearby);
    evidence of a subject (a task, a sweep) in the region range `evidence_scope` (staff)."""
    first = len(staff_scope.args)
    media, user, shown_as, open_, every, lo, hi = (f"${first + n}" for n in range(1, 8))
    lo_hi = evidence_scope or (None, None)
    found: bool = await conn.fetchval(
        f"""
        WITH RECURSIVE merged_into (id) AS (
            SELECT master_case_id FROM cases
            WHERE reporter_id = {user} AND master_case_id IS NOT NULL
            UNION
            SELECT c.master_case_id FROM cases c JOIN merged_into mi ON c.id = mi.id
            WHERE c.master_case_id IS NOT NULL
        )
        SELECT EXISTS (
            SELECT 1 FROM media m LEFT JOIN cases c ON c.id = m.case_id
            WHERE m.id = {media} AND (
                (m.case_id IS NULL AND m.uploader_id = {user})
                OR (m.subject_id IS NOT NULL AND m.purpose = 'evidence' AND (
                    {every}::boolean OR EXISTS (
                        SELECT 1 FROM regions r
                        WHERE r.id = m.region_id AND r.path >= {lo}::text AND r.path < {hi}::text
                    )
                ))
                OR (c.id IS NOT NULL AND {staff_scope.sql()})
                OR c.reporter_id = {user}
                OR (NOT c.confidential AND (
                    c.id IN (SELECT id FROM merged_into)
                    OR EXISTS (
                        SELECT 1 FROM case_followers f WHERE f.case_id = c.id AND f.user_id = {user}
                    )
                    OR ({shown_as} = 'thumbnail' AND m.purpose = 'report'
                        AND c.status = ANY({open_}::text[])
                        AND NOT EXISTS (
                            SELECT 1 FROM media p
                            WHERE p.case_id = c.id AND p.purpose = 'report'
                              AND p.position < m.position
                        ))
                ))
            )
        )
        """,
        *staff_scope.args,
        media_id,
        viewer,
        rendition,
        open_statuses,
        all_evidence,
        lo_hi[0],
        lo_hi[1],
    )
    return found


async def key_of_confidential_case(conn: Connection, *, key: str) -> bool:
    """True when a stored object shows a photo of any confidential case."""
    found: bool = await conn.fetchval(
        """
        SELECT EXISTS (
            SELECT 1 FROM media m JOIN cases c ON c.id = m.case_id
            WHERE (m.display_key = $1 OR m.thumbnail_key = $1) AND c.confidential
        )
        """,
        key,
    )
    return found


async def unattached_before(
    conn: Connection, *, before: datetime, limit: int
) -> list[asyncpg.Record]:
    """Photos never attached to a case or a subject, uploaded before a moment (oldest first)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, display_key, thumbnail_key FROM media "
        "WHERE case_id IS NULL AND subject_id IS NULL AND created_at < $1 "
        "ORDER BY created_at LIMIT $2",
        before,
        limit,
    )
    return rows


async def delete_unattached(conn: Connection, *, media_id: uuid.UUID) -> bool:
    """Delete a photo row if it is still unattached (to a case or a subject)."""
    status: str = await conn.execute(
        "DELETE FROM media WHERE id = $1 AND case_id IS NULL AND subject_id IS NULL", media_id
    )
    return status.endswith(" 1")


async def key_in_use(conn: Connection, *, key: str) -> bool:
    """True while any photo row still points at a stored object."""
    used: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM media WHERE display_key = $1 OR thumbnail_key = $1)", key
    )
    return used


async def report_photo_contents(
    conn: Connection, *, case_id: int, uploader_id: int, media_ids: list[uuid.UUID]
) -> asyncpg.Record:
    """A case's report photos (ids and stored objects, in order) beside those of these photos."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """
        SELECT
            array(SELECT id FROM media WHERE case_id = $1 AND purpose = 'report'
                  ORDER BY position) AS kept_ids,
            array(SELECT display_key FROM media WHERE case_id = $1 AND purpose = 'report'
                  ORDER BY position) AS kept_keys,
            array(SELECT m.display_key FROM unnest($3::uuid[]) WITH ORDINALITY AS o(id, n)
                  JOIN media m ON m.id = o.id AND m.uploader_id = $2
                  ORDER BY o.n) AS sent_keys
        """,
        case_id,
        uploader_id,
        media_ids,
    )
    assert row is not None  # a SELECT without FROM always yields its one row
    return row
