"""HTTP handlers of duties: the caller's own open duties, for the phone's list beside its cases."""

from __future__ import annotations

from litestar import Controller, get

from backend.duties import service
from backend.duties.schemas import DutyOut
from backend.web.auth import staff_only
from backend.web.deps import DB, Caller, Ctx


class DutyController(Controller):
    path = "/api/v1/duties"
    tags = ["duties"]
    guards = [staff_only]

    @get(
        "/mine",
        operation_id="listMyDuties",
        summary="Your open duties (tasks, sweeps, re-checks …), the soonest due first",
    )
    async def mine(self, ctx: Ctx, db: DB, principal: Caller) -> list[DutyOut]:
        return await service.mine(db, principal, now=ctx.clock.now())
