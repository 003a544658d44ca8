"""The app served in the test's own event loop, so that requests really run at the same time.

Litestar's AsyncTestClient hands every request to a portal thread and waits for its answer:
requests gathered through it still run one after another. Here the app runs beside the
test, behind a chosen TCP peer (by default 127.0.0.1: the bundled nginx's address).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator

import httpx

from backend.app import create_app
from backend.clock import ManualClock
from backend.settings import LOOPBACK, Settings

NGINX = "127.0.0.1"


def behind_nginx(settings: Settings, **changes: object) -> Settings:
    """The settings of a production run: the proxy on loopback is trusted to name clients."""
    return dataclasses.replace(settings, trusted_proxies=LOOPBACK, **changes)  # type: ignore[arg-type]


def relayed_from(address: str) -> dict[str, str]:
    """The headers the bundled nginx adds for a client at `address`."""
    return {"X-Real-IP": address, "X-Forwarded-For": address}


@contextlib.asynccontextmanager
async def concurrent_client(
    settings: Settings, dsn: str, clock: ManualClock, *, peer: str = NGINX
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, dsn=dsn, clock=clock)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app, client=(peer, 50000))  # type: ignore[arg-type]
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1:8000", timeout=120
        ) as client:
            yield client
