"""HTTP handlers of surveys: staff build, open, close, read and enter; residents answer."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backend.surveys import entries, index_service, respondents, service, standard
from backend.surveys.rules import Action
from backend.surveys.schemas import (
    AnswerIn,
    AnswerOut,
    EntriesIn,
    EntriesOut,
    OfferOut,
    Purpose,
    QuestionIn,
    SurveyIn,
    SurveyIndicesOut,
    SurveyListItemOut,
    SurveyOut,
    SurveyState,
)
from backend.web.auth import requires
from backend.web.client_address import client_address
from backend.web.deps import DB, Caller, Ctx

# Supervisors (督办/领导) and admins build and run surveys; dispatchers read them and enter
# the answers collected at 座谈会, 入户走访 and 电话回访 (not into a key area's acceptance
# survey: see entries.py).
organisers = requires("supervisor", "admin")
survey_staff = requires("dispatcher", "supervisor", "admin")
residents = requires("resident")
# A batch of up to 500 answer sets, each with short texts: more than an ordinary body.
_ENTRIES_MAX_BYTES = 1024 * 1024


async def _move(ctx: Ctx, db: DB, principal: Caller, survey_id: int, action: Action) -> SurveyOut:
    return await service.move(
        db,
        principal,
        survey_id=survey_id,
        action=action,
        settings=ctx.settings,
        now=ctx.clock.now(),
    )


class SurveyController(Controller):
    path = "/api/v1/surveys"
    tags = ["surveys"]

    @post(
        "/",
        operation_id="createSurvey",
        guards=[organisers],
        status_code=HTTP_201_CREATED,
        summary="A draft questionnaire for a region of your subtree or a place within it",
    )
    async def create(
        self, ctx: Ctx, db: DB, principal: Caller, data: JSONBody[SurveyIn]
    ) -> SurveyOut:
        return await service.create(
            db, principal, data=data, settings=ctx.settings, now=ctx.clock.now()
        )

    @get(
        "/",
        operation_id="listSurveys",
        guards=[survey_staff],
        summary="Surveys of your subtree, newest first (at most 200)",
    )
    async def listing(
        self,
        db: DB,
        principal: Caller,
        # `state` is a name the framework keeps for itself; on the wire it is still ?state=.
        survey_state: Annotated[SurveyState | None, QueryParameter(name="state")] = None,
        purpose: Annotated[Purpose | None, QueryParameter()] = None,
    ) -> list[SurveyListItemOut]:
        return await index_service.listing(db, principal, state=survey_state, purpose=purpose)

    @get(
        "/standard/safety",
        operation_id="standardSafetyQuestions",
        guards=[survey_staff],
        summary="The standard 安全感 questionnaire, to start a new survey from",
    )
    async def standard_safety(self) -> list[QuestionIn]:
        return standard.safety_questions()

    @get(
        "/{survey_id:int}/indices",
        operation_id="surveyIndices",
        guards=[survey_staff],
        summary="安全感 index, 满意度, 知晓率, 支持率 by region, against the previous survey",
    )
    async def survey_indices(
        self, ctx: Ctx, db: DB, principal: Caller, survey_id: FromPath[int]
    ) -> SurveyIndicesOut:
        return await index_service.survey_indices(
            db, principal, survey_id=survey_id, settings=ctx.settings
        )

    @post(
        "/{survey_id:int}/publish",
        operation_id="publishSurvey",
        guards=[organisers],
        status_code=HTTP_200_OK,
        summary="Publish a closed survey's figures to residents (closed → published)",
    )
    async def publish_survey(
        self, ctx: Ctx, db: DB, principal: Caller, survey_id: FromPath[int]
    ) -> SurveyOut:
        return await _move(ctx, db, principal, survey_id, "publish")

    @get(
        "/offered",
        operation_id="offeredSurveys",
        guards=[residents],
        summary="Surveys for this device: where its reports are, or where it stands now",
    )
    async def offered(
        self,
        request: Request,  # type: ignore[type-arg]
        ctx: Ctx,
        db: DB,
        principal: Caller,
        lat: Annotated[float | None, QueryParameter(ge=-90, le=90)] = None,
        lng: Annotated[float | None, QueryParameter(ge=-180, le=180)] = None,
    ) -> list[OfferOut]:
        return await respondents.offered(
            db,
            principal,
            lat=lat,
            lng=lng,
            routing=ctx.require_routing().index,
            address=client_address(request, ctx.settings),
            settings=ctx.settings,
            now=ctx.clock.now(),
        )

    @get(
        "/{survey_id:int}",
        operation_id="getSurvey",
        guards=[survey_staff],
        summary="One survey of your subtree with the tally of its items",
    )
    async def one(self, db: DB, principal: Caller, survey_id: FromPath[int]) -> SurveyOut:
        return await service.one(db, principal, survey_id=survey_id)

    @post(
        "/{survey_id:int}/open",
        operation_id="openSurvey",
        guards=[organisers],
        status_code=HTTP_200_OK,
        summary="Start taking answers (draft → open)",
    )
    async def open_survey(
        self, ctx: Ctx, db: DB, principal: Caller, survey_id: FromPath[int]
    ) -> SurveyOut:
        return await _move(ctx, db, principal, survey_id, "open")

    @post(
        "/{survey_id:int}/close",
        operation_id="closeSurvey",
        guards=[organisers],
        status_code=HTTP_200_OK,
        summary="Stop taking answers (open → closed)",
    )
    async def close_survey(
        self, ctx: Ctx, db: DB, principal: Caller, survey_id: FromPath[int]
    ) -> SurveyOut:
        return await _move(ctx, db, principal, survey_id, "close")

    @post(
        "/{survey_id:int}/answers",
        operation_id="answerSurvey",
        guards=[residents],
        status_code=HTTP_201_CREATED,
        summary="作答: this device's answers, once per survey (nothing names the device)",
    )
    async def answer(
        self,
        request: Request,  # type: ignore[type-arg]
        ctx: Ctx,
        db: DB,
        principal: Caller,
        survey_id: FromPath[int],
        data: JSONBody[AnswerIn],
    ) -> AnswerOut:
        return await respondents.answer(
            db,
            principal,
            survey_id=survey_id,
            data=data,
            routing=ctx.require_routing().index,
            address=client_address(request, ctx.settings),
            settings=ctx.settings,
            now=ctx.clock.now(),
        )

    @post(
        "/{survey_id:int}/entries",
        operation_id="enterSurveyAnswers",
        guards=[survey_staff],
        status_code=HTTP_201_CREATED,
        request_max_body_size=_ENTRIES_MAX_BYTES,
        summary="Answers collected at a 座谈会, 入户走访 or 电话回访 (up to 500 at once)",
    )
    async def enter(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        survey_id: FromPath[int],
        data: JSONBody[EntriesIn],
    ) -> EntriesOut:
        return await entries.enter(
            db,
            principal,
            survey_id=survey_id,
            data=data,
            settings=ctx.settings,
            now=ctx.clock.now(),
        )
