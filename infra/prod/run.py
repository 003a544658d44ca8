"""Bring a production run up and down: the order, the readiness checks, the report.

Up: PostgreSQL, SeaweedFS, migrations (and the demo city) once, the API processes (each
ready on its own /readyz), the workers, then nginx, ready when /readyz answers through it.
Anything that fails on the way stops what was already started. Down: nginx first (no new
requests), then the API processes, the workers, the object store and the database last.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from backend.demo import demo_password
from backend.observability.logs import granian_log_config
from backend.settings import load_settings
from infra.prod import nginx, postgres, processes, seaweedfs
from infra.prod.environment import product_env, write_operator_env
from infra.prod.layout import Layout, Secrets
from infra.prod.ports import HOST, free_ports, is_free

REPO = Path(__file__).resolve().parents[2]
READY_SECONDS = 90
API_STOP_SECONDS = 15  # granian gives open event streams 10 s, then stops its workers
WORKER_STOP_SECONDS = 30
NGINX_STOP_SECONDS = 10


class AlreadyRunning(RuntimeError):
    """Processes of an earlier run in this directory are still alive."""


@dataclass(frozen=True)
class Plan:
    """What to start. `database_url` set: use that PostgreSQL instead of starting one."""

    root: Path
    port: int = 8080
    apis: int = 2
    workers: int = 2
    demo: bool = True
    database_url: str | None = None
    # Settings for every API and worker process (e.g. GRIDREPORT_REPORTS_PER_HOUR).
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Deployment:
    """What is running, and where."""

    url: str
    api_urls: list[str]
    database_url: str
    s3_endpoint: str
    log_dir: Path
    demo_output: str
    demo_password: str | None


def up(plan: Plan) -> Deployment:
    """Start everything and wait until the site answers /readyz through nginx."""
    layout = Layout(plan.root.resolve())
    layout.create()
    alive = [name for name in processes.names(layout) if processes.running(layout, name)]
    if alive or postgres.running_pid(layout) is not None:
        raise AlreadyRunning(f"already running in {layout.root} ({', '.join(alive) or 'postgres'})")
    if not is_free(plan.port):
        raise OSError(f"port {plan.port} on {HOST} is taken: choose another (PORT=…)")
    try:
        return _start_all(plan, layout)
    except BaseException:
        down(layout.root)
        raise


def _start_all(plan: Plan, layout: Layout) -> Deployment:
    secrets = Secrets.load_or_create(layout)
    ports = free_ports(1 + plan.apis + plan.workers, avoid=frozenset({plan.port}))
    pg_port, api_ports, worker_ports = ports[0], ports[1 : plan.apis + 1], ports[plan.apis + 1 :]
    weed_ports = seaweedfs.choose_ports(frozenset({plan.port, *ports}))
    layout.write_state(
        pg_port=pg_port,
        api_ports=api_ports,
        worker_metrics_ports=worker_ports,
        weed_ports=weed_ports,
        started_at=time.time(),
    )
    dsn = plan.database_url or postgres.start(
        layout, port=pg_port, password=secrets.database_password
    )
    s3_url = seaweedfs.endpoint(weed_ports)
    seaweedfs.start(layout, secrets, weed_ports, dict(os.environ))
    url = f"http://{HOST}:{plan.port}"
    env = product_env(layout, secrets, dsn=dsn, s3_url=s3_url, public_url=url, extra=plan.env)
    demo_output = _migrate(layout, env, demo=plan.demo)
    api_urls = _start_services(layout, api_ports, worker_ports, env)
    _start_nginx(layout, plan, api_ports, env, photos=f"{s3_url}/{seaweedfs.BUCKET}/")
    _wait_ready(layout, f"{url}/readyz", "nginx")
    _check_all_alive(layout)
    write_operator_env(layout, env)
    layout.write_state(url=url, s3_endpoint=s3_url)
    password = demo_password(env.get("GRIDREPORT_DEMO_PASSWORD"), layout.data_dir)[0]
    return Deployment(
        url, api_urls, dsn, s3_url, layout.logs, demo_output, password if plan.demo else None
    )


def _start_services(
    layout: Layout, api_ports: list[int], worker_ports: list[int], env: Mapping[str, str]
) -> list[str]:
    """The API processes (all started, then each waited for) and the workers."""
    log_config = layout.root / "granian-log.json"
    log_config.write_text(json.dumps(granian_log_config(load_settings(env))))
    api_urls = [
        _start_api(layout, f"api-{n}", port, env, log_config) for n, port in enumerate(api_ports, 1)
    ]
    for n, base in enumerate(api_urls, 1):
        _wait_ready(layout, f"{base}/readyz", f"api-{n}")
    worker = [sys.executable, "-m", "backend.cli", "worker"]
    for n, port in enumerate(worker_ports, 1):
        # Each worker serves its own /metrics, as each API process does.
        metrics = {"GRIDREPORT_HOST": HOST, "GRIDREPORT_WORKER_METRICS_PORT": str(port)}
        processes.start(layout, f"worker-{n}", worker, env={**env, **metrics}, cwd=REPO)
    return api_urls


def _check_all_alive(layout: Layout) -> None:
    """A worker has no readiness check: at least it must not have died at start."""
    for name in processes.names(layout):
        if processes.running(layout, name) is None:
            raise RuntimeError(f"{name} exited at start; see {layout.log(name)}")


def _migrate(layout: Layout, env: Mapping[str, str], *, demo: bool) -> str:
    """Migrations once, before any API process starts; the demo city too when asked."""
    command = "load-demo" if demo else "migrate"
    with layout.log("migrate").open("a") as log:
        result = subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "-m", "backend.cli", command],
            env=dict(env),
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        log.write(result.stdout + result.stderr)
    if result.returncode != 0:
        raise RuntimeError(f"gridreport {command} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def _start_api(
    layout: Layout, name: str, port: int, env: Mapping[str, str], log_config: Path
) -> str:
    argv = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-ws",
        "--respawn-failed-workers",
        "--workers-kill-timeout",
        "10",
        # granian's own lines (listening, workers) in the same format as the application's.
        "--log-config",
        str(log_config),
        "backend.asgi:app_from_environment",
    ]
    processes.start(layout, name, argv, env=env, cwd=REPO)
    return f"http://{HOST}:{port}"


def _start_nginx(
    layout: Layout, plan: Plan, api_ports: list[int], env: Mapping[str, str], *, photos: str
) -> None:
    values = nginx.site_values(
        listen=f"{HOST}:{plan.port}",
        api_ports=api_ports,
        settings=load_settings(env),
        pwa_root=REPO / "pwa" / "dist",
        photos_origin=photos,
        access_log=layout.log("nginx-access"),
    )
    main = nginx.write_config(layout, values)
    nginx.check(main, layout)
    nginx.start(layout, main, dict(os.environ))  # nginx needs none of the secrets
    layout.write_state(nginx_values=values)


def route_to(root: Path, api_ports: list[int]) -> None:
    """Send nginx's traffic to these API processes only (a reload: nothing is dropped)."""
    layout = Layout(root.resolve())
    values = dict(layout.read_state()["nginx_values"])
    values["GRIDREPORT_API_SERVERS"] = nginx.api_servers(api_ports)
    main = nginx.write_config(layout, values)
    nginx.check(main, layout)
    nginx.reload(layout)


