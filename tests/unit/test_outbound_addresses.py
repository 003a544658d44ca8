"""The address rules: every non-public address refused, in every notation a host can take."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from backend.outbound.addresses import NotAnAddress, is_public, literal_address

REFUSED_HOSTS = [
    "127.0.0.1",
    "127.1",
    "0x7f.1",
    "0x7F000001",
    "0177.0.0.1",
    "0177.1",
    "2130706433",
    "017700000001",
    "127.0.0.1.",
    "0",
    "0.0.0.0",
    "10.1.2.3",
    "012.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "0xc0.0xa8.1.1",
    "3232235777",
    "169.254.169.254",
    "0xa9fea9fe",
    "2852039166",
    "100.64.0.1",
    "100.127.255.254",
    "192.0.0.170",
    "192.0.2.1",
    "198.18.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "[::1]",
    "::",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "::127.0.0.1",
    "64:ff9b::7f00:1",
    "64:ff9b::a00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::1",
    "2002:7f00:1::",
    "2002:c0a8:101::1",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",
    "ff02::1",
    "2001:db8::1",
    "2001::1",
    "100::1",
]

PUBLIC_HOSTS = [
    "8.8.8.8",
    "1.1.1.1",
    "0x8.0x8.0x8.0x8",
    "134744072",
    "223.5.5.5",
    "100.128.0.1",
    "172.32.0.1",
    "2606:4700:4700::1111",
    "2400:3200::1",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_non_public_addresses_are_refused_in_every_notation(host: str) -> None:
    address = literal_address(host)
    assert address is not None
    assert not is_public(address)


@pytest.mark.parametrize("host", PUBLIC_HOSTS)
def test_public_addresses_pass(host: str) -> None:
    address = literal_address(host)
    assert address is not None
    assert is_public(address)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("0x7f.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("0xA9.0376.43518", "169.254.169.254"),
    ],
)
def test_numeric_hosts_mean_what_the_c_library_reads(host: str, address: str) -> None:
    assert literal_address(host) == ip_address(address)


@pytest.mark.parametrize("host", ["push.example.com", "fcm.googleapis.com", "0x7f.example", "a1"])
def test_names_are_not_addresses(host: str) -> None:
    assert literal_address(host) is None


@pytest.mark.parametrize(
    "host",
    [
        "999.1.1.1",
        "1.2.3.4.5",
        "08.1.1.1",
        "1.2.3.256",
        "1.16777216",
        "1.2.65536",
        "4294967296",
        "::g",
    ],
)
def test_numbers_that_are_no_address_are_refused_not_resolved(host: str) -> None:
    with pytest.raises(NotAnAddress):
        literal_address(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1", "0x7f.1"])
def test_loopback_passes_only_when_allowed(host: str) -> None:
    address = literal_address(host)
    assert address is not None
    assert not is_public(address)
    assert is_public(address, allow_loopback=True)


@pytest.mark.parametrize("host", ["10.0.0.1", "169.254.169.254", "::ffff:10.0.0.1", "fe80::1"])
def test_allowing_loopback_allows_nothing_else(host: str) -> None:
    address = literal_address(host)
    assert address is not None
    assert not is_public(address, allow_loopback=True)
