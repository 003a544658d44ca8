"""The statistics workbook's 重点地区 sheet: key areas in two streets, created and governed over
HTTP, read back from the workbook as a street dispatcher and as a district supervisor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from backend.clock import ManualClock
from tests.http.area_followup_helpers import fetch
from tests.http.area_helpers import (
    AREAS,
    DISTRICT,
    HOME_STREET,
    OTHER_STREET,
    create_area,
    me,
    move,
    plan_body,
    street_staff,
)
from tests.http.conftest import Client, Login
from tests.http.test_stats_report import REPORT, Cell, read_xlsx

SHEET = "重点地区 Key areas"
TASKS = "/api/v1/tasks"
ALL_STATES = (
    "排查发现 Candidate",
    "建议整治 Proposed",
    "重点整治 Listed",
    "挂牌督办 Flagged",
    "验收中 Accepting",
    "延期整治 Extended",
    "摘牌 Lifted",
    "回头看 Watching",
    "销号 Closed",
    "复发 Relisted",
    "不予列管 Dismissed",
)
TYPED_FORMULA = '=HYPERLINK("http://example.com","背街")'


@dataclass
class AreaSheet:
    by_state: dict[str, Cell]
    by_type: dict[str, Cell]
    rates: dict[str, list[Cell]]
    areas: list[list[Cell]]


def _below(rows: list[list[Cell]], header: str, col: int = 0) -> tuple[int, list[list[Cell]]]:
    """The rows under the one whose cell at `col` reads `header`, to the first blank one."""
    (top,) = [i for i, row in enumerate(rows) if len(row) > col and row[col] == header]
    found = []
    for row in rows[top + 1 :]:
        if len(row) <= col or row[col] is None:
            break
        found.append(row)
    return top, found


def area_sheet(content: bytes) -> AreaSheet:
    sheets, package = read_xlsx(content)
    assert SHEET in sheets
    rows = sheets[SHEET]
    _, states = _below(rows, "状态 State")
    _, types = _below(rows, "类型 Type", col=3)
    _, rates = _below(rows, "指标 Figure")
    _, areas = _below(rows, "名称 Name")
    xml = b"".join(
        package.read(name) for name in package.namelist() if name.startswith("xl/worksheets/")
    )
    assert b"<f>" not in xml  # a typed name never becomes a formula
    return AreaSheet(
        by_state={str(r[0]): r[1] for r in states},
        by_type={str(r[3]): r[4] for r in types},
        rates={str(r[0]).split()[0]: r[1:4] for r in rates},
        areas=[r[:10] for r in areas],
    )


async def grids_of(dsn: str, street: str) -> list[str]:
    rows = await fetch(
        dsn,
        "SELECT g.code FROM regions s JOIN regions g ON g.path LIKE s.path || '%' "
        "WHERE s.code = $1 AND g.level = 'grid' ORDER BY g.code",
        street,
    )
    return [row["code"] for row in rows]


@dataclass
class People:
    dispatcher: dict[str, str]
    supervisor: dict[str, str]
    worker: dict[str, str]
    ids: dict[str, int]


async def people(client: Client, login: Login) -> People:
    dispatcher, supervisor = await login("demo-dispatcher"), await login("demo-supervisor")
    worker = await login("demo-worker")
    ids = {
        "dispatcher": await me(client, dispatcher),
        "supervisor": await me(client, supervisor),
        "worker": await me(client, worker),
    }
    return People(dispatcher, supervisor, worker, ids)


async def governed(
    client: Client,
    who: People,
    clock: ManualClock,
    *,
    name: str,
    area_type: str,
    street: str,
    grid: str,
    owner: str,
    tasks: int = 1,
    level: str = "blue",
    deadline: date | None = None,
) -> dict[str, Any]:
    """A candidate proposed, planned (one task per owner due in two days) and listed or
    flagged at `level` by the district's supervisor."""
    area = await create_area(
        client, who.dispatcher, name=name, region_code=street, grid=grid, areaType=area_type
    )
    await move(client, who.dispatcher, area["id"], "propose")
    plan = plan_body(
        first=who.ids["supervisor"],
        direct=who.ids["dispatcher"],
        owners=[who.ids[owner]] * tasks,
        due=clock.now() + timedelta(days=2),
        lead={"regionCode": street},
        deadline=deadline,
    )
    for task in plan["tasks"]:
        task["unit"] = {"regionCode": grid}
    planned = await client.put(f"{AREAS}/{area['id']}/plan", headers=who.dispatcher, json=plan)
    assert planned.status_code == 200, planned.text
    action = "flag" if level == "red" else "list"
    return await move(client, who.supervisor, area["id"], action, level=level)


