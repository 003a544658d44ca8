"""The statistics workbook (周/月/季报): a summary sheet with 同比/环比, per-region and
per-category sheets and their charts, the hour × weekday grid (时段分布) and the key areas
(重点地区), written with xlsxwriter from the statistics and key-area figures.

Every figure is written as a number with a number format (rates as percentages), so the
workbook can be summed, sorted and charted as it is; a figure with no denominator stays blank.
Every text is written as a string cell, never as a formula or a link: region and category
names come from admins and imports, and a name such as `=HYPERLINK(…)` must stay a name.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from backend.exports import areas_sheet, assessment_sheet
from backend.exports.areas_sheet import KeyAreas
from backend.exports.rules import (
    COMPARED_HEADERS,
    DEFINITIONS,
    METRIC_COLUMNS,
    SHEET_CATEGORIES,
    SHEET_HOURS,
    SHEET_REGIONS,
    SHEET_SUMMARY,
    WEEKDAY_HEADERS,
)
from backend.oversight.assessment_schemas import ResultOut
from backend.stats.schemas import (
    ChangesOut,
    ComparedOut,
    GroupOut,
    HourWeekdayOut,
    MetricsOut,
    SummaryOut,
)

# Columns of a group sheet: code, name, then the metrics in METRIC_COLUMNS order.
_FIRST_METRIC_COL = 2
_COLUMN_OF = {name: _FIRST_METRIC_COL + i for i, (name, _, _) in enumerate(METRIC_COLUMNS)}
_RATES = ("close_rate", "on_time_rate", "satisfaction_rate")
# Summary sheet: the figures' table starts on this row; the compared columns follow the three
# figure columns; the chart stands to the right of them.
_FIRST_ROW = 5
_FIRST_COMPARED_COL = 4
_CHART_COL = _FIRST_COMPARED_COL + len(COMPARED_HEADERS) + 1


@dataclass(frozen=True, slots=True)
class _Styles:
    title: Format
    header: Format
    text: Format
    number: dict[str, Format]
    # How a change shows: counts and hours in per cent, rates in percentage points.
    change: dict[str, Format]


def _styles(book: Workbook) -> _Styles:
    return _Styles(
        title=book.add_format({"bold": True, "font_size": 14}),
        header=book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
        ),
        text=book.add_format({"border": 1}),
        number={
            "count": book.add_format({"num_format": "0", "border": 1}),
            "rate": book.add_format({"num_format": "0.0%", "border": 1}),
            "hours": book.add_format({"num_format": "0.00", "border": 1}),
        },
        change={
            "count": book.add_format({"num_format": "+0.0%;-0.0%;0.0%", "border": 1}),
            "hours": book.add_format({"num_format": "+0.0%;-0.0%;0.0%", "border": 1}),
            "rate": book.add_format({"num_format": '+0.0" pp";-0.0" pp";0.0" pp"', "border": 1}),
        },
    )


def build(
    summary: SummaryOut,
    hours: HourWeekdayOut | None = None,
    areas: KeyAreas | None = None,
    *,
    generated_at: datetime,
    zone: ZoneInfo,
    assessment: ResultOut | None = None,
) -> bytes:
    """The workbook as XLSX bytes; the 时段分布, 重点地区 and 考核 sheets when they are given."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties(
        {
            "title": f"{summary.region.name} {summary.period.label} 统计报表",
            "subject": "随手拍 grid governance statistics",
            "created": generated_at.astimezone(zone).replace(tzinfo=None),
        }
    )
    styles = _styles(book)
    _summary_sheet(book, styles, summary, generated_at.astimezone(zone))
    _group_sheet(book, styles, SHEET_REGIONS, ("区域编码 Code", "区域 Region"), summary.by_region)
    _group_sheet(
        book, styles, SHEET_CATEGORIES, ("类别编码 Code", "类别 Category"), summary.by_category
    )
    if hours is not None:
        _hours_sheet(book, styles, hours, zone)
    if areas is not None:
        areas_sheet.write(book, _area_formats(styles), areas, heading=summary.region.name)
    if assessment is not None:
        assessment_sheet.write(book, _assessment_formats(styles), assessment)
    book.close()
    return out.getvalue()


