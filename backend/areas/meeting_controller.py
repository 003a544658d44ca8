"""HTTP handlers of 研判会 and 联席会议: record a meeting, read meetings, its 建议书."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from backend.areas import limits, meetings
from backend.areas.controller import XLSX, region_staff, triage
from backend.areas.schemas import MeetingIn, MeetingOut
from backend.exports.rules import attachment
from backend.web.deps import DB, Caller, Ctx


class AreaMeetingController(Controller):
    path = "/api/v1/area-meetings"
    tags = ("areas",)

    @post(
        "/",
        operation_id="recordAreaMeeting",
        guards=[triage],
        status_code=HTTP_201_CREATED,
        summary="研判会/联席会议: record a meeting; its decisions move the areas",
    )
    async def record(
        self, ctx: Ctx, db: DB, principal: Caller, data: JSONBody[MeetingIn]
    ) -> MeetingOut:
        await limits.take_write(db, principal, settings=ctx.settings, now=ctx.clock.now())
        return await meetings.record(
            db, principal, data, settings=ctx.settings, now=ctx.clock.now()
        )

    @get(
        "/",
        operation_id="listAreaMeetings",
        guards=[region_staff],
        summary="Meetings held in your subtree, latest first",
    )
    async def listing(self, db: DB, principal: Caller) -> list[MeetingOut]:
        return await meetings.listing(db, principal)

    @get(
        "/{meeting_id:int}",
        operation_id="getAreaMeeting",
        guards=[region_staff],
        summary="One meeting with its decisions",
    )
    async def one(self, db: DB, principal: Caller, meeting_id: FromPath[int]) -> MeetingOut:
        return await meetings.one(db, principal, meeting_id)

    @get(
        "/{meeting_id:int}/proposal.xlsx",
        operation_id="areaMeetingProposal",
        guards=[region_staff],
        media_type=XLSX,
        summary="研判会建议书: the meeting's proposal as an XLSX workbook",
    )
    async def proposal(
        self, ctx: Ctx, db: DB, principal: Caller, meeting_id: FromPath[int]
    ) -> Response[bytes]:
        content, name = await meetings.proposal(
            db, principal, meeting_id, settings=ctx.settings, now=ctx.clock.now()
        )
        return Response(
            content,
            media_type=XLSX,
            headers={"Content-Disposition": attachment(name, name), "Cache-Control": "no-store"},
        )
