"""`gridreport serve` as an operator runs it: a real process, an embedded PostgreSQL, signals."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend.db.embedded import EmbeddedPostgres
from tests.servers import PASSWORD, Server, free_port, postgres_processes

pytestmark = pytest.mark.slow


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "var"
    yield directory
    for proc in postgres_processes(directory / "postgres"):  # never leave a stray server
        proc.kill()
    EmbeddedPostgres(directory / "postgres").discard()


def test_serve_runs_the_demo_and_ctrl_c_leaves_no_postgres(data_dir: Path) -> None:
    server = Server(data_dir, free_port())
    try:
        server.wait_ready()
        output = server.output()
        for username in [
            "demo-worker",
            "demo-department",
            "demo-dispatcher",
            "demo-supervisor",
            "demo-admin",
        ]:
            assert username in output
        assert "/schema/openapi.json" in output
        login = httpx.post(
            f"{server.base}/api/v1/auth/login",
            json={"username": "demo-dispatcher", "password": PASSWORD},
        )
        assert login.status_code == 200
        located = httpx.get(
            f"{server.base}/api/v1/regions/locate", params={"lat": 30.2741, "lng": 120.1551}
        ).json()
        assert located["region"]["level"] == "grid"
        assert postgres_processes(data_dir / "postgres")
    finally:
        status = server.stop(signal.SIGINT)
    assert status == 0, server.output()
    assert postgres_processes(data_dir / "postgres") == []


def test_second_serve_on_the_same_data_dir_refuses(data_dir: Path) -> None:
    first = Server(data_dir, free_port())
    try:
        first.wait_ready()
        second = Server(data_dir, free_port())
        assert second.wait() == 2
        assert "another gridreport serve" in second.output()
        assert "GRIDREPORT_DATA_DIR" in second.output()
        # The first one is unharmed.
        assert httpx.get(f"{first.base}/readyz").status_code == 200
    finally:
        assert first.stop(signal.SIGTERM) == 0
    assert postgres_processes(data_dir / "postgres") == []


def test_restart_reuses_the_cluster_and_the_demo_loads_once(data_dir: Path) -> None:
    port = free_port()
    first = Server(data_dir, port)
    first.wait_ready()
    token = httpx.post(f"{first.base}/api/v1/auth/device", json={}).json()["token"]
    streets = _streets(first.base, PASSWORD)
    assert first.stop(signal.SIGTERM) == 0
    assert postgres_processes(data_dir / "postgres") == []

    again = Server(data_dir, port)
    try:
        again.wait_ready()
        # Data survived the restart (the resident's token still works) and nothing doubled.
        me = httpx.get(f"{again.base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert _streets(again.base, PASSWORD) == streets
    finally:
        assert again.stop(signal.SIGTERM) == 0
    assert postgres_processes(data_dir / "postgres") == []


def _streets(base: str, password: str) -> list[str]:
    login = httpx.post(
        f"{base}/api/v1/auth/login", json={"username": "demo-admin", "password": password}
    ).json()
    headers = {"Authorization": f"Bearer {login['token']}"}
    nodes = httpx.get(f"{base}/api/v1/regions/", params={"parent": "330106"}, headers=headers)
    return [node["code"] for node in nodes.json()]


def test_a_bad_setting_stops_startup_naming_the_variable(data_dir: Path) -> None:
    server = Server(data_dir, free_port(), {"GRIDREPORT_NEAR_GRID_METRES": "lots"})
    assert server.wait() == 2
    assert "GRIDREPORT_NEAR_GRID_METRES" in server.output()
    assert postgres_processes(data_dir / "postgres") == []
