"""The `gridreport` command against a real database, as an admin would use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import asyncpg

from backend.regions.demo_city import demo_city_features


def gridreport(dsn: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": dsn}
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_migrate_import_and_create_user(empty_database: str, tmp_path: Path) -> None:
    migrated = gridreport(empty_database, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "already current" in gridreport(empty_database, "migrate").stdout

    city = tmp_path / "city.geojson"
    city.write_text(json.dumps(demo_city_features()), encoding="utf-8")
    imported = gridreport(empty_database, "import-regions", str(city))
    assert imported.returncode == 0, imported.stderr
    assert "326 created" in imported.stdout

    created = gridreport(
        empty_database,
        "create-user",
        "--username",
        "xihu-dispatcher",
        "--role",
        "dispatcher",
        "--region",
        "330106",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert created.returncode == 0, created.stderr
    conn = await asyncpg.connect(empty_database)
    try:
        row = await conn.fetchrow(
            "SELECT u.role, r.code FROM users u JOIN regions r ON r.id = u.region_id "
            "WHERE u.username = 'xihu-dispatcher'"
        )
        audited = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'user.create'")
    finally:
        await conn.close()
    assert (row["role"], row["code"]) == ("dispatcher", "330106")
    assert audited == 1


def test_cli_errors_are_clear(database: str, tmp_path: Path) -> None:
    bad_file = tmp_path / "bad.geojson"
    bad_file.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}')
    refused = gridreport(database, "import-regions", str(bad_file))
    assert refused.returncode == 1
    assert "features[0]" in refused.stderr
    not_json = tmp_path / "not.geojson"
    not_json.write_text("<kml/>")
    assert gridreport(database, "import-regions", str(not_json)).returncode == 2
    missing = gridreport(database, "import-regions", str(tmp_path / "absent.geojson"))
    assert missing.returncode == 2
    assert "absent.geojson" in missing.stderr
    no_region = gridreport(
        database,
        "create-user",
        "--username",
        "w1",
        "--role",
        "worker",
        "--region",
        "999",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert no_region.returncode == 1
    assert "region" in no_region.stderr
    short = gridreport(
        database,
        "create-user",
        "--username",
        "w2",
        "--role",
        "admin",
        "--password-stdin",
        stdin="short\n",
    )
    assert short.returncode == 2


async def test_deactivate_and_reactivate_a_staff_account(demo_database: str) -> None:
    conn = await asyncpg.connect(demo_database)
    try:
        user_id = await conn.fetchval("SELECT id FROM users WHERE username = 'demo-worker'")
        await conn.execute(
            "INSERT INTO auth_tokens (token_hash, user_id, created_at, expires_at) "
            "VALUES ('\\x01', $1, now(), now() + interval '1 hour')",
            user_id,
        )
        off = gridreport(demo_database, "deactivate-user", "--username", "demo-worker")
        assert off.returncode == 0, off.stderr
        assert "deactivated worker demo-worker" in off.stdout
        disabled = await conn.fetchval("SELECT disabled_at FROM users WHERE id = $1", user_id)
        revoked = await conn.fetchval(
            "SELECT revoked_at FROM auth_tokens WHERE user_id = $1", user_id
        )
        on = gridreport(demo_database, "reactivate-user", "--username", "demo-worker")
        assert on.returncode == 0, on.stderr
        enabled = await conn.fetchval(
            "SELECT disabled_at IS NULL FROM users WHERE id = $1", user_id
        )
        actions = await conn.fetch(
            "SELECT action, actor_id FROM audit_log WHERE subject_type = 'user' "
            "AND subject_id = $1 AND action <> 'user.create' ORDER BY id",
            str(user_id),
        )
    finally:
        await conn.close()
    assert disabled is not None and revoked is not None and enabled
    assert [(a["action"], a["actor_id"]) for a in actions] == [
        ("user.deactivate", None),
        ("user.reactivate", None),
    ]


def test_switching_an_unknown_or_resident_account_is_a_clear_error(demo_database: str) -> None:
    unknown = gridreport(demo_database, "deactivate-user", "--username", "nobody-here")
    assert unknown.returncode == 1
    assert "No such staff account" in unknown.stderr
    short = gridreport(
        demo_database,
        "reset-password",
        "--username",
        "demo-worker",
        "--password-stdin",
        stdin="short\n",
    )
    assert short.returncode == 2
