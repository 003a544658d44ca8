"""Time as a dependency: production reads the wall clock, tests pass a clock they move."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real, timezone-aware UTC clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to: deadlines and expiry tested without sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now


def city_today(timezone: str, now: datetime) -> date:
    """The city's calendar day at `now` (an aware instant), in the city's time zone."""
    return now.astimezone(ZoneInfo(timezone)).date()


def start_of_day(timezone: str, day: date) -> datetime:
    """The first moment of a day in the city, as an aware time."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone))


def end_of_day(timezone: str, day: date) -> datetime:
    """The last moment of a day in the city (23:59:59), as an aware time."""
    return start_of_day(timezone, day) + timedelta(days=1, seconds=-1)
