"""The key of respondent marks: one for the whole deployment, made on first run and kept.

A device may answer a survey once, and the database must not say which device answered:
it keeps only a keyed hash of (survey, device). Every API process must make the same mark
for the same device, so the key comes from settings (a cluster) or from one file in the
shared data directory (one machine), created exactly once even when processes start together.
It is not the photo-link key: rotating one must not touch the other.
"""

from __future__ import annotations

import functools
from pathlib import Path

from backend.secrets_file import kept_secret
from backend.settings import Settings

KEY_FILE = "survey-mark-key"


def load_mark_key(settings: Settings) -> bytes:
    """The deployment's respondent-mark key, from settings or the data dir (made if absent)."""
    return _load(settings.survey_mark_secret, settings.data_dir)


@functools.cache
def _load(configured: str | None, data_dir: Path) -> bytes:
    # Kept per process once read: the key never changes while the deployment runs.
    return kept_secret(configured, data_dir, KEY_FILE)
