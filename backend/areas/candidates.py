"""排查发现: a new candidate key area on a region or a drawn spot, or, when an area already
governs that place, its evidence merged into that area."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from backend.accounts.rules import Principal
from backend.areas import queries
from backend.areas.access import scope_path
from backend.areas.lifecycle import scope_range
from backend.areas.schemas import AreaIn, AreaOut
from backend.areas.service import ONE_PLACE, detail, hand_link_path, region_in_scope
from backend.audit import service as audit
from backend.cases.service import scope_for
from backend.db.types import Connection
from backend.errors import Invalid
from backend.places import service as places
from backend.regions import service as regions
from backend.settings import Settings

OUTSIDE_REGION = Invalid(
    "areas.outside_region",
    "重点地区须位于所选区域之内：所绘范围或所选区域超出了该区域",
    "A key area must lie within its region: the outline or region given reaches beyond it",
    fields={"place": "outside the region of regionCode"},
)


async def _place_of(
    conn: Connection, principal: Principal, data: AreaIn, region: asyncpg.Record
) -> tuple[tuple[int, str] | None, dict[str, Any] | None]:
    """The place of a new candidate, which lies in the area's region: the region itself or one
    beneath it, or an outline drawn inside the region's own (a few metres over the border are
    allowed, and cut off: the area counts no case of the neighbouring region)."""
    code, drawn = data.place.region_code, data.place.geometry
    if code is None and drawn is not None:
        home = await regions.feature(conn, code=region["code"], scope_path=region["path"])
        inside = await places.inside_region(drawn, region_outline=home.geometry)
        if inside is None:
            raise OUTSIDE_REGION
        return None, inside
    if code is None or drawn is not None:
        raise ONE_PLACE
    covered = await region_in_scope(conn, principal, code)
    if not covered["path"].startswith(region["path"]):
        raise OUTSIDE_REGION
    return (covered["id"], covered["path"]), None


async def create(
    conn: Connection, principal: Principal, data: AreaIn, *, settings: Settings, now: datetime
) -> tuple[AreaOut, bool]:
    """排查发现: a candidate, or the active area of the same place it merges into (False)."""
    path = scope_path(principal)
    async with conn.transaction():
        region = await region_in_scope(conn, principal, data.region_code)
        covers, geometry = await _place_of(conn, principal, data, region)
        same = await places.duplicate_of(
            conn, kind="key_area", covers_region_id=covers[0] if covers else None, geometry=geometry
        )
        if same is not None:
            lo, hi = scope_range(path)
            survivor = await queries.active_area_on_place(conn, place_id=same, lo=lo, hi=hi)
            if survivor is not None:
                await merge_into(
                    conn, survivor, case_ids=data.case_ids, name=data.name, actor=principal, now=now
                )
                out = await detail(conn, principal, survivor["id"], settings=settings, now=now)
                out.merged_into = survivor["id"]
                return out, False
        place_id = await places.create_place(
            conn,
            kind="key_area",
            region_id=region["id"],
            region_path=region["path"],
            covers=covers,
            geometry=geometry,
            now=now,
        )
        area = await register(
            conn,
            place_id=place_id,
            region=region,
            data=data,
            source=data.source,
            actor=principal,
            now=now,
        )
        await link_visible(
            conn,
            place_id=place_id,
            region_path=region["path"],
            case_ids=data.case_ids,
            actor=principal,
        )
    return await detail(conn, principal, area["id"], settings=settings, now=now), True


async def link_visible(
    conn: Connection, *, place_id: int, region_path: str, case_ids: list[int], actor: Principal
) -> int:
    """Link by hand those of these cases that lie in the area's region (`region_path`) and
    that the caller sees in their case list (their subtree, confidential ones only for who
    may see them); how many were new to the place."""
    scope = scope_for(actor)
    if not case_ids or (scope.path is None and not scope.everything):
        return 0
    within = hand_link_path(None if scope.everything else scope.path, region_path)
    if within is None:
        return 0
    return await places.link_cases(
        conn,
        place_id=place_id,
        case_ids=case_ids,
        scope_path=within,
        confidential=scope.confidential,
    )


async def register(
    conn: Connection,
    *,
    place_id: int,
    region: asyncpg.Record,
    data: AreaIn,
    source: str,
    actor: Principal | None,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> asyncpg.Record:
    """Write a new candidate on a place, with its first event and audit row."""
    area = await queries.insert_area(
        conn,
        place_id=place_id,
        region=region,
        name=data.name,
        area_type=data.area_type,
        problems=data.problems,
        problem_categories=list(data.problem_categories),
        source=source,
        created_by=actor.user_id if actor else None,
        now=now,
    )
    await queries.insert_event(
        conn,
        area_id=area["id"],
        region_id=region["id"],
        at=now,
        actor_id=actor.user_id if actor else None,
        actor_role=actor.role if actor else "system",
        action="create",
        from_state=None,
        to_state="candidate",
        reason=None,
        detail=detail,
    )
    await audit.record(
        conn,
        actor_id=actor.user_id if actor else None,
        action="areas.create",
        subject=("key_area", str(area["id"])),
        region_id=region["id"],
        detail={"source": source, **(detail or {})},
    )
    return area


async def merge_into(
    conn: Connection,
    survivor: asyncpg.Record,
    *,
    case_ids: list[int],
    name: str,
    actor: Principal | None,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> int:
    """A second candidate for the same place: its evidence joins the area already there."""
    linked = 0
    if actor is not None:
        linked = await link_visible(
            conn,
            place_id=survivor["place_id"],
            region_path=survivor["region_path"],
            case_ids=case_ids,
            actor=actor,
        )
    info = {"name": name, "linked": linked, **(detail or {})}
    await queries.insert_event(
        conn,
        area_id=survivor["id"],
        region_id=survivor["region_id"],
        at=now,
        actor_id=actor.user_id if actor else None,
        actor_role=actor.role if actor else "system",
        action="merge",
        from_state=survivor["state"],
        to_state=survivor["state"],
        reason=None,
        detail=info,
    )
    await queries.touch(conn, area_id=survivor["id"], now=now)
    await audit.record(
        conn,
        actor_id=actor.user_id if actor else None,
        action="areas.merge",
        subject=("key_area", str(survivor["id"])),
        region_id=survivor["region_id"],
        detail=info,
    )
    return linked
