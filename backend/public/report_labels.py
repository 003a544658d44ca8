"""The words a public report is written in, Chinese with English, shared by page and workbook."""

from __future__ import annotations

from typing import Final

from backend.public.schemas import PublicReportOut
from backend.surveys.schemas import FigureOut, IndicesOut

SUPPRESSED: Final = ("不足 5 件，不公布", "Fewer than 5; not published")
REPORTS: Final = ("本季度群众上报", "Reports this quarter")
VALID: Final = ("有效上报（立案量）", "Valid reports")
RATES: Final = (
    ("close_rate", "结案率", "Close rate"),
    ("on_time_rate", "按期结案率", "Closed on time"),
    ("satisfaction_rate", "满意率", "Satisfaction"),
)
CATEGORIES: Final = ("主要问题类别", "Main kinds of problem")
FLAGGED: Final = ("挂牌督办地区", "Key areas under supervision")
LIFTED: Final = ("近一年摘牌地区", "Key areas lifted in the last year")
# The key areas are read when the report is published, not at the quarter's end.
AS_OF_PUBLISHING: Final = ("截至发布日", "as of publishing")
SURVEY: Final = ("群众安全感调查", "Public safety survey")
INDICES: Final = (
    ("safety", "安全感指数", "Safety index"),
    ("satisfaction", "满意度", "Satisfaction"),
    ("awareness", "知晓率", "Awareness"),
    ("support", "支持率", "Support"),
)
STANDINGS: Final = {
    "meets": ("达到目标", "Meets the target"),
    "below": ("低于目标", "Below the target"),
    "uncertain": ("与目标无明显差异", "Not clearly above or below the target"),
}
AREA_STATES: Final = {
    "listed": ("重点整治", "Listed"),
    "flagged": ("挂牌督办", "Flagged"),
    "extended": ("延期整治", "Extended"),
    "accepting": ("验收中", "Being accepted"),
}
NONE: Final = ("暂无", "None")


def title(report: PublicReportOut) -> tuple[str, str]:
    """The report's title in both languages."""
    return (
        f"{report.region_name} {report.year} 年第 {report.quarter} 季度平安建设公开报告",
        f"{report.region_name}: public safety report, {report.year} Q{report.quarter}",
    )


def as_of_publishing(pair: tuple[str, str]) -> tuple[str, str]:
    """A key-area heading marked as read on the day of publishing: 挂牌督办地区（截至发布日）."""
    return f"{pair[0]}（{AS_OF_PUBLISHING[0]}）", f"{pair[1]} ({AS_OF_PUBLISHING[1]})"


def percent(share: float | None) -> str:
    """A 0..1 share as a whole percentage, or the words for a suppressed figure."""
    return SUPPRESSED[0] if share is None else f"{share * 100:.0f}%"


def figure_text(figure: FigureOut | None) -> str:
    """An index on 0–100 with its 95 % interval, or the words for a suppressed one."""
    if figure is None or figure.value is None:
        return SUPPRESSED[0]
    if figure.low is None or figure.high is None:
        return f"{figure.value:.1f}"
    return f"{figure.value:.1f}（95% 区间 {figure.low:.1f}–{figure.high:.1f}）"


def indices_rows(indices: IndicesOut) -> list[tuple[str, str, FigureOut | None]]:
    """(Chinese, English, figure) of each index the questionnaire has."""
    rows: list[tuple[str, str, FigureOut | None]] = []
    for name, zh, en in INDICES:
        figure = getattr(indices, name)
        if figure is not None:
            rows.append((zh, en, figure))
    return rows
