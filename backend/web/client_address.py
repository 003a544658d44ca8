"""Who is calling, by network address: the TCP peer, or the client a trusted proxy names.

Behind a reverse proxy every request arrives from the proxy's address, so limits per
address would put every resident in one bucket. The proxy's `X-Forwarded-For` (or its
`X-Real-IP`) names the real client, but anyone can send those headers: they are believed
only when the TCP peer is in GRIDREPORT_TRUSTED_PROXIES. `X-Forwarded-For` is read from the
right, skipping trusted hops, and the first hop that is not a trusted proxy is the client:
the hops to its left were written by the client itself and prove nothing.
"""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any

from litestar.connection import ASGIConnection

from backend.settings import Settings

Address = IPv4Address | IPv6Address
UNKNOWN = "unknown"
# One IPv6 subscriber gets a whole /64 (and picks any address in it at will): per-address
# limits count the block.
_IPV6_BLOCK_BITS = 64


def client_address(connection: ASGIConnection[Any, Any, Any, Any], settings: Settings) -> str:
    """The caller's address, as text; the proxy-named client when the peer is trusted."""
    peer = _parsed(connection.client.host if connection.client else None)
    if peer is None:
        return UNKNOWN
    trusted = _networks(settings.trusted_proxies)
    if not _trusted(peer, trusted):
        return str(peer)
    return str(_forwarded_client(connection, peer, trusted))


def address_block(address: str) -> str:
    """The key a per-address limit counts: the address itself, or its /64 for IPv6."""
    parsed = _parsed(address)
    if isinstance(parsed, IPv6Address):
        return str(ip_network(f"{parsed}/{_IPV6_BLOCK_BITS}", strict=False))
    return str(parsed) if parsed is not None else address


def _forwarded_client(
    connection: ASGIConnection[Any, Any, Any, Any],
    peer: Address,
    trusted: tuple[IPv4Network | IPv6Network, ...],
) -> Address:
    hops = [
        hop.strip()
        for header in connection.headers.getall("x-forwarded-for", [])
        for hop in header.split(",")
        if hop.strip()
    ]
    if not hops:
        hops = [connection.headers.get("x-real-ip", "")]
    nearest = peer
    for hop in reversed(hops):
        parsed = _parsed(hop)
        if parsed is None:
            # Not an address: nothing left of it can be believed, and the last hop a trusted
            # proxy vouched for is the best that is known.
            return nearest
        nearest = parsed
        if not _trusted(parsed, trusted):
            return parsed
    return nearest


def _parsed(text: str | None) -> Address | None:
    try:
        parsed = ip_address((text or "").strip())
    except ValueError:
        return None
    if isinstance(parsed, IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped
    return parsed


def _trusted(address: Address, trusted: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(cidr, strict=False) for cidr in cidrs)
