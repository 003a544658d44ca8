"""The choices an area's forms offer: the staff who can be named on its plan, the units that
can lead or cooperate, and the place a cluster of selected cases proposes ("建议列为重点地区")."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, get
from litestar.params import FromPath, QueryParameter

from backend.accounts.rules import Principal
from backend.areas import people_queries
from backend.areas.access import scope_path as scope_path_of
from backend.areas.lifecycle import NO_SUCH_AREA, scope_range
from backend.cases.service import scope_for
from backend.db.types import Connection
from backend.errors import NotFound
from backend.regions.paths import codes_of, subtree_bounds
from backend.structs import Model
from backend.web.auth import requires
from backend.web.deps import DB, Caller

# Those who propose areas and write their plans.
triage = requires("dispatcher", "supervisor", "admin")
StaffRole = Literal["worker", "department", "dispatcher", "supervisor", "admin"]
_NO_CASES = NotFound("areas.no_cases", "找不到所选案件", "None of the selected cases was found")


class PersonOut(Model):
    """Staff who can be named: no phone, no username."""

    id: int
    display_name: str
    role: str
    region_name: str | None
    department_name: str | None
    department_name_en: str | None


class PeopleOut(Model):
    items: list[PersonOut]


class RegionUnitOut(Model):
    code: str
    name: str
    level: str


class DepartmentUnitOut(Model):
    code: str
    name: str
    name_en: str


class UnitsOut(Model):
    """The regions and departments that can lead or cooperate on the area's plan."""

    regions: list[RegionUnitOut]
    departments: list[DepartmentUnitOut]


class ProposalOut(Model):
    """Where selected cases lie: the street (or the deepest region) they share, the smallest
    region holding them all, and the cases the caller may link."""

    region_code: str
    region_name: str
    place_code: str
    place_name: str
    case_ids: list[int]


def _ancestors(path: str) -> list[str]:
    """The path of each region from the top of the tree down to `path` itself."""
    codes = codes_of(path)
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


async def _area_path(conn: Connection, principal: Principal, area_id: int) -> str:
    lo, hi = scope_range(scope_path_of(principal))
    area = await people_queries.area_in_range(conn, area_id=area_id, lo=lo, hi=hi)
    if area is None:
        raise NO_SUCH_AREA
    path: str = area["region_path"]
    return path


class AreaPeopleController(Controller):
    path = "/api/v1/areas"
    tags = ("areas",)

    @get(
        "/{area_id:int}/people",
        operation_id="areaPeople",
        guards=[triage],
        summary="Staff who can be named on the area's plan (at most 50, by name prefix)",
    )
    async def people(
        self,
        db: DB,
        principal: Caller,
        area_id: FromPath[int],
        role: Annotated[StaffRole | None, QueryParameter()] = None,
        q: Annotated[str | None, QueryParameter(max_length=50)] = None,
    ) -> PeopleOut:
        path = await _area_path(db, principal, area_id)
        lo, hi = subtree_bounds(path)
        rows = await people_queries.people_for_area(
            db,
            ancestors=_ancestors(path),
            lo=lo,
            hi=hi,
            role=role,
            prefix=(q or "").strip() or None,
        )
        return PeopleOut(
            items=[
                PersonOut(
                    id=r["id"],
                    display_name=r["display_name"],
                    role=r["role"],
                    region_name=r["region_name"],
                    department_name=r["department_name"],
                    department_name_en=r["department_name_en"],
                )
                for r in rows
            ]
        )

    @get(
        "/{area_id:int}/units",
        operation_id="areaUnits",
        guards=[triage],
        summary="Regions and departments that can lead or cooperate on the area's plan",
    )
    async def units(self, db: DB, principal: Caller, area_id: FromPath[int]) -> UnitsOut:
        path = await _area_path(db, principal, area_id)
        lo, hi = subtree_bounds(path)
        above = _ancestors(path)
        regions = await people_queries.regions_for_area(db, ancestors=above, lo=lo, hi=hi)
        departments = await people_queries.departments_for_area(db, ancestors=above, lo=lo, hi=hi)
        return UnitsOut(
            regions=[
                RegionUnitOut(code=r["code"], name=r["name"], level=r["level"]) for r in regions
            ],
            departments=[
                DepartmentUnitOut(code=d["code"], name=d["name"], name_en=d["name_en"])
                for d in departments
            ],
        )

    @get(
        "/proposal",
        operation_id="areaProposal",
        guards=[triage],
        summary="建议列为重点地区: the street and the smallest region holding selected cases",
    )
    async def proposal(
        self,
        db: DB,
        principal: Caller,
        case_ids: Annotated[list[int], QueryParameter(name="caseIds", min_items=1, max_items=100)],
    ) -> ProposalOut:
        scope = scope_for(principal)
        lo, hi = scope_range(None if scope.everything else scope.path)
        if not scope.everything and scope.path is None:
            raise _NO_CASES
        rows = await people_queries.case_regions(
            db, case_ids=case_ids, lo=lo, hi=hi, confidential=scope.confidential
        )
        if not rows:
            raise _NO_CASES
        shared = _common_codes([codes_of(r["region_path"]) for r in rows])
        if not shared:
            raise _NO_CASES
        paths = _ancestors("/" + "/".join(shared) + "/")
        regions = {r["path"]: r for r in await people_queries.regions_by_path(db, paths=paths)}
        chain = [regions[p] for p in paths if p in regions]
        street = next((r for r in chain if r["level"] == "street"), chain[-1])
        place = chain[-1]
        return ProposalOut(
            region_code=street["code"],
            region_name=street["name"],
            place_code=place["code"],
            place_name=place["name"],
            case_ids=[r["id"] for r in rows],
        )


def _common_codes(chains: list[list[str]]) -> list[str]:
    """The longest run of codes from the top that every chain shares."""
    shared: list[str] = []
    for level in zip(*chains, strict=False):
        if any(code != level[0] for code in level):
            break
        shared.append(level[0])
    return shared
