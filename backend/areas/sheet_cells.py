"""The cells both key-area workbooks are written with, and the labels they share.

Every text is written as a string cell, never as a formula or a link: area names, problems
and reasons are typed by staff, and a name such as `=HYPERLINK(…)` must stay a name. Counts
are numbers, shares are numbers with a percent format, so the sheets can be summed and
sorted. Times are shown in the sheet's time zone.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

AREA_TYPES: Final = {
    "urban_village": "城中村 Urban village",
    "urban_fringe": "城乡结合部 Urban fringe",
    "old_estate": "老旧小区 Old estate",
    "back_street": "背街小巷 Back street",
    "transport_hub": "交通枢纽/车站 Transport hub",
    "school_surroundings": "校园周边 School surroundings",
    "entertainment": "娱乐场所 Entertainment venues",
    "market": "集贸市场 Market",
    "other": "其他 Other",
}
LEVELS: Final = {"red": "红 Red", "yellow": "黄 Yellow", "blue": "蓝 Blue", "none": "无 None"}


@dataclass(frozen=True, slots=True)
class Styles:
    """The cell formats of a workbook: headers shaded, texts wrapped, counts and shares."""

    title: Format
    header: Format
    text: Format
    count: Format
    share: Format


def open_book(out: io.BytesIO, title: str, when: datetime) -> tuple[Workbook, Styles]:
    """A workbook writing into `out` that never turns a string into a formula or a link."""
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"title": title, "created": when.replace(tzinfo=None)})
    wrap = {"border": 1, "text_wrap": True, "valign": "top"}
    return book, Styles(
        title=book.add_format({"bold": True, "font_size": 14}),
        header=book.add_format({**wrap, "bold": True, "bg_color": "#DDEBF7"}),
        text=book.add_format(wrap),
        count=book.add_format({"num_format": "0", "border": 1, "valign": "top"}),
        share=book.add_format({"num_format": "0.0%", "border": 1, "valign": "top"}),
    )


def local_time(when: datetime, zone: str) -> str:
    """A moment as the city reads it, to the minute."""
    return f"{when.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


def label_of(names: dict[str, str], code: str | None) -> str:
    """The bilingual label of a code; the code itself when unknown, empty for none."""
    return "" if code is None else names.get(code, code)


def write_headers(
    sheet: Worksheet, row: int, pairs: Sequence[tuple[str, str]], fmt: Format
) -> None:
    """Chinese headers on one row, English beneath them."""
    for col, (zh, en) in enumerate(pairs):
        sheet.write_string(row, col, zh, fmt)
        sheet.write_string(row + 1, col, en, fmt)


def write_count(sheet: Worksheet, row: int, col: int, value: float | None, fmt: Format) -> None:
    """A number cell, or a blank one when there is no figure (nothing to divide by)."""
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def write_lines(sheet: Worksheet, row: int, lines: Sequence[tuple[str, str]], fmt: Format) -> int:
    """Label/value pairs down two columns; returns the next free row."""
    for label, value in lines:
        sheet.write_string(row, 0, label, fmt)
        sheet.write_string(row, 1, value, fmt)
        row += 1
    return row