async def done(client: Client, worker: dict[str, str], task_id: int) -> None:
    body = {"clientId": str(uuid.uuid4()), "kind": "done", "note": "整改到位，现场已清理"}
    response = await client.post(f"{TASKS}/{task_id}/updates", headers=worker, json=body)
    assert response.status_code == 201, response.text


async def lifted(client: Client, login: Login, who: People, area: dict[str, Any]) -> None:
    """Its one task done, ten residents satisfied at 入户走访: 摘牌, then 回头看."""
    await done(client, who.worker, area["tasks"][0]["id"])
    base = f"{AREAS}/{area['id']}"
    survey = (await client.get(f"{base}/acceptance", headers=who.supervisor)).json()["surveyId"]
    entries = [{"answers": {"satisfaction": "satisfied", "safety": 5}}] * 10
    entered = await client.post(
        f"/api/v1/surveys/{survey}/entries",
        headers=await login("demo-admin"),
        json={"channel": "visit", "entries": entries},
    )
    assert entered.status_code == 201, entered.text
    decided = await client.post(
        f"{base}/acceptance/decision", headers=who.supervisor, json={"note": "验收通过"}
    )
    assert decided.json()["areaState"] == "watching", decided.text


@pytest.fixture
async def areas(client: Client, login: Login, clock: ManualClock, demo_database: str) -> None:
    """November 2026. Home street: one listed (two tasks, one done, a deadline passed), one
    lifted and watched, one lifted then relisted, one candidate. Other street: one flagged.
    Three days on, the open tasks are past due."""
    who = await people(client, login)
    home, other = (
        await grids_of(demo_database, HOME_STREET),
        await grids_of(demo_database, OTHER_STREET),
    )
    listed = await governed(
        client,
        who,
        clock,
        name=TYPED_FORMULA,
        area_type="back_street",
        street=HOME_STREET,
        grid=home[0],
        owner="worker",
        tasks=2,
        deadline=date(2026, 11, 25),
    )
    await done(client, who.worker, listed["tasks"][0]["id"])
    watched = await governed(
        client,
        who,
        clock,
        name="城东老旧小区",
        area_type="old_estate",
        street=HOME_STREET,
        grid=home[1],
        owner="worker",
    )
    await lifted(client, login, who, watched)
    rebounded = await governed(
        client,
        who,
        clock,
        name="南门集贸市场",
        area_type="market",
        street=HOME_STREET,
        grid=home[2],
        owner="worker",
    )
    await lifted(client, login, who, rebounded)
    relisted = await client.post(
        f"{AREAS}/{rebounded['id']}/recurrence",
        headers=who.supervisor,
        json={"reason": "回头看发现问题反弹"},
    )
    assert relisted.json()["state"] == "relisted", relisted.text
    await create_area(
        client,
        who.dispatcher,
        name="西村城中村",
        region_code=HOME_STREET,
        grid=home[3],
        areaType="urban_village",
    )
    await governed(
        client,
        who,
        clock,
        name="北站娱乐场所",
        area_type="entertainment",
        street=OTHER_STREET,
        grid=other[0],
        owner="dispatcher",
        level="red",
    )
    clock.advance(days=3)


async def workbook(client: Client, headers: dict[str, str], **params: str) -> AreaSheet:
    response = await client.get(REPORT, headers=headers, params={"period": "2026-11", **params})
    assert response.status_code == 200, response.text
    return area_sheet(response.content)


def states(**counts: int) -> dict[str, Cell]:
    """Every state's line, zero unless given (by its English name)."""
    return {label: counts.get(label.split()[-1].lower(), 0) for label in ALL_STATES}


# name, type, level, state, region, deadline, tasks done, tasks, tasks overdue, overdue
LISTED = [TYPED_FORMULA, "背街小巷 Back street", "蓝 Blue", "重点整治 Listed"]
WATCHED = ["城东老旧小区", "老旧小区 Old estate", "蓝 Blue", "回头看 Watching"]
RELISTED = ["南门集贸市场", "集贸市场 Market", "蓝 Blue", "复发 Relisted"]
# A plan's deadline, unless given: thirty days after its tasks' due time (two days on).
PLAN_DEADLINE = "2026-12-25"
FLAGGED = ["北站娱乐场所", "娱乐场所 Entertainment venues", "红 Red", "挂牌督办 Flagged"]


