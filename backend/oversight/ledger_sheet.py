"""The findings ledger as an XLSX workbook (问题台账), one row per finding.

Every text is written as a string cell, never as a formula or a link: findings are typed by
staff, and a text such as `=HYPERLINK(…)` must stay a text. Times are in the city's zone.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

import xlsxwriter

from backend.oversight.inspections_schemas import FindingOut

STATES: Final = {
    "open": "待签收 Open",
    "rectifying": "整改中 Rectifying",
    "reported": "已反馈 Reported",
    "rechecked": "已复查 Rechecked",
    "closed": "已销号 Closed",
    "reopened": "已退回 Reopened",
}
HEADERS: Final = (
    "编号 ID",
    "督查编号 Inspection",
    "检查日期 Day",
    "序号 No.",
    "问题 Finding",
    "类别 Category",
    "责任单位 Unit",
    "责任人 Person",
    "整改期限 Deadline",
    "状态 State",
    "逾期 Overdue",
    "整改反馈 Reported",
    "销号 Closed",
    "按期销号 On time",
    "退回次数 Reopened",
)
WIDTHS: Final = (8, 10, 12, 6, 40, 14, 20, 12, 18, 16, 8, 18, 18, 10, 10)
YES_NO: Final = {True: "是 Yes", False: "否 No"}


def _when(at: datetime | None, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else ""


def _cells(finding: FindingOut, zone: ZoneInfo) -> list[str | int]:
    return [
        finding.id,
        finding.inspection_id,
        finding.inspection_day.isoformat() if finding.inspection_day else "",
        finding.seq,
        finding.text,
        finding.category_code or "",
        finding.responsible.name,
        finding.responsible_user.name if finding.responsible_user else "",
        _when(finding.deadline, zone),
        STATES.get(finding.state, finding.state),
        YES_NO[finding.overdue],
        _when(finding.reported_at, zone),
        _when(finding.closed_at, zone),
        YES_NO[finding.closed_on_time],
        finding.reopened,
    ]


def workbook(findings: Sequence[FindingOut], *, timezone: str, now: datetime) -> bytes:
    """The ledger's rows as an XLSX file."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"title": "问题台账 Findings ledger", "created": now.replace(tzinfo=None)})
    header = book.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7", "text_wrap": True})
    text = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    count = book.add_format({"border": 1, "num_format": "0", "valign": "top"})
    sheet = book.add_worksheet("问题台账")
    zone = ZoneInfo(timezone)
    for col, (title, width) in enumerate(zip(HEADERS, WIDTHS, strict=True)):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, width)
    for row, finding in enumerate(findings, start=1):
        for col, value in enumerate(_cells(finding, zone)):
            if isinstance(value, int):
                sheet.write_number(row, col, value, count)
            else:
                sheet.write_string(row, col, value, text)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(findings), 1), len(HEADERS) - 1)
    book.close()
    return out.getvalue()
