"""The statistics workbook's 重点地区 sheet: areas by state and by type, 整治改观率 and the
recurrence rate with their numerators and denominators, and the areas listed or flagged in
the period with their plan's progress.

As in the rest of the workbook, every text is a string cell (area names are typed by staff)
and every count a number; a rate with no denominator stays blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from backend.areas.followup_schemas import AreaFiguresSummaryOut, RatioOut
from backend.exports.rules import (
    AREA_COLUMNS,
    AREA_DEFINITIONS,
    AREA_LEVEL_NAMES,
    AREA_STATE_NAMES,
    AREA_TYPE_NAMES,
    SHEET_AREAS,
    counts_in_order,
    named,
)


@dataclass(frozen=True, slots=True)
class AreaLine:
    """One area listed or flagged in the period, as the sheet lists it."""

    name: str
    area_type: str
    level: str | None
    state: str
    region_name: str
    deadline: date | None
    tasks_done: int
    tasks: int
    tasks_overdue: int
    overdue: bool


@dataclass(frozen=True, slots=True)
class KeyAreas:
    """What the sheet shows: the register's figures, and the period's areas."""

    figures: AreaFiguresSummaryOut
    areas: Sequence[AreaLine]


@dataclass(frozen=True, slots=True)
class Formats:
    title: Format
    header: Format
    text: Format
    count: Format
    rate: Format


def write(book: Workbook, formats: Formats, areas: KeyAreas, *, heading: str) -> None:
    """The sheet, top to bottom: counts by state and by type side by side, the two rates,
    the period's areas, then the definitions."""
    sheet = book.add_worksheet(SHEET_AREAS)
    sheet.write_string(0, 0, f"{heading} 重点地区 Key areas", formats.title)
    top = 2
    states = counts_in_order(AREA_STATE_NAMES, areas.figures.by_state)
    types = counts_in_order(AREA_TYPE_NAMES, areas.figures.by_type)
    _counts(sheet, formats, top, 0, ("状态 State", "数量 Areas"), states)
    _counts(sheet, formats, top, 3, ("类型 Type", "数量 Areas"), types)
    rates = top + 2 + max(len(states), len(types))
    _rates(sheet, formats, rates, areas.figures)
    listed = rates + 5
    _areas(sheet, formats, listed, areas.areas)
    notes = listed + 3 + len(areas.areas)
    for i, line in enumerate(AREA_DEFINITIONS, start=notes):
        sheet.write_string(i, 0, line)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 2, 14)
    sheet.set_column(3, 3, 28)
    sheet.set_column(4, len(AREA_COLUMNS) - 1, 14)


def _counts(
    sheet: Worksheet,
    formats: Formats,
    top: int,
    col: int,
    headers: tuple[str, str],
    counts: list[tuple[str, int]],
) -> None:
    sheet.write_row(top, col, headers, formats.header)
    for row, (name, n) in enumerate(counts, start=top + 1):
        sheet.write_string(row, col, name, formats.text)
        sheet.write_number(row, col + 1, n, formats.count)


def _rates(sheet: Worksheet, formats: Formats, top: int, figures: AreaFiguresSummaryOut) -> None:
    headers = ("指标 Figure", "分子 Numerator", "分母 Denominator", "比率 Rate")
    sheet.write_row(top, 0, headers, formats.header)
    rows = (
        ("整治改观率 Improvement (摘牌/列管)", figures.improvement),
        ("复发率 Recurrence (复发/摘牌)", figures.recurrence),
    )
    for row, (name, ratio) in enumerate(rows, start=top + 1):
        sheet.write_string(row, 0, name, formats.text)
        _ratio(sheet, formats, row, ratio)


def _ratio(sheet: Worksheet, formats: Formats, row: int, ratio: RatioOut) -> None:
    sheet.write_number(row, 1, ratio.numerator, formats.count)
    sheet.write_number(row, 2, ratio.denominator, formats.count)
    if ratio.rate is None:
        sheet.write_blank(row, 3, None, formats.rate)
    else:
        sheet.write_number(row, 3, ratio.rate, formats.rate)


def _areas(sheet: Worksheet, formats: Formats, top: int, areas: Sequence[AreaLine]) -> None:
    sheet.write_string(top, 0, "本期列管、挂牌的重点地区 Areas listed or flagged in the period")
    sheet.write_row(top + 1, 0, AREA_COLUMNS, formats.header)
    for row, area in enumerate(areas, start=top + 2):
        texts = (
            area.name,
            named(AREA_TYPE_NAMES, area.area_type),
            named(AREA_LEVEL_NAMES, area.level),
            named(AREA_STATE_NAMES, area.state),
            area.region_name,
            area.deadline.isoformat() if area.deadline else "",
        )
        for col, text in enumerate(texts):
            sheet.write_string(row, col, text, formats.text)
        for col, n in enumerate((area.tasks_done, area.tasks, area.tasks_overdue), len(texts)):
            sheet.write_number(row, col, n, formats.count)
        sheet.write_string(row, len(AREA_COLUMNS) - 1, "是" if area.overdue else "否", formats.text)
