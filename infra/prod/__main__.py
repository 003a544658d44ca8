"""`python -m infra.prod up|down|status` (what `make prod-up` and `make prod-down` run)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from backend.settings import SettingsError
from infra.prod import run
from infra.prod.layout import Layout


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m infra.prod", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--dir", type=Path, default=Path("var/prod"), help="the run directory")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    parser.add_argument("--apis", type=int, default=2, help="API processes (granian)")
    parser.add_argument("--workers", type=int, default=2, help="`gridreport worker` processes")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo city")
    return parser


def _up(args: argparse.Namespace) -> int:
    plan = run.Plan(
        root=args.dir,
        port=args.port,
        apis=args.apis,
        workers=args.workers,
        demo=not args.no_demo,
        database_url=os.environ.get("DATABASE_URL") or None,
    )
    try:
        deployment = run.up(plan)
    except run.AlreadyRunning as exc:
        print(f"{exc}; `make prod-down` first", file=sys.stderr)
        return 1
    except (OSError, RuntimeError, SettingsError, ValueError) as exc:
        # Everything started on the way has been stopped again by run.up.
        print(f"prod-up failed: {exc}", file=sys.stderr)
        return 2
    print(_banner(deployment, Layout(args.dir.resolve())))
    return 0


def _banner(deployment: run.Deployment, layout: Layout) -> str:
    workers = layout.read_state().get("worker_metrics_ports", [])
    lines = [
        "",
        f"gridreport 随手拍 is up at {deployment.url}/",
        f"  API processes: {', '.join(deployment.api_urls)}",
        f"  S3 (SeaweedFS): {deployment.s3_endpoint}",
        "  metrics: /metrics of each API process; the workers' at "
        + ", ".join(f"http://127.0.0.1:{port}/metrics" for port in workers),
        f"  logs: {deployment.log_dir}/   settings for `gridreport …`: {layout.env_file}",
    ]
    if deployment.demo_password is not None:
        lines.append(f"  {deployment.demo_output} (password: {deployment.demo_password})")
    lines.append("  Stop with `make prod-down`.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "up":
        return _up(args)
    if args.command == "down":
        lines = run.down(args.dir)
        print("\n".join(lines) if lines else f"nothing was running in {args.dir}")
        return 0
    for name, pid in run.status(args.dir).items():
        print(f"{name:<10} {'pid ' + str(pid) if pid else 'not running'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
