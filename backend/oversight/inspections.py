"""督导检查: an inspection filed on site or at the desk, with the findings it opens.

An inspection carries its author's own `clientId`, so a phone's offline queue may replay it:
the same clientId with the same body again returns the inspection first filed; with another
body it is refused (409), never silently dropped. Each finding opens a duty
(subject_kind "finding"): 催办 at its deadline, 督办 later, until the unit reports.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from backend.accounts.rules import Principal
from backend.audit import service as audit
from backend.cases.service import scope_for
from backend.db.types import Connection
from backend.duties import service as duties
from backend.errors import Conflict, NotFound
from backend.media import service as media
from backend.media.links import PhotoLinks
from backend.oversight import (
    findings_access,
    findings_news,
    findings_queries,
    findings_views,
    inspections_checks,
    inspections_limits,
    inspections_queries,
)
from backend.oversight.findings import BAD_PHOTOS
from backend.oversight.findings_duty import SUBJECT_KIND
from backend.oversight.inspections_checks import Unit
from backend.oversight.inspections_schemas import (
    DepartmentChoiceOut,
    FindingIn,
    InspectionIn,
    InspectionOut,
    InspectionPageOut,
)
from backend.regions.paths import subtree_bounds
from backend.settings import Settings

PAGE_SIZE = 50
# Enough for every department of a district's subtree; a city admin sees the first this many.
DEPARTMENT_CHOICES = 500
INSPECTION_PHOTOS = "inspection"
NOT_FOUND = NotFound("oversight.inspection_not_found", "找不到该督查记录", "No such inspection")
CLIENT_ID_REUSED = Conflict(
    "oversight.client_id_reused",
    "该离线编号已用于另一份督查记录",
    "This clientId was already used for another inspection",
    fields={"clientId": "used for another inspection"},
)


async def _outs(
    conn: Connection,
    rows: list[asyncpg.Record],
    *,
    viewer: findings_queries.Viewer,
    links: PhotoLinks | None,
    now: datetime,
) -> list[InspectionOut]:
    ids = [row["id"] for row in rows]
    found = (
        await findings_queries.of_inspections(conn, viewer=viewer, inspection_ids=ids)
        if ids
        else []
    )
    outs = await findings_views.findings(conn, found, links=links, now=now)
    by_inspection: dict[int, list[Any]] = {}
    for out in outs:
        by_inspection.setdefault(out.inspection_id, []).append(out)
    photos = await findings_views.photo_urls(
        conn, links, subject_kind=INSPECTION_PHOTOS, subject_ids=ids
    )
    return [
        InspectionOut(
            id=row["id"],
            client_id=row["client_id"],
            manner=row["manner"],
            plan=row["plan"],
            focus=row["focus"],
            team=row["team"],
            region_code=row["region_code"],
            region_name=row["region_name"],
            department_id=row["department_id"],
            department_name=row["department_name"],
            day=row["day"],
            lat=row["lat"],
            lng=row["lng"],
            note=row["note"],
            photos=photos.get(row["id"], []),
            created_by=row["created_by"],
            created_at=row["created_at"],
            findings=by_inspection.get(row["id"], []),
        )
        for row in rows
    ]


async def one(
    conn: Connection,
    principal: Principal,
    inspection_id: int,
    *,
    now: datetime,
    links: PhotoLinks | None = None,
) -> InspectionOut:
    """One inspection the caller sees, with its findings; 404 otherwise."""
    viewer = findings_access.viewer_of(principal)
    row = await inspections_queries.one(conn, seen=viewer.args(), inspection_id=inspection_id)
    if row is None:
        raise NOT_FOUND
    return (await _outs(conn, [row], viewer=viewer, links=links, now=now))[0]


async def page(
    conn: Connection,
    principal: Principal,
    *,
    before_id: int | None,
    now: datetime,
    links: PhotoLinks | None = None,
) -> InspectionPageOut:
    """The inspections the caller sees, newest first."""
    viewer = findings_access.viewer_of(principal)
    rows = await inspections_queries.page(
        conn, seen=viewer.args(), before_id=before_id, limit=PAGE_SIZE + 1
    )
    items = await _outs(conn, rows[:PAGE_SIZE], viewer=viewer, links=links, now=now)
    following = str(items[-1].id) if len(rows) > PAGE_SIZE and items else None
    return InspectionPageOut(items=items, next=following)


async def file(
    conn: Connection,
    principal: Principal,
    data: InspectionIn,
    *,
    settings: Settings,
    now: datetime,
    links: PhotoLinks | None = None,
) -> tuple[InspectionOut, bool]:
    """File an inspection and open its findings; (inspection, False) when it was a replay of
    the same body, 409 when the clientId was used for another."""
    body_hash = hashlib.sha256(msgspec.json.encode(data)).hexdigest()
    async with conn.transaction():
        created = None
        known = await inspections_queries.by_client(
            conn, created_by=principal.user_id, client_id=data.client_id
        )
        if known is None:
            created = await _store(
                conn, principal, data, body_hash=body_hash, settings=settings, now=now
            )
            if created is None:
                known = await inspections_queries.by_client(
                    conn, created_by=principal.user_id, client_id=data.client_id
                )
    if created is None:
        if known is None:  # only a row that was there a moment ago could have refused ours
            raise RuntimeError("a conflicting inspection vanished")
        if known["body_hash"] != body_hash:
            raise CLIENT_ID_REUSED
        inspection_id = int(known["id"])
    else:
        inspection_id = created
    out = await one(conn, principal, inspection_id, now=now, links=links)
    return out, created is not None


async def _store(
    conn: Connection,
    principal: Principal,
    data: InspectionIn,
    *,
    body_hash: str,
    settings: Settings,
    now: datetime,
) -> int | None:
    inspections_checks.check_texts(data)
    inspections_checks.check_deadlines(data, now=now)
    target = await inspections_checks.target(conn, principal, data)
    units = [
        await inspections_checks.unit(conn, principal, f, i) for i, f in enumerate(data.findings)
    ]
    inspection_id = await inspections_queries.insert_inspection(
        conn,
        values={
            "client_id": data.client_id,
            "created_by": principal.user_id,
            "region_id": target["id"],
            "region_path": target["path"],
            "department_id": data.department_id,
            "manner": data.manner,
            "plan": data.plan,
            "focus": data.focus,
            "team": data.team.strip(),
            "day": data.day,
            "lat": data.lat,
            "lng": data.lng,
            "note": data.note,
            "body_hash": body_hash,
            "created_at": now,
        },
    )
    if inspection_id is None:  # the same inspection landed meanwhile from another request
        return None
    await inspections_limits.take(conn, principal, settings=settings, now=now)
    await _photos(
        conn, principal, data.media_ids, INSPECTION_PHOTOS, inspection_id, target["id"], now
    )
    for seq, (finding, unit) in enumerate(zip(data.findings, units, strict=True), start=1):
        await _open_finding(
            conn, principal, inspection_id, seq, finding, unit, target, settings=settings, now=now
        )
    await audit.record(
        conn,
        actor_id=principal.user_id,
        action="oversight.inspection_filed",
        subject=("inspection", str(inspection_id)),
        region_id=target["id"],
        detail={"findings": len(data.findings), "manner": data.manner},
    )
    return inspection_id


async def _photos(
    conn: Connection,
    principal: Principal,
    media_ids: list[Any],
    subject_kind: str,
    subject_id: int,
    region_id: int,
    now: datetime,
) -> None:
    if not await media.attach_to_subject(
        conn,
        media_ids=list(media_ids),
        uploader_id=principal.user_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        region_id=region_id,
        now=now,
    ):
        raise BAD_PHOTOS


async def _open_finding(
    conn: Connection,
    principal: Principal,
    inspection_id: int,
    seq: int,
    data: FindingIn,
    unit: Unit,
    target: asyncpg.Record,
    *,
    settings: Settings,
    now: datetime,
) -> None:
    """One finding: its row, its photos, its first event and its duty."""
    # Scoped by the responsible region, or by the inspected region when a department answers.
    region_id = unit.region_id or target["id"]
    region_path = unit.region_path or target["path"]
    finding_id = await findings_queries.insert_finding(
        conn,
        values={
            "inspection_id": inspection_id,
            "seq": seq,
            "region_id": region_id,
            "region_path": region_path,
            "text": data.text.strip(),
            "category_code": data.category_code,
            "responsible_region_id": unit.region_id,
            "responsible_path": unit.region_path,
            "responsible_department_id": unit.department_id,
            "responsible_user_id": data.responsible_user_id,
            "deadline": data.deadline,
            "first_deadline": data.deadline,
            "created_at": now,
            "updated_at": now,
        },
    )
    await _photos(
        conn, principal, data.media_ids, findings_views.FINDING_PHOTOS, finding_id, region_id, now
    )
    await findings_queries.insert_event(
        conn,
        values={
            "finding_id": finding_id,
            "region_id": region_id,
            "at": now,
            "actor_id": principal.user_id,
            "actor_role": principal.role,
            "action": "file",
            "to_state": "open",
            "deadline": data.deadline,
            "detail": {"inspectionId": inspection_id, "seq": seq},
        },
    )
    await duties.open_duty(
        conn,
        duties.NewDuty(
            subject_kind=SUBJECT_KIND,
            subject_id=finding_id,
            region_id=region_id,
            region_path=region_path,
            title=f"督查问题整改：{data.text}",
            due_at=data.deadline,
            owner_user_id=data.responsible_user_id,
            owner_region_id=unit.region_id,
            owner_department_id=unit.department_id,
            escalate_to=(principal.user_id,),
        ),
        settings=settings,
        now=now,
    )
    await findings_news.tell_unit(
        conn,
        finding_id=finding_id,
        text=data.text,
        region_id=region_id,
        unit_path=unit.region_path,
        department_id=unit.department_id,
        user_id=data.responsible_user_id,
        now=now,
    )


async def department_choices(conn: Connection, principal: Principal) -> list[DepartmentChoiceOut]:
    """The departments an inspection or a finding may name: those of the caller's subtree."""
    scope = scope_for(principal)
    lo, hi = (None, None) if scope.everything else subtree_bounds(scope.path or "/")
    rows = await inspections_queries.departments_in(conn, lo=lo, hi=hi, limit=DEPARTMENT_CHOICES)
    return [
        DepartmentChoiceOut(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            name_en=row["name_en"],
            region_name=row["region_name"],
        )
        for row in rows
    ]
