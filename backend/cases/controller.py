"""HTTP handlers of the case loop: queues, one case, and every move as a POST."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from backend.cases import actions, views
from backend.cases.filters import (
    Assignee,
    Category,
    CreatedFrom,
    CreatedTo,
    Overdue,
    QueueQuery,
    Region,
    Statuses,
    Text,
    case_filter,
)
from backend.cases.schemas import (
    CaseOut,
    CasePageOut,
    CaseSummaryOut,
    CommentIn,
    ContactOut,
    DispatchIn,
    ExtensionDecisionIn,
    ExtensionIn,
    MergeIn,
    RejectIn,
    ResolveIn,
    RevealIn,
    TransferIn,
    VerifyIn,
    VersionedNoteIn,
)
from backend.errors import NotFound
from backend.web.auth import requires
from backend.web.context import AppContext
from backend.web.deps import DB, Caller, Ctx

staff = requires("worker", "department", "dispatcher", "supervisor", "admin")
handlers = requires("worker", "department")


async def _move(
    ctx: AppContext,
    db: Any,
    move: Callable[..., Awaitable[None]],
    principal: Any,
    case_id: int,
    data: Any,
) -> CaseOut:
    await move(db, principal, case_id, data, ctx.clock.now())
    return await views.detail(
        db,
        ctx.photo_links(principal.user_id),
        principal,
        case_id,
        now=ctx.clock.now(),
        timezone=ctx.settings.timezone,
    )


class CaseController(Controller):
    path = "/api/v1/cases"
    tags = ["cases"]
    guards = [staff]

    @get(
        "/",
        operation_id="listCases",
        summary="The queue: filtered, by deadline, with tab counts",
    )
    async def list_cases(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        status: Statuses = None,
        category: Category = None,
        region: Region = None,
        assignee: Assignee = None,
        overdue: Overdue = None,
        q: Text = None,
        created_from: CreatedFrom = None,
        created_to: CreatedTo = None,
        cursor: Annotated[str | None, QueryParameter(max_length=300)] = None,
    ) -> CasePageOut:
        return await views.queue(
            db,
            principal,
            await case_filter(
                db,
                QueueQuery(
                    status, category, region, assignee, overdue, q, created_from, created_to
                ),
            ),
            cursor=cursor,
            now=ctx.clock.now(),
            timezone=ctx.settings.timezone,
        )

    @get(
        "/{case_id:int}",
        operation_id="getCase",
        summary="One case in full, with the actions you may take",
    )
    async def get_case(
        self, ctx: Ctx, db: DB, principal: Caller, case_id: FromPath[int]
    ) -> CaseOut:
        return await views.detail(
            db,
            ctx.photo_links(principal.user_id),
            principal,
            case_id,
            now=ctx.clock.now(),
            timezone=ctx.settings.timezone,
        )

    @post(
        "/{case_id:int}/dispatch",
        operation_id="dispatchCase",
        status_code=HTTP_200_OK,
        summary="派遣: send to a grid's workers or a department (default: the category's owner)",
    )
    async def dispatch(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        case_id: FromPath[int],
        data: JSONBody[DispatchIn],
    ) -> CaseOut:
        return await _move(ctx, db, actions.dispatch, principal, case_id, data)

    @post(
        "/{case_id:int}/accept",
        operation_id="acceptCase",
        status_code=HTTP_200_OK,
        summary="签收: take the case (the first handler wins)",
    )
    async def accept(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        case_id: FromPath[int],
        data: JSONBody[VersionedNoteIn],
    ) -> CaseOut:
        return await _move(ctx, db, actions.accept, principal, case_id, data)

    @post(
        "/{case_id:int}/return",
        operation_id="returnCase",
        status_code=HTTP_200_OK,
        summary="退回: not our remit; back to triage with a reason",
    )
    async def give_back(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        case_id: FromPath[int],
        data: JSONBody[VersionedNoteIn],
    ) -> Response[CaseOut | None]:
        await actions.give_back(db, principal, case_id, data, ctx.clock.now())
        return await _after_losing_sight(ctx, db, principal, case_id)

    @post(
        "/{case_id:int}/transfer",
        operation_id="transferCase",
        status_code=HTTP_200_OK,
        summary="转办: to another grid (also across a border, 接边) or a department",
    )
    async def transfer(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        case_id: FromPath[int],
        data: JSONBody[TransferIn],
    ) -> CaseOut:
        return await _move(ctx, db, actions.transfer, principal, case_id, data)

    @post(
        "/{case_id:int}/escalate",
        operation_id="escalateCase",
        status_code=HTTP_200_OK,
        summary="上报: up to the parent region's triage",
    )
    async def escalate(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        case_id: FromPath[int],
        data: JSONBody[VersionedNoteIn],
    ) -> Response[CaseOut | None]:
        await actions.escalate(db, principal, case_id, data, ctx.clock.now())
        return await _after_losing_sight(ctx, db, principal, case_id)

    @post(
        "/{case_id:int}/resolve",
        operation_id="resolveCase",
        status_code=HTTP_200_OK,
        summary="处置反馈: the fix, with at least one after-photo",
    )
    async def resolve(
        self, ctx: Ctx, db: DB, principal: Caller, case_id: FromPath[int], data: JSONBody[ResolveIn]
    ) -> CaseOut:
        return await _move(ctx, db, actions.resolve, principal, case_id, data)

    @post(
        "/{case_id:int}/verify",
        operation_id="verifyCase",
        status_code=HTTP_200_OK,
        summary="核查: pass closes the case, fail sends it back (返工)",
    )
    async def verify(
        self, ctx: Ctx, db: DB, principal: Caller, case_id: FromPath[int], data: JSONBody[VerifyIn]
    ) -> CaseOut:
        return await _move(ctx, db, actions.verify, principal, case_id, data)

    @post(
        "/{case_id:int}/reject",
        operation_id="rejectCase",
        status_code=HTTP_200_OK,
        summary="不予受理: with a reason the reporter sees",
    )
    async def reject(
        self, ctx: Ctx, db: DB, principal: Caller, case_id: FromPath[int], data: JSONBody[RejectIn]
    ) -> CaseOut:
        return await _move(ctx, db, actions.reject, principal, case_id, data)

    @post(
        "/{case_id:int}/merge",
        operation_id="mergeCase",
        status_code=HTTP_200_OK,
        summary="合并: a duplicate into its master case",
    )
    async def merge(
        self, ctx: Ctx, db: DB, principal: Caller, case_id: FromPath[int], data: JSONBody[MergeIn]
    ) -> CaseOut:
        return await _move(ctx, db, actions.merge, principal, case_id, data)

    @post(
        "/{case_id:int}/extension",
        operation_id="requestExtension",
        status_code=HTTP_200_OK,
        summary="延期: ask for more time, before the deadline",
    )
    async def extension(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        case_id: FromPath[int],
        data: JSONBody[ExtensionIn],
    ) -> CaseOut:
        return await _move(ctx, db, actions.request_extension, principal, case_id, data)

    @post(
        "/{case_id:int}/extension/decision",
        operation_id="decideExtension",
        status_code=HTTP_200_OK,
        summary="Approve or deny an extension (supervisor)",
    )
    async def decide(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        case_id: FromPath[int],
        data: JSONBody[ExtensionDecisionIn],
    ) -> CaseOut:
        return await _move(ctx, db, actions.decide_extension, principal, case_id, data)

    @post(
        "/{case_id:int}/comments",
        operation_id="commentCase",
        status_code=HTTP_200_OK,
        summary="A note on the timeline, internal or public",
    )
    async def comment(
        self, ctx: Ctx, db: DB, principal: Caller, case_id: FromPath[int], data: JSONBody[CommentIn]
    ) -> CaseOut:
        await actions.comment(db, principal, case_id, data.note, data.public, ctx.clock.now())
        return await views.detail(
            db,
            ctx.photo_links(principal.user_id),
            principal,
            case_id,
            now=ctx.clock.now(),
            timezone=ctx.settings.timezone,
        )

    @post(
        "/{case_id:int}/reveal",
        operation_id="revealReporter",
        status_code=HTTP_200_OK,
        summary="The reporter's contact, for a recorded reason (permission needed)",
    )
    async def reveal(
        self, ctx: Ctx, db: DB, principal: Caller, case_id: FromPath[int], data: JSONBody[RevealIn]
    ) -> ContactOut:
        return await views.reveal(db, principal, case_id, reason=data.reason, now=ctx.clock.now())


async def _after_losing_sight(
    ctx: AppContext, db: Any, principal: Any, case_id: int
) -> Response[CaseOut | None]:
    # A department that gives a case back no longer sees it: 204, rather than a 404 that
    # would read as if the move had failed.
    try:
        return Response(
            await views.detail(
                db,
                ctx.photo_links(principal.user_id),
                principal,
                case_id,
                now=ctx.clock.now(),
                timezone=ctx.settings.timezone,
            )
        )
    except NotFound:
        return Response(None, status_code=HTTP_204_NO_CONTENT)


class TaskController(Controller):
    path = "/api/v1/me/tasks"
    tags = ["cases"]
    guards = [handlers]

    @get(
        "/", operation_id="listMyTasks", summary="A worker's tasks: their grid's cases, by deadline"
    )
    async def my_tasks(self, ctx: Ctx, db: DB, principal: Caller) -> list[CaseSummaryOut]:
        return await views.my_tasks(
            db, principal, now=ctx.clock.now(), timezone=ctx.settings.timezone
        )
