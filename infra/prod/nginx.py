"""nginx in front of the API processes: infra/nginx/gridreport.conf, rendered for this run.

Debian's nginx runs from its package with a main configuration of our own (pid file, logs,
temporary files under the run directory; `daemon off`, so the pid we record is the master's).
"""

from __future__ import annotations

import math
import os
import pwd
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from backend.settings import Settings
from infra.prod import processes
from infra.prod.layout import Layout
from infra.prod.ports import HOST

NAME = "nginx"
TEMPLATE = Path(__file__).resolve().parents[1] / "nginx" / "gridreport.conf"
# What the API accepts beyond the photo itself (multipart framing and fields): app.py.
FORM_OVERHEAD_BYTES = 256 * 1024
MIME_TYPES = Path("/etc/nginx/mime.types")
_PLACEHOLDER = re.compile(r"\$\{(GRIDREPORT_[A-Z_]+)\}")
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class NginxMissing(RuntimeError):
    """Debian's nginx package is not installed (`make prod-up` installs it)."""


def binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None:
        raise NginxMissing("nginx is not installed: `sudo apt-get install nginx`")
    return found


def client_max_body(settings: Settings) -> str:
    """nginx's client_max_body_size for the API's own limit, in kilobytes (rounded up)."""
    return f"{math.ceil((settings.media_max_bytes + FORM_OVERHEAD_BYTES) / 1024)}k"


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill every ${GRIDREPORT_…} placeholder; a placeholder without a value is an error."""
    missing = sorted(set(_PLACEHOLDER.findall(template)) - set(values))
    if missing:
        raise KeyError(f"no value for {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def site_values(
    *,
    listen: str,
    api_ports: Sequence[int],
    settings: Settings,
    pwa_root: Path,
    photos_origin: str,
    access_log: Path,
) -> dict[str, str]:
    return {
        "GRIDREPORT_LISTEN": listen,
        "GRIDREPORT_API_SERVERS": api_servers(api_ports),
        "GRIDREPORT_CLIENT_MAX_BODY": client_max_body(settings),
        "GRIDREPORT_PWA_ROOT": str(pwa_root),
        "GRIDREPORT_PHOTOS_ORIGIN": photos_origin,
        "GRIDREPORT_ACCESS_LOG": str(access_log),
    }


def api_servers(api_ports: Sequence[int]) -> str:
    """The upstream's server lines; a process that refuses is left alone for 5 s."""
    return " ".join(f"server {HOST}:{port} max_fails=1 fail_timeout=5s;" for port in api_ports)


def write_config(layout: Layout, values: Mapping[str, str]) -> Path:
    """Write the rendered site and a main configuration for it; return the main file."""
    site = layout.nginx / "gridreport.conf"
    site.write_text(render(TEMPLATE.read_text(), values))
    temp = layout.nginx / "temp"
    temp_paths = []
    for kind in TEMP_DIRS:
        (temp / kind).mkdir(parents=True, exist_ok=True)
        temp_paths.append(f"    {kind}_temp_path {temp / kind};")
    main = layout.nginx / "nginx.conf"
    main.write_text(
        "\n".join(
            [
                "# Written by infra/prod: the run's own pid file, logs and temporary files.",
                "daemon off;",
                *_worker_user(),
                "worker_processes auto;",
                f"pid {layout.nginx / 'nginx.pid'};",
                f"error_log {layout.log('nginx-error')} warn;",
                "events { worker_connections 1024; }",
                "http {",
                f"    include {MIME_TYPES};",
                "    default_type application/octet-stream;",
                "    sendfile on;",
                "    tcp_nopush on;",
                *temp_paths,
                f"    include {site};",
                "}",
                "",
            ]
        )
    )
    return main


def _worker_user() -> list[str]:
    """Under root, nginx's workers run as the user that runs the API processes of this run.

    Its default (nobody) cannot read a PWA or temporary files inside a checkout that other
    users may not enter, and the permissions of the user's directories are not ours to widen.
    """
    if os.geteuid() != 0:
        return []
    return [f"user {pwd.getpwuid(os.geteuid()).pw_name};"]


def check(main: Path, layout: Layout) -> str:
    """`nginx -t` on the configuration; raise with nginx's own words when it is refused."""
    result = subprocess.run(  # noqa: S603 - the nginx binary, our own files
        [
            binary(),
            "-t",
            "-q",
            "-c",
            str(main),
            "-p",
            str(layout.nginx),
            "-e",
            str(layout.log("nginx-error")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ValueError(f"nginx refused {main}: {result.stderr.strip()}")
    return result.stderr


def start(layout: Layout, main: Path, env: Mapping[str, str]) -> int:
    argv = [
        binary(),
        "-c",
        str(main),
        "-p",
        str(layout.nginx),
        "-e",
        str(layout.log("nginx-error")),
    ]
    return processes.start(layout, NAME, argv, env=env)


def reload(layout: Layout, *, timeout_seconds: float = 30) -> None:
    """Re-read the configuration; return once only workers with the new one are left.

    The old workers finish what they are serving and exit; connections opened from then on
    are served with the new configuration.
    """
    master = processes.running(layout, NAME)
    if master is None:
        raise RuntimeError("nginx is not running")
    old = {worker.pid for worker in master.children()}
    master.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        current = {worker.pid for worker in master.children() if worker.status() != "zombie"}
        if current and not current & old:
            return
        time.sleep(0.05)
    raise TimeoutError("nginx's old workers did not finish after a reload")
