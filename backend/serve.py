"""`gridreport serve`: the database (embedded or given), migrations, the demo, then granian.

With no DATABASE_URL this process owns a private PostgreSQL: it holds an exclusive lock on
the data directory (a second `serve` there stops with a clear message instead of sharing
the cluster), and stops the server on Ctrl-C, SIGTERM or any error, so that no postgres
process outlives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from backend.db import migrate
from backend.db.embedded import EmbeddedPostgres
from backend.db.pool import connect
from backend.demo import DemoLogin, demo_password, load_demo
from backend.observability.logs import granian_log_config
from backend.settings import Settings

GRACEFUL_STOP_SECONDS = 10


class DataDirBusy(RuntimeError):
    """Another `gridreport serve` owns this data directory."""


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data directory exclusively for as long as this process runs."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "serve.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise DataDirBusy(
                f"another gridreport serve (pid {holder}) is using the data directory "
                f"{data_dir.resolve()}; stop it first, "
                "or set GRIDREPORT_DATA_DIR to another directory"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into SystemExit so that `finally` blocks (stopping PostgreSQL) run."""

    def handler(signum: int, _: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def database(settings: Settings) -> Iterator[str]:
    """The DSN to use: DATABASE_URL as given, or an embedded server started and later stopped."""
    if settings.database_url is not None:
        yield settings.database_url
        return
    with data_dir_lock(settings.data_dir):
        server = EmbeddedPostgres(settings.pgdata_dir)
        try:
            yield server.start()
        finally:
            server.stop()


async def prepare(dsn: str, settings: Settings, *, demo: bool) -> list[DemoLogin]:
    """Migrate, and load the demo city when asked; returns the demo logins."""
    conn = await connect(dsn)
    try:
        await migrate.migrate(conn)
        if not demo:
            return []
        password, _ = demo_password(settings.demo_password, settings.data_dir)
        return await load_demo(conn, password=password)
    finally:
        await conn.close()


def banner(settings: Settings, logins: list[DemoLogin]) -> str:
    """What `serve` prints once it is ready: where to go and how to log in."""
    base = f"http://{settings.host}:{settings.port}"
    lines = [
        "",
        f"gridreport 随手拍 is starting at {base}/",
        f"  OpenAPI:   {base}/schema/openapi.json   (browse: {base}/schema/swagger)",
        f"  Health:    {base}/readyz",
    ]
    if logins:
        password, _ = demo_password(settings.demo_password, settings.data_dir)
        lines.append(f"  Demo logins (password: {password}):")
        lines += [
            f"    {login.username:<18} {login.role:<11} scope {login.scope}" for login in logins
        ]
    lines.append("  Stop with Ctrl-C.")
    return "\n".join(lines) + "\n"


def run_api(settings: Settings, dsn: str) -> None:
    """Serve the API with granian until SIGINT or SIGTERM."""
    from granian import Granian
    from granian.constants import Interfaces

    os.environ["DATABASE_URL"] = dsn  # the API workers read their settings from the environment
    Granian(
        "backend.asgi:app_from_environment",
        factory=True,
        interface=Interfaces.ASGI,
        address=settings.host,
        port=settings.port,
        workers=settings.api_workers,
        log_access=False,
        log_dictconfig=granian_log_config(settings),
        # Open event streams never end by themselves: give requests this long, then stop.
        workers_kill_timeout=GRACEFUL_STOP_SECONDS,
    ).serve()


@contextlib.contextmanager
def background_worker(dsn: str) -> Iterator[subprocess.Popen[bytes]]:
    """A `gridreport worker` beside the API, stopped with it: one command runs everything."""
    env = {**os.environ, "DATABASE_URL": dsn}
    worker = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"], env=env)
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def serve(settings: Settings, *, demo: bool) -> int:
    """The whole `serve` command; returns the exit status."""
    with stop_on_sigterm(), database(settings) as dsn:
        logins = asyncio.run(prepare(dsn, settings, demo=demo))
        sys.stdout.write(banner(settings, logins))
        sys.stdout.flush()
        with background_worker(dsn):
            run_api(settings, dsn)
    return 0
