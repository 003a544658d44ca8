"""`gridreport serve` as an operator runs it: a real process, an embedded PostgreSQL, signals."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

pytestmark = pytest.mark.slow

PASSWORD = "serve-test-password"
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def postgres_processes(data_dir: Path) -> list[psutil.Process]:
    """Live postgres processes whose command line names this data directory."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if proc.info["name"] == "postgres" and str(data_dir) in cmdline:
            found.append(proc)
    return found


class Server:
    """One `gridreport serve --demo` in its own session, like a terminal's foreground job."""

    def __init__(self, data_dir: Path, port: int, extra_env: dict[str, str] | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env |= {
            "GRIDREPORT_DATA_DIR": str(data_dir),
            "GRIDREPORT_PORT": str(port),
            "GRIDREPORT_DEMO_PASSWORD": PASSWORD,
            **(extra_env or {}),
        }
        self.base = f"http://127.0.0.1:{port}"
        self.log = data_dir.parent / f"serve-{port}-{time.monotonic_ns()}.log"
        self._log_handle = open(self.log, "wb")  # noqa: SIM115 - closed in wait()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--demo"],
            env=env,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited early ({self.process.returncode}):\n{self.output()}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"serve was not ready within {STARTUP_SECONDS} s:\n{self.output()}")

    def wait(self) -> int:
        try:
            return self.process.wait(timeout=60)
        finally:
            self._log_handle.close()

    def stop(self, how: signal.Signals) -> int:
        if how == signal.SIGINT:  # Ctrl-C reaches the whole foreground process group
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(how)
        return self.wait()


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "var"
    yield directory
    for proc in postgres_processes(directory):  # never leave a stray server behind a failure
        proc.kill()


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
        assert postgres_processes(data_dir)
    finally:
        status = server.stop(signal.SIGINT)
    assert status == 0, server.output()
    assert postgres_processes(data_dir) == []


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
    assert postgres_processes(data_dir) == []


def test_restart_reuses_the_cluster_and_the_demo_loads_once(data_dir: Path) -> None:
    port = free_port()
    first = Server(data_dir, port)
    first.wait_ready()
    token = httpx.post(f"{first.base}/api/v1/auth/device", json={}).json()["token"]
    streets = _streets(first.base, PASSWORD)
    assert first.stop(signal.SIGTERM) == 0
    assert postgres_processes(data_dir) == []

    again = Server(data_dir, port)
    try:
        again.wait_ready()
        # Data survived the restart (the resident's token still works) and nothing doubled.
        me = httpx.get(f"{again.base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert _streets(again.base, PASSWORD) == streets
    finally:
        assert again.stop(signal.SIGTERM) == 0
    assert postgres_processes(data_dir) == []


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
    assert postgres_processes(data_dir) == []
