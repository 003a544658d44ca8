"""Named dependencies handlers ask for: the database connection, the app context, the caller."""

from __future__ import annotations

from typing import TypeAlias

from asyncpg.pool import PoolConnectionProxy
from litestar.di import NamedDependency

from backend.accounts.rules import Principal
from backend.web.context import AppContext

# A pooled connection; Litestar's signature model needs one concrete type, not a union.
DB: TypeAlias = NamedDependency[PoolConnectionProxy]
Ctx: TypeAlias = NamedDependency[AppContext]
Caller: TypeAlias = NamedDependency[Principal]
