"""The one way the server resolves and connects to a host a client named.

Every connection of a guarded aiohttp session resolves its host here (literal addresses in
any notation included, and the hosts of redirects), keeps only public addresses, and connects
to exactly the addresses it checked: an answer that changes between the check and the
connection (DNS rebinding) cannot reach a private address. TLS still names the original host
(SNI, certificate check, Host header).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Sequence
from ipaddress import ip_address
from ssl import SSLContext
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from backend.outbound.addresses import IPAddress, NotAnAddress, is_public, literal_address

# host, port -> the addresses DNS gives (as text); tests put a stub here.
Lookup = Callable[[str, int], Awaitable[list[str]]]


class RefusedAddress(OSError):
    """The host is, or resolves only to, addresses the server must not connect to.

    An OSError, so that aiohttp reports it as a failed connection (ClientConnectorError).
    """


async def system_lookup(host: str, port: int) -> list[str]:
    """The operating system's resolver (getaddrinfo), off the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def refusal(exc: BaseException) -> RefusedAddress | None:
    """The refusal behind an aiohttp connection error, if that is what it was."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, RefusedAddress):
            return seen
        seen = getattr(seen, "os_error", None) or seen.__cause__
    return None


class GuardedResolver(AbstractResolver):
    """Resolves a host to its public addresses only; refuses it when none is left."""

    def __init__(self, *, allow_loopback: bool = False, lookup: Lookup = system_lookup) -> None:
        self.allow_loopback = allow_loopback
        self._lookup = lookup

    async def public_addresses(self, host: str, port: int) -> list[IPAddress]:
        """The addresses this host may be reached at; RefusedAddress when there are none."""
        try:
            literal = literal_address(host)
        except NotAnAddress:
            raise RefusedAddress(f"{host[:100]} is not a valid address") from None
        if literal is not None:
            found = [literal]
        else:
            try:
                answers = await self._lookup(host, port)
            except (OSError, UnicodeError) as exc:
                raise RefusedAddress(f"{host[:100]} does not resolve") from exc
            found = [ip_address(text.split("%", 1)[0]) for text in answers]
        public = [
            a for a in dict.fromkeys(found) if is_public(a, allow_loopback=self.allow_loopback)
        ]
        if not public:
            raise RefusedAddress(f"{host[:100]} is not a public address")
        return public

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=str(address),
                port=port,
                family=socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
            )
            for address in await self.public_addresses(host, port)
        ]

    async def close(self) -> None:
        return None


class GuardedConnector(aiohttp.TCPConnector):
    """A connector whose every host, literal addresses included, goes through the guard.

    aiohttp would connect to a literal address (`https://[::1]/`) without asking its resolver;
    here the guard sees it, like any name.
    """

    def __init__(self, resolver: GuardedResolver, **kwargs: Any) -> None:
        super().__init__(resolver=resolver, use_dns_cache=False, **kwargs)
        self._guard = resolver

    async def _resolve_host(
        self, host: str, port: int, traces: Sequence[Any] | None = None
    ) -> list[ResolveResult]:
        return await self._guard.resolve(host, port, family=self._family)


def guarded_session(
    *,
    allow_loopback: bool = False,
    lookup: Lookup = system_lookup,
    ssl: SSLContext | None = None,
    trace_configs: list[aiohttp.TraceConfig] | None = None,
) -> aiohttp.ClientSession:
    """An HTTP client session that connects to public addresses only (pinned per connection)."""
    resolver = GuardedResolver(allow_loopback=allow_loopback, lookup=lookup)
    connector = GuardedConnector(resolver, ssl=ssl if ssl is not None else True)
    # trust_env=False: an environment proxy would connect on our behalf, unchecked.
    return aiohttp.ClientSession(connector=connector, trace_configs=trace_configs, trust_env=False)
