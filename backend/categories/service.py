"""Categories: the phone's list, and admin edits that are always audited."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from backend.audit import service as audit
from backend.cases import service as cases
from backend.categories import queries
from backend.categories.rules import CLASSES, OWNER_KINDS, public_by_default
from backend.categories.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    DeadlinesOut,
    PresetOut,
)
from backend.db.types import Connection
from backend.errors import Conflict, Invalid, NotFound

_UNKNOWN = NotFound("categories.not_found", "没有这个类别", "No such category")


def _out(row: asyncpg.Record) -> CategoryOut:
    return CategoryOut(
        code=row["code"],
        name=row["name"],
        name_en=row["name_en"],
        class_=row["class"],
        owner_kind=row["owner_kind"],
        confidential=row["confidential"],
        duplicate_radius_m=row["duplicate_radius_m"],
        photo_required=row["photo_required"],
        reward_points=row["reward_points"],
        icon=row["icon"],
        sort_order=row["sort_order"],
        active=row["active"],
        auto_dispatch=row["auto_dispatch"],
        public=row["public"],
        photo_required_open311=row["photo_required_open311"],
        deadlines=DeadlinesOut(
            preset=row["preset_code"],
            accept_minutes=row["accept_minutes"],
            resolve_minutes=row["resolve_minutes"],
            verify_minutes=row["verify_minutes"],
        ),
    )


async def list_categories(conn: Connection, *, include_inactive: bool = False) -> list[CategoryOut]:
    """The categories a phone offers (admins may ask for retired ones too)."""
    return [
        _out(row) for row in await queries.list_categories(conn, include_inactive=include_inactive)
    ]


async def get_category(conn: Connection, *, code: str) -> CategoryOut:
    """One category by code."""
    row = await queries.get_category(conn, code=code)
    if row is None:
        raise _UNKNOWN
    return _out(row)


async def confidential_for_filing(conn: Connection, *, code: str) -> bool:
    """A new case's confidentiality, read inside its filing transaction.

    Read under a share lock: a category made confidential meanwhile either waits for this
    filing (and then seals its case too) or is seen here already.
    """
    return await queries.confidential_for_filing(conn, code=code)


async def list_presets(conn: Connection) -> list[PresetOut]:
    """The deadline presets a category can use."""
    return [PresetOut(**dict(row)) for row in await queries.list_presets(conn)]


async def _check_references(conn: Connection, values: dict[str, Any]) -> None:
    fields = {}
    if "owner_kind" in values and values["owner_kind"] not in OWNER_KINDS:
        fields["ownerKind"] = f"must be one of {', '.join(OWNER_KINDS)}"
    if "class" in values and values["class"] not in CLASSES:
        fields["class"] = f"must be one of {', '.join(CLASSES)}"
    if "preset_code" in values and not await queries.preset_exists(
        conn, code=values["preset_code"]
    ):
        fields["preset"] = "unknown deadline preset"
    if fields:
        raise Invalid(
            "categories.invalid", "类别设置有误", "The category settings are invalid", fields=fields
        )


def _columns(data: CategoryIn | CategoryPatch) -> dict[str, Any]:
    values = {
        name: value for name, value in msgspec.structs.asdict(data).items() if value is not None
    }
    renamed = {"class_": "class", "preset": "preset_code"}
    return {renamed.get(name, name): value for name, value in values.items()}


async def create_category(conn: Connection, *, actor_id: int, data: CategoryIn) -> CategoryOut:
    """Add a category (audited)."""
    values = _columns(data)
    if data.public is None:
        values["public"] = public_by_default(data.class_, confidential=data.confidential)
    async with conn.transaction():
        await _check_references(conn, values)
        if not await queries.insert_category(conn, values=values):
            raise Conflict(
                "categories.exists", "类别代码已存在", "A category with that code exists"
            )
        await audit.record(
            conn,
            actor_id=actor_id,
            action="category.create",
            subject=("category", data.code),
            detail={"after": values},
        )
        return await get_category(conn, code=data.code)


async def update_category(
    conn: Connection, *, actor_id: int, code: str, data: CategoryPatch
) -> CategoryOut:
    """Change a category (audited: before and after); open cases keep their deadlines.

    Made confidential, it takes all its cases with it in the same transaction; made public
    again, its earlier cases stay confidential, as their reporters were promised.
    """
    changes = _columns(data)
    async with conn.transaction():
        before = await queries.get_category(conn, code=code)
        if before is None:
            raise _UNKNOWN
        await _check_references(conn, changes)
        if changes:
            await queries.update_category(conn, code=code, changes=changes)
            if changes.get("confidential") is True and not before["confidential"]:
                await cases.seal_category(conn, category_code=code)
            await audit.record(
                conn,
                actor_id=actor_id,
                action="category.update",
                subject=("category", code),
                detail={"before": {k: before[k] for k in changes}, "after": changes},
            )
        return await get_category(conn, code=code)
