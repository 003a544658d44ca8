"""The settings every API, worker and migration process of a production run gets, and the
file that gives an operator's `gridreport` commands the same."""

from __future__ import annotations

import os
from collections.abc import Mapping
from shlex import quote

from backend.settings import LOOPBACK, load_settings
from infra.prod import seaweedfs
from infra.prod.layout import Layout, Secrets, write_private

_OPERATOR_SETTINGS = (
    "DATABASE_URL",
    "GRIDREPORT_DATA_DIR",
    "GRIDREPORT_PUBLIC_URL",
    "GRIDREPORT_MEDIA_BACKEND",
    "S3_ENDPOINT_URL",
    "S3_BUCKET",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_PUBLIC_BASE_URL",
    "GRIDREPORT_VAPID_PRIVATE_KEY",
)


def product_env(
    layout: Layout,
    secrets: Secrets,
    *,
    dsn: str,
    s3_url: str,
    public_url: str,
    extra: Mapping[str, str],
) -> dict[str, str]:
    """The environment of every API, worker and migration process of this run."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("S3_")}
    env |= {
        "DATABASE_URL": dsn,
        "GRIDREPORT_DATA_DIR": str(layout.data_dir),
        "GRIDREPORT_PUBLIC_URL": public_url,
        "GRIDREPORT_MEDIA_BACKEND": "s3",
        "S3_ENDPOINT_URL": s3_url,
        "S3_BUCKET": seaweedfs.BUCKET,
        "S3_ACCESS_KEY_ID": secrets.s3_access_key_id,
        "S3_SECRET_ACCESS_KEY": secrets.s3_secret_access_key,
        "S3_ADDRESSING_STYLE": "path",
        "S3_PUBLIC_BASE_URL": f"{public_url}/photos",
        # nginx on this machine relays every request: its X-Forwarded-For names the client,
        # so per-address limits count residents, not the proxy.
        "GRIDREPORT_TRUSTED_PROXIES": ",".join(LOOPBACK),
        # One key for every process: phones subscribed through one API are pushed by any worker.
        "GRIDREPORT_VAPID_PRIVATE_KEY": secrets.vapid_private_pem,
        **extra,
    }
    load_settings(env)  # a bad setting stops here, naming the variable, before anything starts
    return env


def write_operator_env(layout: Layout, env: Mapping[str, str]) -> None:
    """gridreport.env, for `set -a; . var/prod/gridreport.env; set +a` before `gridreport …`."""
    write_private(layout.env_file, "".join(f"{k}={quote(env[k])}\n" for k in _OPERATOR_SETTINGS))
