"""What staff see of key areas: rows of the register, plans, tasks and timelines as bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg
from shapely.geometry import shape

from backend.areas.schemas import (
    AreaSummaryOut,
    EventOut,
    PersonOut,
    PlanOut,
    ProgressOut,
    TaskOut,
    UnitOut,
)
from backend.duties.service import DutyStatus

# States in which the area is being put right against its plan's deadline.
UNDER_REMEDIATION: frozenset[str] = frozenset({"listed", "flagged", "extended"})


def centroid(geometry: dict[str, Any] | None) -> tuple[float, float] | None:
    """The middle of the area as (lat, lng), for a map pin."""
    if not geometry:
        return None
    try:
        point = shape(geometry).centroid
    except (ValueError, TypeError, AttributeError):
        return None
    if point.is_empty:
        return None
    return round(point.y, 6), round(point.x, 6)


def overdue(row: asyncpg.Record, today: date) -> bool:
    """Past its plan's deadline while still being put right."""
    deadline: date | None = row["deadline"]
    return row["state"] in UNDER_REMEDIATION and deadline is not None and today > deadline


def summary(row: asyncpg.Record, *, duties_overdue: int, today: date) -> AreaSummaryOut:
    """A register row; `row` comes from the page query (counts and progress included)."""
    return AreaSummaryOut(
        id=row["id"],
        name=row["name"],
        area_type=row["area_type"],
        state=row["state"],
        level=row["level"],
        tier=row["tier"],
        region_code=row["region_code"],
        region_name=row["region_name"],
        deadline=row["deadline"],
        overdue=overdue(row, today),
        progress=ProgressOut(
            tasks=row["tasks"],
            done=row["done"],
            overdue=row["overdue"],
            duties_overdue=duties_overdue,
        ),
        reports_30d=row["reports_30d"],
        updated_at=row["updated_at"],
        centroid=centroid(row["shape"]),
    )


def person(person_id: int, name: str | None) -> PersonOut:
    return PersonOut(id=person_id, name=name or "")


def unit(row: asyncpg.Record, prefix: str) -> UnitOut:
    """A unit from `{prefix}_region_code/name` or `{prefix}_department_code/name` columns."""
    if row[f"{prefix}_region_code"] is not None:
        return UnitOut(
            kind="region", code=row[f"{prefix}_region_code"], name=row[f"{prefix}_region_name"]
        )
    return UnitOut(
        kind="department",
        code=row[f"{prefix}_department_code"] or "",
        name=row[f"{prefix}_department_name"] or "",
    )


def plan(row: asyncpg.Record, cooperating: list[UnitOut]) -> PlanOut:
    return PlanOut(
        id=row["id"],
        first_responsible=person(row["first_responsible_id"], row["first_name"]),
        direct_responsible=person(row["direct_responsible_id"], row["direct_name"]),
        lead=unit(row, "lead"),
        cooperating=cooperating,
        goals=row["goals"],
        deadline=row["deadline"],
        created_at=row["created_at"],
    )


def task(
    row: asyncpg.Record, duty: DutyStatus | None, *, now: datetime, photos: list[str] | None = None
) -> TaskOut:
    """A task with where its deadline stands (催办 sent, 督办 sent, late)."""
    open_ = row["state"] in ("open", "accepted")
    done_at: datetime | None = row["done_at"]
    return TaskOut(
        id=row["id"],
        area_id=row["area_id"],
        area_name=row["area_name"],
        kind=row["kind"],
        owner=person(row["owner_id"], row["owner_name"]),
        unit=unit(row, "unit"),
        measure=row["measure"],
        due_at=row["due_at"],
        state=row["state"],
        overdue=open_ and now >= row["due_at"],
        reminded=duty is not None and duty.reminded_at is not None,
        supervised=duty is not None and duty.supervised_at is not None,
        done_at=done_at,
        late=done_at is not None and done_at > row["due_at"],
        photos=photos or [],
    )


def event(row: asyncpg.Record, photos: list[str]) -> EventOut:
    return EventOut(
        at=row["at"],
        actor=row["actor_name"],
        actor_role=row["actor_role"],
        action=row["action"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        reason=row["reason"],
        photos=photos,
        detail=row["detail"] or {},
    )
