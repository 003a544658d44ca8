"""Pure decisions about what to measure and who may read it: no I/O."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from ipaddress import ip_address, ip_network
from typing import Final

from backend.settings import EVERY_ADDRESS

# Seconds; from a cached read to a slow photo upload on a weak signal.
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A new report answers 201 (a replay of the same clientId answers 200 and is not counted).
_INTAKE: Final = {
    "/api/v1/reports": "app",
    "/open311/v2/requests.json": "open311",
    "/open311/v2/requests.xml": "open311",
}
# Probes and scrapes arrive every few seconds: logged at debug level so they do not drown
# the requests people make.
QUIET_ROUTES: Final = frozenset({"/healthz", "/readyz", "/metrics"})
# Headers a proxy adds: a request that passed through one did not come from the address
# the connection shows, so an address allow-list cannot vouch for it.
_RELAY_HEADERS: Final = ("forwarded", "x-forwarded-for", "x-real-ip")
UNMATCHED: Final = "unmatched"


def status_class(status: int | None) -> str:
    """2xx … 5xx; `aborted` when no answer was started (the client went away)."""
    return f"{status // 100}xx" if status else "aborted"


def method_label(method: str) -> str:
    """The method, or `other` so that made-up methods cannot add label values."""
    return method if method in _METHODS else "other"


def route_label(template: str | None) -> str:
    """The route's template (`/api/v1/cases/{case_id}`), never the raw path with its ids."""
    return template or UNMATCHED


def intake_channel(method: str, route: str, status: int | None) -> str | None:
    """`app` or `open311` when this answer accepted a new report, else None."""
    if method != "POST" or status != 201:
        return None
    return _INTAKE.get(route)


def may_scrape(
    *,
    peer: str | None,
    headers: Mapping[str, str],
    allow: tuple[str, ...],
    token: str | None,
) -> bool:
    """Whether this caller may read /metrics: an allowed direct peer, and the token if one is set.

    `headers` has lower-case names. An allow-list open to every address (`*`) is accepted by
    the settings only together with a token, which then is the whole guard.
    """
    if token is not None and not _bearer_matches(headers.get("authorization"), token):
        return False
    if set(EVERY_ADDRESS) & set(allow):
        return True
    if any(name in headers for name in _RELAY_HEADERS):
        return False
    return _address_in(peer, allow)


def _bearer_matches(authorization: str | None, token: str) -> bool:
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def _address_in(peer: str | None, allow: tuple[str, ...]) -> bool:
    try:
        address = ip_address(peer or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:  # ::ffff:127.0.0.1
        address = address.ipv4_mapped
    return any(address in ip_network(net) for net in allow)
