"""A deployment secret: the setting wins; else one file in the data directory, made once, kept."""

from __future__ import annotations

import stat
from pathlib import Path

from backend.media.link_secret import load_link_secret
from backend.secrets_file import kept_secret
from backend.settings import load_settings
from backend.surveys.mark_secret import load_mark_key


def test_a_configured_secret_is_used_as_given_and_no_file_is_made(tmp_path: Path) -> None:
    assert kept_secret("from-the-setting", tmp_path, "some-key") == b"from-the-setting"
    assert not (tmp_path / "some-key").exists()


def test_without_a_setting_the_secret_is_made_once_private_and_kept(tmp_path: Path) -> None:
    first = kept_secret(None, tmp_path / "data", "some-key")
    assert len(first) >= 32
    assert kept_secret(None, tmp_path / "data", "some-key") == first
    mode = (tmp_path / "data" / "some-key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert not [p for p in (tmp_path / "data").iterdir() if p.name.endswith(".tmp")]


def test_the_photo_link_secret_and_the_survey_mark_key_are_different_files(
    tmp_path: Path,
) -> None:
    settings = load_settings({"GRIDREPORT_DATA_DIR": str(tmp_path)})
    link = load_link_secret(settings)
    mark = load_mark_key(settings)
    assert link != mark
    assert (tmp_path / "photo-link-key").read_bytes().strip() == link
    assert (tmp_path / "survey-mark-key").read_bytes().strip() == mark
