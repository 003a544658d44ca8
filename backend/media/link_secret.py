"""The secret that signs photo links: one for the whole deployment, made on first run and kept.

Every API process must check the links the others made, so the secret comes from settings
(a cluster) or from one file in the shared data directory (one machine), created exactly
once even when several processes start together.
"""

from __future__ import annotations

from backend.secrets_file import kept_secret
from backend.settings import Settings

KEY_FILE = "photo-link-key"


def load_link_secret(settings: Settings) -> bytes:
    """The deployment's photo-link secret, from settings or the data directory (made if absent)."""
    return kept_secret(settings.photo_link_secret, settings.data_dir, KEY_FILE)
