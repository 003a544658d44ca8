"""The `gridreport` command: serve, migrate, create-user, deactivate-user, reactivate-user,
reset-password, import-regions, load-demo, report, open311-key."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from backend.accounts import service as accounts
from backend.accounts import staff
from backend.accounts.schemas import PasswordResetIn, StaffIn, UserOut
from backend.clock import SystemClock
from backend.db import migrate
from backend.db.pool import connect
from backend.db.types import Connection
from backend.errors import DomainError
from backend.exports import service as exports
from backend.observability.logs import configure_logging
from backend.open311 import keys as open311_keys
from backend.open311.schemas import Open311KeyIn
from backend.regions import service as regions
from backend.serve import DataDirBusy, database, prepare, serve, stop_on_sigterm
from backend.settings import Settings, SettingsError, load_settings
from backend.stats import rules as stats_rules
from backend.worker.main import run_worker

T = TypeVar("T")
_STAFF_SWITCHES = {
    "deactivate-user": "deactivate a staff account (停用): its sessions and live streams end",
    "reactivate-user": "let a deactivated staff account log in again (启用)",
    "reset-password": "set a staff account's new password (重置密码): every session ends",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gridreport", description="随手拍 grid governance")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="start the API (and an embedded database)")
    serve_cmd.add_argument("--demo", action="store_true", help="load the demo city and staff")
    serve_cmd.add_argument("--host", help="listen address (default GRIDREPORT_HOST)")
    serve_cmd.add_argument("--port", type=int, help="listen port (default GRIDREPORT_PORT)")
    commands.add_parser("migrate", help="apply pending database migrations")
    commands.add_parser("worker", help="run the background jobs (needs DATABASE_URL)")
    commands.add_parser("load-demo", help="load the demo city and staff into the database")
    user = commands.add_parser("create-user", help="create a staff account")
    user.add_argument("--username", required=True)
    user.add_argument(
        "--role",
        required=True,
        choices=["worker", "department", "dispatcher", "supervisor", "admin"],
    )
    user.add_argument("--region", help="region code of the user's scope")
    user.add_argument("--department", help="department code (role department)")
    user.add_argument("--display-name", default="")
    user.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    for name, help_text in _STAFF_SWITCHES.items():
        switch = commands.add_parser(name, help=help_text)
        switch.add_argument("--username", required=True)
        if name == "reset-password":
            switch.add_argument(
                "--password-stdin", action="store_true", help="read the password from stdin"
            )
    regions_cmd = commands.add_parser("import-regions", help="import a GeoJSON FeatureCollection")
    regions_cmd.add_argument("file", type=Path)
    report = commands.add_parser("report", help="write a statistics workbook (周/月/季报)")
    report.add_argument("--period", required=True, help="2026-W47, 2026-11, 2026-Q4 or 2026-11-23")
    report.add_argument("--region", help="region code (default: the whole city)")
    report.add_argument("--out", required=True, type=Path, help="the .xlsx file to write")
    report.add_argument(
        "--include-confidential",
        action="store_true",
        help="count confidential categories too (for readers cleared to see them)",
    )
    key = commands.add_parser("open311-key", help="issue an Open311 api_key for a partner system")
    key.add_argument("--name", required=True, help="who holds it, e.g. 12345 热线平台")
    key.add_argument("--per-hour", type=int, default=600, help="requests it may post an hour")
    return parser


def _with_database(settings: Settings, work: Callable[[Connection], Awaitable[T]]) -> T:
    async def run(dsn: str) -> T:
        conn = await connect(dsn)
        try:
            await migrate.migrate(conn)
            return await work(conn)
        finally:
            await conn.close()

    with stop_on_sigterm(), database(settings) as dsn:
        return asyncio.run(run(dsn))


def _create_user(settings: Settings, args: argparse.Namespace) -> str:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
    data = msgspec.convert(
        {
            "username": args.username,
            "password": password,
            "role": args.role,
            "displayName": args.display_name,
            "regionCode": args.region,
            "departmentCode": args.department,
        },
        StaffIn,
    )
    user = _with_database(settings, lambda conn: accounts.create_staff(conn, actor=None, data=data))
    return f"created {user.role} {user.username} (id {user.id})"


def _switch_staff(settings: Settings, args: argparse.Namespace) -> str:
    password = None
    if args.command == "reset-password":
        entered = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
        password = msgspec.convert({"password": entered}, PasswordResetIn).password

    async def switch(conn: Connection) -> UserOut:
        user_id = await staff.staff_id(conn, username=args.username)
        now = SystemClock().now()
        if args.command == "deactivate-user":
            return await staff.deactivate(conn, actor=None, user_id=user_id, now=now)
        if password is not None:
            return await staff.reset_password(
                conn, actor=None, user_id=user_id, password=password, now=now
            )
        return await staff.reactivate(conn, actor=None, user_id=user_id)

    user = _with_database(settings, switch)
    done = {"deactivate-user": "deactivated", "reactivate-user": "reactivated"}
    return f"{done.get(args.command, 'new password set for')} {user.role} {user.username}"


def _import_regions(settings: Settings, path: Path) -> str:
    doc: Any = msgspec.json.decode(path.read_bytes())
    result = _with_database(
        settings,
        lambda conn: regions.import_regions(
            conn, actor_id=None, doc=doc, overlap_share=settings.region_overlap_share
        ),
    )
    return (
        f"imported: {result.created} created, {result.updated} updated (revision {result.revision})"
    )


def _open311_key(settings: Settings, args: argparse.Namespace) -> str:
    data = msgspec.convert({"name": args.name, "reportsPerHour": args.per_hour}, Open311KeyIn)
    issued = _with_database(
        settings,
        lambda conn: open311_keys.issue_key(
            conn, settings=settings, actor_id=None, data=data, now=SystemClock().now()
        ),
    )
    # The key is shown this once; only its hash is kept.
    return f"Open311 key {issued.id} for {issued.name}: {issued.api_key}"


def _report(settings: Settings, args: argparse.Namespace) -> str:
    period = stats_rules.parse_period(args.period, zone=settings.timezone)
    made = _with_database(
        settings,
        lambda conn: exports.report(
            conn,
            reader=exports.CITY_READER,
            scope=exports.report_scope(confidential=args.include_confidential),
            region_code=args.region,
            period=period,
            now=SystemClock().now(),
            settings=settings,
        ),
    )
    args.out.write_bytes(made.content)
    return f"wrote {args.out}: {period.label}, {made.received} received"


def _run(args: argparse.Namespace, settings: Settings) -> str | int:
    if args.command == "serve":
        return serve(settings, demo=args.demo)
    if args.command == "worker":
        if settings.database_url is None:
            raise SettingsError(
                "the worker needs DATABASE_URL (`gridreport serve` runs its own worker)"
            )
        asyncio.run(run_worker(settings, settings.database_url))
        return 0
    if args.command == "migrate":
        applied = _with_database(settings, migrate.migrate)
        return f"applied migrations: {applied or 'none, already current'}"
    if args.command == "load-demo":
        with stop_on_sigterm(), database(settings) as dsn:
            logins = asyncio.run(prepare(dsn, settings, demo=True))
        return "demo loaded: " + ", ".join(login.username for login in logins)
    if args.command == "create-user":
        return _create_user(settings, args)
    if args.command in _STAFF_SWITCHES:
        return _switch_staff(settings, args)
    if args.command == "report":
        return _report(settings, args)
    if args.command == "open311-key":
        return _open311_key(settings, args)
    return _import_regions(settings, args.file)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gridreport` command."""
    args = _parser().parse_args(argv)
    environ = dict(os.environ)
    if getattr(args, "host", None):
        environ["GRIDREPORT_HOST"] = args.host
    if getattr(args, "port", None):
        environ["GRIDREPORT_PORT"] = str(args.port)
    try:
        settings = load_settings(environ)
        configure_logging(settings)
        outcome = _run(args, settings)
    except (
        SettingsError,
        DataDirBusy,
        migrate.MigrationError,
        OSError,
        msgspec.ValidationError,
        msgspec.DecodeError,
    ) as exc:
        print(f"gridreport: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        detail = "".join(f"\n  {key}: {why}" for key, why in exc.fields.items())
        print(f"gridreport: {exc.message_en} / {exc.message_zh}{detail}", file=sys.stderr)
        return 1
    if isinstance(outcome, str):
        print(outcome)
        return 0
    return outcome


if __name__ == "__main__":
    sys.exit(main())
