"""The Litestar application: `create_app(settings, **overrides)`.

Nothing is opened at import time. The lifespan opens the pool, builds the routing index and
follows region changes; tests pass their own clock (and anything else) by argument.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from litestar import Litestar, Router
from litestar.datastructures import MutableScopeHeaders, State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.types import Message, Scope

from backend.accounts.controller import AuthController, MeController, UserAdminController
from backend.areas.controller import AreaController, AreaTaskController
from backend.areas.followup_controller import (
    AreaFiguresController,
    AreaFollowupController,
    RegionStandingController,
)
from backend.areas.meeting_controller import AreaMeetingController
from backend.areas.people_controller import AreaPeopleController
from backend.cases.controller import CaseController, TaskController
from backend.categories.controller import CategoryAdminController, CategoryController
from backend.clock import Clock, SystemClock
from backend.db.pool import ACQUIRE_TIMEOUT_SECONDS, create_pool
from backend.duties.controller import DutyController
from backend.exports.controller import CaseExportController, StatsReportController
from backend.hotspots.controller import HotspotController
from backend.live.controller import stream
from backend.live.feed import LiveFeed
from backend.media.controller import (
    MediaController,
    public_photo_check,
    signed_photo,
    stored_photo,
)
from backend.media.link_secret import load_link_secret
from backend.media.storage import store_from_settings
from backend.observability.api_metrics import ApiMetrics
from backend.observability.controller import prometheus_metrics
from backend.observability.http import observe_requests
from backend.open311.controller import Open311KeyAdminController, open311_router
from backend.outbound.fetch import Fetcher
from backend.oversight.assessment_controller import AssessmentController
from backend.oversight.inspections_controller import FindingController, InspectionController
from backend.oversight.monthly_controller import MonthlyReportController
from backend.oversight.performance_controller import PerformanceController
from backend.public.controller import AreaPageController, PublicReportController
from backend.push.controller import PushController
from backend.regions.controller import RegionAdminController, RegionController
from backend.regions.live_index import LiveRoutingIndex
from backend.reports.controller import MyPointsController, MyReportsController, ReportController
from backend.settings import Settings
from backend.stats.controller import StatsController
from backend.supervision.controller import FlagController, RegionFlagController
from backend.surveys.controller import SurveyController
from backend.web.auth import provide_principal
from backend.web.client_config import client_config
from backend.web.context import AppContext, context_of, provide_ctx
from backend.web.errors import EXCEPTION_HANDLERS, document_error_bodies
from backend.web.health import healthz, home, readyz
from backend.web.pwa import default_dist, pwa_handlers
from backend.web.request import ApiRequest
from media_store import Store

log = logging.getLogger(__name__)
_FORM_OVERHEAD_BYTES = 256 * 1024


def _lifespan(ctx: AppContext, dsn: str) -> contextlib.AbstractAsyncContextManager[None]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        ctx.pool = await create_pool(ctx.settings, dsn)
        ctx.store = ctx.store or store_from_settings(ctx.settings)
        ctx.photo_link_secret = ctx.photo_link_secret or load_link_secret(ctx.settings)
        # Pillow releases the GIL while decoding and encoding: one thread per core keeps
        # every core busy and the event loop free.
        ctx.photo_executor = ThreadPoolExecutor(os.cpu_count() or 2, thread_name_prefix="photos")
        ctx.routing = LiveRoutingIndex(ctx.settings.near_grid_metres)
        try:
            async with ctx.pool.acquire() as conn:
                await ctx.routing.refresh(conn)
        except asyncpg.PostgresError as exc:
            # Not migrated yet (a migration job may still be running): /readyz says 503 and
            # the follower below keeps trying, instead of the process dying at start.
            log.warning("routing index not built at start: %s", type(exc).__name__)
        follower = asyncio.create_task(
            ctx.routing.follow(ctx.pool, dsn, ctx.settings.region_poll_seconds)
        )
        feed_task = asyncio.create_task(app.state["live_feed"].follow(dsn))
        try:
            yield
        finally:
            for task in (follower, feed_task):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await ctx.pool.close()
            await ctx.store.close()
            ctx.photo_executor.shutdown(wait=False, cancel_futures=True)

    return lifespan  # type: ignore[return-value]


async def _provide_db(state: State) -> AsyncIterator[PoolConnectionProxy]:
    """Dependency: one pooled connection for the length of a request."""
    pool = context_of(state).require_pool()
    # A pool that stays exhausted this long means the database is struggling: 503, retry.
    async with pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
        yield conn


async def _security_headers(message: Message, scope: Scope) -> None:
    """On every response, error responses included (an after_request hook misses those)."""
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if scope["path"].startswith("/api/"):
            # API answers carry cases, contacts and tokens: no browser or proxy keeps a copy
            # unless the handler itself says how its answer may be cached.
            headers.setdefault("Cache-Control", "no-store")


def create_app(
    settings: Settings,
    *,
    dsn: str | None = None,
    clock: Clock | None = None,
    store: Store | None = None,
    pwa_dist: Path | None = None,
    media_fetcher: Fetcher | None = None,
) -> Litestar:
    """Build the API for these settings; the keyword arguments replace what settings name."""
    target = dsn or settings.database_url
    if target is None:
        raise ValueError("create_app needs a database: pass dsn= or set DATABASE_URL")
    ctx = AppContext(
        settings=settings, clock=clock or SystemClock(), store=store, media_fetcher=media_fetcher
    )
    metrics = ApiMetrics()
    app = Litestar(
        route_handlers=[
            *(pwa_handlers(pwa_dist or default_dist(), tile_url=settings.map_tile_url) or [home]),
            healthz,
            readyz,
            prometheus_metrics,
            client_config,
            AuthController,
            MeController,
            UserAdminController,
            RegionController,
            RegionAdminController,
            RegionFlagController,
            FlagController,
            AreaFollowupController,
            AreaFiguresController,
            RegionStandingController,
            SurveyController,
            AreaPageController,
            PublicReportController,
            HotspotController,
            CategoryController,
            CategoryAdminController,
            # The routes that take a photo accept a photo's size; every other body is small.
            Router(
                path="/",
                route_handlers=[MediaController, open311_router],
                request_max_body_size=settings.media_max_bytes + _FORM_OVERHEAD_BYTES,
            ),
            stored_photo,
            signed_photo,
            public_photo_check,
            ReportController,
            MyReportsController,
            MyPointsController,
            CaseController,
            CaseExportController,
            TaskController,
            DutyController,
            AssessmentController,
            MonthlyReportController,
            PerformanceController,
            InspectionController,
            FindingController,
            AreaController,
            AreaTaskController,
            AreaMeetingController,
            AreaPeopleController,
            PushController,
            StatsController,
            StatsReportController,
            Open311KeyAdminController,
            stream,
        ],
        # Every body is capped: a JSON body at a few pages of text, a photo at a photo's size.
        request_max_body_size=settings.json_max_bytes,
        request_class=ApiRequest,
        dependencies={
            "ctx": Provide(provide_ctx),
            "db": Provide(_provide_db),
            "principal": Provide(provide_principal),
        },
        lifespan=[_lifespan(ctx, target)],
        state=State({"ctx": ctx, "live_feed": LiveFeed(), "metrics": metrics}),
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[_security_headers],
        # The process's logging is set up once by backend.observability.logs; Litestar's own
        # default would replace the root handler and its format.
        logging_config=None,
        openapi_config=OpenAPIConfig(
            title="gridreport API",
            version="1",
            path="/schema",
            description="随手拍 grid governance: reports, grids, cases and their deadlines.",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        debug=False,
    )
    # Outside the router and the error handlers: unmatched paths and errors are measured too.
    app.asgi_handler = observe_requests(app.asgi_handler, metrics)
    document_error_bodies(app.openapi_schema, except_under=("/open311/",))
    return app
