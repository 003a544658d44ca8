"""The secret that signs photo links: one for the whole deployment, made on first run and kept.

Every API process must check the links the others made, so the secret comes from settings
(a cluster) or from one file in the shared data directory (one machine), created exactly
once even when several processes start together.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from backend.settings import Settings

KEY_FILE = "photo-link-key"
_SECRET_BYTES = 32


def load_link_secret(settings: Settings) -> bytes:
    """The deployment's photo-link secret, from settings or the data directory (made if absent)."""
    if settings.photo_link_secret:
        return settings.photo_link_secret.encode()
    path = settings.data_dir / KEY_FILE
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
        # one secret wins and every process reads that one, never a half-written file.
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
