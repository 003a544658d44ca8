"""A hotline files through Open311: without a photo, or with a media_url fetched safely.

A 12345 call has no photo, so Open311 needs none unless the category says so (the app still
asks for one). A media_url is fetched over https from public addresses only, within a size
and a time limit, and goes through the same photo pipeline as an upload; a URL that reaches
inside (loopback in any notation, a name that resolves there) is never connected to.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import ssl
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from aiohttp import web
from aiohttp.typedefs import Handler
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.clock import ManualClock
from backend.outbound.fetch import Fetcher
from backend.settings import Settings
from tests.http.case_helpers import HOME, resident
from tests.http.conftest import Client, Login
from tests.http.listeners import ConnectionRecorder
from tests.http.photos import jpeg
from tests.http.test_open311 import BASE, form, issue_key, post

PHOTO_HOST = "photos.test"
MAX_BYTES = 100_000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, media_max_bytes=MAX_BYTES)


@pytest.fixture
async def admin(login: Login) -> dict[str, str]:
    return await login("demo-admin")


@pytest.fixture
async def api_key(client: Client, admin: dict[str, str]) -> str:
    return await issue_key(client, admin)


def certificate(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for PHOTO_HOST: the server's context and a client's trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, PHOTO_HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(PHOTO_HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file, key_file = tmp_path / "photos.crt", tmp_path / "photos.key"
    cert_file.write_bytes(cert_pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return server, client


@dataclasses.dataclass
class PhotoSite:
    """An https site the test's DNS places at PHOTO_HOST (on loopback)."""

    port: int
    fetcher: Fetcher
    fetched: list[str]  # the paths the site was asked for

    def url(self, path: str) -> str:
        return f"https://{PHOTO_HOST}:{self.port}{path}"


