"""Pure decisions of statistics: periods, figures from counts, rankings, heat-map inputs.

A period is a run of whole local days in the city's time zone (settings.timezone): the
week, month or quarter a report names (周/月/季), one day, a year, or a custom range.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

import msgspec

from backend.cases.rules import REOPEN_AT_OR_BELOW
from backend.errors import BadRequest, Invalid
from backend.stats.schemas import ChangesOut, ComparedOut, MetricsOut

PeriodKind = Literal["day", "week", "month", "quarter", "year", "custom"]
MAX_CUSTOM_DAYS: Final = 3 * 366
# A rating above the score that sends a case back (返工) counts as satisfied (满意/基本满意).
SATISFIED_ABOVE: Final = REOPEN_AT_OR_BELOW

_FORMS: Final[tuple[tuple[PeriodKind, re.Pattern[str]], ...]] = (
    ("week", re.compile(r"^(\d{4})-W(\d{2})$")),
    ("quarter", re.compile(r"^(\d{4})-Q([1-4])$")),
    ("day", re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
    ("month", re.compile(r"^(\d{4})-(\d{2})$")),
    ("year", re.compile(r"^(\d{4})$")),
)


def _bad_period(detail: str) -> Invalid:
    return Invalid(
        "stats.bad_period",
        "统计周期无效，请用 2026-W47、2026-11、2026-Q4、2026-11-23 或起止日期",
        f"Bad period: {detail} (use 2026-W47, 2026-11, 2026-Q4, 2026-11-23 or from/to dates)",
        fields={"period": detail},
    )


@dataclass(frozen=True, slots=True)
class Period:
    """Whole local days [first_day, last_day]; `start`/`end` are the half-open instants."""

    kind: PeriodKind
    label: str
    first_day: date
    last_day: date
    start: datetime
    end: datetime

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def _out_of_range(label: str) -> BadRequest:
    return BadRequest(
        "stats.period_out_of_range",
        "统计周期超出可统计的年份",
        f"The period {label[:40]} lies outside the years statistics can cover",
        fields={"period": "out of range"},
    )


def _period(kind: PeriodKind, label: str, first: date, last: date, zone: str) -> Period:
    tz = ZoneInfo(zone)
    try:
        # In UTC: arithmetic on two local times of one zone would ignore a daylight-saving
        # change. The first and last days of the calendar have no instant on one side.
        start = datetime.combine(first, time(), tz).astimezone(UTC)
        end = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC)
    except OverflowError:
        raise _out_of_range(label) from None
    return Period(kind, label, first, last, start, end)


def parse_period(text: str, *, zone: str) -> Period:
    """2026-W47 (ISO week), 2026-11, 2026-Q4, 2026-11-23 or 2026, in the city's time zone."""
    for kind, pattern in _FORMS:
        match = pattern.match(text.strip())
        if match is None:
            continue
        try:
            first, last = _bounds(kind, *(int(g) for g in match.groups()))
        except ValueError:
            raise _bad_period(f"no such {kind}: {text}") from None
        except OverflowError:
            raise _out_of_range(text) from None
        return _period(kind, text.strip(), first, last, zone)
    raise _bad_period(f"unreadable: {text[:40]}")


def _bounds(kind: str, year: int, n: int = 1, day: int = 1) -> tuple[date, date]:
    if kind == "week":
        first = date.fromisocalendar(year, n, 1)
        return first, first + timedelta(days=6)
    if kind == "quarter":
        first = date(year, 3 * n - 2, 1)
        return first, _month_after(date(year, 3 * n, 1)) - timedelta(days=1)
    if kind == "day":
        one = date(year, n, day)
        return one, one
    if kind == "month":
        first = date(year, n, 1)
        return first, _month_after(first) - timedelta(days=1)
    return date(year, 1, 1), date(year, 12, 31)


