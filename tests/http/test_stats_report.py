"""The statistics workbook (周/月/季报), from the console and from the command line.

The workbook is opened as Excel would: its sheets' XML read with the standard library, and
every figure compared with what the statistics API says for the same region and period.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import asyncpg
import pytest
from shapely.geometry import shape

from tests.http.case_helpers import move, photo, report, resident, staff
from tests.http.conftest import Client, Login

REPORT = "/api/v1/stats/report.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
SHEETS = [
    "汇总 Summary",
    "分区域 By region",
    "分类别 By category",
    "时段分布 Hour × weekday",
    "重点地区 Key areas",
]
# The summary API's figure names, in the workbook's column order.
METRICS = (
    "received",
    "registered",
    "refused",
    "closed",
    "closeRate",
    "onTimeRate",
    "satisfactionRate",
    "reworkRate",
    "acceptHoursAvg",
    "acceptHoursP90",
    "resolveHoursAvg",
    "resolveHoursP90",
    "overdue",
)
HOME_STREET = "330106002"
Cell = str | float | None


def _position(ref: str) -> tuple[int, int]:
    match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    assert match is not None, ref
    col = 0
    for letter in match[1]:
        col = col * 26 + ord(letter) - ord("A") + 1
    return int(match[2]) - 1, col - 1


def _cells(xml: bytes, shared: list[str]) -> list[list[Cell]]:
    rows: dict[int, dict[int, Cell]] = {}
    for c in ET.fromstring(xml).iter(f"{MAIN}c"):
        row, col = _position(c.get("r", ""))
        v = c.find(f"{MAIN}v")
        value: Cell = None
        if v is not None and c.get("t") == "s":
            value = shared[int(v.text or "0")]
        elif v is not None and c.get("t") == "str":
            value = v.text
        elif v is not None:
            value = float(v.text or "nan")
        rows.setdefault(row, {})[col] = value
    width = max((max(r) + 1 for r in rows.values()), default=0)
    return [
        [rows.get(i, {}).get(j) for j in range(width)] for i in range(max(rows, default=-1) + 1)
    ]


def read_xlsx(content: bytes) -> tuple[dict[str, list[list[Cell]]], zipfile.ZipFile]:
    """Each sheet's cells by name, in workbook order, and the package itself."""
    package = zipfile.ZipFile(io.BytesIO(content))
    shared = [
        "".join(t.text or "" for t in si.iter(f"{MAIN}t"))
        for si in ET.fromstring(package.read("xl/sharedStrings.xml")).iter(f"{MAIN}si")
    ]
    targets = {
        rel.get("Id"): rel.get("Target")
        for rel in ET.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    }
    sheets = {}
    for sheet in ET.fromstring(package.read("xl/workbook.xml")).iter(f"{MAIN}sheet"):
        target = targets[sheet.get(f"{REL}id")]
        sheets[sheet.get("name", "")] = _cells(package.read(f"xl/{target}"), shared)
    return sheets, package


def same(cell: Cell, figure: float | None) -> bool:
    """A workbook cell shows the API's figure (a blank where the API has none)."""
    return cell is None if figure is None else cell == pytest.approx(figure)


def check_groups(rows: list[list[Cell]], groups: list[dict[str, Any]]) -> None:
    assert len(rows) - 1 == len(groups)
    for row, group in zip(rows[1:], groups, strict=True):
        assert row[:2] == [group["code"], group["name"]]
        for i, name in enumerate(METRICS, start=2):
            assert same(row[i], group["metrics"][name]), (group["code"], name, row[i])


