"""The ASGI entry point for granian: settings come from the environment of each worker."""

from __future__ import annotations

import logging
import os

from litestar import Litestar

from backend.app import create_app
from backend.settings import load_settings


def app_from_environment() -> Litestar:
    """Factory called once per API worker process."""
    settings = load_settings(os.environ)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    return create_app(settings)
