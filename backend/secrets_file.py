"""A deployment-wide secret, given by a setting (a cluster) or kept in the data directory.

Every API process must use the same secret, so without a setting it lives in one file of
the shared data directory (one machine), made on first run and created exactly once even
when several processes start together. Each secret has its own file: rotating one must not
touch another.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

_SECRET_BYTES = 32


def kept_secret(configured: str | None, data_dir: Path, file_name: str) -> bytes:
    """The configured secret, else the one in `data_dir / file_name` (made if absent)."""
    if configured:
        return configured.encode()
    path = data_dir / file_name
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
