"""Liveness and readiness for load balancers and orchestrators, and the plain home page."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Response, get

from backend.db import migrate
from backend.web.deps import Ctx


@get("/healthz", operation_id="healthz", summary="The process is up", tags=["health"])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/readyz",
    operation_id="readyz",
    summary="Database reachable and migrations current",
    tags=["health"],
)
async def readyz(ctx: Ctx) -> Response[dict[str, Any]]:
    problems = []
    try:
        async with ctx.require_pool().acquire(timeout=2) as conn:
            if not await migrate.is_current(conn):
                problems.append("migrations pending")
    except Exception as exc:
        problems.append(f"database unreachable ({type(exc).__name__})")
    if ctx.routing is None or ctx.routing.revision < 0:
        problems.append("routing index not built")
    if problems:
        return Response({"status": "unavailable", "problems": problems}, status_code=503)
    return Response(
        {"status": "ready", "regionRevision": ctx.routing.revision if ctx.routing else -1}
    )


_HOME = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>gridreport 随手拍</title></head>
<body><h1>gridreport 随手拍</h1>
<p>API 已启动 · The API is up. <a href="/schema/swagger">OpenAPI</a></p></body></html>
"""


@get(
    "/",
    operation_id="home",
    summary="Home page",
    include_in_schema=False,
    media_type=MediaType.HTML,
)
async def home() -> str:
    return _HOME
