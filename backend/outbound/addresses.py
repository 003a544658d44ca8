"""Which network addresses the server may connect to on a client's behalf: public ones only.

A URL a client gives us (a push endpoint, a photo's media_url) must never become a door into
our own network: loopback, private, link-local (the cloud metadata service 169.254.169.254),
carrier-grade NAT, multicast, reserved and unspecified addresses are refused, in IPv4 and in
IPv6, also when IPv6 carries an IPv4 address inside it (mapped, NAT64, 6to4). Host names are
read the way the C library reads them, so `0x7f.1`, `0177.0.0.1` and `2130706433` are the
loopback address they stand for, not names. No I/O here.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Final

IPAddress = IPv4Address | IPv6Address

_BLOCKED_V4: Final = tuple(
    IPv4Network(net)
    for net in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, broadcast
    )
)
_BLOCKED_V6: Final = tuple(
    IPv6Network(net)
    for net in (
        "::/96",  # unspecified, loopback, IPv4-compatible (deprecated)
        "::ffff:0:0:0/96",  # IPv4-translated
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard
        "2001::/23",  # IETF protocol assignments, Teredo
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_NAT64: Final = IPv6Network("64:ff9b::/96")
_LOOPBACK_V4: Final = IPv4Network("127.0.0.0/8")
# A label the C library's inet_aton reads as a number: decimal, octal (leading 0) or hex (0x).
_NUMERIC_LABEL: Final = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)$")


class NotAnAddress(ValueError):
    """The host looks like a number but is no address (`999.1.1.1`, `0x1.0x2.3.4.5`)."""


def _label_value(label: str) -> int:
    if label[:2].lower() == "0x":
        return int(label[2:] or "0", 16)
    if len(label) > 1 and label.startswith("0"):
        return int(label, 8)  # ValueError for 08, 09: not a number to inet_aton either
    return int(label)


def _ipv4_like_inet_aton(host: str) -> IPv4Address:
    """`a`, `a.b`, `a.b.c`, `a.b.c.d` with each part in any base; the last part fills the rest."""
    labels = host.split(".")
    try:
        values = [_label_value(label) for label in labels]
    except ValueError:
        raise NotAnAddress(host) from None
    if len(values) > 4 or any(v > 255 for v in values[:-1]):
        raise NotAnAddress(host)
    tail_bits = 8 * (5 - len(values))
    if values[-1] >= 1 << tail_bits:
        raise NotAnAddress(host)
    number = values[-1]
    for position, value in enumerate(values[:-1]):
        number |= value << (24 - 8 * position)
    return IPv4Address(number)


def literal_address(host: str) -> IPAddress | None:
    """The address a host names by itself, or None for a name that needs DNS.

    Raises NotAnAddress for a numeric-looking host that no address matches: such a host is
    never handed to DNS either.
    """
    bare = host.strip("[]")
    if ":" in bare:
        try:
            return ip_address(bare.split("%", 1)[0])
        except ValueError:
            raise NotAnAddress(host) from None
    bare = bare[:-1] if bare.endswith(".") else bare
    if bare and all(_NUMERIC_LABEL.match(label) for label in bare.split(".")):
        return _ipv4_like_inet_aton(bare)
    return None


def embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 one carries: mapped (::ffff:a.b.c.d), NAT64, 6to4."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def is_loopback(address: IPAddress) -> bool:
    """127.0.0.0/8 and ::1, also as an IPv4-mapped IPv6 address."""
    if isinstance(address, IPv6Address):
        inner = embedded_ipv4(address)
        return address == IPv6Address("::1") or (inner is not None and inner in _LOOPBACK_V4)
    return address in _LOOPBACK_V4


def is_public(address: IPAddress, *, allow_loopback: bool = False) -> bool:
    """True for an address on the public internet (loopback too, when explicitly allowed)."""
    if allow_loopback and is_loopback(address):
        return True
    if isinstance(address, IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
        if any(address in net for net in _BLOCKED_V6):
            return False
    elif any(address in net for net in _BLOCKED_V4):
        return False
    return address.is_global and not (address.is_multicast or address.is_reserved)
