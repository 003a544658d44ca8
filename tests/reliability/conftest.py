"""A real API process (granian) on the test's demo database."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.servers import Server, free_port


@pytest.fixture
def api(demo_database: str, tmp_path: Path) -> Iterator[str]:
    """The base URL of `gridreport serve` on this test's copy of the demo city."""
    server = Server(tmp_path / "var", free_port(), {"DATABASE_URL": demo_database}, demo=False)
    try:
        server.wait_ready()
        yield server.base
    finally:
        server.stop(signal.SIGTERM)
