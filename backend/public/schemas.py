"""What residents may read of their area (治安动态) and of a quarter's public report.

Nothing here names a reporter, a case or a position: counts below 5 are null, other counts
are rounded to a multiple of 5 and rates to whole percents, confidential categories never
appear, key areas are named without their outline.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from backend.structs import Model, RegionCode
from backend.surveys.schemas import PublishedSurveyOut

# What staff may choose to publish: the case figures, the key areas, the survey's figures.
Section = Literal["reports", "areas", "survey"]
SECTIONS: tuple[Section, ...] = ("reports", "areas", "survey")


class RegionRefOut(Model):
    code: str
    name: str
    level: str


class ReportFiguresOut(Model):
    """This quarter's valid reports (立案量) and how they went.

    valid is rounded to a multiple of 5, and null below 5. closeRate 结案率, onTimeRate
    按期结案率 and satisfactionRate 满意率 are fractions 0..1 in steps of 0.01 (whole
    percents), null when fewer than 5 cases were registered, closed (the first two) or rated.
    """

    valid: int | None
    close_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None


class CategoryCountOut(Model):
    """A category with at least 5 valid reports this quarter (never a confidential one);
    count is rounded to a multiple of 5, like the total."""

    code: str
    name: str
    name_en: str
    count: int


class AreaProgressOut(Model):
    """The current plan's tasks: how many, how many done, how many open past their time."""

    tasks: int
    done: int
    overdue: int


class FlaggedAreaOut(Model):
    """A key area under 挂牌督办 (flagged, given more time, or being accepted), named, with
    its plan's progress."""

    id: int
    name: str
    area_type: str
    level: str | None
    state: str
    deadline: date | None
    region_name: str
    progress: AreaProgressOut


class LiftedAreaOut(Model):
    """A key area taken off the list (摘牌) in the last year."""

    id: int
    name: str
    area_type: str
    lifted_on: date
    region_name: str


class PublicReportRefOut(Model):
    """A published quarterly report, as a list or the area page names it."""

    id: int
    year: int
    quarter: int
    version: int
    region_code: str
    region_name: str
    sections: list[Section]
    published_at: datetime


class AreaFiguresOut(Model):
    """A region's figures of one quarter (the local days first_day..last_day).

    The case figures (reports, categories) count what happened before as_of: on the area
    page the end of the previous city day, in a public report the moment of publishing (or
    the quarter's end when it is over). Key areas are as of reading (on a report: as of
    publishing); the survey is the latest published.
    """

    region: RegionRefOut
    parent: RegionRefOut | None
    period_label: str
    first_day: date
    last_day: date
    as_of: datetime
    reports: ReportFiguresOut
    categories: list[CategoryCountOut]
    # 挂牌督办 areas being put right around the region (its parent's subtree), at most 20.
    flagged: list[FlaggedAreaOut]
    # Areas lifted (摘牌) around the region in the last 365 days, at most 10.
    lifted: list[LiftedAreaOut]
    survey: PublishedSurveyOut | None


class AreaPageOut(AreaFiguresOut):
    """治安动态: the area page a resident reads, with the latest public report to open.

    Its region is a community, street or district (a grid asked for is answered with its
    community); its case figures run to the end of the previous city day (as_of), in the
    quarter holding that day.
    """

    report: PublicReportRefOut | None = None


class PublishedFiguresOut(Model, omit_defaults=True):
    """The figures frozen in a public report: a section staff did not choose is absent."""

    region: RegionRefOut
    parent: RegionRefOut | None
    period_label: str
    first_day: date
    last_day: date
    as_of: datetime
    reports: ReportFiguresOut | None = None
    categories: list[CategoryCountOut] | None = None
    flagged: list[FlaggedAreaOut] | None = None
    lifted: list[LiftedAreaOut] | None = None
    survey: PublishedSurveyOut | None = None


class PublicReportOut(Model):
    """A quarterly public report; a preview has no id, version or publishing time."""

    id: int | None
    region_code: str
    region_name: str
    year: int
    quarter: int
    version: int | None
    sections: list[Section]
    survey_id: int | None
    published_at: datetime | None
    figures: PublishedFiguresOut


Year = Annotated[int, msgspec.Meta(ge=2000, le=2999)]
Quarter = Annotated[int, msgspec.Meta(ge=1, le=4)]


class PublicReportIn(Model):
    """Publish a region's quarter: which sections, and the survey whose figures it shows."""

    region_code: RegionCode
    year: Year
    quarter: Quarter
    sections: Annotated[list[Section], msgspec.Meta(min_length=1, max_length=3)]
    survey_id: int | None = None
