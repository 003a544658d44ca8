"""Nearby open reports of a category: offered before sending (已有人反映，关注此事)."""

from __future__ import annotations

from backend.categories import service as categories
from backend.db.types import Connection
from backend.errors import NotFound
from backend.media import service as media
from backend.media.links import PhotoLinks
from backend.open311.redaction import mask_personal_numbers
from backend.reports import queries, rules
from backend.reports.schemas import NearbyReportOut

NEARBY_LIMIT = 10


async def nearby_reports(
    conn: Connection,
    links: PhotoLinks,
    *,
    lat: float,
    lng: float,
    category: str,
    exclude_id: int | None = None,
) -> list[NearbyReportOut]:
    """Open reports of this category within its duplicate radius, nearest first.

    Confidential and non-public categories never appear, and nothing identifies a reporter:
    phone and ID numbers in a description are masked.
    """
    try:
        found = await categories.get_category(conn, code=category)
    except NotFound:
        return []
    if not rules.offered_nearby(
        public=found.public,
        confidential=found.confidential,
        duplicate_radius_m=found.duplicate_radius_m,
    ):
        return []
    radius = found.duplicate_radius_m
    rows = await queries.nearby_open(
        conn, category=category, cells=rules.nearby_cells(lat, lng, radius), exclude_id=exclude_id
    )
    within = [(rules.metres_between(lat, lng, row["lat"], row["lng"]), row) for row in rows]
    within = sorted((pair for pair in within if pair[0] <= radius), key=lambda pair: pair[0])
    thumbnails = await media.cover_thumbnails(
        links, conn, case_ids=[row["id"] for _, row in within[:NEARBY_LIMIT]]
    )
    return [
        NearbyReportOut(
            id=row["id"],
            tracking_no=row["tracking_no"],
            category=row["category_code"],
            status=row["status"],
            description=mask_personal_numbers(row["description"]),
            distance_m=round(distance, 1),
            created_at=row["created_at"],
            thumbnail_url=thumbnails.get(row["id"]),
        )
        for distance, row in within[:NEARBY_LIMIT]
    ]
