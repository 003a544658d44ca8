"""The request id: taken from `X-Request-ID` when it is short and safe, made fresh otherwise.

It lives in a context variable for the length of a request, so every log line written while
serving it carries the id without any handler passing it along.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
# A proxy's or a phone's id is echoed into logs and headers: letters, digits and a few
# separators only, so it can neither split a header nor forge a log line.
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

current: ContextVar[str | None] = ContextVar("request_id", default=None)


def accept_or_make(raw: str | None) -> str:
    """The caller's id when it is safe to echo, else a fresh random one."""
    if raw is not None and _SAFE.fullmatch(raw):
        return raw
    return uuid.uuid4().hex