def check_workbook(content: bytes, summary: dict[str, Any]) -> dict[str, list[list[Cell]]]:
    """Sheets, every figure, and the charts drawn from the figures' cells."""
    sheets, package = read_xlsx(content)
    assert list(sheets) == SHEETS
    front = sheets["汇总 Summary"]
    assert summary["region"]["name"] in str(front[0][0])
    assert summary["period"]["label"] in str(front[1][0])
    table = {row[0]: row[1:4] for row in front[5 : 5 + len(METRICS)]}
    assert len(table) == len(METRICS)
    for (label, (total, residents, patrol)), name in zip(table.items(), METRICS, strict=True):
        assert same(total, summary["totals"][name]), (label, total)
        assert same(residents, summary["bySource"]["resident"][name]), label
        assert same(patrol, summary["bySource"]["patrol"][name]), label
    check_groups(sheets["分区域 By region"], summary["byRegion"])
    check_groups(sheets["分类别 By category"], summary["byCategory"])
    charts = [n for n in package.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert len(charts) == 5  # rates on the summary; bars and rates on each group sheet
    regions = len(summary["byRegion"])
    drawn = b"".join(package.read(name) for name in charts).decode()
    assert f"'分区域 By region'!$C$2:$C${regions + 1}" in drawn  # received, per region
    assert f"'分区域 By region'!$F$2:$F${regions + 1}" in drawn  # closed, per region
    return sheets


async def _other_street_point(client: Client, dsn: str, headers: dict[str, str]) -> dict[str, Any]:
    conn = await asyncpg.connect(dsn)
    try:
        grid = await conn.fetchval(
            "SELECT g.code FROM regions s JOIN regions g ON g.path LIKE s.path || '%' "
            "WHERE s.level = 'street' AND s.code <> $1 AND g.level = 'grid' "
            "ORDER BY s.code, g.code LIMIT 1",
            HOME_STREET,
        )
    finally:
        await conn.close()
    feature = (await client.get(f"/api/v1/regions/{grid}", headers=headers)).json()
    point = shape(feature["geometry"]).representative_point()
    return {"lat": point.y, "lng": point.x}


@pytest.fixture
async def month(client: Client, login: Login, demo_database: str) -> None:
    """November 2026: six reports in two streets, one found on patrol; one closed and rated,
    one refused."""
    dispatcher, worker = await login("demo-dispatcher"), await login("demo-worker")
    reporter = await resident(client)
    elsewhere = await _other_street_point(client, demo_database, dispatcher)
    done = await report(client, reporter)
    refused = await report(client, reporter)
    await report(client, reporter, category="streetlight")
    await report(client, reporter, **elsewhere)
    await report(client, reporter, category="vice_clue")  # confidential
    await report(client, worker, category="public_facility")  # 巡查: found by the grid worker
    await move(client, worker, done["id"], "accept")
    after = await photo(client, worker, purpose="resolution", seed=3)
    await move(client, worker, done["id"], "resolve", note="已清理", mediaIds=[after])
    await move(client, dispatcher, done["id"], "verify", passed=True)
    rated = await client.post(
        f"/api/v1/reports/{done['id']}/rating", headers=reporter, json={"score": 5}
    )
    assert rated.status_code == 200, rated.text
    await move(client, dispatcher, refused["id"], "reject", reason="not_a_problem")


async def summary_of(client: Client, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = await client.get("/api/v1/stats/summary", headers=headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.usefixtures("month")
async def test_the_console_downloads_a_workbook_that_agrees_with_the_figures(
    client: Client, login: Login
) -> None:
    dispatcher = await login("demo-dispatcher")
    params = {"period": "2026-11", "region": "330106"}
    response = await client.get(REPORT, headers=dispatcher, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    disposition = response.headers["content-disposition"]
    assert 'filename="report-330106-2026-11.xlsx"' in disposition
    utf8 = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(utf8) == "西湖区-2026-11-统计报表.xlsx"
    summary = await summary_of(client, dispatcher, **params)
    sheets = check_workbook(response.content, summary)
    # What the test did: five reports a dispatcher may count (the clue is not theirs), one of
    # them on patrol, one refused, one closed and rated 5 of 5.
    totals = dict(zip(METRICS, sheets["汇总 Summary"][5 : 5 + len(METRICS)], strict=True))
    assert totals["received"][1:4] == [5, 4, 1]
    assert totals["refused"][1] == 1
    assert totals["closed"][1] == 1
    assert totals["satisfactionRate"][1] == 1
    by_region = {row[0]: row for row in sheets["分区域 By region"][1:]}
    assert by_region[HOME_STREET][2] == 4
    assert sum(float(row[2] or 0) for row in by_region.values()) == 5


@pytest.mark.usefixtures("month")
async def test_a_street_and_a_week(client: Client, login: Login) -> None:
    supervisor = await login("demo-supervisor")
    params = {"period": "2026-W48", "region": HOME_STREET}
    response = await client.get(REPORT, headers=supervisor, params=params)
    summary = await summary_of(client, supervisor, **params)
    sheets = check_workbook(response.content, summary)
    assert summary["totals"]["received"] == 5  # the supervisor counts the clue too
    assert "2026-11-23" in str(sheets["汇总 Summary"][1][0])


@pytest.fixture
async def admin_headers(login: Login) -> dict[str, str]:
    return await login("demo-admin")


async def test_bad_requests_are_refused_clearly(
    client: Client, login: Login, admin_headers: dict[str, str]
) -> None:
    dispatcher = await login("demo-dispatcher")
    bad = await client.get(REPORT, headers=dispatcher, params={"period": "2026-13"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "stats.bad_period"
    assert bad.json()["message"] and bad.json()["messageEn"]
    odd = await client.get(REPORT, headers=dispatcher, params={"region": "../etc"})
    assert odd.status_code == 400
    street = await staff(client, admin_headers, "w-street", "dispatcher", regionCode="330106001")
    outside = await client.get(REPORT, headers=street, params={"region": HOME_STREET})
    assert outside.status_code == 404
    assert (await client.get(REPORT, headers=await resident(client))).status_code == 403
    assert (await client.get(REPORT)).status_code == 401


def gridreport(dsn: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        env={**os.environ, "DATABASE_URL": dsn},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.usefixtures("month")
async def test_the_command_line_writes_the_same_workbook(
    client: Client, login: Login, demo_database: str, tmp_path: Path
) -> None:
    out = tmp_path / "西湖区-2026-11.xlsx"
    made = gridreport(
        demo_database, "report", "--period", "2026-11", "--region", "330106", "--out", str(out)
    )
    assert made.returncode == 0, made.stderr
    assert "5 received" in made.stdout
    # Without --include-confidential it counts what a district dispatcher may see.
    summary = await summary_of(
        client, await login("demo-dispatcher"), period="2026-11", region="330106"
    )
    check_workbook(out.read_bytes(), summary)
    cleared = tmp_path / "cleared.xlsx"
    wider = gridreport(
        demo_database,
        "report",
        "--period",
        "2026-11",
        "--region",
        "330106",
        "--out",
        str(cleared),
        "--include-confidential",
    )
    assert "6 received" in wider.stdout, wider.stderr


def test_the_command_line_refuses_bad_input(database: str, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    bad = gridreport(database, "report", "--period", "2026-Q5", "--out", str(out))
    assert bad.returncode == 1
    assert "2026-Q5" in bad.stderr
    assert "统计周期无效" in bad.stderr
    missing = gridreport(database, "report", "--period", "2026-Q4", "--region", "9", "--out", "x")
    assert missing.returncode == 1
    assert not out.exists()
