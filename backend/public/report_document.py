"""The workbook of a public report: one sheet, the chosen sections one under another.

Texts are string cells (never formulas or links), counts and shares are numbers; a figure
withheld because fewer than 5 stand behind it is written as words, not as a blank.
"""

from __future__ import annotations

import io
from datetime import datetime

from xlsxwriter.worksheet import Worksheet

from backend.areas.sheet_cells import Styles, open_book, write_headers
from backend.public import report_labels as words
from backend.public.schemas import PublicReportOut, PublishedFiguresOut
from backend.surveys.schemas import PublishedSurveyOut


def _share(sheet: Worksheet, row: int, col: int, value: float | None, s: Styles) -> None:
    if value is None:
        sheet.write_string(row, col, words.SUPPRESSED[0], s.text)
    else:
        sheet.write_number(row, col, value, s.share)


def _section(sheet: Worksheet, row: int, pair: tuple[str, str], s: Styles) -> int:
    sheet.write_string(row + 1, 0, pair[0], s.header)
    sheet.write_string(row + 1, 1, pair[1], s.header)
    return row + 2


def _reports(sheet: Worksheet, row: int, figures: PublishedFiguresOut, s: Styles) -> int:
    if figures.reports is None:
        return row
    r = figures.reports
    row = _section(sheet, row, words.REPORTS, s)
    sheet.write_string(row, 0, " ".join(words.VALID), s.text)
    if r.valid is None:
        sheet.write_string(row, 1, words.SUPPRESSED[0], s.text)
    else:
        sheet.write_number(row, 1, r.valid, s.count)
    for name, zh, en in words.RATES:
        row += 1
        sheet.write_string(row, 0, f"{zh} {en}", s.text)
        _share(sheet, row, 1, getattr(r, name), s)
    row = _section(sheet, row + 1, words.CATEGORIES, s)
    for c in figures.categories or []:
        sheet.write_string(row, 0, f"{c.name} {c.name_en}", s.text)
        sheet.write_number(row, 1, c.count, s.count)
        row += 1
    return row


def _areas(sheet: Worksheet, row: int, figures: PublishedFiguresOut, s: Styles) -> int:
    if figures.flagged is None or figures.lifted is None:
        return row
    row = _section(sheet, row, words.as_of_publishing(words.FLAGGED), s)
    heads = [("名称", "Name"), ("状态", "State"), ("整治期限", "Deadline"), ("已完成任务", "Done")]
    write_headers(sheet, row, [*heads, ("任务数", "Tasks")], s.header)
    row += 2
    for a in figures.flagged:
        sheet.write_string(row, 0, a.name, s.text)
        sheet.write_string(row, 1, " ".join(words.AREA_STATES.get(a.state, (a.state, ""))), s.text)
        sheet.write_string(row, 2, "" if a.deadline is None else a.deadline.isoformat(), s.text)
        sheet.write_number(row, 3, a.progress.done, s.count)
        sheet.write_number(row, 4, a.progress.tasks, s.count)
        row += 1
    row = _section(sheet, row, words.as_of_publishing(words.LIFTED), s)
    write_headers(
        sheet, row, [("名称", "Name"), ("所属区域", "Region"), ("摘牌日期", "Lifted on")], s.header
    )
    row += 2
    for lifted in figures.lifted:
        sheet.write_string(row, 0, lifted.name, s.text)
        sheet.write_string(row, 1, lifted.region_name, s.text)
        sheet.write_string(row, 2, lifted.lifted_on.isoformat(), s.text)
        row += 1
    return row


def _survey(sheet: Worksheet, row: int, survey: PublishedSurveyOut | None, s: Styles) -> int:
    if survey is None:
        return row
    row = _section(sheet, row, words.SURVEY, s)
    sheet.write_string(row, 0, survey.title, s.text)
    sheet.write_string(row, 1, survey.title_en, s.text)
    row += 1
    heads = [("指标", "Index"), ("数值", "Value"), ("下限", "Low"), ("上限", "High")]
    write_headers(sheet, row, [*heads, ("样本量", "Answers")], s.header)
    row += 2
    for zh, en, figure in words.indices_rows(survey.indices):
        sheet.write_string(row, 0, f"{zh} {en}", s.text)
        values = (
            [None, None, None, None]
            if figure is None
            else [figure.value, figure.low, figure.high, figure.n]
        )
        for col, value in enumerate(values, start=1):
            if value is None:
                sheet.write_string(row, col, words.SUPPRESSED[0] if col == 1 else "", s.text)
            else:
                sheet.write_number(row, col, value, s.count if col == 4 else s.text)
        row += 1
    return row


def workbook(report: PublicReportOut, *, now: datetime) -> bytes:
    """The report as an XLSX workbook."""
    out = io.BytesIO()
    zh, en = words.title(report)
    book, styles = open_book(out, zh, now)
    sheet = book.add_worksheet("公开报告 Report")
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 4, 20)
    sheet.write_string(0, 0, zh, styles.title)
    sheet.write_string(1, 0, en, styles.text)
    figures = report.figures
    sheet.write_string(2, 0, f"{figures.first_day.isoformat()} – {figures.last_day.isoformat()}")
    row = _reports(sheet, 3, figures, styles)
    row = _areas(sheet, row, figures, styles)
    _survey(sheet, row, figures.survey, styles)
    book.close()
    return out.getvalue()


def filename(report: PublicReportOut) -> tuple[str, str]:
    """The file's name, and an ASCII one for clients that cannot read the other."""
    stem = f"{report.year}Q{report.quarter}-v{report.version}"
    return (
        f"公开报告-{report.region_name}-{stem}.xlsx",
        f"public-report-{report.region_code}-{stem}.xlsx",
    )
