"""The migration runner: numbered plain-SQL files, forward only, one transaction each.

Several API processes may start at once; a session-level advisory lock makes exactly one
of them migrate while the others wait and then find nothing to do. A database that is
newer than this code, or whose applied files were edited afterwards, stops start-up.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from backend.db.types import Connection

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x67726964_7265706F  # "gridrepo": any constant shared by every process
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    """The database and the code disagree about the schema; start-up must stop."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files shipped with this code, in version order."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"migration file {path.name} is not named NNNN_name.sql")
        found.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migration versions must run 1, 2, 3 … without gaps: {versions}")
    return found


async def _ensure_table(conn: Connection) -> None:
    await conn.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     integer PRIMARY KEY,
            name        text NOT NULL,
            checksum    text NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now()
        )
        """
    )


async def applied_versions(conn: Connection) -> dict[int, str]:
    """Applied version -> checksum; empty when the table does not exist yet."""
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch("SELECT version, checksum FROM schema_migrations ORDER BY version")
    return {row["version"]: row["checksum"] for row in rows}


def check_compatible(applied: dict[int, str], known: list[Migration]) -> None:
    """Refuse a database that is newer than the code or whose history was rewritten."""
    latest = len(known)
    newer = [v for v in applied if v > latest]
    if newer:
        raise MigrationError(
            f"the database has schema version {max(newer)} but this code knows only up to "
            f"{latest}: run a newer gridreport against it"
        )
    for migration in known:
        stored = applied.get(migration.version)
        if stored is not None and stored != migration.checksum:
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} was changed after it was "
                "applied; migrations are forward only: add a new one instead"
            )


async def migrate(conn: Connection, known: list[Migration] | None = None) -> list[int]:
    """Apply every pending migration under the advisory lock; return the versions applied."""
    known = available_migrations() if known is None else known
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await _ensure_table(conn)
        applied = await applied_versions(conn)
        check_compatible(applied, known)
        done = []
        for migration in known:
            if migration.version not in applied:
                await _apply(conn, migration)
                done.append(migration.version)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)


async def _apply(conn: Connection, migration: Migration) -> None:
    async with conn.transaction():
        await conn.execute(migration.sql)
        await conn.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            migration.version,
            migration.name,
            migration.checksum,
        )


async def is_current(conn: Connection) -> bool:
    """True when every shipped migration is applied and none is unknown (for /readyz)."""
    applied = await applied_versions(conn)
    return sorted(applied) == [m.version for m in available_migrations()]
