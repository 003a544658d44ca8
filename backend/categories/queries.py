"""SQL of the categories domain."""

from __future__ import annotations

from typing import Any

import asyncpg

from backend.db.types import Connection

_COLUMNS = """
    c.code, c.name, c.name_en, c.class, c.owner_kind, c.confidential, c.duplicate_radius_m,
    c.photo_required, c.reward_points, c.icon, c.sort_order, c.active, c.preset_code,
    c.auto_dispatch, c.public, c.photo_required_open311,
    p.accept_minutes, p.resolve_minutes, p.verify_minutes
"""
# Columns an admin may set, by the name used in code.
EDITABLE = (
    "name",
    "name_en",
    "class",
    "owner_kind",
    "preset_code",
    "confidential",
    "duplicate_radius_m",
    "photo_required",
    "reward_points",
    "icon",
    "sort_order",
    "auto_dispatch",
    "public",
    "photo_required_open311",
    "active",  # last: a new category is always active
)


async def list_categories(conn: Connection, *, include_inactive: bool) -> list[asyncpg.Record]:
    """Categories with their deadline preset, in display order."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT {_COLUMNS} FROM categories c JOIN deadline_presets p ON p.code = c.preset_code
        WHERE c.active OR $1 ORDER BY c.sort_order, c.code
        """,
        include_inactive,
    )
    return rows


async def get_category(conn: Connection, *, code: str) -> asyncpg.Record | None:
    """One category with its deadline preset."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""
        SELECT {_COLUMNS} FROM categories c JOIN deadline_presets p ON p.code = c.preset_code
        WHERE c.code = $1
        """,
        code,
    )
    return row


async def confidential_for_filing(conn: Connection, *, code: str) -> bool:
    """Whether a category is confidential now; a change to it waits until this filing commits."""
    confidential: bool = await conn.fetchval(
        "SELECT confidential FROM categories WHERE code = $1 FOR SHARE", code
    )
    return confidential


async def insert_category(conn: Connection, *, values: dict[str, Any]) -> bool:
    """Create a category; False when the code exists."""
    columns = ["code", *EDITABLE[:-1]]
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    status: str = await conn.execute(
        f"INSERT INTO categories ({', '.join(columns)}) VALUES ({placeholders}) "
        "ON CONFLICT (code) DO NOTHING",
        *(values[column] for column in columns),
    )
    return status.endswith(" 1")


async def update_category(conn: Connection, *, code: str, changes: dict[str, Any]) -> None:
    """Apply the given column changes (names from EDITABLE only) to one category."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(changes, start=2))
    await conn.execute(
        f"UPDATE categories SET {assignments}, updated_at = now() WHERE code = $1",
        code,
        *changes.values(),
    )


async def list_presets(conn: Connection) -> list[asyncpg.Record]:
    """The deadline presets, fastest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT code, name, name_en, accept_minutes, resolve_minutes, verify_minutes "
        "FROM deadline_presets ORDER BY accept_minutes"
    )
    return rows


async def preset_exists(conn: Connection, *, code: str) -> bool:
    """True when a deadline preset has this code."""
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM deadline_presets WHERE code = $1)", code
    )
    return found
