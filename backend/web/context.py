"""The per-process objects handlers need, kept on `app.state` and handed out as dependencies."""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from dataclasses import dataclass

import asyncpg
from litestar.datastructures import State

from backend.clock import Clock
from backend.media.links import LinkSigning, PhotoLinks
from backend.media.pipeline import PhotoLimits
from backend.media.quota import UploadQuota
from backend.media.service import PhotoService
from backend.outbound.fetch import Fetcher
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
    media_fetcher: Fetcher | None = None
    photo_link_secret: bytes | None = None
    photo_decodes: asyncio.Semaphore | None = None

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
        settings = self.settings
        limits = PhotoLimits(
            max_bytes=settings.media_max_bytes,
            max_pixels=round(settings.media_max_megapixels * 1_000_000),
        )
        if self.photo_decodes is None:
            self.photo_decodes = asyncio.Semaphore(settings.photo_decodes_at_once)
        return PhotoService(
            store=self.require_store(),
            executor=self.photo_executor,
            limits=limits,
            signing=self.link_signing(),
            decodes=self.photo_decodes,
            quota=UploadQuota(
                per_device=settings.uploads_per_hour,
                per_address=settings.uploads_per_hour_per_address,
            ),
        )

    def link_signing(self) -> LinkSigning:
        """How photo links are signed in this deployment."""
        if self.photo_link_secret is None:
            raise RuntimeError("the photo link secret is not loaded yet")
        return LinkSigning(
            secret=self.photo_link_secret,
            seconds=self.settings.photo_link_seconds,
            sign_all=self.settings.signed_photos == "all",
        )

    def photo_links(self, viewer: int) -> PhotoLinks:
        """Photo URLs for one caller (0: a reader without an account)."""
        return PhotoLinks(
            store=self.require_store(),
            signing=self.link_signing(),
            viewer=viewer,
            now=self.clock.now(),
        )

    def fetcher(self) -> Fetcher:
        """How a client-named media_url is fetched: public https addresses, bounded."""
        if self.media_fetcher is not None:
            return self.media_fetcher
        return Fetcher(timeout_seconds=self.settings.open311_media_timeout_seconds)

    def intake(self) -> Intake:
        """What report intake needs: settings, the current routing index and the store."""
        return Intake(
            settings=self.settings,
            routing=self.require_routing().index,
            store=self.require_store(),
            photo_links=self.photo_links,
        )


def context_of(state: State) -> AppContext:
    ctx: AppContext = state["ctx"]
    return ctx


async def provide_ctx(state: State) -> AppContext:
    """Dependency: the app context."""
    return context_of(state)
