"""The migration runner against a real PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from backend.db import migrate
from backend.db.migrate import Migration, MigrationError, available_migrations


async def test_migrates_an_empty_database_once(empty_database: str) -> None:
    conn = await asyncpg.connect(empty_database)
    try:
        applied = await migrate.migrate(conn)
        assert applied == [m.version for m in available_migrations()]
        assert await migrate.migrate(conn) == []
        assert await migrate.is_current(conn)
        categories = await conn.fetchval("SELECT count(*) FROM categories")
        assert categories >= 13
    finally:
        await conn.close()


async def test_processes_starting_together_migrate_exactly_once(empty_database: str) -> None:
    conns = [await asyncpg.connect(empty_database) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate.migrate(c) for c in conns))
        applied = sorted(v for result in results for v in result)
        assert applied == [m.version for m in available_migrations()]
        rows = await conns[0].fetchval("SELECT count(*) FROM schema_migrations")
        assert rows == len(available_migrations())
    finally:
        for conn in conns:
            await conn.close()


async def test_a_database_newer_than_the_code_is_refused(database: str) -> None:
    conn = await asyncpg.connect(database)
    try:
        await conn.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'future', 'x')"
        )
        with pytest.raises(MigrationError, match="schema version 999"):
            await migrate.migrate(conn)
        assert not await migrate.is_current(conn)
    finally:
        await conn.close()


async def test_an_edited_migration_is_refused(database: str) -> None:
    known = available_migrations()
    edited = [*known[:-1], Migration(known[-1].version, known[-1].name, known[-1].sql + "\n-- x")]
    conn = await asyncpg.connect(database)
    try:
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate.migrate(conn, edited)
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_half_done(empty_database: str) -> None:
    broken = [
        *available_migrations(),
        Migration(
            len(available_migrations()) + 1,
            "broken",
            "CREATE TABLE half_done (id int); SELECT 1/0;",
        ),
    ]
    conn = await asyncpg.connect(empty_database)
    try:
        with pytest.raises(asyncpg.DivisionByZeroError):
            await migrate.migrate(conn, broken)
        assert await conn.fetchval("SELECT to_regclass('half_done')") is None
        assert await migrate.is_current(conn)
    finally:
        await conn.close()
