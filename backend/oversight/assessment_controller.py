"""HTTP handlers of 考核: schemes, results and their steps, 一票否决."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backend.oversight import (
    assessment,
    assessment_limits,
    assessment_steps,
    assessment_vetoes,
)
from backend.oversight.assessment_schemas import (
    AnswerIn,
    InterviewIn,
    ManualIn,
    ObjectionIn,
    PostIn,
    ResultIn,
    ResultOut,
    ResultSummaryOut,
    SchemeIn,
    SchemeOut,
    VetoIn,
    VetoOut,
)
from backend.web.auth import requires, staff_only
from backend.web.deps import DB, Caller, Ctx

writers = requires("supervisor", "admin")
readers = requires("dispatcher", "supervisor", "admin")


class AssessmentController(Controller):
    path = "/api/v1/assessment"
    tags = ("assessment",)

    @post(
        "/schemes",
        operation_id="createAssessmentScheme",
        guards=[writers],
        status_code=HTTP_201_CREATED,
        summary="考核方案: a year's indicators (weights, sources, targets) over a region",
    )
    async def create_scheme(
        self, ctx: Ctx, db: DB, principal: Caller, data: JSONBody[SchemeIn]
    ) -> SchemeOut:
        now = ctx.clock.now()
        await assessment_limits.take_write(db, principal, settings=ctx.settings, now=now)
        return await assessment.create_scheme(db, principal, data=data, now=now)

    @get(
        "/schemes",
        operation_id="listAssessmentSchemes",
        guards=[readers],
        summary="The 考核方案 over regions in your scope, newest year first",
    )
    async def list_schemes(
        self,
        db: DB,
        principal: Caller,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2999)] = None,
    ) -> list[SchemeOut]:
        return await assessment.list_schemes(db, principal, year=year)

    @get(
        "/schemes/{scheme_id:int}",
        operation_id="getAssessmentScheme",
        guards=[readers],
        summary="One 考核方案",
    )
    async def get_scheme(self, db: DB, principal: Caller, scheme_id: FromPath[int]) -> SchemeOut:
        return await assessment.get_scheme(db, principal, scheme_id=scheme_id)

    @post(
        "/results",
        operation_id="computeAssessmentResult",
        guards=[writers],
        summary="Compute a period's result as a draft (201), or compute the draft again (200)",
    )
    async def compute(
        self, ctx: Ctx, db: DB, principal: Caller, data: JSONBody[ResultIn]
    ) -> Response[ResultOut]:
        now = ctx.clock.now()
        await assessment_limits.take_write(db, principal, settings=ctx.settings, now=now)
        out, created = await assessment.compute(
            db,
            principal,
            scheme_id=data.scheme_id,
            period_text=data.period,
            settings=ctx.settings,
            now=now,
        )
        return Response(out, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get(
        "/results",
        operation_id="listAssessmentResults",
        guards=[readers],
        summary="The results over regions in your scope, latest period first",
    )
    async def list_results(
        self,
        db: DB,
        principal: Caller,
        scheme_id: Annotated[int | None, QueryParameter(name="schemeId", ge=1)] = None,
    ) -> list[ResultSummaryOut]:
        return await assessment.list_results(db, principal, scheme_id=scheme_id)

    @get(
        "/results/mine",
        operation_id="listMyAssessmentResults",
        guards=[staff_only],
        summary="The posted or final results that score your unit (department or region)",
    )
    async def list_mine(self, db: DB, principal: Caller) -> list[ResultSummaryOut]:
        return await assessment.list_mine(db, principal)

    @get(
        "/results/{result_id:int}",
        operation_id="getAssessmentResult",
        guards=[staff_only],
        summary="A result: scores by rank with their breakdown, vetoes, objections and 约谈",
    )
    async def get_result(
        self, ctx: Ctx, db: DB, principal: Caller, result_id: FromPath[int]
    ) -> ResultOut:
        return await assessment.get_result(
            db, principal, result_id=result_id, settings=ctx.settings
        )

    @put(
        "/results/{result_id:int}/manual",
        operation_id="setAssessmentManualItem",
        guards=[writers],
        summary="A manual item's points (0..weight, with a reason) for a unit of a draft",
    )
    async def set_manual(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        result_id: FromPath[int],
        data: JSONBody[ManualIn],
    ) -> ResultOut:
        now = ctx.clock.now()
        await assessment_limits.take_write(db, principal, settings=ctx.settings, now=now)
        return await assessment_steps.set_manual(
            db, principal, result_id=result_id, data=data, settings=ctx.settings, now=now
        )

    @post(
        "/results/{result_id:int}/post",
        operation_id="postAssessmentResult",
        guards=[writers],
        status_code=HTTP_200_OK,
        summary="公示: show the draft to its units, with a window of days for objections",
    )
    async def post_result(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        result_id: FromPath[int],
        data: JSONBody[PostIn],
    ) -> ResultOut:
        now = ctx.clock.now()
        await assessment_limits.take_write(db, principal, settings=ctx.settings, now=now)
        return await assessment_steps.post(
            db,
            principal,
            result_id=result_id,
            objection_days=data.objection_days,
            settings=ctx.settings,
            now=now,
        )

    @post(
        "/results/{result_id:int}/objections",
        operation_id="objectToAssessmentResult",
        guards=[staff_only],
        status_code=HTTP_201_CREATED,
        summary="异议: a unit's staff object to a posted result while its window is open",
    )
    async def object_to(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        result_id: FromPath[int],
        data: JSONBody[ObjectionIn],
    ) -> ResultOut:
        now = ctx.clock.now()
        await assessment_limits.take_write(db, principal, settings=ctx.settings, now=now)
        return await assessment_steps.object_to(
            db, principal, result_id=result_id, data=data, settings=ctx.settings, now=now
        )

    @post(
        "/results/{result_id:int}/objections/{objection_id:int}/answer",
        operation_id="answerAssessmentObjection",
        guards=[writers],
        status_code=HTTP_200_OK,
        summary="Answer an objection to a posted result",
    )
    async def answer(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        result_id: FromPath[int],
        objection_id: FromPath[int],
        data: JSONBody[AnswerIn],
    ) -> ResultOut:
        now = ctx.clock.now()
        await assessment_limits.take_write(db, principal, settings=ctx.settings, now=now)
        return await assessment_steps.answer(
            db,
            principal,
            result_id=result_id,
            objection_id=objection_id,
            text=data.answer,
            settings=ctx.settings,
            now=now,
        )

    @post(
        "/results/{result_id:int}/final",
        operation_id="finaliseAssessmentResult",
        guards=[writers],
        status_code=HTTP_200_OK,
        summary="Make a posted result final once its window has closed (409 before)",
    )
    async def finalise(
        self, ctx: Ctx, db: DB, principal: Caller, result_id: FromPath[int]
    ) -> ResultOut:
        now = ctx.clock.now()
        await assessment_limits.take_write(db, principal, settings=ctx.settings, now=now)
        return await assessment_steps.finalise(
            db, principal, result_id=result_id, settings=ctx.settings, now=now
        )

    @post(
        "/results/{result_id:int}/interviews",
        operation_id="recordAssessmentInterview",
        guards=[writers],
        status_code=HTTP_201_CREATED,
        summary="约谈: record a talk with a unit among the lowest ranked of a posted result",
    )
    async def interview(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        result_id: FromPath[int],
        data: JSONBody[InterviewIn],
    ) -> ResultOut:
        now = ctx.clock.now()
        await assessment_limits.take_write(db, principal, settings=ctx.settings, now=now)
        return await assessment_steps.interview(
            db, principal, result_id=result_id, data=data, settings=ctx.settings, now=now
        )

    @post(
        "/vetoes",
        operation_id="setAssessmentVeto",
        guards=[writers],
        status_code=HTTP_201_CREATED,
        summary="一票否决: a supervisor vetoes a region for a year, with the reason",
    )
    async def veto(self, ctx: Ctx, db: DB, principal: Caller, data: JSONBody[VetoIn]) -> VetoOut:
        now = ctx.clock.now()
        await assessment_limits.take_write(db, principal, settings=ctx.settings, now=now)
        return await assessment_vetoes.veto(db, principal, data=data, now=now)
