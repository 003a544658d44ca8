"""Serving the built PWA (pwa/dist): three role views, the service worker, hashed assets.

Hashed assets never change under their names, so they are cached for a year; the pages and
the service worker must always be fetched fresh, or a phone would never see an update. Every
page carries a Content-Security-Policy that allows no inline script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from litestar import Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.response import File
from litestar.static_files import create_static_files_router

from backend.errors import NotFound

_CSP = (
    "default-src 'self'; img-src 'self' data: blob:{tiles}; connect-src 'self'; "
    "style-src 'self'; script-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
_ROOT_FILES = {"sw.js": "text/javascript", "manifest.webmanifest": "application/manifest+json"}


def default_dist() -> Path:
    """pwa/dist next to the backend package (the repository layout)."""
    return Path(__file__).resolve().parents[2] / "pwa" / "dist"


def content_security_policy(tile_url: str | None) -> str:
    """The pages' policy: nothing inline, images from ourselves and the map's tile server only."""
    return _CSP.format(tiles=f" {tile_origin(tile_url)}" if tile_url else "")


def tile_origin(tile_url: str) -> str:
    """The origin a tile URL template loads from; a `{s}` subdomain becomes a wildcard."""
    parts = urlsplit(tile_url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}"


def pwa_handlers(dist: Path, *, tile_url: str | None = None) -> list[HTTPRouteHandler | Router]:
    """Route handlers for the built PWA; none when it has not been built."""
    if not (dist / "index.html").is_file():
        return []
    page_headers = {
        "Content-Security-Policy": content_security_policy(tile_url),
        "Cache-Control": "no-cache",
    }

    def page(relative: str) -> Response[Any]:
        return File(
            dist / relative,
            # The framework appends the charset to every text/* type itself.
            media_type="text/html",
            content_disposition_type="inline",
            headers=page_headers,
        )

    @get(["/", "/reports/{rest:path}"], include_in_schema=False, name="resident-page")
    async def resident(rest: FromPath[str] = "") -> Response[Any]:
        return page("index.html")

    @get(["/w", "/w/{rest:path}"], include_in_schema=False, name="worker-page")
    async def worker(rest: FromPath[str] = "") -> Response[Any]:
        return page("w/index.html")

    @get(["/d", "/d/{rest:path}"], include_in_schema=False, name="dispatcher-page")
    async def dispatcher(rest: FromPath[str] = "") -> Response[Any]:
        return page("d/index.html")

    @get("/{name:str}", include_in_schema=False, name="pwa-root-file")
    async def root_file(name: FromPath[str]) -> Response[Any]:
        if name not in _ROOT_FILES or not (dist / name).is_file():
            raise NotFound("not_found", "找不到该资源", "Not found")
        return File(
            dist / name,
            media_type=_ROOT_FILES[name],
            content_disposition_type="inline",
            headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
        )

    assets = create_static_files_router(
        path="/assets",
        directories=[dist / "assets"],
        name="pwa-assets",
        cache_control=CacheControlHeader(max_age=31_536_000, public=True, immutable=True),
    )
    icons = create_static_files_router(
        path="/icons",
        directories=[dist / "icons"],
        name="pwa-icons",
        cache_control=CacheControlHeader(max_age=86_400, public=True),
    )
    return [resident, worker, dispatcher, root_file, assets, icons]
