"""The per-process objects handlers need, kept on `app.state` and handed out as dependencies."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

import asyncpg
from litestar.datastructures import State

from backend.clock import Clock
from backend.media.pipeline import PhotoLimits
from backend.media.service import PhotoService
from backend.regions.live_index import LiveRoutingIndex
from backend.reports.service import Intake
from backend.settings import Settings
from media_store import Store


@dataclass(slots=True)
class AppContext:
    """Settings, clock, pool, store and routing index of one API process."""

    settings: Settings
    clock: Clock
    store: Store | None = None
    pool: asyncpg.Pool | None = None
    routing: LiveRoutingIndex | None = None
    photo_executor: Executor | None = None

    def require_pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("the database pool is not open yet")
        return self.pool

    def require_routing(self) -> LiveRoutingIndex:
        if self.routing is None:
            raise RuntimeError("the routing index is not built yet")
        return self.routing

    def require_store(self) -> Store:
        if self.store is None:
            raise RuntimeError("the media store is not open yet")
        return self.store

    def photos(self) -> PhotoService:
        """The photo pipeline's thread pool, limits and store."""
        if self.photo_executor is None:
            raise RuntimeError("the photo thread pool is not started yet")
        limits = PhotoLimits(max_bytes=self.settings.media_max_bytes)
        return PhotoService(store=self.require_store(), executor=self.photo_executor, limits=limits)

    def intake(self) -> Intake:
        """What report intake needs: settings, the current routing index and the store."""
        return Intake(
            settings=self.settings, routing=self.require_routing().index, store=self.require_store()
        )


def context_of(state: State) -> AppContext:
    ctx: AppContext = state["ctx"]
    return ctx


async def provide_ctx(state: State) -> AppContext:
    """Dependency: the app context."""
    return context_of(state)
