"""Fetching a file a client named by URL (an Open311 media_url), within bounds.

https only; every host (redirects included) through the address guard with the address
pinned for the connection; at most `max_bytes`, within one overall time limit. Whatever goes
wrong is a `FetchRefused` with a reason the client can act on, never a server error.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from ssl import SSLContext
from typing import Final
from urllib.parse import urljoin, urlsplit

import aiohttp

from backend.outbound.addresses import is_public, literal_address
from backend.outbound.resolver import Lookup, guarded_session, refusal, system_lookup

MAX_REDIRECTS: Final = 3
URL_MAX: Final = 2000


class FetchRefused(ValueError):
    """The URL may not be fetched, or did not give a file; the message says why."""


def url_problem(url: str, *, allow_loopback: bool = False) -> str | None:
    """Why this URL is not fetched at all, judged from the URL alone."""
    if len(url) > URL_MAX:
        return f"at most {URL_MAX} characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        address = literal_address(host)
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        return "not a valid URL"
    if parts.scheme != "https" or not host:
        return "must be an https URL"
    if address is not None and not is_public(address, allow_loopback=allow_loopback):
        return "must be on a public address"
    return None


@dataclass(frozen=True, slots=True)
class Fetcher:
    """Fetches client-named https URLs from public addresses only."""

    timeout_seconds: float
    # For tests only: a loopback server, named by a stub DNS, with a test certificate.
    allow_loopback: bool = False
    lookup: Lookup = system_lookup
    ssl: SSLContext | None = None

    async def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """The body at `url`; FetchRefused for anything but a 200 within the limits."""
        problem = url_problem(url, allow_loopback=self.allow_loopback)
        if problem is not None:
            raise FetchRefused(problem)
        session = guarded_session(
            allow_loopback=self.allow_loopback, lookup=self.lookup, ssl=self.ssl
        )
        try:
            async with asyncio.timeout(self.timeout_seconds), session:
                return await self._follow(session, url, max_bytes)
        except TimeoutError:
            raise FetchRefused(f"no answer within {self.timeout_seconds:g} s") from None
        except aiohttp.ClientError as exc:
            if refusal(exc) is not None:
                raise FetchRefused("must be on a public address") from None
            raise FetchRefused(f"could not be fetched ({type(exc).__name__})") from None

    async def _follow(self, session: aiohttp.ClientSession, url: str, max_bytes: int) -> bytes:
        for _ in range(MAX_REDIRECTS + 1):
            async with session.get(url, allow_redirects=False) as response:
                if response.status in (301, 302, 303, 307, 308):
                    url = urljoin(url, response.headers.get("Location", ""))
                    problem = url_problem(url, allow_loopback=self.allow_loopback)
                    if problem is not None:
                        raise FetchRefused(f"redirects to a URL that {problem}")
                    continue
                if response.status != 200:
                    raise FetchRefused(f"answered HTTP {response.status}")
                return await _body(response, max_bytes)
        raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


async def _body(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    if (response.content_length or 0) > max_bytes:
        raise FetchRefused(f"larger than {max_bytes} bytes")
    body = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > max_bytes:
            raise FetchRefused(f"larger than {max_bytes} bytes")
    return bytes(body)
