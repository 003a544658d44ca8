"""One error hierarchy for every domain, and the one table that maps it to HTTP.

Services raise a DomainError subclass with a stable machine code, a message in Chinese
and in English, and optional per-field errors. Handlers never build error responses
themselves: `error_response` below is registered once on the app.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """Something the caller asked for cannot be done; `code` is stable for clients."""

    status: ClassVar[int] = 400

    def __init__(
        self,
        code: str,
        message_zh: str,
        message_en: str,
        *,
        fields: dict[str, str] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.fields = fields or {}
        self.retry_after = retry_after


class Invalid(DomainError):
    """The request is well-formed but its content breaks a rule."""

    status = 422


class BadRequest(DomainError):
    """The request could not be read (bad JSON, wrong types, unknown fields)."""

    status = 400


class Unauthorized(DomainError):
    """No valid credentials: a missing, wrong, expired or revoked token."""

    status = 401


class Forbidden(DomainError):
    """Authenticated, but the role may not do this at all (scope misses answer NotFound)."""

    status = 403


class NotFound(DomainError):
    """Absent, or outside the caller's scope: existence is never revealed."""

    status = 404


class Conflict(DomainError):
    """The state changed under the caller, or the same key arrived with other content."""

    status = 409


class PayloadTooLarge(DomainError):
    status = 413


class UnsupportedMedia(DomainError):
    status = 415


class TooManyRequests(DomainError):
    """Throttled; `retry_after` says when to come back."""

    status = 429


class Unavailable(DomainError):
    """A dependency (database, object store) is down; the client should retry later."""

    status = 503
