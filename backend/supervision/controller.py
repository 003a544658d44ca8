"""HTTP handlers of 挂牌督办: flag a region, read its history, lift a flag (摘牌)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backend.structs import RegionCode
from backend.supervision import service
from backend.supervision.schemas import FlagIn, FlagOut, LiftIn
from backend.supervision.service import FlagState
from backend.web.auth import requires
from backend.web.deps import DB, Caller, Ctx

# Flags are raised and lifted by supervisors (督办/领导); anyone with a region scope reads them.
supervisors = requires("supervisor", "admin")
region_staff = requires("worker", "dispatcher", "supervisor", "admin")


class RegionFlagController(Controller):
    path = "/api/v1/regions/{code:str}/flags"
    tags = ["supervision"]

    @post(
        "/",
        operation_id="flagRegion",
        guards=[supervisors],
        status_code=HTTP_201_CREATED,
        summary="挂牌督办: flag a region with a reason and a deadline",
    )
    async def flag(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        code: FromPath[RegionCode],
        data: JSONBody[FlagIn],
    ) -> FlagOut:
        return await service.raise_flag(
            db, principal, code=code, data=data, settings=ctx.settings, now=ctx.clock.now()
        )

    @get(
        "/",
        operation_id="listRegionFlags",
        guards=[region_staff],
        summary="A region's flags, newest first: active, lifted and how",
    )
    async def history(
        self, ctx: Ctx, db: DB, principal: Caller, code: FromPath[RegionCode]
    ) -> list[FlagOut]:
        return await service.history(
            db, principal, code=code, settings=ctx.settings, now=ctx.clock.now()
        )


class FlagController(Controller):
    path = "/api/v1/flags"
    tags = ["supervision"]

    @get(
        "/",
        operation_id="listFlags",
        guards=[region_staff],
        summary="Flags on regions of your subtree (active by default)",
    )
    async def list_flags(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        which: Annotated[
            FlagState, QueryParameter(name="state", description="active, lifted or all")
        ] = "active",
    ) -> list[FlagOut]:
        return await service.flags(
            db, principal, state=which, settings=ctx.settings, now=ctx.clock.now()
        )

    @get(
        "/{flag_id:int}",
        operation_id="getFlag",
        guards=[region_staff],
        summary="One flag; an active one with its exit bar measured now",
    )
    async def get_flag(
        self, ctx: Ctx, db: DB, principal: Caller, flag_id: FromPath[int]
    ) -> FlagOut:
        return await service.one(
            db, principal, flag_id=flag_id, settings=ctx.settings, now=ctx.clock.now()
        )

    @post(
        "/{flag_id:int}/lift",
        operation_id="liftFlag",
        guards=[supervisors],
        status_code=HTTP_200_OK,
        summary="摘牌: lift when the exit bar is met, or by override with a written reason",
    )
    async def lift(
        self, ctx: Ctx, db: DB, principal: Caller, flag_id: FromPath[int], data: JSONBody[LiftIn]
    ) -> FlagOut:
        return await service.lift(
            db, principal, flag_id=flag_id, data=data, settings=ctx.settings, now=ctx.clock.now()
        )