def photo_app(released: asyncio.Event, fetched: list[str]) -> web.Application:
    async def photo(_: web.Request) -> web.Response:
        return web.Response(body=jpeg(seed=11), content_type="image/jpeg")

    async def page(_: web.Request) -> web.Response:
        return web.Response(text="<html><script>alert(1)</script></html>", content_type="text/html")

    async def huge(_: web.Request) -> web.Response:
        return web.Response(body=b"\xff" * (MAX_BYTES * 3), content_type="image/jpeg")

    async def stuck(_: web.Request) -> web.Response:
        await released.wait()
        return web.Response(status=204)

    async def to_plain_http(_: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://{PHOTO_HOST}/photo.jpg")

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        fetched.append(request.path)
        return await handler(request)

    app = web.Application(middlewares=[record])
    for path, handler in {
        "/photo.jpg": photo,
        "/page.html": page,
        "/huge.jpg": huge,
        "/stuck.jpg": stuck,
        "/moved.jpg": to_plain_http,
    }.items():
        app.router.add_get(path, handler)
    return app


@pytest.fixture
def photo_site(tmp_path: Path) -> Iterator[PhotoSite]:
    """The site runs on a loop of its own: the test client blocks the test's loop meanwhile."""
    server_tls, client_tls = certificate(tmp_path)
    loop = asyncio.new_event_loop()
    fetched: list[str] = []
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> tuple[web.AppRunner, asyncio.Event, int]:
        released = asyncio.Event()
        runner = web.AppRunner(photo_app(released, fetched), shutdown_timeout=0.1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_tls).start()
        return runner, released, runner.addresses[0][1]

    async def stop(runner: web.AppRunner, released: asyncio.Event) -> None:
        released.set()
        await runner.cleanup()

    runner, released, port = asyncio.run_coroutine_threadsafe(start(), loop).result(30)

    async def dns(host: str, _: int) -> list[str]:
        if host != PHOTO_HOST:
            raise OSError(f"{host} is not in the test's DNS")
        return ["127.0.0.1"]

    # Loopback is allowed here only because the test's photo site lives there; the refusals
    # of loopback are shown with the product's own fetcher below.
    fetcher = Fetcher(timeout_seconds=2.0, allow_loopback=True, lookup=dns, ssl=client_tls)
    try:
        yield PhotoSite(port=port, fetcher=fetcher, fetched=fetched)
    finally:
        asyncio.run_coroutine_threadsafe(stop(runner, released), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


@pytest.fixture
async def hotline(
    settings: Settings, demo_database: str, clock: ManualClock, photo_site: PhotoSite
) -> AsyncIterator[Client]:
    """The city's API, fetching media_url through the test site's DNS and certificate."""
    app = create_app(settings, dsn=demo_database, clock=clock, media_fetcher=photo_site.fetcher)
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as other:
        yield other


async def cases_count(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        count: int = await conn.fetchval("SELECT count(*) FROM cases")
        return count
    finally:
        await conn.close()


async def test_a_hotline_files_without_a_photo_and_the_app_still_needs_one(
    client: Client, api_key: str, admin: dict[str, str]
) -> None:
    call = await post(client, form(api_key, "sanitation", description="12345 来电：垃圾满溢"))
    assert call.status_code == 201, call.text
    [request] = (
        await client.get(
            f"{BASE}/requests/{call.json()[0]['service_request_id']}.json",
            params={"api_key": api_key},
        )
    ).json()
    assert request["service_code"] == "sanitation"
    assert request["media_url"] is None
    from_app = await client.post(
        "/api/v1/reports/",
        headers=await resident(client),
        json={"clientId": str(uuid.uuid4()), "category": "sanitation", **HOME},
    )
    assert from_app.status_code == 422
    assert from_app.json()["code"] == "reports.photo_required"
    categories = (await client.get("/api/v1/categories/")).json()
    sanitation = next(c for c in categories if c["code"] == "sanitation")
    assert (sanitation["photoRequired"], sanitation["photoRequiredOpen311"]) == (True, False)

    changed = await client.patch(
        "/api/v1/admin/categories/sanitation", headers=admin, json={"photoRequiredOpen311": True}
    )
    assert changed.status_code == 200, changed.text
    services = (await client.get(f"{BASE}/services.json")).json()
    guidance = next(s for s in services if s["service_code"] == "sanitation")["description"]
    assert "必须附照片" in guidance
    needs_one = await post(client, form(api_key, "sanitation", description="又一个电话"))
    assert needs_one.status_code == 400
    assert "media: required" in [e["description"] for e in needs_one.json()]


async def test_a_media_url_goes_through_the_photo_pipeline(
    hotline: Client, photo_site: PhotoSite, api_key: str
) -> None:
    posted = await post(
        hotline, form(api_key, "sanitation", media_url=photo_site.url("/photo.jpg"))
    )
    assert posted.status_code == 201, posted.text
    request_id = posted.json()[0]["service_request_id"]
    [request] = (
        await hotline.get(f"{BASE}/requests/{request_id}.json", params={"api_key": api_key})
    ).json()
    assert request["media_url"].startswith("http://127.0.0.1:8000/media/")
    stored = await hotline.get(request["media_url"].removeprefix("http://127.0.0.1:8000"))
    assert stored.status_code == 200
    assert stored.headers["content-type"].startswith("image/")
    assert b"SERIAL-123456789" not in stored.content  # re-encoded: no EXIF survives
    again = await post(hotline, form(api_key, "sanitation", media_url=photo_site.url("/photo.jpg")))
    assert (again.status_code, again.json()) == (200, posted.json())


async def test_a_key_at_its_hourly_limit_is_refused_before_its_photo_is_fetched(
    hotline: Client, photo_site: PhotoSite, admin: dict[str, str], demo_database: str
) -> None:
    key = await issue_key(hotline, admin, reportsPerHour=1)
    first = form(key, "sanitation", media_url=photo_site.url("/photo.jpg"))
    assert (await post(hotline, first)).status_code == 201
    assert photo_site.fetched == ["/photo.jpg"]
    second = form(key, "sanitation", description="第二件", media_url=photo_site.url("/photo.jpg"))
    throttled = await post(hotline, second, "xml")
    assert throttled.status_code == 429, throttled.text
    assert int(throttled.headers["retry-after"]) > 0
    assert photo_site.fetched == ["/photo.jpg"]
    assert await cases_count(demo_database) == 1


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/missing.jpg", "HTTP 404"),
        ("/page.html", "JPEG"),
        ("/huge.jpg", f"larger than {MAX_BYTES} bytes"),
        ("/stuck.jpg", "no answer within 2 s"),
        ("/moved.jpg", "https"),
    ],
)
async def test_a_media_url_that_gives_no_photo_is_a_400(
    hotline: Client, photo_site: PhotoSite, api_key: str, demo_database: str, path: str, why: str
) -> None:
    refused = await post(
        hotline, form(api_key, "sanitation", media_url=photo_site.url(path)), "xml"
    )
    assert refused.status_code == 400, refused.text
    assert "<code>400</code>" in refused.text
    assert why in refused.text
    assert await cases_count(demo_database) == 0


async def test_a_media_url_and_a_file_together_are_a_400(
    hotline: Client, photo_site: PhotoSite, api_key: str
) -> None:
    both = await post(
        hotline,
        form(api_key, "sanitation", media_url=photo_site.url("/photo.jpg")),
        files={"media": ("photo.jpg", jpeg(seed=2), "image/jpeg")},
    )
    assert both.status_code == 400
    assert any(e["description"].startswith("media_url: ") for e in both.json())


async def test_a_media_url_that_reaches_inside_is_never_fetched(
    client: Client, api_key: str, demo_database: str
) -> None:
    with ConnectionRecorder() as listener:
        inside = ["127.0.0.1", "0x7f.1", "2130706433", "0177.0.0.1", "[::ffff:127.0.0.1]"]
        inside += ["localhost", "169.254.169.254", "10.0.0.1"]
        for host in inside:
            refused = await post(
                client,
                form(api_key, "sanitation", media_url=f"https://{host}:{listener.port}/a.jpg"),
            )
            assert refused.status_code == 400, host
            descriptions = [e["description"] for e in refused.json()]
            assert "media_url: must be on a public address" in descriptions, descriptions
        plain = await post(
            client, form(api_key, "sanitation", media_url="http://photos.example.com/a.jpg")
        )
        assert plain.status_code == 400
        assert "media_url: must be an https URL" in [e["description"] for e in plain.json()]
    assert listener.connections == []
    assert await cases_count(demo_database) == 0
