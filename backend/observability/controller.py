"""GET /metrics: this process's figures in Prometheus text format, for allowed scrapers only.

A caller that may not read them gets the same 404 as any unknown path, so the endpoint does
not even show that it exists. Nothing in it names a person: labels are route templates,
statuses and outcomes; values are counts, ages and durations.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import State

from backend.errors import NotFound
from backend.observability import rules
from backend.observability.api_metrics import ApiMetrics
from backend.observability.registry import CONTENT_TYPE
from backend.web.deps import Ctx


def metrics_of(state: State) -> ApiMetrics:
    metrics: ApiMetrics = state["metrics"]
    return metrics


@get(
    "/metrics",
    operation_id="metrics",
    summary="Prometheus metrics of this API process (loopback or allow-listed scrapers)",
    include_in_schema=False,
    cache=False,
)
async def prometheus_metrics(
    request: Request[Any, Any, Any], ctx: Ctx, state: State
) -> Response[str]:
    allowed = rules.may_scrape(
        peer=request.client.host if request.client else None,
        headers={name.lower(): value for name, value in request.headers.items()},
        allow=ctx.settings.metrics_allow,
        token=ctx.settings.metrics_token,
    )
    if not allowed:
        raise NotFound("not_found", "找不到该资源", "Not found")
    text = await metrics_of(state).exposition(ctx.pool, now=ctx.clock.now())
    return Response(text, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
