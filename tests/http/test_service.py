"""Health, readiness, OpenAPI and the headers every response carries."""

from __future__ import annotations

from pathlib import Path

import pytest
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


async def test_without_a_pwa_build_home_says_the_api_is_up(
    settings: Settings, demo_database: str, tmp_path: Path
) -> None:
    app = create_app(settings, dsn=demo_database, clock=ManualClock(), pwa_dist=tmp_path / "none")
    async with AsyncTestClient(app=app) as client:
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


@pytest.fixture
def built_pwa(tmp_path: Path) -> Path:
    """The shape of a PWA build, as `npm run build` leaves it in pwa/dist."""
    dist = tmp_path / "dist"
    for page in ["index.html", "w/index.html", "d/index.html"]:
        (dist / page).parent.mkdir(parents=True, exist_ok=True)
        (dist / page).write_text(
            f'<!doctype html><script type="module" src="/assets/{page[0]}-1a2b.js"></script>'
        )
    (dist / "assets").mkdir()
    (dist / "assets" / "i-1a2b.js").write_text("console.log('resident')")
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (dist / "manifest.webmanifest").write_text('{"name": "随手拍"}')
    return dist


async def test_the_built_pwa_is_served_by_role(
    settings: Settings, demo_database: str, built_pwa: Path
) -> None:
    app = create_app(settings, dsn=demo_database, clock=ManualClock(), pwa_dist=built_pwa)
    async with AsyncTestClient(app=app) as client:
        for path, page in [
            ("/", "i"),
            ("/reports/12", "i"),
            ("/w/", "w"),
            ("/w/cases/3", "w"),
            ("/d", "d"),
            ("/d/cases/3", "d"),
        ]:
            response = await client.get(path)
            assert response.status_code == 200, path
            assert f"/assets/{page}-1a2b.js" in response.text
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp
            assert response.headers["cache-control"] == "no-cache"
        asset = await client.get("/assets/i-1a2b.js")
        assert asset.status_code == 200
        assert "immutable" in asset.headers["cache-control"]
        worker = await client.get("/sw.js")
        assert worker.headers["cache-control"] == "no-cache"
        assert worker.headers["content-type"].startswith("text/javascript")
        assert (await client.get("/manifest.webmanifest")).status_code == 200
        assert (await client.get("/assets/../index.html")).status_code == 404
        assert (await client.get("/secrets.txt")).status_code == 404
        assert (await client.get("/api/v1/categories/")).status_code == 200


async def test_the_pages_name_their_charset_once(
    settings: Settings, demo_database: str, built_pwa: Path
) -> None:
    app = create_app(settings, dsn=demo_database, clock=ManualClock(), pwa_dist=built_pwa)
    async with AsyncTestClient(app=app) as client:
        for path in ["/", "/w/", "/d/"]:
            content_type = (await client.get(path)).headers["content-type"]
            assert content_type.replace(" ", "").lower() == "text/html;charset=utf-8", path
