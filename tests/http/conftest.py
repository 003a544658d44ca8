"""An API client over the app's full HTTP stack (routing, decoding, guards, errors, lifespan)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.clock import ManualClock
from backend.settings import Settings
from tests.conftest import DEMO_PASSWORD

Client = AsyncTestClient  # type: ignore[type-arg]
Login = Callable[[str], Awaitable[dict[str, str]]]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path, login_max_failures_per_user=5, login_max_failures_per_address=30
    )


async def _client(settings: Settings, dsn: str, clock: ManualClock) -> AsyncIterator[Client]:
    app = create_app(settings, dsn=dsn, clock=clock)
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        yield client


@pytest.fixture
async def client(
    settings: Settings, demo_database: str, clock: ManualClock
) -> AsyncIterator[Client]:
    """A client of an app whose database holds the demo city and staff."""
    async for c in _client(settings, demo_database, clock):
        yield c


@pytest.fixture
async def bare_client(
    settings: Settings, database: str, clock: ManualClock
) -> AsyncIterator[Client]:
    """A client of an app whose database has the schema and nothing else."""
    async for c in _client(settings, database, clock):
        yield c


@pytest.fixture
def login(client: Client) -> Login:
    """Log a demo staff user in; returns the Authorization header."""

    async def log_in(username: str) -> dict[str, str]:
        response = await client.post(
            "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    return log_in


@pytest.fixture
def settings_dir(settings: Settings) -> Path:
    """The data directory of the app under test (its filesystem media store lives there)."""
    return settings.data_dir
