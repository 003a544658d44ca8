"""Who sees which key areas, and the city's day, for the follow-up of an area."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend.accounts.rules import Principal
from backend.areas.lifecycle import NO_SUCH_AREA
from backend.cases import service as cases
from backend.settings import Settings


def scope_path_of(principal: Principal) -> str | None:
    """The region path whose areas the caller sees; None for the whole city."""
    scope = cases.scope_for(principal)
    if scope.everything:
        return None
    if scope.path is None:
        # Staff without a region (a department) govern no areas: nothing exists for them.
        raise NO_SUCH_AREA
    return scope.path


def today(settings: Settings, now: datetime) -> date:
    """The calendar day in the city."""
    return now.astimezone(ZoneInfo(settings.timezone)).date()


def end_of_day(day: date, settings: Settings) -> datetime:
    """The last moment of a day in the city (23:59:59), as an aware time."""
    start = datetime.combine(day, time(0), tzinfo=ZoneInfo(settings.timezone))
    return start + timedelta(days=1, seconds=-1)


def start_of_day(day: date, settings: Settings) -> datetime:
    """The first moment of a day in the city."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(settings.timezone))
