"""HTTP handlers of key areas: the register, lifecycle steps, plans, tasks and meetings."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backend.areas import candidates, evidence, limits, service, tasks
from backend.areas.guards import governing
from backend.areas.schemas import (
    AreaCasesOut,
    AreaIn,
    AreaLevel,
    AreaOut,
    AreaPageOut,
    AreaState,
    AreaType,
    LevelDayOut,
    LinkCasesIn,
    LinkedOut,
    PlanIn,
    TaskIn,
    TaskOut,
    TaskUpdateIn,
    TransitionIn,
)
from backend.structs import RegionCode
from backend.web.auth import requires
from backend.web.deps import DB, Caller, Ctx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Candidates, steps and meetings are the 综治中心's and its leaders'; region staff read.
triage = governing("dispatcher", "supervisor", "admin")
region_staff = governing("worker", "dispatcher", "supervisor", "admin")
staff = requires("worker", "department", "dispatcher", "supervisor", "admin")
Cursor = Annotated[str | None, QueryParameter(max_length=200)]


class AreaController(Controller):
    path = "/api/v1/areas"
    tags = ["areas"]

    @post(
        "/",
        operation_id="createArea",
        guards=[triage],
        status_code=HTTP_201_CREATED,
        summary="排查发现: a candidate key area (merges into the area already on its place)",
    )
    async def create(
        self, ctx: Ctx, db: DB, principal: Caller, data: JSONBody[AreaIn]
    ) -> Response[AreaOut]:
        await limits.take_write(db, principal, settings=ctx.settings, now=ctx.clock.now())
        out, created = await candidates.create(
            db, principal, data, settings=ctx.settings, now=ctx.clock.now()
        )
        return Response(out, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get(
        "/",
        operation_id="listAreas",
        guards=[region_staff],
        summary="The key-area register of your subtree, latest change first",
    )
    async def list_areas(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        area_state: Annotated[AreaState | None, QueryParameter(name="state")] = None,
        area_type: Annotated[AreaType | None, QueryParameter(name="type")] = None,
        area_level: Annotated[AreaLevel | None, QueryParameter(name="level")] = None,
        region_code: Annotated[RegionCode | None, QueryParameter(name="regionCode")] = None,
        cursor: Cursor = None,
    ) -> AreaPageOut:
        return await service.page(
            db,
            principal,
            state=area_state,
            area_type=area_type,
            level=area_level,
            region_code=region_code,
            cursor=cursor,
            settings=ctx.settings,
            now=ctx.clock.now(),
        )

    @get(
        "/{area_id:int}",
        operation_id="getArea",
        guards=[region_staff],
        summary="One key area: its place, plan, tasks and timeline",
    )
    async def get_area(
        self, ctx: Ctx, db: DB, principal: Caller, area_id: FromPath[int]
    ) -> AreaOut:
        return await service.detail(
            db,
            principal,
            area_id,
            settings=ctx.settings,
            now=ctx.clock.now(),
            links=ctx.photo_links(principal.user_id),
        )

    @post(
        "/{area_id:int}/transitions",
        operation_id="moveArea",
        guards=[triage],
        status_code=HTTP_200_OK,
        summary="A lifecycle step: propose, dismiss, list or flag, with a reason",
    )
    async def move(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        area_id: FromPath[int],
        data: JSONBody[TransitionIn],
    ) -> AreaOut:
        await limits.take_write(db, principal, settings=ctx.settings, now=ctx.clock.now())
        return await service.transition(
            db,
            principal,
            area_id,
            data,
            settings=ctx.settings,
            now=ctx.clock.now(),
            links=ctx.photo_links(principal.user_id),
        )

    @post(
        "/{area_id:int}/cases",
        operation_id="linkAreaCases",
        guards=[triage],
        status_code=HTTP_200_OK,
        summary="Link cases to the area by hand as its evidence",
    )
    async def link(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        area_id: FromPath[int],
        data: JSONBody[LinkCasesIn],
    ) -> LinkedOut:
        await limits.take_write(db, principal, settings=ctx.settings, now=ctx.clock.now())
        linked = await service.link_cases(
            db, principal, area_id, list(data.case_ids), now=ctx.clock.now()
        )
        return LinkedOut(linked=linked)

    @get(
        "/{area_id:int}/cases",
        operation_id="listAreaCases",
        guards=[region_staff],
        summary="The area's evidence: cases placed in it or linked to it, newest first",
    )
    async def evidence(
        self, ctx: Ctx, db: DB, principal: Caller, area_id: FromPath[int], cursor: Cursor = None
    ) -> AreaCasesOut:
        return await evidence.cases_of(db, principal, area_id, cursor=cursor, now=ctx.clock.now())

    @get(
        "/{area_id:int}/levels",
        operation_id="listAreaLevels",
        guards=[region_staff],
        summary="The area's hotspot level day by day",
    )
    async def levels(
        self, ctx: Ctx, db: DB, principal: Caller, area_id: FromPath[int]
    ) -> list[LevelDayOut]:
        return await service.levels(
            db, principal, area_id, settings=ctx.settings, now=ctx.clock.now()
        )

    @put(
        "/{area_id:int}/plan",
        operation_id="putAreaPlan",
        guards=[triage],
        summary="一地一策: the plan and its tasks, replacing the current plan",
    )
    async def plan(
        self, ctx: Ctx, db: DB, principal: Caller, area_id: FromPath[int], data: JSONBody[PlanIn]
    ) -> AreaOut:
        now = ctx.clock.now()
        await limits.take_write(db, principal, settings=ctx.settings, now=now)
        await tasks.put_plan(db, principal, area_id, data, settings=ctx.settings, now=now)
        return await service.detail(
            db,
            principal,
            area_id,
            settings=ctx.settings,
            now=now,
            links=ctx.photo_links(principal.user_id),
        )

    @post(
        "/{area_id:int}/tasks",
        operation_id="addAreaTask",
        guards=[triage],
        status_code=HTTP_201_CREATED,
        summary="One more task on the area's current plan",
    )
    async def add_task(
        self, ctx: Ctx, db: DB, principal: Caller, area_id: FromPath[int], data: JSONBody[TaskIn]
    ) -> TaskOut:
        await limits.take_write(db, principal, settings=ctx.settings, now=ctx.clock.now())
        return await tasks.add_task(
            db,
            principal,
            area_id,
            data,
            settings=ctx.settings,
            now=ctx.clock.now(),
            links=ctx.photo_links(principal.user_id),
        )


class AreaTaskController(Controller):
    path = "/api/v1/tasks"
    tags = ["areas"]
    guards = [staff]

    @get("/mine", operation_id="listMyAreaTasks", summary="My remediation tasks, open ones first")
    async def mine(self, ctx: Ctx, db: DB, principal: Caller) -> list[TaskOut]:
        return await tasks.mine(
            db,
            principal,
            settings=ctx.settings,
            now=ctx.clock.now(),
            links=ctx.photo_links(principal.user_id),
        )

    @get("/{task_id:int}", operation_id="getAreaTask", summary="One remediation task")
    async def one(self, ctx: Ctx, db: DB, principal: Caller, task_id: FromPath[int]) -> TaskOut:
        return await tasks.one(
            db,
            principal,
            task_id,
            settings=ctx.settings,
            now=ctx.clock.now(),
            links=ctx.photo_links(principal.user_id),
        )

    @post(
        "/{task_id:int}/updates",
        operation_id="reportAreaTask",
        status_code=HTTP_201_CREATED,
        summary="签收, progress or 完成 by the task's owner (a replayed clientId lands once)",
    )
    async def report(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        task_id: FromPath[int],
        data: JSONBody[TaskUpdateIn],
    ) -> Response[TaskOut]:
        out, created = await tasks.report_step(
            db,
            principal,
            task_id,
            data,
            settings=ctx.settings,
            now=ctx.clock.now(),
            links=ctx.photo_links(principal.user_id),
        )
        return Response(out, status_code=HTTP_201_CREATED if created else HTTP_200_OK)
