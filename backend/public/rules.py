"""Pure decisions of what the public may read: suppression, quarters, sections, caching.

No I/O here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from backend.errors import Invalid
from backend.public.schemas import (
    SECTIONS,
    AreaFiguresOut,
    CategoryCountOut,
    PublishedFiguresOut,
    ReportFiguresOut,
    Section,
)
from backend.stats.schemas import MetricsOut

# A count below this names too few people to publish (a street with 2 reports of one kind).
SMALLEST_PUBLISHED: Final = 5
TOP_CATEGORIES: Final = 5
MAX_FLAGGED: Final = 20
MAX_LIFTED: Final = 10
LIFTED_WITHIN_DAYS: Final = 365
# 挂牌督办 (flagged) and 重点整治 (listed) areas still being put right or being accepted.
UNDER_WAY: Final = ("listed", "flagged", "extended", "accepting")
# Areas taken off the list: lifted, watched afterwards (回头看), or closed for good.
TAKEN_OFF: Final = ("lifted", "watching", "closed")
# How long a browser may keep an area page without asking again.
CACHE_SECONDS: Final = 300


@dataclass(frozen=True, slots=True)
class RegionRow:
    """A region of the tree as the public pages name it."""

    id: int
    code: str
    name: str
    level: str
    path: str


def published_count(count: int) -> int | None:
    """A count as the public reads it: null below 5."""
    return count if count >= SMALLEST_PUBLISHED else None


def report_figures(metrics: MetricsOut) -> ReportFiguresOut:
    """立案量 and its rates, each null when it rests on fewer than 5 cases (立案, 结案 or rated)."""
    enough = metrics.registered >= SMALLEST_PUBLISHED
    return ReportFiguresOut(
        valid=published_count(metrics.registered),
        close_rate=metrics.close_rate if enough else None,
        on_time_rate=metrics.on_time_rate
        if enough and metrics.closed >= SMALLEST_PUBLISHED
        else None,
        satisfaction_rate=metrics.satisfaction_rate
        if enough and metrics.rated >= SMALLEST_PUBLISHED
        else None,
    )


def top_categories(
    counts: Iterable[tuple[str, int]], names: dict[str, tuple[str, str, bool]]
) -> list[CategoryCountOut]:
    """The 5 categories with the most valid reports, 5 or more each; never a confidential
    one. `names` maps a code to (name, English name, confidential)."""
    shown = [
        (code, count)
        for code, count in counts
        if count >= SMALLEST_PUBLISHED and code in names and not names[code][2]
    ]
    shown.sort(key=lambda item: (-item[1], item[0]))
    return [
        CategoryCountOut(code=code, name=names[code][0], name_en=names[code][1], count=count)
        for code, count in shown[:TOP_CATEGORIES]
    ]


def community_of(chain: Sequence[tuple[int, str]]) -> int:
    """Which region of a point's chain (id, level), top down, its area page is about: the
    community (社区/村), or the deepest region when the chain has none."""
    for region_id, level in chain:
        if level == "community":
            return region_id
    return chain[-1][0]


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter) of a day."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_label(year: int, quarter: int) -> str:
    """The period label statistics read: 2026-Q4."""
    return f"{year:04d}-Q{quarter}"


def check_quarter_started(year: int, quarter: int, *, today: date) -> None:
    """A quarter that has not begun has nothing to publish (422)."""
    if (year, quarter) > quarter_of(today):
        raise Invalid(
            "public_reports.quarter_not_started",
            "该季度尚未开始，无法发布",
            "That quarter has not started yet",
            fields={"quarter": "not started"},
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


def as_of(now: datetime) -> datetime:
    """The moment figures are said to be as of: `now` to the cache's five minutes, so that
    a page asked for twice in that time reads the same and is answered 304."""
    return now - timedelta(seconds=now.timestamp() % CACHE_SECONDS)


def strong_etag(body: bytes) -> str:
    """A strong validator of a response body: the same bytes, the same tag."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether a client's If-None-Match names this tag (weak comparison, as RFC 9110 asks)."""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return any(t == "*" or t.removeprefix("W/") == etag for t in tags)
