"""Regions: import the tree, route a point to its grid, browse the tree within a scope."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import asyncpg
from shapely.geometry import mapping, shape

from backend.audit import service as audit
from backend.db.types import Connection
from backend.errors import BadRequest, NotFound
from backend.regions import queries
from backend.regions.geojson import ExistingRegion, RegionDraft, parse_region_collection
from backend.regions.geojson_overlaps import OVERLAP_TOLERANCE_SHARE
from backend.regions.paths import child_path, codes_of
from backend.regions.routing import IndexedRegion, RoutingIndex
from backend.regions.schemas import (
    ImportOut,
    LocateOut,
    OutlinesOut,
    RegionFeatureOut,
    RegionNodeOut,
    RegionOut,
)

_OUTSIDE = NotFound(
    "regions.outside_service_area", "该位置不在服务范围内", "This place is outside the service area"
)
_UNKNOWN = NotFound("regions.not_found", "找不到该区域", "No such region")


def _out(region: IndexedRegion) -> RegionOut:
    return RegionOut(code=region.code, name=region.name, level=region.level)


def locate(index: RoutingIndex, *, lat: float, lng: float) -> LocateOut:
    """定位: the grid (or fallback region) that owns this point, with its ancestors."""
    placement = index.locate(lat, lng)
    if placement is None:
        raise _OUTSIDE
    return LocateOut(
        region=_out(placement.region),
        chain=[_out(r) for r in placement.chain],
        match=placement.match,
        distance_m=round(placement.distance_m, 1),
    )


def outlines(
    index: RoutingIndex, *, bbox: tuple[float, float, float, float], limit: int
) -> OutlinesOut:
    """Grid outlines that meet a map box, for drawing: at most `limit`, say so when more exist."""
    west, south, east, north = bbox
    if not (west < east and south < north):
        raise BadRequest(
            "regions.bad_bbox",
            "地图范围无效：应为 西,南,东,北",
            "The map box must be west,south,east,north",
        )
    grids = index.grids_within(west, south, east, north, limit=limit + 1)
    features = [
        RegionFeatureOut(
            type="Feature",
            geometry=dict(mapping(grid.geometry)),
            properties={"code": grid.code, "name": grid.name, "level": grid.level},
        )
        for grid in grids[:limit]
    ]
    return OutlinesOut(type="FeatureCollection", features=features, truncated=len(grids) > limit)


async def region_path_by_code(conn: Connection, *, code: str) -> str | None:
    """A region's path by code (filters on a subtree)."""
    return await queries.path_by_code(conn, code=code)


async def region_id_by_code(conn: Connection, *, code: str) -> int | None:
    """A region's id by code, for admin tools that assign scopes."""
    return await queries.id_by_code(conn, code=code)


async def bump_routing_revision(conn: Connection) -> int:
    """Tell every API process to rebuild its routing index (at commit): places changed."""
    return await queries.bump_revision(conn)


async def import_regions(
    conn: Connection,
    *,
    actor_id: int | None,
    doc: object,
    overlap_share: float = OVERLAP_TOLERANCE_SHARE,
) -> ImportOut:
    """导入: upsert a FeatureCollection by code, all or nothing, and bump the revision."""
    async with conn.transaction():
        await queries.lock_for_import(conn)
        stored = {row["code"]: row for row in await queries.list_all(conn)}
        existing = {code: _existing(row) for code, row in stored.items()}
        drafts = await asyncio.to_thread(
            partial(parse_region_collection, overlap_tolerance=overlap_share), doc, existing
        )
        created = await _store(conn, drafts, stored)
        revision = await queries.bump_revision(conn)
        await audit.record(
            conn,
            actor_id=actor_id,
            action="regions.import",
            subject=("regions", str(revision)),
            detail={"features": len(drafts), "created": created},
        )
    return ImportOut(created=created, updated=len(drafts) - created, revision=revision)


def _existing(row: asyncpg.Record) -> ExistingRegion:
    return ExistingRegion(
        code=row["code"],
        level=row["level"],
        parent_code=row["parent_code"],
        geometry=shape(row["geometry"]),
    )


async def _store(
    conn: Connection, drafts: list[RegionDraft], stored: dict[str, asyncpg.Record]
) -> int:
    # Drafts come parents first, so a parent's id and path are known before its children.
    placed: dict[str, tuple[int, str]] = {code: (r["id"], r["path"]) for code, r in stored.items()}
    created = 0
    for draft in drafts:
        parent = placed[draft.parent_code] if draft.parent_code else None
        path = child_path(parent[1] if parent else None, draft.code)
        row = await queries.upsert(
            conn,
            code=draft.code,
            name=draft.name,
            level=draft.level,
            parent_id=parent[0] if parent else None,
            path=path,
            geometry=mapping(draft.geometry),
        )
        old = stored.get(draft.code)
        if old is not None and old["path"] != path:
            await queries.move_descendants(conn, old_path=old["path"], new_path=path)
        placed[draft.code] = (row["id"], path)
        created += int(row["inserted"])
    return created


async def children(
    conn: Connection, *, parent_code: str | None, scope_path: str | None
) -> list[RegionNodeOut]:
    """The nodes under `parent_code`, or the caller's own root(s) when it is None."""
    if parent_code is None:
        if scope_path is None:
            rows = await queries.list_children_in_scope(conn, parent_id=None, scope_path=None)
        else:
            rows = await queries.list_scope_roots(conn, scope_path=scope_path)
    else:
        parent = await queries.get_in_scope(conn, code=parent_code, scope_path=scope_path)
        if parent is None:
            raise _UNKNOWN
        rows = await queries.list_children_in_scope(
            conn, parent_id=parent["id"], scope_path=scope_path
        )
    return [
        RegionNodeOut(
            code=r["code"],
            name=r["name"],
            level=r["level"],
            parent_code=r["parent_code"],
            child_count=r["child_count"],
        )
        for r in rows
    ]


async def feature(conn: Connection, *, code: str, scope_path: str | None) -> RegionFeatureOut:
    """One region as a GeoJSON Feature with its ancestry, if it lies in the caller's scope."""
    row = await queries.get_in_scope(conn, code=code, scope_path=scope_path)
    if row is None:
        raise _UNKNOWN
    ancestors = await queries.list_by_codes(conn, codes=codes_of(row["path"])[:-1])
    properties: dict[str, Any] = {
        "code": row["code"],
        "name": row["name"],
        "level": row["level"],
        "parentCode": row["parent_code"],
        "ancestors": [
            {"code": a["code"], "name": a["name"], "level": a["level"]} for a in ancestors
        ],
    }
    return RegionFeatureOut(type="Feature", geometry=row["geometry"], properties=properties)
