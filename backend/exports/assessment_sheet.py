"""The statistics workbook's 考核 sheet: the posted (公示) or final result of the report's
period over its region, units by kind and rank with each indicator's points, 一票否决 and
先进 eligibility, then the scheme's indicators.

As in the rest of the workbook, every text is a string cell and every score a number; an
indicator with nothing to measure reads 无数据 instead of a number. 一票否决, 先进 eligibility
and the key areas' standing are as they stood when the result was computed, said under the
heading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Final

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from backend.oversight.assessment_schemas import IndicatorOut, ResultOut, ScoreOut

SHEET_ASSESSMENT: Final = "考核 Assessment"
NO_DATA: Final = "无数据 no data"
STATE_NAMES: Final = {"draft": "草稿 Draft", "posted": "公示 Posted", "final": "定稿 Final"}
KIND_NAMES: Final = {"region": "区域 Region", "department": "部门 Department"}
DIRECTION_NAMES: Final = {"higher": "越高越好 Higher", "lower": "越低越好 Lower"}
_LEAD_HEADERS: Final = ("排名 Rank", "单位 Unit", "类别 Kind", "总分 Total")
_TAIL_HEADERS: Final = ("一票否决 Veto", "先进资格 Eligible", "否决理由 Veto reasons")
_INDICATOR_HEADERS: Final = (
    "指标 Indicator",
    "代码 Key",
    "来源 Source",
    "分值 Weight",
    "目标 Target",
    "方向 Direction",
)


@dataclass(frozen=True, slots=True)
class Formats:
    title: Format
    header: Format
    text: Format
    score: Format


def write(book: Workbook, formats: Formats, result: ResultOut) -> None:
    """The sheet: a heading, the ranked table, then the indicators that made it."""
    sheet = book.add_worksheet(SHEET_ASSESSMENT)
    period = result.period
    sheet.write_string(
        0,
        0,
        f"{result.region_name} {period.label} 考核 Assessment: {result.scheme_name}",
        formats.title,
    )
    sheet.write_string(
        1,
        0,
        f"状态 State: {STATE_NAMES.get(result.state, result.state)}; "
        f"周期 Period: {period.from_} – {period.to}",
    )
    computed = result.computed_at.astimezone(UTC)
    sheet.write_string(
        2,
        0,
        f"计算时间 Computed at: {computed:%Y-%m-%d %H:%M} UTC; "
        "一票否决、先进资格与重点地区状态以计算时为准 "
        "(veto, eligibility and key-area standing as at that moment)",
    )
    top = 3
    headers = [
        *_LEAD_HEADERS,
        *(f"{i.name} ({i.weight:g})" for i in result.indicators),
        *_TAIL_HEADERS,
    ]
    sheet.write_row(top, 0, headers, formats.header)
    for row, score in enumerate(result.scores, start=top + 1):
        _score_row(sheet, formats, row, score, result.indicators)
    _indicators(sheet, formats, top + len(result.scores) + 3, result.indicators)
    sheet.freeze_panes(top + 1, 2)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, len(headers) - 1, 14)


def _score_row(
    sheet: Worksheet, formats: Formats, row: int, score: ScoreOut, indicators: list[IndicatorOut]
) -> None:
    sheet.write_number(row, 0, score.rank, formats.score)
    sheet.write_string(row, 1, score.unit.name, formats.text)
    sheet.write_string(row, 2, KIND_NAMES.get(score.unit.kind, score.unit.kind), formats.text)
    sheet.write_number(row, 3, score.total, formats.score)
    items = {item.key: item for item in score.breakdown}
    for col, indicator in enumerate(indicators, start=len(_LEAD_HEADERS)):
        item = items.get(indicator.key)
        if item is None or item.no_data:
            sheet.write_string(row, col, NO_DATA, formats.text)
        else:
            sheet.write_number(row, col, item.points, formats.score)
    tail = len(_LEAD_HEADERS) + len(indicators)
    sheet.write_string(row, tail, "是 Yes" if score.vetoed else "否 No", formats.text)
    sheet.write_string(row, tail + 1, "是 Yes" if score.eligible else "否 No", formats.text)
    sheet.write_string(row, tail + 2, "; ".join(score.veto_reasons), formats.text)


def _indicators(
    sheet: Worksheet, formats: Formats, top: int, indicators: list[IndicatorOut]
) -> None:
    sheet.write_row(top, 0, _INDICATOR_HEADERS, formats.header)
    for row, indicator in enumerate(indicators, start=top + 1):
        texts = (indicator.name, indicator.key, indicator.source)
        for col, text in enumerate(texts):
            sheet.write_string(row, col, text, formats.text)
        sheet.write_number(row, 3, indicator.weight, formats.score)
        if indicator.target is None:
            sheet.write_blank(row, 4, None, formats.score)
        else:
            sheet.write_number(row, 4, indicator.target, formats.score)
        direction = DIRECTION_NAMES.get(indicator.direction, indicator.direction)
        sheet.write_string(row, 5, direction, formats.text)
