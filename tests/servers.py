"""Real `gridreport serve` processes for tests that need a real HTTP server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from backend.db.embedded import data_location

PASSWORD = "serve-test-password"
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def postgres_processes(pgdata: Path) -> list[psutil.Process]:
    """Live postgres processes of the cluster asked for at `pgdata` (wherever it really lives)."""
    data_dir = data_location(pgdata)
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if proc.info["name"] == "postgres" and str(data_dir) in cmdline:
            found.append(proc)
    return found


class Server:
    """One `gridreport serve --demo` in its own session, like a terminal's foreground job."""

    def __init__(
        self,
        data_dir: Path,
        port: int,
        extra_env: dict[str, str] | None = None,
        *,
        demo: bool = True,
    ) -> None:
        # The embedded database unless the test names one.
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
            [sys.executable, "-m", "backend.cli", "serve", *(["--demo"] if demo else [])],
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
            with contextlib.suppress(httpx.TransportError):  # not listening yet
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
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