def _assessment_formats(styles: _Styles) -> assessment_sheet.Formats:
    return assessment_sheet.Formats(
        title=styles.title,
        header=styles.header,
        text=styles.text,
        score=styles.number["hours"],
    )


def _area_formats(styles: _Styles) -> areas_sheet.Formats:
    return areas_sheet.Formats(
        title=styles.title,
        header=styles.header,
        text=styles.text,
        count=styles.number["count"],
        rate=styles.number["rate"],
    )


def _figure(
    sheet: Worksheet,
    row: int,
    col: int,
    metrics: MetricsOut | ChangesOut | None,
    name: str,
    fmt: Format,
) -> None:
    value = None if metrics is None else getattr(metrics, name)
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def _summary_sheet(book: Workbook, styles: _Styles, summary: SummaryOut, local: datetime) -> None:
    sheet = book.add_worksheet(SHEET_SUMMARY)
    period = summary.period
    sheet.write_string(0, 0, f"{summary.region.name} 统计报表 Statistics report", styles.title)
    sheet.write_string(1, 0, f"周期 Period: {period.label} ({period.from_} – {period.to})")
    sheet.write_string(2, 0, f"生成时间 Generated: {local:%Y-%m-%d %H:%M} ({local.tzname()})")
    columns = [
        ("合计 Total", summary.totals),
        ("群众上报 Residents", summary.by_source.resident),
        ("网格员巡查 Patrol", summary.by_source.patrol),
    ]
    sheet.write_row(
        _FIRST_ROW - 1, 0, ["指标 Metric", *(title for title, _ in columns)], styles.header
    )
    for i, (name, header, kind) in enumerate(METRIC_COLUMNS, start=_FIRST_ROW):
        sheet.write(i, 0, header, styles.text)
        for col, (_, metrics) in enumerate(columns, start=1):
            _figure(sheet, i, col, metrics, name, styles.number[kind])
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 3, 16)
    if summary.compared is not None:
        _compared_columns(sheet, styles, summary.compared.totals)
    _summary_chart(book, sheet)
    notes = _FIRST_ROW + 1 + len(METRIC_COLUMNS)
    sheet.write(notes, 0, "口径 Definitions", styles.title)
    for i, line in enumerate(DEFINITIONS, start=notes + 1):
        sheet.write(i, 0, line)


def _summary_chart(book: Workbook, sheet: Worksheet) -> None:
    """Column chart of the rates: the total beside residents' and patrols' reports."""
    rows = [_FIRST_ROW + i for i, (name, _, _) in enumerate(METRIC_COLUMNS) if name in _RATES]
    chart = book.add_chart({"type": "column"})
    for col in (1, 2, 3):
        chart.add_series(
            {
                "name": [SHEET_SUMMARY, _FIRST_ROW - 1, col],
                "categories": [SHEET_SUMMARY, rows[0], 0, rows[-1], 0],
                "values": [SHEET_SUMMARY, rows[0], col, rows[-1], col],
            }
        )
    chart.set_title({"name": "结案率 · 按期结案率 · 满意率"})
    chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
    sheet.insert_chart(_FIRST_ROW - 1, _CHART_COL, chart)


def _compared_columns(sheet: Worksheet, styles: _Styles, totals: ComparedOut) -> None:
    """同比/环比 of the total beside it: the earlier figures and the change since each."""
    sheet.write_row(_FIRST_ROW - 1, _FIRST_COMPARED_COL, COMPARED_HEADERS, styles.header)
    columns = (
        (totals.previous, styles.number),
        (totals.period_on_period, styles.change),
        (totals.year_before, styles.number),
        (totals.year_on_year, styles.change),
    )
    for i, (name, _, kind) in enumerate(METRIC_COLUMNS, start=_FIRST_ROW):
        for col, (figures, formats) in enumerate(columns, start=_FIRST_COMPARED_COL):
            _figure(sheet, i, col, figures, name, formats[kind])
    sheet.set_column(_FIRST_COMPARED_COL, _FIRST_COMPARED_COL + len(columns) - 1, 16)


