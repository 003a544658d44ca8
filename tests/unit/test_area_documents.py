"""建议书 and 整治工作报告 as a spreadsheet shows them: texts stay texts, counts are numbers."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from xml.etree import ElementTree as ET

from backend.areas.acceptance_document import (
    AcceptanceSheet,
    FigureRow,
    PhotoLine,
    TaskLine,
    acceptance_workbook,
)
from backend.areas.follow_rules import AcceptanceMeasure, before_after
from backend.areas.proposal_document import ProposalArea, ProposalSheet, proposal_workbook

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
Cell = str | float | None
HOSTILE = '=HYPERLINK("http://evil.example","点我")'
NOW = datetime(2026, 12, 3, 6, 30, tzinfo=UTC)


def _position(ref: str) -> tuple[int, int]:
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()  # type: ignore[union-attr]
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


def read_xlsx(content: bytes) -> tuple[dict[str, dict[tuple[int, int], Cell]], list[bytes]]:
    """Each sheet's cells by (row, col), and each sheet's raw XML."""
    package = zipfile.ZipFile(io.BytesIO(content))
    shared = [
        "".join(t.text or "" for t in si.iter(f"{MAIN}t"))
        for si in ET.fromstring(package.read("xl/sharedStrings.xml")).iter(f"{MAIN}si")
    ]
    targets = {
        rel.get("Id"): rel.get("Target")
        for rel in ET.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    }
    sheets: dict[str, dict[tuple[int, int], Cell]] = {}
    raw: list[bytes] = []
    for sheet in ET.fromstring(package.read("xl/workbook.xml")).iter(f"{MAIN}sheet"):
        xml = package.read(f"xl/{targets[sheet.get(f'{REL}id')]}")
        raw.append(xml)
        cells: dict[tuple[int, int], Cell] = {}
        for c in ET.fromstring(xml).iter(f"{MAIN}c"):
            v = c.find(f"{MAIN}v")
            if v is None:
                continue
            kind = c.get("t")
            cells[_position(c.get("r", ""))] = (
                shared[int(v.text or "0")]
                if kind == "s"
                else v.text
                if kind
                else float(v.text or 0)
            )
        sheets[sheet.get("name", "")] = cells
    return sheets, raw


def find(cells: dict[tuple[int, int], Cell], text: str) -> tuple[int, int]:
    """Where a string cell holds exactly `text`."""
    (where,) = [pos for pos, value in cells.items() if value == text]
    return where


def no_formulas(raw: list[bytes]) -> None:
    for xml in raw:
        assert b"<f>" not in xml and b"<f " not in xml
        assert b"hyperlink" not in xml.lower()


def proposal() -> ProposalSheet:
    return ProposalSheet(
        region_name="城关街道",
        meeting_kind="judgement",
        held_on=date(2026, 12, 1),
        units=("综治中心", "派出所", HOSTILE),
        notes="半月研判",
        window_days=30,
        areas=(
            ProposalArea(
                name=HOSTILE,
                area_type="urban_village",
                region_name="城关街道",
                problems="+SUM(A1:A9) 夜间聚集",
                alert="red",
                reports=37,
                previous_reports=12,
                cases_linked=41,
                top_categories=(("治安", 20), ("噪音", 9)),
                decision="flag",
                level="red",
                reason="-连续两月红色预警",
            ),
            ProposalArea(
                name="火车站广场",
                area_type="transport_hub",
                region_name="城关街道",
                problems="",
                alert=None,
                reports=0,
                previous_reports=None,
                cases_linked=0,
                top_categories=(),
                decision="dismiss",
                level=None,
                reason="@已整改",
            ),
        ),
        generated_at=NOW,
    )


def test_proposal_keeps_texts_as_texts_and_counts_as_numbers() -> None:
    sheets, raw = read_xlsx(proposal_workbook(proposal()))
    assert list(sheets) == ["建议书 Proposal"]
    cells = sheets["建议书 Proposal"]
    no_formulas(raw)
    assert "城关街道 研判会建议书" in str(cells[(0, 0)])
    assert "研判会" in str(cells[(find(cells, "会议 Meeting")[0], 1)])
    units_row = find(cells, "参会单位 Units present")[0]
    assert cells[(units_row, 1)] == f"综治中心、派出所、{HOSTILE}"
    assert cells[(find(cells, "生成时间 Generated")[0], 1)] == "2026-12-03 14:30"

    header_row, _ = find(cells, "地区")
    assert cells[(header_row + 1, 0)] == "Area"
    assert cells[(header_row, 5)] == "近期有效上报" and cells[(header_row + 1, 5)] == "Reports"
    first, second = header_row + 2, header_row + 3
    assert cells[(first, 0)] == HOSTILE
    assert cells[(first, 1)] == "城中村 Urban village"
    assert cells[(first, 3)] == "+SUM(A1:A9) 夜间聚集"
    assert cells[(first, 4)] == "红 Red"
    assert (cells[(first, 5)], cells[(first, 6)], cells[(first, 7)]) == (37.0, 12.0, 41.0)
    assert cells[(first, 8)] == "治安 20；噪音 9"
    assert cells[(first, 9)] == "挂牌督办 Flag"
    assert cells[(first, 11)] == "-连续两月红色预警"
    assert cells[(second, 0)] == "火车站广场"
    assert cells[(second, 5)] == 0.0
    assert (second, 6) not in cells  # no previous window: blank, not zero
    assert cells[(second, 9)] == "不予列管 Dismiss"
    assert cells[(second, 11)] == "@已整改"


def acceptance(**changes: object) -> AcceptanceSheet:
    flagged_at = datetime(2026, 6, 1, tzinfo=UTC)
    before_start, before_end, after_start, after_end = before_after(flagged_at, NOW)
    values: dict[str, object] = {
        "area_name": HOSTILE,
        "area_type": "market",
        "region_name": "城关街道",
        "level": "yellow",
        "tier": "district",
        "first_responsible": "王区长",
        "direct_responsible": "=1+1",
        "lead_unit": "区市场监管局",
        "goals": "发案下降五成",
        "flagged_at": flagged_at,
        "deadline": date(2026, 11, 30),
        "before": (before_start, before_end),
        "after": (after_start, after_end),
        "by_category": (FigureRow("治安", 40, 10), FigureRow(HOSTILE, 0, 3)),
        "measure": AcceptanceMeasure(600, 540, 400, 360),
        "bar_percent": 90.0,
        "passed": True,
        "generated_at": NOW,
        "tasks": (
            TaskLine(
                "区市场监管局",
                "李四",
                "@清理占道经营",
                NOW - timedelta(days=10),
                "done",
                NOW - timedelta(days=11),
            ),
            TaskLine(
                "城关派出所",
                "张三",
                "加装探头",
                NOW - timedelta(days=10),
                "done",
                NOW - timedelta(days=9),
            ),
            TaskLine("城关街道", "赵五", "夜间巡逻", NOW - timedelta(hours=1), "accepted", None),
            TaskLine("城关街道", "钱六", "宣传", NOW + timedelta(days=1), "open", None),
        ),
        "photos": (
            PhotoLine("整治后 after", NOW, "https://city.example/media/a.jpg?sig=x"),
            PhotoLine(HOSTILE, NOW, '=HYPERLINK("https://evil.example")'),
        ),
    }
    values.update(changes)
    return AcceptanceSheet(**values)  # type: ignore[arg-type]


def test_acceptance_report_figures_tasks_and_photos() -> None:
    sheets, raw = read_xlsx(acceptance_workbook(acceptance()))
    assert list(sheets) == ["整治报告 Report", "任务 Tasks", "照片 Photos"]
    no_formulas(raw)
    report = sheets["整治报告 Report"]
    assert HOSTILE in str(report[(0, 0)])
    assert report[(find(report, "地区 Area")[0], 1)] == HOSTILE
    assert report[(find(report, "直接责任人 Direct responsible")[0], 1)] == "=1+1"
    assert report[(find(report, "类型 Type")[0], 1)] == "集贸市场 Market"

    total = min(r for (r, c), v in report.items() if c == 0 and v == "合计 Total")
    assert (report[(total, 1)], report[(total, 2)], report[(total, 3)]) == (1000.0, 900.0, 0.9)
    survey = find(report, "问卷及座谈 Survey")[0]
    assert (report[(survey, 1)], report[(survey, 2)], report[(survey, 3)]) == (600.0, 540.0, 0.9)
    assert report[(find(report, "验收标准 Bar")[0], 3)] == 0.9
    assert report[(find(report, "验收结论 Outcome")[0], 1)] == "通过 Passed"

    security = find(report, "治安")[0]
    assert (report[(security, 1)], report[(security, 2)], report[(security, 3)]) == (
        40.0,
        10.0,
        -0.75,
    )
    hostile_row = [r for (r, c), v in report.items() if c == 0 and v == HOSTILE and r > 5]
    assert len(hostile_row) == 1
    assert report[(hostile_row[0], 2)] == 3.0
    assert (hostile_row[0], 3) not in report  # no change rate from zero
    totals = [r for (r, c), v in report.items() if c == 0 and v == "合计 Total"]
    assert (report[(totals[-1], 1)], report[(totals[-1], 2)]) == (40.0, 13.0)
    header = find(report, "整治前")
    before = str(report[(header[0] + 1, header[1])])
    after = str(report[(header[0] + 1, header[1] + 1)])
    assert before == "Before (2025-11-28 01:30 – 2026-06-01 08:00)"  # as long as after
    assert after == "After (2026-06-01 08:00 – 2026-12-03 14:30)"

    tasks = sheets["任务 Tasks"]
    assert (tasks[(0, 0)], tasks[(1, 0)]) == ("单位", "Unit")
    rows = {tasks[(r, 1)]: r for r in range(2, 6)}
    assert tasks[(rows["李四"], 2)] == "@清理占道经营"
    assert tasks[(rows["李四"], 6)] == "否 No"
    assert tasks[(rows["张三"], 6)] == "是 Yes"  # done a day late
    assert tasks[(rows["赵五"], 6)] == "是 Yes"  # still open past its due time
    assert tasks[(rows["钱六"], 6)] == "否 No"
    assert tasks[(rows["李四"], 4)] == "已完成 Done"
    assert tasks[(rows["李四"], 3)] == "2026-11-23 14:30"

    photos = sheets["照片 Photos"]
    assert photos[(2, 2)] == "https://city.example/media/a.jpg?sig=x"
    assert (photos[(3, 0)], photos[(3, 2)]) == (HOSTILE, '=HYPERLINK("https://evil.example")')


def test_acceptance_report_below_the_bar_and_by_hour() -> None:
    sheet = acceptance(
        measure=AcceptanceMeasure(600, 540, 400, 359),
        passed=False,
        tasks=(),
        photos=(),
        by_hour=(FigureRow("08:00", 5, 2), FigureRow("20:00", 9, 9)),
    )
    sheets, raw = read_xlsx(acceptance_workbook(sheet))
    no_formulas(raw)
    report = sheets["整治报告 Report"]
    total = min(r for (r, c), v in report.items() if c == 0 and v == "合计 Total")
    assert report[(total, 3)] == 0.899
    assert report[(find(report, "验收结论 Outcome")[0], 1)] == "未通过 Not passed"
    eight = find(report, "08:00")[0]
    assert (report[(eight, 1)], report[(eight, 2)], report[(eight, 3)]) == (5.0, 2.0, -0.6)
    assert report[(find(report, "20:00")[0], 3)] == 0.0
    assert len(sheets["任务 Tasks"]) == 14  # headers only
