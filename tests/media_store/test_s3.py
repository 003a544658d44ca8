"""Photos in S3: URLs a browser can open, and failures the API can tell apart."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from media_store import MissingObject, S3Store, StoreError, StoreUnavailable
from media_store.s3 import CACHE_CONTROL
from tests.media_store.conftest import Photo, S3Server

# Generous against a slow CI machine, yet far below what a hung request would take.
FAIL_FAST_SECONDS = 20
OSS = "oss-cn-hangzhou.aliyuncs.com"


@pytest.fixture
def refusing_endpoint() -> Iterator[str]:
    """An address that refuses connections: bound, so no one else takes it, but not listening."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}"


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """An address that accepts connections and never answers."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(16)
        yield f"http://127.0.0.1:{listening.getsockname()[1]}"


@pytest.fixture(params=[500, 503])
def failing_endpoint(request: pytest.FixtureRequest) -> Iterator[str]:
    """An S3 look-alike that answers every request with a server error."""
    status: int = request.param

    class Failing(BaseHTTPRequestHandler):
        def _fail(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(
                    b"<Error><Code>InternalError</Code><Message>down</Message></Error>"
                )

        do_GET = do_PUT = do_HEAD = do_DELETE = _fail

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads the answers, not the server's log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def offline_store(endpoint: str, **overrides: Any) -> S3Store:
    """A store whose requests fail fast, for servers that are down or broken."""
    settings: dict[str, Any] = {
        "bucket": "photos",
        "endpoint_url": endpoint,
        "access_key_id": "key",
        "secret_access_key": "secret",
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "max_attempts": 1,
    }
    return S3Store(**(settings | overrides))


@pytest.mark.slow
async def test_presigned_url_opens_in_a_browser(
    s3_store: S3Store, make_photo: Callable[..., Photo]
) -> None:
    photo = make_photo(ext="webp", variant="thumb")
    await s3_store.put(photo.key, photo.data, content_type=photo.content_type)
    async with httpx.AsyncClient() as browser:
        response = await browser.get(await s3_store.url(photo.key))
    assert response.status_code == 200
    assert response.content == photo.data
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["cache-control"] == CACHE_CONTROL


@pytest.mark.slow
async def test_presigned_url_expires_after_presign_seconds(
    seaweedfs: S3Server, make_photo: Callable[..., Photo]
) -> None:
    store = seaweedfs.store(presign_seconds=120)
    url = await store.url(make_photo().key)
    await store.close()
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["120"]


@pytest.mark.slow
async def test_presigned_url_for_a_missing_photo_is_not_found(
    s3_store: S3Store, make_photo: Callable[..., Photo]
) -> None:
    async with httpx.AsyncClient() as browser:
        response = await browser.get(await s3_store.url(make_photo().key))
    assert response.status_code == 404


async def test_public_base_url_gives_plain_urls(make_photo: Callable[..., Photo]) -> None:
    key = make_photo().key
    store = offline_store("http://127.0.0.1:9", public_base_url="https://cdn.example.test/p/")
    assert await store.url(key) == f"https://cdn.example.test/p/{key}"
    await store.close()


@pytest.mark.parametrize(
    ("style", "endpoint", "host", "path_prefix"),
    [
        (
            "path",
            "https://oss-cn-hangzhou.aliyuncs.com",
            "oss-cn-hangzhou.aliyuncs.com",
            "/photos/",
        ),
        (
            "virtual",
            "https://oss-cn-hangzhou.aliyuncs.com",
            "photos.oss-cn-hangzhou.aliyuncs.com",
            "/",
        ),
        ("virtual", None, "photos.s3.amazonaws.com", "/"),
    ],
)
async def test_addressing_style_shapes_the_url(
    make_photo: Callable[..., Photo], style: str, endpoint: str | None, host: str, path_prefix: str
) -> None:
    key = make_photo().key
    store = offline_store("", endpoint_url=endpoint, addressing_style=style)
    url = urlsplit(await store.url(key))
    await store.close()
    assert (url.scheme, url.hostname, url.path) == ("https", host, f"{path_prefix}{key}")


@pytest.mark.parametrize("operation", ["put", "get", "exists", "delete", "check"])
async def test_refused_connection_is_unavailable_quickly(
    refusing_endpoint: str, make_photo: Callable[..., Photo], operation: str
) -> None:
    # The shipped timeouts and retries: a dead store must fail fast as deployed.
    store = S3Store(
        bucket="photos", endpoint_url=refusing_endpoint, access_key_id="k", secret_access_key="s"
    )
    with pytest.raises(StoreUnavailable):
        async with asyncio.timeout(FAIL_FAST_SECONDS):
            await call(store, operation, make_photo())
    await store.close()


async def test_silent_server_is_unavailable_after_the_read_timeout(
    silent_endpoint: str, make_photo: Callable[..., Photo]
) -> None:
    store = offline_store(silent_endpoint, read_timeout=0.5)
    with pytest.raises(StoreUnavailable):
        async with asyncio.timeout(FAIL_FAST_SECONDS):
            await store.get(make_photo().key)
    await store.close()


@pytest.mark.parametrize("operation", ["put", "get", "check"])
async def test_server_errors_are_unavailable(
    failing_endpoint: str, make_photo: Callable[..., Photo], operation: str
) -> None:
    store = offline_store(failing_endpoint)
    with pytest.raises(StoreUnavailable):
        await call(store, operation, make_photo())
    await store.close()


@pytest.mark.slow
@pytest.mark.parametrize("wrong", ["secret", "key"])
async def test_wrong_credentials_are_a_clear_error(
    seaweedfs: S3Server, make_photo: Callable[..., Photo], wrong: str
) -> None:
    field = "secret_access_key" if wrong == "secret" else "access_key_id"
    store = seaweedfs.store(**{field: secrets.token_hex(8)})
    photo = make_photo()
    for operation in ("put", "get"):
        with pytest.raises(StoreError, match="access key") as refused:
            await call(store, operation, photo)
        assert not isinstance(refused.value, StoreUnavailable | MissingObject)
    with pytest.raises(StoreUnavailable, match="access key"):
        await store.check()
    await store.close()


@pytest.mark.slow
async def test_put_sets_content_type_and_cache_header(
    seaweedfs: S3Server, s3_store: S3Store, make_photo: Callable[..., Photo]
) -> None:
    photo = make_photo(ext="png")
    await s3_store.put(photo.key, photo.data, content_type=photo.content_type)
    head = seaweedfs.client().head_object(Bucket="photos", Key=photo.key)
    assert (head["ContentType"], head["CacheControl"]) == ("image/png", CACHE_CONTROL)


@pytest.mark.slow
async def test_ensure_bucket_creates_once_and_then_does_nothing(
    seaweedfs: S3Server, make_photo: Callable[..., Photo]
) -> None:
    store = seaweedfs.store(bucket=f"fresh-{secrets.token_hex(4)}")
    with pytest.raises(StoreUnavailable, match="does not exist"):
        await store.check()
    await store.ensure_bucket()
    await store.ensure_bucket()
    await store.check()
    photo = make_photo()
    await store.put(photo.key, photo.data, content_type=photo.content_type)
    assert await store.get(photo.key) == photo.data
    await store.close()


@pytest.mark.slow
async def test_closed_store_refuses_work(
    seaweedfs: S3Server, make_photo: Callable[..., Photo]
) -> None:
    store = seaweedfs.store()
    await store.check()
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await store.get(make_photo().key)


async def call(store: S3Store, operation: str, photo: Photo) -> None:
    """One store operation by name, so a test can try them all the same way."""
    if operation == "put":
        await store.put(photo.key, photo.data, content_type=photo.content_type)
    elif operation == "check":
        await store.check()
    else:
        await getattr(store, operation)(photo.key)
