"""The 研判会建议书 (proposal of a judgement meeting) as XLSX: the meeting and each area it
decided, with the evidence figures, the decision and the reason.

A meeting's caller fills ProposalSheet with plain values (names, counts, the decision) and
gets one sheet, an area a row.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from xlsxwriter.worksheet import Worksheet

from backend.areas import sheet_cells as cells

DECISIONS: Final = {
    "list": "列为重点整治 List",
    "flag": "挂牌督办 Flag",
    "dismiss": "不予列管 Dismiss",
    "defer": "暂缓 Defer",
}
MEETINGS: Final = {"judgement": "研判会 Judgement meeting", "joint": "联席会议 Joint meeting"}


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
    book, styles = cells.open_book(out, title, sheet.generated_at)
    page = book.add_worksheet("建议书 Proposal")
    page.write_string(0, 0, f"{title} Proposal of the meeting", styles.title)
    row = cells.write_lines(
        page,
        2,
        [
            ("会议 Meeting", cells.label_of(MEETINGS, sheet.meeting_kind)),
            ("日期 Held on", sheet.held_on.isoformat()),
            ("参会单位 Units present", "、".join(sheet.units)),
            ("纪要 Notes", sheet.notes),
            ("统计口径 Counts", f"近 {sheet.window_days} 日 last {sheet.window_days} days"),
            ("生成时间 Generated", cells.local_time(sheet.generated_at, sheet.timezone)),
        ],
        styles.text,
    )
    cells.write_headers(page, row + 1, PROPOSAL_HEADERS, styles.header)
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


def _proposal_row(page: Worksheet, row: int, area: ProposalArea, styles: cells.Styles) -> None:
    texts = [
        area.name,
        cells.label_of(cells.AREA_TYPES, area.area_type),
        area.region_name,
        area.problems,
    ]
    for col, text in enumerate(texts):
        page.write_string(row, col, text, styles.text)
    page.write_string(row, 4, cells.label_of(cells.LEVELS, area.alert), styles.text)
    cells.write_count(page, row, 5, area.reports, styles.count)
    cells.write_count(page, row, 6, area.previous_reports, styles.count)
    cells.write_count(page, row, 7, area.cases_linked, styles.count)
    top = "；".join(f"{name} {n}" for name, n in area.top_categories)
    page.write_string(row, 8, top, styles.text)
    page.write_string(row, 9, cells.label_of(DECISIONS, area.decision), styles.text)
    page.write_string(row, 10, cells.label_of(cells.LEVELS, area.level), styles.text)
    page.write_string(row, 11, area.reason, styles.text)
