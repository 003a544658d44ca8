"""Health, readiness, OpenAPI and the headers every response carries."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.clock import ManualClock
from backend.settings import Settings
from tests.http.conftest import Client


async def test_health_and_readiness(client: Client) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_home_page_says_the_api_is_up(client: Client) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "API" in response.text


async def test_responses_are_not_sniffed(client: Client) -> None:
    for path in ["/healthz", "/api/v1/categories/", "/api/v1/nothing-here"]:
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_unknown_route_is_a_clear_404(client: Client) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    wrong_method = await client.delete("/api/v1/categories/")
    assert wrong_method.status_code == 405


async def test_openapi_documents_every_operation(client: Client) -> None:
    spec = (await client.get("/schema/openapi.json")).json()
    operations = [
        op
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "responses" in op
    ]
    assert len(operations) >= 15
    for operation in operations:
        assert operation.get("summary"), operation.get("operationId")
        assert operation.get("operationId")
    assert "/api/v1/regions/locate" in spec["paths"]


async def test_not_ready_until_migrated(settings: Settings, empty_database: str) -> None:
    app = create_app(settings, dsn=empty_database, clock=ManualClock())
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/healthz")).status_code == 200
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert "migrations pending" in response.json()["problems"]