@pytest.mark.usefixtures("areas")
async def test_a_street_dispatcher_s_workbook_shows_the_street_s_areas(
    client: Client, login: Login, demo_database: str
) -> None:
    admin = await login("demo-admin")
    dispatcher = await street_staff(client, admin, "street-dispatcher", "dispatcher")
    sheet = await workbook(client, dispatcher)

    assert sheet.by_state == states(candidate=1, listed=1, watching=1, relisted=1)
    assert {k: v for k, v in sheet.by_type.items() if v} == {
        "城中村 Urban village": 1,
        "老旧小区 Old estate": 1,
        "背街小巷 Back street": 1,
        "集贸市场 Market": 1,
    }
    assert len(sheet.by_type) == 9
    # 整治改观率: two of the three areas listed in November were lifted; one came back.
    assert sheet.rates["整治改观率"] == [2, 3, pytest.approx(2 / 3, abs=1e-4)]
    assert sheet.rates["复发率"] == [1, 2, pytest.approx(0.5)]
    street_name = await region_name(demo_database, HOME_STREET)
    assert [row[4] for row in sheet.areas] == [street_name] * 3
    # The listed area: one of two tasks done, the other and the plan's deadline past. The
    # watched one owes its four 回头看 re-checks; the relisted one's were called off.
    assert [row[:4] + row[5:] for row in sheet.areas] == [
        [*LISTED, "2026-11-25", 1, 2, 1, "是"],
        [*WATCHED, PLAN_DEADLINE, 1, 5, 0, "否"],
        [*RELISTED, PLAN_DEADLINE, 1, 1, 0, "否"],
    ]


@pytest.mark.usefixtures("areas")
async def test_a_district_supervisor_s_workbook_adds_the_other_street(
    client: Client, login: Login, demo_database: str
) -> None:
    supervisor = await login("demo-supervisor")
    sheet = await workbook(client, supervisor, region=DISTRICT)

    assert sheet.by_state == states(candidate=1, listed=1, flagged=1, watching=1, relisted=1)
    assert sheet.by_type["娱乐场所 Entertainment venues"] == 1
    assert sheet.rates["整治改观率"] == [2, 4, pytest.approx(0.5)]
    assert sheet.rates["复发率"] == [1, 2, pytest.approx(0.5)]
    assert [row[0] for row in sheet.areas] == [LISTED[0], WATCHED[0], RELISTED[0], FLAGGED[0]]
    flagged = sheet.areas[-1]
    assert flagged[:4] == FLAGGED
    assert flagged[4] == await region_name(demo_database, OTHER_STREET)
    assert flagged[5:] == [PLAN_DEADLINE, 0, 1, 1, "否"]

    # The same figures as the key-area statistics for the district and the month.
    figures = await client.get(
        "/api/v1/area-figures",
        headers=supervisor,
        params={"from": "2026-11-01", "to": "2026-11-30", "regionCode": DISTRICT},
    )
    body = figures.json()
    for name, key in (("整治改观率", "improvement"), ("复发率", "recurrence")):
        assert sheet.rates[name][:2] == [body[key]["numerator"], body[key]["denominator"]]

    # Only the home street, asked by code.
    street = await workbook(client, supervisor, region=HOME_STREET)
    assert [row[0] for row in street.areas] == [LISTED[0], WATCHED[0], RELISTED[0]]


@pytest.mark.usefixtures("areas")
async def test_another_month_lists_no_areas_and_has_no_rates(client: Client, login: Login) -> None:
    sheet = await workbook(client, await login("demo-supervisor"), period="2026-10")
    assert sheet.areas == []
    assert sheet.rates["整治改观率"] == [0, 0, None]
    assert sheet.rates["复发率"] == [0, 0, None]
    assert sheet.by_state["挂牌督办 Flagged"] == 1  # the register as it stands


async def test_department_staff_get_the_workbook_without_areas(
    client: Client, login: Login
) -> None:
    response = await client.get(
        REPORT, headers=await login("demo-department"), params={"period": "2026-11"}
    )
    assert response.status_code == 200, response.text
    sheets, _ = read_xlsx(response.content)
    assert SHEET not in sheets


async def region_name(dsn: str, code: str) -> str:
    rows = await fetch(dsn, "SELECT name FROM regions WHERE code = $1", code)
    name: str = rows[0]["name"]
    return name
