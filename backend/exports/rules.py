"""Pure decisions of exports: CSV columns and cells, names in the field's words, file names."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Final, Protocol
from urllib.parse import quote
from zoneinfo import ZoneInfo

from backend.areas.sheet_cells import AREA_TYPES

# Excel reads a UTF-8 file as the local code page (GBK on a Chinese Windows) unless it starts
# with a byte-order mark.
BOM: Final = "\ufeff".encode()
CHUNK_ROWS: Final = 2000

STATUS_NAMES: Final = {
    "submitted": "待受理",
    "dispatched": "已派遣",
    "accepted": "已签收",
    "resolved": "已处置",
    "closed": "已结案",
    "rated": "已评价",
    "rejected": "不予受理",
    "merged": "已合并",
}
SOURCE_NAMES: Final = {"resident": "群众上报", "patrol": "网格员巡查"}
PRIORITY_NAMES: Final = {"normal": "一般", "emergency": "紧急"}

CASE_HEADER: Final = (
    "编号 Tracking no",
    "类别 Category",
    "状态 Status",
    "区域编码 Region code",
    "区域 Region",
    "承办 Handled by",
    "来源 Source",
    "紧急程度 Priority",
    "上报时间 Created",
    "期限 Due",
    "超期 Overdue",
    "结案时间 Closed",
    "满意度 Rating",
    "返工次数 Reworks",
    "描述 Description",
)
CONTACT_HEADER: Final = ("举报人 Reporter", "联系电话 Phone")


class Row(Protocol):
    """A database row or a dict: columns by name."""

    def __getitem__(self, key: str, /) -> Any: ...


# A cell that starts like a formula would run as one in a spreadsheet (CSV injection).
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def safe_cell(value: str) -> str:
    """Text a spreadsheet shows as typed: a leading apostrophe defuses a would-be formula."""
    return "'" + value if _FORMULA_START.match(value) else value


def local_time(value: datetime | None, zone: ZoneInfo) -> str:
    """A moment in the city's own time, as spreadsheets read dates."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""


def header(*, contact: bool) -> tuple[str, ...]:
    """The first line of a case export; personal columns only when they are revealed."""
    return CASE_HEADER + CONTACT_HEADER if contact else CASE_HEADER


def case_cells(row: Row, zone: ZoneInfo, *, contact: bool) -> list[str]:
    """One case as export cells; the reporter's identity only when `contact` is revealed."""
    cells = [
        row["tracking_no"],
        row["category_name"],
        STATUS_NAMES.get(row["status"], row["status"]),
        row["region_code"],
        row["region_name"],
        row["department_name"] or row["assigned_name"] or "",
        SOURCE_NAMES.get(row["source"], row["source"]),
        PRIORITY_NAMES.get(row["priority"], row["priority"]),
        local_time(row["created_at"], zone),
        local_time(row["due_at"], zone),
        "是" if row["overdue"] else "否",
        local_time(row["closed_at"], zone),
        "" if row["rating"] is None else str(row["rating"]),
        str(row["reworks"]),
        row["description"],
    ]
    if contact:
        cells += reporter_cells(row)
    # Every cell, not only the residents' words: names come from admins' imports too.
    return [safe_cell(cell) for cell in cells]


def reporter_cells(row: Row) -> list[str]:
    """Nickname and phone; an anonymous reporter stays anonymous, whoever asks."""
    if row["anonymous"]:
        return ["匿名 anonymous", ""]
    return [row["nickname"] or "", row["phone"] or ""]


