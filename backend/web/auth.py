"""Bearer-token authentication as guards (role) and a dependency (who is calling).

Guards enforce the role; every query then enforces the scope in SQL. The principal is
looked up once per request and cached on the connection's state.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from backend.accounts import service as accounts
from backend.accounts.rules import STAFF_ROLES, Principal
from backend.db.pool import ACQUIRE_TIMEOUT_SECONDS
from backend.errors import Forbidden, Unauthorized
from backend.web.context import context_of

_STATE_KEY = "gridreport_principal"


def bearer_token(connection: ASGIConnection) -> str | None:  # type: ignore[type-arg]
    """The token of an `Authorization: Bearer …` header, if any."""
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def authenticate(connection: ASGIConnection) -> Principal:  # type: ignore[type-arg]
    """The caller; 401 without a valid token."""
    cached: Principal | None = connection.state.get(_STATE_KEY)
    if cached is not None:
        return cached
    token = bearer_token(connection)
    if token is None:
        raise Unauthorized("auth.required", "请先登录", "Log in first")
    ctx = context_of(connection.app.state)
    async with ctx.require_pool().acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as conn:
        principal = await accounts.authenticate(conn, token=token, now=ctx.clock.now())
    connection.state[_STATE_KEY] = principal
    return principal


def requires(*roles: str) -> Guard:
    """A guard that admits a logged-in caller with one of `roles` (any role when empty)."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:  # type: ignore[type-arg]
        principal = await authenticate(connection)
        if roles and principal.role not in roles:
            raise Forbidden("auth.forbidden", "您的角色不能进行此操作", "Your role may not do this")

    return guard


STAFF = tuple(sorted(STAFF_ROLES))
logged_in = requires()
staff_only = requires(*STAFF)
admin_only = requires("admin")


async def provide_principal(request: ASGIConnection) -> Principal:  # type: ignore[type-arg]
    """Dependency: the authenticated caller (guards have already checked the role)."""
    return await authenticate(request)
