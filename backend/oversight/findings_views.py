"""Findings as the ledger shows them: rows and their photos to response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import asyncpg

from backend.db.types import Connection
from backend.media.links import PhotoLinks
from backend.oversight import finding_rules, findings_queries, inspections_queries
from backend.oversight.inspections_schemas import (
    FindingEventOut,
    FindingOut,
    PersonOut,
    ResponsibleOut,
)

FINDING_PHOTOS = "finding"
EVENT_PHOTOS = "finding_event"


async def photo_urls(
    conn: Connection, links: PhotoLinks | None, *, subject_kind: str, subject_ids: list[int]
) -> dict[int, list[str]]:
    """The evidence photos' URLs of each subject."""
    urls: dict[int, list[str]] = {}
    if links is None or not subject_ids:
        return urls
    rows = await inspections_queries.subject_photos(
        conn, subject_kind=subject_kind, subject_ids=subject_ids
    )
    for row in rows:
        urls.setdefault(row["subject_id"], []).append(
            await links.url(row, "display", protected=False)
        )
    return urls


def finding(
    row: asyncpg.Record,
    *,
    now: datetime,
    photos: list[str] | None = None,
    evidence: list[str] | None = None,
    events: list[FindingEventOut] | None = None,
) -> FindingOut:
    """One finding; `events` only on the one-finding read."""
    kind: Literal["region", "department"] = (
        "region" if row["responsible_region_id"] is not None else "department"
    )
    unit_id = row["responsible_region_id"] or row["responsible_department_id"]
    user = row["responsible_user_id"]
    return FindingOut(
        id=row["id"],
        inspection_id=row["inspection_id"],
        seq=row["seq"],
        text=row["text"],
        category_code=row["category_code"],
        state=row["state"],
        deadline=row["deadline"],
        first_deadline=row["first_deadline"],
        overdue=finding_rules.overdue(row["state"], row["deadline"], now=now),
        responsible=ResponsibleOut(
            kind=kind, id=unit_id, code=row["unit_code"], name=row["unit_name"]
        ),
        responsible_user=PersonOut(id=user, name=row["user_name"]) if user else None,
        photos=photos or [],
        evidence=evidence or [],
        reported_at=row["reported_at"],
        closed_at=row["closed_at"],
        closed_on_time=finding_rules.closed_on_time(
            row["state"], row["reported_at"], row["first_deadline"]
        ),
        reopened=row["reopened"],
        inspection_day=row["inspection_day"],
        events=events,
    )


async def findings(
    conn: Connection, rows: list[asyncpg.Record], *, links: PhotoLinks | None, now: datetime
) -> list[FindingOut]:
    """Findings with their own photos and the evidence of their 整改反馈."""
    ids = [row["id"] for row in rows]
    photos = await photo_urls(conn, links, subject_kind=FINDING_PHOTOS, subject_ids=ids)
    reports = await findings_queries.report_event_ids(conn, finding_ids=ids) if ids else []
    by_event = await photo_urls(
        conn, links, subject_kind=EVENT_PHOTOS, subject_ids=[r["id"] for r in reports]
    )
    evidence: dict[int, list[str]] = {}
    for report in reports:
        evidence.setdefault(report["finding_id"], []).extend(by_event.get(report["id"], []))
    return [
        finding(row, now=now, photos=photos.get(row["id"]), evidence=evidence.get(row["id"]))
        for row in rows
    ]


async def with_events(
    conn: Connection, row: asyncpg.Record, *, links: PhotoLinks | None, now: datetime
) -> FindingOut:
    """One finding with its timeline and each step's photos."""
    base = (await findings(conn, [row], links=links, now=now))[0]
    events = await findings_queries.events_of(conn, finding_id=row["id"])
    photos = await photo_urls(
        conn, links, subject_kind=EVENT_PHOTOS, subject_ids=[e["id"] for e in events]
    )
    base.events = [
        FindingEventOut(
            id=e["id"],
            at=e["at"],
            action=e["action"],
            to_state=e["to_state"],
            actor_role=e["actor_role"],
            actor_id=e["actor_id"],
            from_state=e["from_state"],
            note=e["note"],
            deadline=e["deadline"],
            photos=photos.get(e["id"], []),
            detail=dict(e["detail"]),
        )
        for e in events
    ]
    return base
