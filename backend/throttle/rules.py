"""Pure decisions of throttling: how long to wait. No I/O here."""

from __future__ import annotations

import math
from datetime import datetime, timedelta


def seconds_until(moment: datetime, *, now: datetime) -> int:
    """Whole seconds from now until `moment`; at least 1, so a client never retries at once."""
    return max(1, math.ceil((moment - now).total_seconds()))


def window_retry_after(window_start: datetime | None, *, now: datetime, window: timedelta) -> int:
    """Seconds until a full window ends and its hits are forgotten."""
    if window_start is None:
        return seconds_until(now + window, now=now)
    return seconds_until(window_start + window, now=now)


def login_wait_seconds(tries: int, *, free: int, first_wait: float, longest_wait: float) -> float:
    """How long after its last try a (username, source) must wait before the next one.

    The first `free` tries wait nothing; from then on each try doubles the wait, up to
    `longest_wait`. queries.take_login_try computes the same in SQL.
    """
    if tries < free:
        return 0.0
    return min(longest_wait, first_wait * 2.0 ** min(tries - free, 60))
