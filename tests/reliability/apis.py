"""API processes for the drills: real `gridreport serve` processes on one database and store."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import psutil

from tests.seaweedfs import BUCKET, S3Server
from tests.servers import Server, free_port

# Every phone of a drill calls from 127.0.0.1: per-address limits sized for a whole city.
ONE_ADDRESS_FOR_EVERY_PHONE = {
    "GRIDREPORT_DEVICES_PER_HOUR_PER_ADDRESS": "1000000",
    "GRIDREPORT_REPORTS_PER_HOUR_PER_ADDRESS": "1000000",
    "GRIDREPORT_UPLOADS_PER_HOUR_PER_ADDRESS": "10000000",
}


def s3_env(s3: S3Server) -> dict[str, str]:
    """The settings that put an API process's photos in this S3 server's test bucket."""
    return {
        "GRIDREPORT_MEDIA_BACKEND": "s3",
        "S3_ENDPOINT_URL": s3.endpoint_url,
        "S3_BUCKET": BUCKET,
        "S3_REGION": s3.region,
        "S3_ACCESS_KEY_ID": s3.access_key_id,
        "S3_SECRET_ACCESS_KEY": s3.secret_access_key,
        "S3_ADDRESSING_STYLE": "path",
    }


@contextlib.contextmanager
def api_processes(
    count: int, data_dir: Path, env: dict[str, str], *, demo: bool = False
) -> Iterator[list[Server]]:
    """`count` API processes sharing one data directory, database and store; all stopped after."""
    base_env = {"GRIDREPORT_LOG_LEVEL": "warning", **ONE_ADDRESS_FOR_EVERY_PHONE, **env}
    servers = [Server(data_dir, free_port(), base_env, demo=demo and i == 0) for i in range(count)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            stop(server)


def stop(server: Server) -> None:
    """Stop a server and whatever it started, whether it is still running or was killed."""
    if server.process.poll() is None:
        server.stop(signal.SIGTERM)
    else:
        server.wait()
    for proc in psutil.process_iter(["pid"]):  # a worker whose parent was killed under it
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getsid(proc.pid) == server.process.pid:
                proc.kill()


def kill_machine(server: Server) -> None:
    """SIGKILL every process of the server's session at once: the machine it ran on is gone."""
    assert server.process.poll() is None  # the group id is surely still ours
    os.killpg(server.process.pid, signal.SIGKILL)
    server.wait()