def _hours_sheet(book: Workbook, styles: _Styles, hours: HourWeekdayOut, zone: ZoneInfo) -> None:
    """The 24 × 7 grid of valid reports by local hour and weekday, shaded by count."""
    sheet = book.add_worksheet(SHEET_HOURS)
    period = hours.period
    sheet.write_string(0, 0, f"{hours.region.name} 时段分布 Hour × weekday", styles.title)
    sheet.write_string(
        1,
        0,
        f"周期 Period: {period.label} ({period.from_} – {period.to}); 有效上报(不含不予受理、"
        f"已合并), 按上报的本地时间 {zone.key} / valid reports by local time of receipt",
    )
    top = 3
    sheet.write_row(top, 0, ["时 Hour", *WEEKDAY_HEADERS, "合计 Total"], styles.header)
    count = styles.number["count"]
    for hour, row in enumerate(hours.counts):
        sheet.write_string(top + 1 + hour, 0, f"{hour:02d}:00", styles.text)
        for day, n in enumerate(row, start=1):
            sheet.write_number(top + 1 + hour, day, n, count)
        sheet.write_number(top + 1 + hour, len(row) + 1, hours.by_hour[hour], count)
    last = top + len(hours.counts)
    sheet.write_string(last + 1, 0, "合计 Total", styles.text)
    for day, n in enumerate(hours.by_weekday, start=1):
        sheet.write_number(last + 1, day, n, count)
    sheet.write_number(last + 1, len(WEEKDAY_HEADERS) + 1, hours.total, count)
    if hours.counts:
        sheet.conditional_format(
            top + 1,
            1,
            last,
            len(WEEKDAY_HEADERS),
            {"type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#F8696B"},
        )
    sheet.freeze_panes(top + 1, 1)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, len(WEEKDAY_HEADERS) + 1, 10)


def _group_sheet(
    book: Workbook,
    styles: _Styles,
    title: str,
    key_headers: tuple[str, str],
    groups: list[GroupOut],
) -> None:
    sheet = book.add_worksheet(title)
    headers = [*key_headers, *(header for _, header, _ in METRIC_COLUMNS)]
    sheet.write_row(0, 0, headers, styles.header)
    for row, group in enumerate(groups, start=1):
        sheet.write_string(row, 0, group.code, styles.text)
        sheet.write_string(row, 1, group.name, styles.text)
        for name, _, kind in METRIC_COLUMNS:
            _figure(sheet, row, _COLUMN_OF[name], group.metrics, name, styles.number[kind])
    sheet.freeze_panes(1, 2)
    sheet.set_row(0, 36)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 22)
    sheet.set_column(_FIRST_METRIC_COL, len(headers) - 1, 12)
    if groups:
        _group_charts(book, sheet, title, len(groups))


def _series(sheet_name: str, count: int, name: str) -> dict[str, object]:
    col = _COLUMN_OF[name]
    return {
        "name": [sheet_name, 0, col],
        "categories": [sheet_name, 1, 1, count, 1],
        "values": [sheet_name, 1, col, count, col],
    }


def _group_charts(book: Workbook, sheet: Worksheet, sheet_name: str, count: int) -> None:
    """A bar of received against closed, and a line of the rates, below the table."""
    bars = book.add_chart({"type": "bar"})
    for name in ("received", "closed"):
        bars.add_series(_series(sheet_name, count, name))
    bars.set_title({"name": "受理量 / 结案量"})
    bars.set_y_axis({"reverse": True})  # the first row of the table at the top
    bars.set_size({"width": 640, "height": max(288, 60 + 24 * count)})
    rates = book.add_chart({"type": "line"})
    for name in _RATES:
        rates.add_series({**_series(sheet_name, count, name), "marker": {"type": "circle"}})
    rates.set_title({"name": "结案率 · 按期结案率 · 满意率"})
    rates.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
    rates.set_size({"width": 640, "height": 320})
    sheet.insert_chart(count + 3, 1, bars)
    sheet.insert_chart(count + 3, 10, rates)