def csv_bytes(lines: Iterable[Sequence[str]]) -> bytes:
    """Rows as CSV (RFC 4180 quoting, CRLF line ends), UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    return buffer.getvalue().encode()


def attachment(filename: str, fallback: str) -> str:
    """A Content-Disposition that every browser saves under the right name.

    `filename` is plain ASCII for old clients; `filename*` (RFC 6266 / 5987) carries the
    UTF-8 name that modern browsers prefer.
    """
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# The statistics workbook ----------------------------------------------------------------------

# (field of MetricsOut, column header, number format): the order of every figures table.
METRIC_COLUMNS: Final = (
    ("received", "受理量 Received", "count"),
    ("registered", "立案量 Registered", "count"),
    ("refused", "不予受理 Refused", "count"),
    ("closed", "结案量 Closed", "count"),
    ("close_rate", "结案率 Close rate", "rate"),
    ("on_time_rate", "按期结案率 On time", "rate"),
    ("satisfaction_rate", "满意率 Satisfied", "rate"),
    ("rework_rate", "返工率 Rework", "rate"),
    ("accept_hours_avg", "平均签收时长(时) Accept h avg", "hours"),
    ("accept_hours_p90", "签收时长P90(时) Accept h p90", "hours"),
    ("resolve_hours_avg", "平均处置时长(时) Resolve h avg", "hours"),
    ("resolve_hours_p90", "处置时长P90(时) Resolve h p90", "hours"),
    ("overdue", "超期 Overdue", "count"),
)
SHEET_SUMMARY: Final = "汇总 Summary"
SHEET_REGIONS: Final = "分区域 By region"
SHEET_CATEGORIES: Final = "分类别 By category"
SHEET_HOURS: Final = "时段分布 Hour × weekday"
# Beside the summary's total: the earlier periods' figures and the change since each.
COMPARED_HEADERS: Final = (
    "上期 Previous period",
    "环比 Period on period",
    "去年同期 Year before",
    "同比 Year on year",
)
WEEKDAY_HEADERS: Final = (
    "周一 Mon",
    "周二 Tue",
    "周三 Wed",
    "周四 Thu",
    "周五 Fri",
    "周六 Sat",
    "周日 Sun",
)
DEFINITIONS: Final = (
    "受理量: 统计周期内上报的案件 / cases reported in the period",
    "立案量: 其中进入派遣流程的 / of those, dispatched into the loop",
    "结案率 = 结案量 / 立案量; 按期结案率 = 未超期结案 / 结案量",
    "满意率 = 评价3-5分 / 已评价; 返工率 = 返工案件 / 处置过的案件",
    "时长自上报起算，单位小时 / durations from the report, in hours",
    "环比: 与上一周期比; 同比: 与去年同期比 / against the period before; a year before",
    "数量与时长的变化为增减百分比, 比率的变化为百分点(pp) / counts and hours change in per cent, "
    "rates in percentage points",
)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def report_filenames(*, region_code: str, region_name: str, label: str) -> tuple[str, str]:
    """The workbook's name: UTF-8 with the region's name, and a plain ASCII fallback."""
    ascii_label = _UNSAFE_NAME.sub("_", label)
    fallback = f"report-{_UNSAFE_NAME.sub('_', region_code) or 'city'}-{ascii_label}.xlsx"
    return f"{region_name}-{label}-统计报表.xlsx", fallback


# The key areas' sheet -------------------------------------------------------------------------

SHEET_AREAS: Final = "重点地区 Key areas"
# In the order of the lifecycle, so that a reader follows an area down the table.
AREA_STATE_NAMES: Final = {
    "candidate": "排查发现 Candidate",
    "proposed": "建议整治 Proposed",
    "listed": "重点整治 Listed",
    "flagged": "挂牌督办 Flagged",
    "accepting": "验收中 Accepting",
    "extended": "延期整治 Extended",
    "lifted": "摘牌 Lifted",
    "watching": "回头看 Watching",
    "closed": "销号 Closed",
    "relisted": "复发 Relisted",
    "dismissed": "不予列管 Dismissed",
}
# The areas' own bilingual labels, so the workbook and the areas' documents name types alike.
AREA_TYPE_NAMES: Final = AREA_TYPES
AREA_LEVEL_NAMES: Final = {"red": "红 Red", "yellow": "黄 Yellow", "blue": "蓝 Blue"}
AREA_COLUMNS: Final = (
    "名称 Name",
    "类型 Type",
    "等级 Level",
    "状态 State",
    "区域 Region",
    "整治期限 Deadline",
    "已完成任务 Tasks done",
    "任务总数 Tasks",
    "逾期任务 Tasks overdue",
    "超期 Overdue",
)
AREA_DEFINITIONS: Final = (
    "按状态、按类型: 生成时的现状 / by state and by type: as the areas stand when generated",
    "整治改观率 = 摘牌 / 本期列管或挂牌 / lifted of the areas listed or flagged in the period",
    "复发率 = 复发 / 摘牌 / relisted of those lifted",
    "超期: 整治中且已过整治期限 / past the plan's deadline while still being put right",
)


def named(names: dict[str, str], key: str | None) -> str:
    """A code in the field's words (and English); an unknown code as it is."""
    if key is None:
        return ""
    return names.get(key, key)


def counts_in_order(names: dict[str, str], counts: dict[str, int]) -> list[tuple[str, int]]:
    """Every known code in its order with its count (zero included), then any unknown ones."""
    known = [(names[key], counts.get(key, 0)) for key in names]
    return known + [(key, n) for key, n in sorted(counts.items()) if key not in names]
