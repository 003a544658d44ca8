"""Who reaches the key-area pages: each page's roles; department staff are sent to their tasks."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from backend.areas.access import scope_path
from backend.web.auth import authenticate, requires


def governing(*roles: str) -> Guard:
    """A guard admitting `roles`; staff who govern no areas get 403 areas.staff_only."""
    role_guard = requires(*roles)

    async def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:  # type: ignore[type-arg]
        principal = await authenticate(connection)
        if principal.is_staff:
            scope_path(principal)
        checked = role_guard(connection, handler)
        if checked is not None:
            await checked

    return guard
