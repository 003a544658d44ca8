"""Pure decisions of what the public may read: suppression, quarters, sections, caching.

No I/O here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from backend.errors import Invalid
from backend.public.schemas import (
    SECTIONS,
    AreaFiguresOut,
    CategoryCountOut,
    PublishedFiguresOut,
    ReportFiguresOut,
    Section,
)
from backend.regions.levels import LEAF_LEVELS
from backend.stats.schemas import MetricsOut

# A count below this names too few people to publish (a street with 2 reports of one kind).
SMALLEST_PUBLISHED: Final = 5
# Published counts are rounded to this step and rates to whole percents, so that subtracting
# one published figure from another (a street less its communities, a total less its
# categories) never yields an exact small count.
COUNT_STEP: Final = 5
RATE_DIGITS: Final = 2
TOP_CATEGORIES: Final = 5
MAX_FLAGGED: Final = 20
MAX_LIFTED: Final = 10
LIFTED_WITHIN_DAYS: Final = 365
# 挂牌督办: areas flagged, given more time, or being accepted. A listed area (重点整治) is on
# its street's own working list and not published.
UNDER_WAY: Final = ("flagged", "extended", "accepting")
# Areas taken off the list: lifted, watched afterwards (回头看), or closed for good.
TAKEN_OFF: Final = ("lifted", "watching", "closed")
# How long a browser may keep an area page without asking again.
CACHE_SECONDS: Final = 300
# How many (region, day) case figures one process keeps for the area page.
DAILY_FIGURES_KEPT: Final = 2000


@dataclass(frozen=True, slots=True)
class RegionRow:
    """A region of the tree as the public pages name it."""

    id: int
    code: str
    name: str
    level: str
    path: str


@dataclass(frozen=True, slots=True)
class CaseFigures:
    """A region's valid reports with their rates, and its top categories, as published."""

    reports: ReportFiguresOut
    categories: list[CategoryCountOut]


def published_count(count: int) -> int | None:
    """A count as the public reads it: null below 5, else rounded to a multiple of 5."""
    if count < SMALLEST_PUBLISHED:
        return None
    return COUNT_STEP * round(count / COUNT_STEP)


def published_rate(rate: float | None) -> float | None:
    """A 0..1 rate as the public reads it: to whole percents."""
    return None if rate is None else round(rate, RATE_DIGITS)


def report_figures(metrics: MetricsOut) -> ReportFiguresOut:
    """立案量 and its rates, each null when it rests on fewer than 5 cases (立案, 结案 or
    rated); counts rounded to 5, rates to whole percents."""
    enough = metrics.registered >= SMALLEST_PUBLISHED
    closed = enough and metrics.closed >= SMALLEST_PUBLISHED
    return ReportFiguresOut(
        valid=published_count(metrics.registered),
        close_rate=published_rate(metrics.close_rate) if closed else None,
        on_time_rate=published_rate(metrics.on_time_rate) if closed else None,
        satisfaction_rate=published_rate(metrics.satisfaction_rate)
        if enough and metrics.rated >= SMALLEST_PUBLISHED
        else None,
    )


def top_categories(
    counts: Iterable[tuple[str, int]], names: dict[str, tuple[str, str, bool]]
) -> list[CategoryCountOut]:
    """The 5 categories with the most valid reports, 5 or more each, never a confidential
    one; each count rounded to 5 like the total, ordered by what is shown (then by code).
    `names` maps a code to (name, English name, confidential)."""
    shown = [
        (code, count)
        for code, count in counts
        if count >= SMALLEST_PUBLISHED and code in names and not names[code][2]
    ]
    shown.sort(key=lambda item: (-item[1], item[0]))
    top = [(code, published_count(count) or 0) for code, count in shown[:TOP_CATEGORIES]]
    top.sort(key=lambda item: (-item[1], item[0]))
    return [
        CategoryCountOut(code=code, name=names[code][0], name_en=names[code][1], count=count)
        for code, count in top
    ]


def community_of(chain: Sequence[tuple[int, str]]) -> int:
    """Which region of a point's chain (id, level), top down, its area page is about: the
    community (社区/村), or the deepest region when the chain has none."""
    for region_id, level in chain:
        if level == "community":
            return region_id
    return chain[-1][0]


def goes_to_community(level: str) -> bool:
    """Whether a region asked for by code is read as the community above it: a grid or
    microgrid is too small to publish on its own; a community, street or district is not."""
    return level in LEAF_LEVELS


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter) of a day."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_label(year: int, quarter: int) -> str:
    """The period label statistics read: 2026-Q4."""
    return f"{year:04d}-Q{quarter}"


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    """The quarter before (year, quarter)."""
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def check_quarter_publishable(year: int, quarter: int, *, today: date) -> None:
    """Only this quarter and the one before may be published (422 otherwise): a quarter not
    begun has nothing to show, and an older one would pair its cases with today's key areas."""
    current = quarter_of(today)
    if (year, quarter) > current:
        raise Invalid(
            "public_reports.quarter_not_started",
            "该季度尚未开始，无法发布",
            "That quarter has not started yet",
            fields={"quarter": "not started"},
        )
    if (year, quarter) < previous_quarter(*current):
        raise Invalid(
            "public_reports.quarter_too_old",
            "只能发布本季度或上一季度的公开报告",
            "Only this quarter or the previous one may be published",
            fields={"quarter": "only this quarter or the previous one"},
        )


def chosen_sections(sections: Iterable[Section]) -> list[Section]:
    """The sections in their fixed order, each once."""
    chosen = set(sections)
    return [s for s in SECTIONS if s in chosen]


def published_figures(figures: AreaFiguresOut, sections: Sequence[Section]) -> PublishedFiguresOut:
    """The figures with only the chosen sections."""
    reports, areas = "reports" in sections, "areas" in sections
    return PublishedFiguresOut(
        region=figures.region,
        parent=figures.parent,
        period_label=figures.period_label,
        first_day=figures.first_day,
        last_day=figures.last_day,
        as_of=figures.as_of,
        reports=figures.reports if reports else None,
        categories=figures.categories if reports else None,
        flagged=figures.flagged if areas else None,
        lifted=figures.lifted if areas else None,
        survey=figures.survey if "survey" in sections else None,
    )


def day_start(day: date, zone: str) -> datetime:
    """The first instant of a city day, in UTC."""
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)


def page_cut(now: datetime, zone: str) -> tuple[date, datetime]:
    """The city day before `now`, and its end: the area page's case figures run up to that
    instant, so that a page never moves with one report made today."""
    today = now.astimezone(ZoneInfo(zone)).date()
    return today - timedelta(days=1), day_start(today, zone)


def strong_etag(body: bytes) -> str:
    """A strong validator of a response body: the same bytes, the same tag."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether a client's If-None-Match names this tag (weak comparison, as RFC 9110 asks)."""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return any(t == "*" or t.removeprefix("W/") == etag for t in tags)
