"""The ASGI entry point for granian: settings come from the environment of each worker."""

from __future__ import annotations

import os

from litestar import Litestar

from backend.app import create_app
from backend.observability.logs import configure_logging
from backend.settings import load_settings


def app_from_environment() -> Litestar:
    """Factory called once per API worker process."""
    settings = load_settings(os.environ)
    configure_logging(settings)
    return create_app(settings)
