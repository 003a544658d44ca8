"""A real PostgreSQL for every test that needs one.

`DATABASE_URL`, when set, names a server the tests may create databases on; otherwise one
embedded server is started for the session in a temporary directory. The schema is
migrated once into a template database, and each test gets a fresh copy of it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from backend.db import migrate
from backend.db.embedded import EmbeddedPostgres
from backend.db.pool import connect
from backend.demo import load_demo
from tests.seaweedfs import seaweedfs
from tests.servers import Server, free_port

__all__ = ["seaweedfs"]  # a session fixture for every test folder

TEMPLATE = "gridreport_test_template"
DEMO_TEMPLATE = "gridreport_test_demo"
DEMO_PASSWORD = "demo-password-for-tests"


def with_database(dsn: str, name: str) -> str:
    """The same server, another database."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """DSN of a server where tests may create databases."""
    given = os.environ.get("DATABASE_URL")
    if given:
        yield given
        return
    server = EmbeddedPostgres(
        tmp_path_factory.mktemp("pg") / "data",
        # Durability is not under test here; speed is welcome.
        server_options={"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"},
    )
    try:
        yield server.start()
    finally:
        server.discard()


@pytest.fixture(scope="session")
async def template_dsn(pg_server: str) -> str:
    """A migrated database that every test database is copied from."""
    admin = await asyncpg.connect(with_database(pg_server, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
        await admin.execute(f'CREATE DATABASE "{TEMPLATE}"')
    finally:
        await admin.close()
    conn = await connect(with_database(pg_server, TEMPLATE))
    try:
        await migrate.migrate(conn)
    finally:
        await conn.close()
    return with_database(pg_server, TEMPLATE)


@pytest.fixture(scope="session")
async def demo_template_dsn(pg_server: str, template_dsn: str) -> str:
    """A migrated database with the demo city and staff loaded, to copy from."""
    async with _database_copy(pg_server, TEMPLATE, name=DEMO_TEMPLATE, keep=True) as dsn:
        conn = await connect(dsn)
        try:
            await load_demo(conn, password=DEMO_PASSWORD)
        finally:
            await conn.close()
    return with_database(pg_server, DEMO_TEMPLATE)


@contextlib.asynccontextmanager
async def _database_copy(
    pg_server: str, template: str, *, name: str | None = None, keep: bool = False
) -> AsyncIterator[str]:
    name = name or f"gridreport_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(with_database(pg_server, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        yield with_database(pg_server, name)
        if not keep:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def database(pg_server: str, template_dsn: str) -> AsyncIterator[str]:
    """DSN of a fresh, migrated, empty database of this test's own."""
    async with _database_copy(pg_server, TEMPLATE) as dsn:
        yield dsn


@pytest.fixture
async def demo_database(pg_server: str, demo_template_dsn: str) -> AsyncIterator[str]:
    """DSN of a fresh database holding the demo city and its staff."""
    async with _database_copy(pg_server, DEMO_TEMPLATE) as dsn:
        yield dsn


@pytest.fixture
async def empty_database(pg_server: str) -> AsyncIterator[str]:
    """DSN of a database with no schema at all (for migration tests)."""
    name = f"gridreport_empty_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(with_database(pg_server, "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield with_database(pg_server, name)
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def db(database: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to this test's database."""
    conn = await connect(database)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
def api(demo_database: str, tmp_path: Path) -> Iterator[str]:
    """The base URL of a real `gridreport serve` (granian) on this test's copy of the demo city."""
    server = Server(tmp_path / "var", free_port(), {"DATABASE_URL": demo_database}, demo=False)
    try:
        server.wait_ready()
        yield server.base
    finally:
        server.stop(signal.SIGTERM)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