def _wait_ready(layout: Layout, url: str, name: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if processes.running(layout, name) is None:
            raise RuntimeError(f"{name} exited; see {layout.log(name)}")
        with contextlib.suppress(httpx.TransportError):  # not listening yet
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{url} was not ready within {READY_SECONDS} s; see {layout.log(name)}")


def stop_order(names: list[str]) -> list[str]:
    """nginx, API processes, workers, then anything else (the object store) last."""
    rank = {"nginx": 0, "api": 1, "worker": 2}
    return sorted(names, key=lambda name: (rank.get(name.split("-")[0], 3), name))


def down(root: Path) -> list[str]:
    """Stop every process of the run, the database last; one line per process stopped."""
    layout = Layout(root.resolve())
    state = layout.read_state()
    grace = {"nginx": NGINX_STOP_SECONDS, "api": API_STOP_SECONDS, "worker": WORKER_STOP_SECONDS}
    report = []
    for name in stop_order(processes.names(layout)):
        if name == seaweedfs.NAME:
            stopped = seaweedfs.stop(layout, state.get("weed_ports", {}))
        else:
            stopped = processes.stop(layout, name, grace_seconds=grace.get(name.split("-")[0], 20))
        if stopped is not None:
            report.append(stopped.line())
    pid = postgres.running_pid(layout)
    if pid is not None and postgres.stop(layout, port=state.get("pg_port", 5432)):
        report.append(f"{'postgres':<10} pid {pid:<8} stopped (pg_ctl stop -m fast)")
    if layout.state_file.exists():
        layout.write_state(url=None, stopped_at=time.time())
    return report


def status(root: Path) -> dict[str, int | None]:
    """Each process of the run and its pid, None for one that is not running."""
    layout = Layout(root.resolve())
    found: dict[str, int | None] = {}
    for name in processes.names(layout):
        process = processes.running(layout, name)
        found[name] = process.pid if process else None
    found["postgres"] = postgres.running_pid(layout)
    return found
