"""Key areas on paper, as XLSX: the 研判会建议书 (proposal) and the 整治工作报告 (report).

The callers fill the dataclasses below with plain values (names, counts, times) and get the
workbook's bytes. Every text is written as a string cell, never as a formula or a link:
area names, problems and reasons are typed by staff, and a name such as `=HYPERLINK(…)`
must stay a name. Counts are numbers, shares are numbers with a percent format, so the
sheets can be summed and sorted. Times are shown in the sheet's `timezone`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from backend.areas.rules import AcceptanceMeasure, rate

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
DECISIONS: Final = {
    "list": "列为重点整治 List",
    "flag": "挂牌督办 Flag",
    "dismiss": "不予列管 Dismiss",
    "defer": "暂缓 Defer",
}
MEETINGS: Final = {"judgement": "研判会 Judgement meeting", "joint": "联席会议 Joint meeting"}
TIERS: Final = {"street": "乡镇街道 Street", "district": "区县 District"}
TASK_STATES: Final = {
    "open": "未签收 Open",
    "accepted": "办理中 Accepted",
    "done": "已完成 Done",
    "cancelled": "已取消 Cancelled",
}


@dataclass(frozen=True, slots=True)
class ProposalArea:
    """One area discussed at the meeting: its evidence and what the meeting decided."""

    name: str
    area_type: str  # a key_areas.area_type code
    region_name: str  # the street (or district) it lies in
    problems: str
    alert: str | None  # hotspot level now: red | yellow | blue | none
    reports: int  # valid reports in the hotspot window
    previous_reports: int | None  # … in the window before it
    cases_linked: int  # cases linked to the area as evidence
    top_categories: Sequence[tuple[str, int]]  # (category name, valid reports), most first
    decision: str  # list | flag | dismiss | defer
    level: str | None  # the level decided with a list or flag
    reason: str


@dataclass(frozen=True, slots=True)
class ProposalSheet:
    """研判会建议书: the meeting and every area it decided."""

    region_name: str  # the region holding the meeting
    meeting_kind: str  # judgement (研判会) | joint (联席会议)
    held_on: date
    units: Sequence[str]  # units present
    notes: str
    window_days: int  # the hotspot window the report counts cover
    areas: Sequence[ProposalArea]
    generated_at: datetime
    timezone: str = "Asia/Shanghai"


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
    before: tuple[datetime, datetime]  # the windows of rules.before_after
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


@dataclass(frozen=True, slots=True)
class _Styles:
    title: Format
    header: Format
    text: Format
    count: Format
    share: Format


def _open(out: io.BytesIO, title: str, when: datetime) -> tuple[Workbook, _Styles]:
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"title": title, "created": when.replace(tzinfo=None)})
    wrap = {"border": 1, "text_wrap": True, "valign": "top"}
    return book, _Styles(
        title=book.add_format({"bold": True, "font_size": 14}),
        header=book.add_format({**wrap, "bold": True, "bg_color": "#DDEBF7"}),
        text=book.add_format(wrap),
        count=book.add_format({"num_format": "0", "border": 1, "valign": "top"}),
        share=book.add_format({"num_format": "0.0%", "border": 1, "valign": "top"}),
    )


def _local(when: datetime, zone: str) -> str:
    return f"{when.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


def _label(names: dict[str, str], code: str | None) -> str:
    return "" if code is None else names.get(code, code)


def _headers(sheet: Worksheet, row: int, pairs: Sequence[tuple[str, str]], fmt: Format) -> None:
    """Chinese headers on one row, English beneath them."""
    for col, (zh, en) in enumerate(pairs):
        sheet.write_string(row, col, zh, fmt)
        sheet.write_string(row + 1, col, en, fmt)


def _count(sheet: Worksheet, row: int, col: int, value: float | None, fmt: Format) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def _lines(sheet: Worksheet, row: int, lines: Sequence[tuple[str, str]], fmt: Format) -> int:
    """Label/value pairs down two columns; returns the next free row."""
    for label, value in lines:
        sheet.write_string(row, 0, label, fmt)
        sheet.write_string(row, 1, value, fmt)
        row += 1
    return row


PROPOSAL_HEADERS: Final = (
    ("地区", "Area"),
    ("类型", "Type"),
    ("所在区域", "Region"),
    ("发现问题", "Problems"),
    ("预警等级", "Alert"),
    ("近期有效上报", "Reports"),
    ("上期有效上报", "Previous"),
    ("关联案件", "Linked cases"),
    ("主要问题类别", "Main categories"),
    ("决定", "Decision"),
    ("等级", "Level"),
    ("理由", "Reason"),
)


def proposal_workbook(sheet: ProposalSheet) -> bytes:
    """研判会建议书 as XLSX bytes."""
    out = io.BytesIO()
    title = f"{sheet.region_name} 研判会建议书"
    book, styles = _open(out, title, sheet.generated_at)
    page = book.add_worksheet("建议书 Proposal")
    page.write_string(0, 0, f"{title} Proposal of the meeting", styles.title)
    row = _lines(
        page,
        2,
        [
            ("会议 Meeting", _label(MEETINGS, sheet.meeting_kind)),
            ("日期 Held on", sheet.held_on.isoformat()),
            ("参会单位 Units present", "、".join(sheet.units)),
            ("纪要 Notes", sheet.notes),
            ("统计口径 Counts", f"近 {sheet.window_days} 日 last {sheet.window_days} days"),
            ("生成时间 Generated", _local(sheet.generated_at, sheet.timezone)),
        ],
        styles.text,
    )
    _headers(page, row + 1, PROPOSAL_HEADERS, styles.header)
    for i, area in enumerate(sheet.areas, start=row + 3):
        _proposal_row(page, i, area, styles)
    page.set_column(0, 0, 22)
    page.set_column(1, 2, 16)
    page.set_column(3, 3, 36)
    page.set_column(4, 8, 12)
    page.set_column(8, 11, 24)
    page.freeze_panes(row + 3, 1)
    book.close()
    return out.getvalue()


def _proposal_row(page: Worksheet, row: int, area: ProposalArea, styles: _Styles) -> None:
    texts = [area.name, _label(AREA_TYPES, area.area_type), area.region_name, area.problems]
    for col, text in enumerate(texts):
        page.write_string(row, col, text, styles.text)
    page.write_string(row, 4, _label(LEVELS, area.alert), styles.text)
    _count(page, row, 5, area.reports, styles.count)
    _count(page, row, 6, area.previous_reports, styles.count)
    _count(page, row, 7, area.cases_linked, styles.count)
    top = "；".join(f"{name} {n}" for name, n in area.top_categories)
    page.write_string(row, 8, top, styles.text)
    page.write_string(row, 9, _label(DECISIONS, area.decision), styles.text)
    page.write_string(row, 10, _label(LEVELS, area.level), styles.text)
    page.write_string(row, 11, area.reason, styles.text)


def acceptance_workbook(sheet: AcceptanceSheet) -> bytes:
    """整治工作报告 as XLSX bytes: a report sheet, the tasks, the photos."""
    out = io.BytesIO()
    title = f"{sheet.area_name} 整治工作报告"
    book, styles = _open(out, title, sheet.generated_at)
    _report_page(book.add_worksheet("整治报告 Report"), sheet, title, styles)
    _tasks_page(book.add_worksheet("任务 Tasks"), sheet, styles)
    _photos_page(book.add_worksheet("照片 Photos"), sheet, styles)
    book.close()
    return out.getvalue()


def _report_page(page: Worksheet, sheet: AcceptanceSheet, title: str, styles: _Styles) -> None:
    zone = sheet.timezone
    page.write_string(0, 0, f"{title} Remediation report", styles.title)
    row = _lines(
        page,
        2,
        [
            ("地区 Area", sheet.area_name),
            ("类型 Type", _label(AREA_TYPES, sheet.area_type)),
            ("所在区域 Region", sheet.region_name),
            ("等级 Level", _label(LEVELS, sheet.level)),
            ("层级 Tier", _label(TIERS, sheet.tier)),
            ("第一责任人 First responsible", sheet.first_responsible),
            ("直接责任人 Direct responsible", sheet.direct_responsible),
            ("牵头单位 Lead unit", sheet.lead_unit),
            ("整治目标 Goals", sheet.goals),
            ("列管时间 Listed at", _local(sheet.flagged_at, zone)),
            ("整治期限 Deadline", sheet.deadline.isoformat() if sheet.deadline else ""),
            ("生成时间 Generated", _local(sheet.generated_at, zone)),
        ],
        styles.text,
    )
    row = _satisfaction(page, row + 1, sheet, styles)
    row = _figures(page, row + 1, sheet, sheet.by_category, ("类别", "Category"), styles)
    if sheet.by_hour:
        _figures(page, row + 1, sheet, sheet.by_hour, ("时段", "Hour"), styles)
    page.set_column(0, 0, 30)
    page.set_column(1, 4, 22)


def _satisfaction(page: Worksheet, row: int, sheet: AcceptanceSheet, styles: _Styles) -> int:
    m = sheet.measure
    outcome = "通过 Passed" if sheet.passed else "未通过 Not passed"
    page.write_string(row, 0, "满意度测评 Satisfaction", styles.title)
    _headers(
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
        _count(page, i, 1, answered, styles.count)
        _count(page, i, 2, satisfied, styles.count)
        _count(page, i, 3, rate(satisfied, answered), styles.share)
    end = row + 3 + len(rows)
    page.write_string(end, 0, "验收标准 Bar", styles.text)
    _count(page, end, 3, sheet.bar_percent / 100, styles.share)
    page.write_string(end + 1, 0, "验收结论 Outcome", styles.text)
    page.write_string(end + 1, 1, outcome, styles.text)
    return end + 2


def _figures(
    page: Worksheet,
    row: int,
    sheet: AcceptanceSheet,
    figures: Sequence[FigureRow],
    key: tuple[str, str],
    styles: _Styles,
) -> int:
    zone = sheet.timezone
    before = f"Before ({_local(sheet.before[0], zone)} – {_local(sheet.before[1], zone)})"
    after = f"After ({_local(sheet.after[0], zone)} – {_local(sheet.after[1], zone)})"
    page.write_string(
        row, 0, f"整治前后有效上报 Valid reports before and after: {key[0]}", styles.title
    )
    _headers(
        page,
        row + 1,
        [key, ("整治前", before), ("整治后", after), ("变化", "Change")],
        styles.header,
    )
    total = FigureRow("合计 Total", sum(f.before for f in figures), sum(f.after for f in figures))
    for i, figure in enumerate([*figures, total], start=row + 3):
        page.write_string(i, 0, figure.label, styles.text)
        _count(page, i, 1, figure.before, styles.count)
        _count(page, i, 2, figure.after, styles.count)
        change = rate(figure.after - figure.before, figure.before)
        _count(page, i, 3, change, styles.share)
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


def _tasks_page(page: Worksheet, sheet: AcceptanceSheet, styles: _Styles) -> None:
    zone = sheet.timezone
    _headers(page, 0, TASK_HEADERS, styles.header)
    for row, task in enumerate(sheet.tasks, start=2):
        done = _local(task.done_at, zone) if task.done_at else ""
        late = "是 Yes" if _late(task, sheet.generated_at) else "否 No"
        texts = [
            task.unit,
            task.owner,
            task.measure,
            _local(task.due_at, zone),
            _label(TASK_STATES, task.state),
            done,
            late,
        ]
        for col, text in enumerate(texts):
            page.write_string(row, col, text, styles.text)
    page.set_column(0, 1, 16)
    page.set_column(2, 2, 40)
    page.set_column(3, 6, 16)
    page.freeze_panes(2, 0)


def _photos_page(page: Worksheet, sheet: AcceptanceSheet, styles: _Styles) -> None:
    zone = sheet.timezone
    _headers(
        page, 0, [("说明", "Caption"), ("拍摄时间", "Taken at"), ("链接", "Link")], styles.header
    )
    for row, photo in enumerate(sheet.photos, start=2):
        page.write_string(row, 0, photo.caption, styles.text)
        page.write_string(row, 1, _local(photo.taken_at, zone), styles.text)
        page.write_string(row, 2, photo.url, styles.text)
    page.set_column(0, 0, 36)
    page.set_column(1, 1, 18)
    page.set_column(2, 2, 60)
    page.freeze_panes(2, 0)
