"""The key of respondent marks: one for the whole deployment, made on first run and kept.

A device may answer a survey once, and the database must not say which device answered:
it keeps only a keyed hash of (survey, device). Every API process must make the same mark
for the same device, so the key comes from settings (a cluster) or from one file in the
shared data directory (one machine), created exactly once even when processes start together.
It is not the photo-link key: rotating one must not touch the other.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
from pathlib import Path

from backend.settings import Settings

KEY_FILE = "survey-mark-key"
_SECRET_BYTES = 32


def load_mark_key(settings: Settings) -> bytes:
    """The deployment's respondent-mark key, from settings or the data dir (made if absent)."""
    return _load(settings.survey_mark_secret, settings.data_dir)


@functools.cache
def _load(configured: str | None, data_dir: Path) -> bytes:
    # Kept per process once read: the key never changes while the deployment runs.
    if configured:
        return configured.encode()
    path = data_dir / KEY_FILE
    if not path.exists():
        _create(path)
    return path.read_bytes().strip()


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(_SECRET_BYTES))
        handle.flush()
        os.fsync(handle.fileno())
    try:
        # A hard link appears whole or not at all: of several processes starting together,
        # one key wins and every process reads that one, never a half-written file.
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