def _month_after(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def custom_period(first: date, last: date, *, zone: str) -> Period:
    """From `first` to `last`, both days included."""
    if last < first:
        raise _bad_period("the end comes before the start")
    if (last - first).days >= MAX_CUSTOM_DAYS:
        raise _bad_period(f"longer than {MAX_CUSTOM_DAYS} days")
    return _period("custom", f"{first.isoformat()}..{last.isoformat()}", first, last, zone)


def parse_day(text: str, *, name: str) -> date:
    """A calendar day written 2026-11-23."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(
            "stats.bad_date",
            "日期无效，请用 2026-11-23 的格式",
            "Bad date: write it as 2026-11-23",
            fields={name: "expected YYYY-MM-DD"},
        ) from None


def period_of(
    period: str | None, first: str | None, last: str | None, *, zone: str, today: date
) -> Period:
    """The period a request names: `period`, or `from` and `to` days; default this month."""
    if period is not None and (first is not None or last is not None):
        raise _bad_period("give either period or from/to, not both")
    if period is not None:
        return parse_period(period, zone=zone)
    if first is None and last is None:
        return parse_period(today.strftime("%Y-%m"), zone=zone)
    if first is None or last is None:
        raise _bad_period("a custom period needs both from and to")
    return custom_period(parse_day(first, name="from"), parse_day(last, name="to"), zone=zone)


def previous_period(period: Period, *, zone: str) -> Period:
    """The period of the same kind just before (the same length, for a custom one)."""
    if period.kind in {"custom", "day", "week"}:
        last = period.first_day - timedelta(days=1)
        first = last - timedelta(days=period.days - 1)
        if period.kind == "custom":
            return custom_period(first, last, zone=zone)
        return parse_period(_label(period.kind, first), zone=zone)
    months = {"month": 1, "quarter": 3, "year": 12}[period.kind]
    first = period.first_day
    index = first.year * 12 + first.month - 1 - months
    return parse_period(_label(period.kind, date(index // 12, index % 12 + 1, 1)), zone=zone)


def _year_earlier(day: date) -> date:
    """The same day one year before; 29 February falls on 28 February."""
    if (day.month, day.day) == (2, 29):
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def year_before_period(period: Period, *, zone: str) -> Period:
    """去年同期: the same month, quarter, year, ISO week (the last one when that year has no
    53rd), day or days one year earlier."""
    if period.kind in {"month", "quarter", "year"}:
        return parse_period(_label(period.kind, _year_earlier(period.first_day)), zone=zone)
    if period.kind == "week":
        year, week, _ = period.first_day.isocalendar()
        weeks = date(year - 1, 12, 28).isocalendar()[1]  # 28 December lies in the last week
        return parse_period(f"{year - 1:04d}-W{min(week, weeks):02d}", zone=zone)
    first, last = _year_earlier(period.first_day), _year_earlier(period.last_day)
    if period.kind == "day":
        return parse_period(first.isoformat(), zone=zone)
    return custom_period(first, last, zone=zone)


def compared_periods(period: Period, *, zone: str) -> tuple[Period | None, Period | None]:
    """(上期, 去年同期): the bases of 环比 and 同比; None for one before the calendar's start."""

    def counted(make: Callable[[Period], Period]) -> Period | None:
        try:
            return make(period)
        except (ValueError, OverflowError, BadRequest, Invalid):
            return None

    return (
        counted(lambda p: previous_period(p, zone=zone)),
        counted(lambda p: year_before_period(p, zone=zone)),
    )


def _label(kind: PeriodKind, first: date) -> str:
    # Years written with four digits: the first centuries' labels must parse back.
    if kind == "week":
        year, week, _ = first.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if kind == "quarter":
        return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
    month = f"{first.year:04d}-{first.month:02d}"
    return {"day": first.isoformat(), "month": month}.get(kind, f"{first.year:04d}")


# Figures ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """What the timeline says of one group of cases received in a period (see queries)."""

    received: int = 0
    registered: int = 0
    refused: int = 0
    closed: int = 0
    closed_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    resolved: int = 0
    reworked: int = 0
    overdue: int = 0
    accept_avg_s: float | None = None
    accept_p90_s: float | None = None
    resolve_avg_s: float | None = None
    resolve_p90_s: float | None = None


def rate(part: int, whole: int) -> float | None:
    """part / whole to four places, or None when there is nothing to divide by."""
    return None if whole == 0 else round(part / whole, 4)


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def figures(c: Counts) -> MetricsOut:
    """结案率 over 立案, 按期 over 结案, 满意 over rated, 返工 over cases that were handled."""
    return MetricsOut(
        received=c.received,
        registered=c.registered,
        refused=c.refused,
        closed=c.closed,
        close_rate=rate(c.closed, c.registered),
        on_time_rate=rate(c.closed_on_time, c.closed),
        satisfaction_rate=rate(c.satisfied, c.rated),
        rework_rate=rate(c.reworked, c.resolved),
        accept_hours_avg=hours(c.accept_avg_s),
        accept_hours_p90=hours(c.accept_p90_s),
        resolve_hours_avg=hours(c.resolve_avg_s),
        resolve_hours_p90=hours(c.resolve_p90_s),
        overdue=c.overdue,
        rated=c.rated,
        closed_on_time=c.closed_on_time,
        satisfied=c.satisfied,
        resolved=c.resolved,
        reworked=c.reworked,
    )


# Figures that are fractions 0..1: they change in percentage points, the others as a ratio.
RATE_FIGURES: Final = frozenset({"close_rate", "on_time_rate", "satisfaction_rate", "rework_rate"})


def change(name: str, now: float | None, then: float | None) -> float | None:
    """How figure `name` moved from `then` to `now` (see ChangesOut for the two kinds)."""
    if now is None or then is None:
        return None
    if name in RATE_FIGURES:
        return round((now - then) * 100, 2)
    return None if then == 0 else round((now - then) / then, 4)


def changes(now: MetricsOut, then: MetricsOut) -> ChangesOut:
    """The change of every figure of a group between two periods."""
    return ChangesOut(
        **{
            f.name: change(f.name, getattr(now, f.name), getattr(then, f.name))
            for f in msgspec.structs.fields(MetricsOut)
        }
    )


def compared(
    now: MetricsOut, previous: MetricsOut | None, year_before: MetricsOut | None
) -> ComparedOut:
    """环比 against the period before and 同比 against the same period a year before."""
    return ComparedOut(
        previous=previous,
        year_before=year_before,
        period_on_period=None if previous is None else changes(now, previous),
        year_on_year=None if year_before is None else changes(now, year_before),
    )


# Hour of day × weekday -------------------------------------------------------------------------

HOURS_OF_DAY: Final = 24
WEEKDAYS: Final = 7


def hour_weekday_grid(cells: Iterable[tuple[int, int, int]]) -> list[list[int]]:
    """24 rows (hour 0-23) of 7 counts (Monday … Sunday) from (hour, ISO weekday 1-7, count)."""
    grid = [[0] * WEEKDAYS for _ in range(HOURS_OF_DAY)]
    for hour, isodow, count in cells:
        grid[hour][isodow - 1] += count
    return grid


# Rankings -----------------------------------------------------------------------------------

# Wire name (closeRate) -> attribute (close_rate), for every figure a ranking may order by.
METRICS: Final = {f.encode_name: f.name for f in msgspec.structs.fields(MetricsOut)}
# Fewer is better for these: time taken, cases sent back, refused or overdue.
LOWER_IS_BETTER: Final = frozenset(
    {
        "refused",
        "reworkRate",
        "acceptHoursAvg",
        "acceptHoursP90",
        "resolveHoursAvg",
        "resolveHoursP90",
        "overdue",
        "reworked",
    }
)


def metric_field(metric: str) -> str:
    """The MetricsOut attribute of a wire metric name; 422 for an unknown one."""
    try:
        return METRICS[metric]
    except KeyError:
        raise Invalid(
            "stats.bad_metric",
            "排名指标无效",
            "Unknown metric to rank by",
            fields={"metric": "one of " + ", ".join(METRICS)},
        ) from None


def ranked(items: list[tuple[str, MetricsOut]], metric: str) -> list[tuple[str, MetricsOut]]:
    """Best first by `metric`; groups with no value last; ties in key order."""
    attribute = metric_field(metric)
    sign = 1 if metric in LOWER_IS_BETTER else -1

    def key(item: tuple[str, MetricsOut]) -> tuple[bool, float, str]:
        value = getattr(item[1], attribute)
        return (value is None, 0.0 if value is None else sign * value, item[0])

    return sorted(items, key=key)


def local_today(now: datetime, *, zone: str) -> date:
    """Today's date in the city's time zone."""
    return now.astimezone(ZoneInfo(zone)).date()
