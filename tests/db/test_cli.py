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
