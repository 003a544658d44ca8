"""What an inspection must name correctly before it is stored: its target, each finding's unit,
person, category and deadline. Every miss is a 422 naming the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from backend.accounts.rules import Principal
from backend.db.types import Connection
from backend.errors import Invalid
from backend.oversight import finding_rules, findings_access, inspections_queries
from backend.oversight.inspections_schemas import FindingIn, InspectionIn


@dataclass(frozen=True, slots=True)
class Unit:
    """The unit answering for a finding: a region (id and path) or a department."""

    region_id: int | None = None
    region_path: str | None = None
    department_id: int | None = None


def _invalid(field: str, zh: str, en: str) -> Invalid:
    return Invalid("oversight.bad_inspection", zh, en, fields={field: en})


async def target(conn: Connection, principal: Principal, data: InspectionIn) -> asyncpg.Record:
    """The inspected region, in the caller's scope, and the inspected department if named."""
    region = await inspections_queries.region_by_code(conn, code=data.region_code)
    if region is None or not findings_access.in_scope(principal, region["path"]):
        raise _invalid(
            "regionCode", "检查的区域不存在或不在您的辖区内", "no such region in your scope"
        )
    if data.department_id is not None:
        department = await inspections_queries.department(conn, department_id=data.department_id)
        if department is None or not findings_access.in_scope(principal, department["path"]):
            raise _invalid(
                "departmentId",
                "检查的部门不存在或不在您的辖区内",
                "no such department in your scope",
            )
    return region


async def unit(conn: Connection, principal: Principal, data: FindingIn, index: int) -> Unit:
    """The finding's one responsible unit, its named person of that unit, its category."""
    where = f"findings[{index}]"
    if (data.responsible_region_code is None) == (data.responsible_department_id is None):
        raise _invalid(
            f"{where}.responsibleRegionCode",
            "每个问题须指定一个责任单位：一个区域或一个部门",
            "name exactly one responsible unit: a region or a department",
        )
    found = await _unit(conn, principal, data, where)
    await _person(conn, data, found, where)
    if data.category_code is not None and not await inspections_queries.category_exists(
        conn, code=data.category_code
    ):
        raise _invalid(f"{where}.categoryCode", "问题类别不存在", "no such category")
    return found


def check_texts(data: InspectionIn) -> None:
    """The team and each finding say something once their blanks are stripped."""
    if not data.team.strip():
        raise _invalid("team", "请填写检查组", "name the inspection team")
    for index, finding in enumerate(data.findings):
        if not finding.text.strip():
            raise _invalid(f"findings[{index}].text", "请描述发现的问题", "describe the problem")


def check_deadlines(data: InspectionIn, *, now: datetime) -> None:
    """Each finding's deadline lies ahead, within DEADLINE_HORIZON."""
    for index, finding in enumerate(data.findings):
        if not finding_rules.deadline_fits(finding.deadline, now=now):
            raise _invalid(
                f"findings[{index}].deadline",
                "整改期限须为将来一年内的时间（含时区）",
                "a deadline after now and within a year, with its time zone",
            )


async def _unit(conn: Connection, principal: Principal, data: FindingIn, where: str) -> Unit:
    if data.responsible_region_code is not None:
        region = await inspections_queries.region_by_code(conn, code=data.responsible_region_code)
        if region is None or not findings_access.in_scope(principal, region["path"]):
            raise _invalid(
                f"{where}.responsibleRegionCode",
                "责任区域不存在或不在您的辖区内",
                "no such region in your scope",
            )
        return Unit(region_id=region["id"], region_path=region["path"])
    assert data.responsible_department_id is not None
    department = await inspections_queries.department(
        conn, department_id=data.responsible_department_id
    )
    if department is None or not findings_access.in_scope(principal, department["path"]):
        raise _invalid(
            f"{where}.responsibleDepartmentId",
            "责任部门不存在或不在您的辖区内",
            "no such department in your scope",
        )
    return Unit(department_id=department["id"])


async def _person(conn: Connection, data: FindingIn, found: Unit, where: str) -> None:
    """A named person must belong to the unit: its department, or its region subtree."""
    if data.responsible_user_id is None:
        return
    person = await inspections_queries.staff_member(conn, user_id=data.responsible_user_id)
    belongs = person is not None and (
        (found.department_id is not None and person["department_id"] == found.department_id)
        or (
            found.region_path is not None
            and person["path"] is not None
            and person["path"].startswith(found.region_path)
        )
    )
    if not belongs:
        raise _invalid(
            f"{where}.responsibleUserId",
            "责任人须是该责任单位的工作人员",
            "the responsible person must belong to the responsible unit",
        )
