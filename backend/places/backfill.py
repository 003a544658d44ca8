"""Placing cases that were filed before their place's routing reached every API process.

A new place holds the cases already in it from the moment it is stored. A case filed while
an API process still routed with its previous index (the moment between the place's commit
and each process's rebuild) is placed by the daily catch-up instead, so no case is lost.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from backend.db.types import Connection
from backend.places import queries, rules
from backend.regions.paths import subtree_bounds


async def place_cases_inside(conn: Connection, *, place_id: int, outline: BaseGeometry) -> int:
    """Place the valid cases whose position lies in the outline: read by cell, tested here."""
    cells = await asyncio.to_thread(rules.cover_cells, outline)
    candidates = await queries.cases_in_cells(conn, cells=sorted(cells))
    if not candidates:
        return 0
    hits = await asyncio.to_thread(
        rules.inside, outline, (c["lng"] for c in candidates), (c["lat"] for c in candidates)
    )
    inside = [c["id"] for c, hit in zip(candidates, hits, strict=True) if hit]
    return await queries.place_cases(conn, place_id=place_id, case_ids=inside, how="position")


async def place_cases_under(conn: Connection, *, place_id: int, covers_path: str) -> int:
    """Place the valid cases routed into the region a place covers, or anywhere beneath it."""
    lo, hi = subtree_bounds(covers_path)
    return await queries.place_subtree(conn, place_id=place_id, lo=lo, hi=hi)


async def catch_up(conn: Connection, *, since: datetime) -> int:
    """Place again the cases of every active place created since a moment; how many were new."""
    placed = 0
    for place in await queries.active_places_since(conn, since=since):
        if place["geometry"] is not None:
            outline = shape(place["geometry"])
            placed += await place_cases_inside(conn, place_id=place["id"], outline=outline)
        elif place["covers_path"] is not None:
            placed += await place_cases_under(
                conn, place_id=place["id"], covers_path=place["covers_path"]
            )
    return placed
