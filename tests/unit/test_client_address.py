"""Who is calling: X-Forwarded-For and X-Real-IP are believed only from trusted proxies."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.connection import ASGIConnection

from backend.settings import LOOPBACK, Settings
from backend.web.client_address import address_block, client_address

BEHIND_NGINX = Settings(trusted_proxies=LOOPBACK)


def connection(peer: str, **headers: str) -> ASGIConnection[Any, Any, Any, Any]:
    raw = [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    scope: Any = {"type": "http", "client": (peer, 50000), "headers": raw, "path": "/"}
    return ASGIConnection(scope)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say() -> None:
    spoofed = connection("198.51.100.7", x_forwarded_for="203.0.113.9", x_real_ip="203.0.113.9")
    assert client_address(spoofed, Settings()) == "198.51.100.7"
    assert client_address(spoofed, BEHIND_NGINX) == "198.51.100.7"


def test_a_trusted_proxy_names_the_client() -> None:
    relayed = connection("127.0.0.1", x_forwarded_for="203.0.113.9", x_real_ip="203.0.113.9")
    assert client_address(relayed, BEHIND_NGINX) == "203.0.113.9"
    assert client_address(connection("127.0.0.1", x_real_ip="203.0.113.9"), BEHIND_NGINX) == (
        "203.0.113.9"
    )


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        # What a client wrote itself stands to the left and proves nothing.
        ("1.2.3.4, 203.0.113.9", "203.0.113.9"),
        ("not-an-address, 203.0.113.9", "203.0.113.9"),
        # Trusted hops on the right are skipped.
        ("203.0.113.9, 127.0.0.1", "203.0.113.9"),
        # Garbage where the client should be: the last hop that was vouched for.
        ("203.0.113.9, garbage", "127.0.0.1"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
    ],
)
def test_forwarded_for_is_read_from_the_right(forwarded_for: str, client: str) -> None:
    relayed = connection("127.0.0.1", x_forwarded_for=forwarded_for)
    assert client_address(relayed, BEHIND_NGINX) == client


def test_per_address_limits_count_an_ipv6_subscriber_as_one() -> None:
    assert address_block("2001:db8:1:2:aaaa::1") == address_block("2001:db8:1:2:bbbb::2")
    assert address_block("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert address_block("203.0.113.9") == "203.0.113.9"
    assert client_address(connection("testclient"), BEHIND_NGINX) == "unknown"
