"""The per-process objects handlers need, kept on `app.state` and handed out as dependencies."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from litestar.datastructures import State

from backend.clock import Clock
from backend.regions.live_index import LiveRoutingIndex
from backend.settings import Settings


@dataclass(slots=True)
class AppContext:
    """Settings, clock, pool and routing index of one API process."""

    settings: Settings
    clock: Clock
    pool: asyncpg.Pool | None = None
    routing: LiveRoutingIndex | None = None

    def require_pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("the database pool is not open yet")
        return self.pool

    def require_routing(self) -> LiveRoutingIndex:
        if self.routing is None:
            raise RuntimeError("the routing index is not built yet")
        return self.routing


def context_of(state: State) -> AppContext:
    ctx: AppContext = state["ctx"]
    return ctx


async def provide_ctx(state: State) -> AppContext:
    """Dependency: the app context."""
    return context_of(state)
