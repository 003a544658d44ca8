"""Who and which units a plan names: staff who answer for the area, regions and departments."""

from __future__ import annotations

import asyncpg

from backend.accounts import service as accounts
from backend.areas import task_queries
from backend.areas.lifecycle import scope_range
from backend.areas.schemas import UnitIn
from backend.db.types import Connection
from backend.errors import Invalid
from backend.regions.paths import codes_of


def _unknown(field: str) -> Invalid:
    return Invalid("areas.unknown_unit", "找不到该单位", "No such unit", fields={field: "unknown"})


async def unit_of(conn: Connection, unit: UnitIn, field: str) -> tuple[str, asyncpg.Record]:
    """A unit given by code: ('region', row) or ('department', row)."""
    if (unit.region_code is None) == (unit.department_code is None):
        raise Invalid(
            "areas.bad_unit",
            "单位须为一个区域或一个部门",
            "A unit is either a region or a department",
            fields={field: "one of regionCode or departmentCode"},
        )
    if unit.region_code is not None:
        region = await task_queries.region_by_code(conn, code=unit.region_code)
        if region is None:
            raise _unknown(field)
        return "region", region
    department = await task_queries.department_by_code(conn, code=unit.department_code or "")
    if department is None:
        raise _unknown(field)
    return "department", department


async def people_named(
    conn: Connection, area: asyncpg.Record, scope: str | None, ids: dict[str, int]
) -> dict[int, asyncpg.Record]:
    """The staff named, each checked to be active and to answer for the area's place."""
    lo, hi = scope_range(scope)
    rows = await accounts.staff_answering_for(
        conn, user_ids=list(set(ids.values())), path=area["region_path"], lo=lo, hi=hi
    )
    found = {row["id"]: row for row in rows}
    missing = {
        field: "not active staff for this area" for field, i in ids.items() if i not in found
    }
    if missing:
        raise Invalid(
            "areas.bad_person",
            "责任人须为管辖该地区的在岗工作人员",
            "Each person named must be active staff who answers for this area",
            fields=missing,
        )
    return found


def district_leader(row: asyncpg.Record) -> bool:
    """A supervisor of a district, or an admin of a district or the city (包联 of a red area)."""
    path: str | None = row["path"]
    if row["role"] == "admin":
        return path is None or len(codes_of(path)) <= 1
    return row["role"] == "supervisor" and path is not None and len(codes_of(path)) == 1
