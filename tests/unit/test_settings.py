"""Settings come from the environment; a bad value names its variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.settings import FIELDS, Settings, SettingsError, load_settings


def test_defaults_need_no_environment() -> None:
    settings = load_settings({})
    assert settings.database_url is None
    assert settings.embedded_database
    assert settings.data_dir == Path("var")
    assert settings.port == 8000
    assert settings.host == "127.0.0.1"


def test_values_are_parsed_into_types() -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://app@db.internal:5432/gridreport",
            "GRIDREPORT_DATA_DIR": "/srv/gridreport",
            "GRIDREPORT_PORT": "9000",
            "GRIDREPORT_NEAR_GRID_METRES": "50.5",
            "GRIDREPORT_MEDIA_BACKEND": "s3",
            "S3_ACCESS_KEY_ID": "key",
            "S3_SECRET_ACCESS_KEY": "secret",
        }
    )
    assert settings.database_url == "postgresql://app@db.internal:5432/gridreport"
    assert not settings.embedded_database
    assert settings.data_dir == Path("/srv/gridreport")
    assert settings.port == 9000
    assert settings.near_grid_metres == 50.5
    assert settings.media_backend == "s3"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GRIDREPORT_PORT", "eighty"),
        ("GRIDREPORT_PORT", "70000"),
        ("DATABASE_URL", "mysql://nope"),
        ("GRIDREPORT_NEAR_GRID_METRES", "nan"),
        ("GRIDREPORT_MEDIA_BACKEND", "ftp"),
        ("GRIDREPORT_LOG_LEVEL", "loud"),
        ("S3_ENDPOINT_URL", "not a url"),
        ("GRIDREPORT_DATA_DIR", "   "),
    ],
)
def test_a_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})


def test_inconsistent_values_are_refused() -> None:
    with pytest.raises(SettingsError, match="GRIDREPORT_DB_POOL_MIN"):
        load_settings({"GRIDREPORT_DB_POOL_MIN": "20", "GRIDREPORT_DB_POOL_MAX": "5"})
    with pytest.raises(SettingsError, match="S3_ACCESS_KEY_ID"):
        load_settings({"GRIDREPORT_MEDIA_BACKEND": "s3"})


def test_every_field_has_a_variable() -> None:
    documented = {attr for attr, _, _ in FIELDS.values()}
    assert documented == set(Settings.__slots__)


def test_the_readme_documents_every_setting(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    for name in FIELDS:
        assert f"| `{name}` |" in readme, name
