"""The 整治工作报告 (remediation report) as XLSX: the area and its plan, valid reports before
and after flagging, the tasks with who, when and whether late, photo links, satisfaction.

The report's caller fills AcceptanceSheet with plain values and gets three sheets: the
report itself, the tasks and the photos.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from xlsxwriter.worksheet import Worksheet

from backend.areas import sheet_cells as cells
from backend.areas.follow_rules import AcceptanceMeasure, rate

TIERS: Final = {"street": "乡镇街道 Street", "district": "区县 District"}
TASK_STATES: Final = {
    "open": "未签收 Open",
    "accepted": "办理中 Accepted",
    "done": "已完成 Done",
    "cancelled": "已取消 Cancelled",
}


@dataclass(frozen=True, slots=True)
class FigureRow:
    """A before/after pair: valid reports in the window before flagging and since."""

    label: str  # a category name, an hour such as "08:00", a weekday …
    before: int
    after: int


@dataclass(frozen=True, slots=True)
class TaskLine:
    """A task of the plan (倒排工期), as the report lists it."""

    unit: str
    owner: str
    measure: str
    due_at: datetime
    state: str  # open | accepted | done | cancelled
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class PhotoLine:
    """A photo kept as evidence: what it shows and a link to it."""

    caption: str  # e.g. the task's measure and "整治后 after"
    taken_at: datetime
    url: str


@dataclass(frozen=True, slots=True)
class AcceptanceSheet:
    """整治工作报告: the area, its plan, before/after, tasks, photos and the satisfaction."""

    area_name: str
    area_type: str
    region_name: str
    level: str | None
    tier: str | None
    first_responsible: str  # 第一责任人's name
    direct_responsible: str  # 直接责任人's name
    lead_unit: str
    goals: str
    flagged_at: datetime  # when listed or flagged: the line between before and after
    deadline: date | None
    before: tuple[datetime, datetime]  # the windows of follow_rules.before_after
    after: tuple[datetime, datetime]
    by_category: Sequence[FigureRow]
    measure: AcceptanceMeasure
    bar_percent: float
    passed: bool
    generated_at: datetime
    tasks: Sequence[TaskLine] = ()
    photos: Sequence[PhotoLine] = ()
    by_hour: Sequence[FigureRow] = ()
    timezone: str = "Asia/Shanghai"


def acceptance_workbook(sheet: AcceptanceSheet) -> bytes:
    """整治工作报告 as XLSX bytes: a report sheet, the tasks, the photos."""
    out = io.BytesIO()
    title = f"{sheet.area_name} 整治工作报告"
    book, styles = cells.open_book(out, title, sheet.generated_at)
    _report_page(book.add_worksheet("整治报告 Report"), sheet, title, styles)
    _tasks_page(book.add_worksheet("任务 Tasks"), sheet, styles)
    _photos_page(book.add_worksheet("照片 Photos"), sheet, styles)
    book.close()
    return out.getvalue()


def _report_page(page: Worksheet, sheet: AcceptanceSheet, title: str, styles: cells.Styles) -> None:
    zone = sheet.timezone
    page.write_string(0, 0, f"{title} Remediation report", styles.title)
    row = cells.write_lines(
        page,
        2,
        [
            ("地区 Area", sheet.area_name),
            ("类型 Type", cells.label_of(cells.AREA_TYPES, sheet.area_type)),
            ("所在区域 Region", sheet.region_name),
            ("等级 Level", cells.label_of(cells.LEVELS, sheet.level)),
            ("层级 Tier", cells.label_of(TIERS, sheet.tier)),
            ("第一责任人 First responsible", sheet.first_responsible),
            ("直接责任人 Direct responsible", sheet.direct_responsible),
            ("牵头单位 Lead unit", sheet.lead_unit),
            ("整治目标 Goals", sheet.goals),
            ("列管时间 Listed at", cells.local_time(sheet.flagged_at, zone)),
            ("整治期限 Deadline", sheet.deadline.isoformat() if sheet.deadline else ""),
            ("生成时间 Generated", cells.local_time(sheet.generated_at, zone)),
        ],
        styles.text,
    )
    row = _satisfaction(page, row + 1, sheet, styles)
    row = _figures(page, row + 1, sheet, sheet.by_category, ("类别", "Category"), styles)
    if sheet.by_hour:
        _figures(page, row + 1, sheet, sheet.by_hour, ("时段", "Hour"), styles)
    page.set_column(0, 0, 30)
    page.set_column(1, 4, 22)


def _satisfaction(page: Worksheet, row: int, sheet: AcceptanceSheet, styles: cells.Styles) -> int:
    m = sheet.measure
    outcome = "通过 Passed" if sheet.passed else "未通过 Not passed"
    page.write_string(row, 0, "满意度测评 Satisfaction", styles.title)
    cells.write_headers(
        page,
        row + 1,
        [("来源", "Source"), ("答复", "Answered"), ("满意", "Satisfied"), ("满意率", "Share")],
        styles.header,
    )
    rows = [
        ("问卷及座谈 Survey", m.survey_answered, m.survey_satisfied),
        ("案件评价 Case ratings", m.ratings, m.ratings_satisfied),
        ("合计 Total", m.answered, m.satisfied),
    ]
    for i, (label, answered, satisfied) in enumerate(rows, start=row + 3):
        page.write_string(i, 0, label, styles.text)
        cells.write_count(page, i, 1, answered, styles.count)
        cells.write_count(page, i, 2, satisfied, styles.count)
        cells.write_count(page, i, 3, rate(satisfied, answered), styles.share)
    end = row + 3 + len(rows)
    page.write_string(end, 0, "验收标准 Bar", styles.text)
    cells.write_count(page, end, 3, sheet.bar_percent / 100, styles.share)
    page.write_string(end + 1, 0, "验收结论 Outcome", styles.text)
    page.write_string(end + 1, 1, outcome, styles.text)
    return end + 2


def _span(window: tuple[datetime, datetime], zone: str) -> str:
    return f"{cells.local_time(window[0], zone)} – {cells.local_time(window[1], zone)}"


def _figures(
    page: Worksheet,
    row: int,
    sheet: AcceptanceSheet,
    figures: Sequence[FigureRow],
    key: tuple[str, str],
    styles: cells.Styles,
) -> int:
    zone = sheet.timezone
    before = f"Before ({_span(sheet.before, zone)})"
    after = f"After ({_span(sheet.after, zone)})"
    page.write_string(
        row, 0, f"整治前后有效上报 Valid reports before and after: {key[0]}", styles.title
    )
    cells.write_headers(
        page,
        row + 1,
        [key, ("整治前", before), ("整治后", after), ("变化", "Change")],
        styles.header,
    )
    total = FigureRow("合计 Total", sum(f.before for f in figures), sum(f.after for f in figures))
    for i, figure in enumerate([*figures, total], start=row + 3):
        page.write_string(i, 0, figure.label, styles.text)
        cells.write_count(page, i, 1, figure.before, styles.count)
        cells.write_count(page, i, 2, figure.after, styles.count)
        change = rate(figure.after - figure.before, figure.before)
        cells.write_count(page, i, 3, change, styles.share)
    return row + 3 + len(figures) + 1


TASK_HEADERS: Final = (
    ("单位", "Unit"),
    ("责任人", "Owner"),
    ("措施", "Measure"),
    ("期限", "Due"),
    ("状态", "State"),
    ("完成时间", "Done at"),
    ("超期", "Late"),
)


def _late(task: TaskLine, now: datetime) -> bool:
    if task.done_at is not None:
        return task.done_at > task.due_at
    return task.state != "cancelled" and now >= task.due_at


def _tasks_page(page: Worksheet, sheet: AcceptanceSheet, styles: cells.Styles) -> None:
    zone = sheet.timezone
    cells.write_headers(page, 0, TASK_HEADERS, styles.header)
    for row, task in enumerate(sheet.tasks, start=2):
        done = cells.local_time(task.done_at, zone) if task.done_at else ""
        late = "是 Yes" if _late(task, sheet.generated_at) else "否 No"
        texts = [
            task.unit,
            task.owner,
            task.measure,
            cells.local_time(task.due_at, zone),
            cells.label_of(TASK_STATES, task.state),
            done,
            late,
        ]
        for col, text in enumerate(texts):
            page.write_string(row, col, text, styles.text)
    page.set_column(0, 1, 16)
    page.set_column(2, 2, 40)
    page.set_column(3, 6, 16)
    page.freeze_panes(2, 0)


def _photos_page(page: Worksheet, sheet: AcceptanceSheet, styles: cells.Styles) -> None:
    zone = sheet.timezone
    cells.write_headers(
        page, 0, [("说明", "Caption"), ("拍摄时间", "Taken at"), ("链接", "Link")], styles.header
    )
    for row, photo in enumerate(sheet.photos, start=2):
        page.write_string(row, 0, photo.caption, styles.text)
        page.write_string(row, 1, cells.local_time(photo.taken_at, zone), styles.text)
        page.write_string(row, 2, photo.url, styles.text)
    page.set_column(0, 0, 36)
    page.set_column(1, 1, 18)
    page.set_column(2, 2, 60)
    page.freeze_panes(2, 0)
