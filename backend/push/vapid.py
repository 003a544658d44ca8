"""The VAPID key pair: one for the whole deployment, made on first run and kept.

Every API and worker process must sign with the same key the browsers subscribed with, so
the key comes from settings (a cluster) or from one file in the shared data directory
(one machine), created exactly once even when several processes start together.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid02

from backend.settings import Settings

KEY_FILE = "vapid-private.pem"


def load_vapid(settings: Settings) -> Vapid02:
    """The deployment's VAPID key, from settings or the data directory (created if absent)."""
    if settings.vapid_private_key:
        return _from_setting(settings.vapid_private_key)
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        _create(path)
    return Vapid02.from_file(private_key_file=str(path))


def _from_setting(value: str) -> Vapid02:
    if "BEGIN" in value:
        return Vapid02.from_pem(value.encode())
    return Vapid02.from_string(private_key=value)


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Vapid02()
    key.generate_keys()
    try:
        # O_EXCL: of several processes starting together, one writes the key, the rest read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_pem())


def public_key_b64(key: Vapid02) -> str:
    """The application server key a browser passes to pushManager.subscribe()."""
    raw = key.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
