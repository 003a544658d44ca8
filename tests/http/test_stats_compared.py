"""同比/环比 of the statistics summary and the hour × weekday grid (时段分布).

Reports are placed at known local times a year apart with a manual clock; the right answers
are counted here from what the test created, never by the SQL under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from shapely.geometry import shape

from backend.clock import ManualClock
from backend.settings import Settings
from tests.http.case_helpers import move, report, resident, staff
from tests.http.conftest import Client, Login
from tests.http.test_stats_report import read_xlsx, same

CITY = ZoneInfo("Asia/Shanghai")
DISTRICT = "330106"
HOME_STREET = "330106002"
HOURS = "/api/v1/stats/hour-weekday"
SUMMARY = "/api/v1/stats/summary"
COUNTS = ("received", "registered", "refused", "closed", "overdue")
RATES = ("closeRate", "onTimeRate", "satisfactionRate", "reworkRate")


def local(text: str) -> datetime:
    """A moment written in the city's own time."""
    return datetime.fromisoformat(text).replace(tzinfo=CITY)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 10, 1, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path, login_max_failures_per_user=5, login_max_failures_per_address=30
    )


@dataclass(frozen=True)
class Made:
    at: datetime
    street: str
    category: str
    refused: bool = False

    @property
    def confidential(self) -> bool:
        return self.category == "vice_clue"


# (local time, street: home or the other one, category, refused by the dispatcher)
STORY = [
    ("2025-11-03 09:30", "home", "sanitation", False),  # a year before
    ("2025-11-03 09:45", "home", "sanitation", False),
    ("2025-11-20 21:00", "other", "public_facility", False),
    ("2026-10-25 12:00", "home", "sanitation", False),  # the month before
    ("2026-11-02 08:10", "home", "sanitation", False),  # Monday
    ("2026-11-02 08:20", "home", "sanitation", True),  # refused: counted, but not valid
    ("2026-11-02 08:50", "home", "streetlight", False),
    ("2026-11-03 10:00", "home", "vice_clue", False),  # confidential
    ("2026-11-04 14:00", "other", "public_facility", False),  # Wednesday, another street
    ("2026-11-07 23:30", "home", "sanitation", False),  # Saturday, 15:30 UTC
    ("2026-11-08 00:15", "home", "sanitation", False),  # Sunday here, still Saturday in UTC
    ("2026-11-30 23:59", "home", "streetlight", False),  # the month's last minute
    ("2026-12-01 00:00", "home", "sanitation", False),  # the next month's first
]


@dataclass
class World:
    cases: list[Made]
    dispatcher: dict[str, str]
    supervisor: dict[str, str]
    other_street: str


async def _other_street(client: Client, dsn: str, headers: dict[str, str]) -> tuple[str, Any]:
    conn = await asyncpg.connect(dsn)
    try:
        street, grid = await conn.fetchrow(
            "SELECT s.code, g.code FROM regions s JOIN regions g ON g.path LIKE s.path || '%' "
            "WHERE s.level = 'street' AND s.code <> $1 AND g.level = 'grid' "
            "ORDER BY s.code, g.code LIMIT 1",
            HOME_STREET,
        )
    finally:
        await conn.close()
    feature = (await client.get(f"/api/v1/regions/{grid}", headers=headers)).json()
    point = shape(feature["geometry"]).representative_point()
    return street, {"lat": point.y, "lng": point.x}


@pytest.fixture
async def world(client: Client, login: Login, clock: ManualClock, demo_database: str) -> World:
    street, elsewhere = await _other_street(client, demo_database, await login("demo-admin"))
    made = []
    for when, where, category, refused in STORY:
        at = local(when)
        clock.advance(seconds=(at - clock.now()).total_seconds())
        point = elsewhere if where == "other" else {}
        created = await report(client, await resident(client), category, **point)
        if refused:
            dispatcher = await login("demo-dispatcher")
            await move(client, dispatcher, created["id"], "reject", reason="not_a_problem")
        made.append(Made(at, street if where == "other" else HOME_STREET, category, refused))
    return World(made, await login("demo-dispatcher"), await login("demo-supervisor"), street)


def cases_in(
    w: World, first: str, last: str, *, confidential: bool, street: str | None = None
) -> list[Made]:
    """What the test created between two local days (both included) that a reader may count."""
    start, end = local(f"{first} 00:00"), local(f"{last} 23:59:59.999999")
    return [
        c
        for c in w.cases
        if start <= c.at <= end
        and (confidential or not c.confidential)
        and (street is None or c.street == street)
    ]


def grid_of(cases: list[Made]) -> list[list[int]]:
    grid = [[0] * 7 for _ in range(24)]
    for c in cases:
        if not c.refused:
            grid[c.at.hour][c.at.weekday()] += 1
    return grid


def ratio(now: int, then: int) -> float | None:
    return None if then == 0 else round((now - then) / then, 4)


async def get(client: Client, path: str, headers: dict[str, str], **params: str) -> Any:
    response = await client.get(path, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def assert_changes(now: dict[str, Any], then: dict[str, Any], change: dict[str, Any]) -> None:
    """Counts change as a ratio, rates in percentage points; nothing to compare is null."""
    for name in COUNTS:
        assert change[name] == ratio(now[name], then[name]), name
    for name in RATES:
        if now[name] is None or then[name] is None:
            assert change[name] is None, name
        else:
            assert change[name] == pytest.approx((now[name] - then[name]) * 100, abs=0.01), name


async def test_a_month_compares_with_the_month_before_and_the_same_month_a_year_before(
    client: Client, world: World
) -> None:
    got = await get(client, SUMMARY, world.dispatcher, period="2026-11", region=DISTRICT)
    compared = got["compared"]
    assert compared["previousPeriod"] == {
        "kind": "month",
        "label": "2026-10",
        "from": "2026-10-01",
        "to": "2026-10-31",
    }
    assert compared["yearBeforePeriod"]["label"] == "2025-11"
    now = cases_in(world, "2026-11-01", "2026-11-30", confidential=False)
    before = cases_in(world, "2026-10-01", "2026-10-31", confidential=False)
    year_ago = cases_in(world, "2025-11-01", "2025-11-30", confidential=False)
    assert (len(now), len(before), len(year_ago)) == (7, 1, 3)
    totals = compared["totals"]
    assert got["totals"]["received"] == len(now)
    assert totals["previous"]["received"] == len(before)
    assert totals["yearBefore"]["received"] == len(year_ago)
    assert totals["periodOnPeriod"]["received"] == ratio(len(now), len(before)) == 6.0
    assert totals["yearOnYear"]["received"] == ratio(len(now), len(year_ago)) == 1.3333
    assert totals["periodOnPeriod"]["refused"] is None  # none refused in October
    # The earlier figures are the summaries of those periods themselves.
    october = await get(client, SUMMARY, world.dispatcher, period="2026-10", region=DISTRICT)
    last_year = await get(client, SUMMARY, world.dispatcher, period="2025-11", region=DISTRICT)
    assert totals["previous"] == october["totals"]
    assert totals["yearBefore"] == last_year["totals"]
    assert_changes(got["totals"], october["totals"], totals["periodOnPeriod"])
    assert_changes(got["totals"], last_year["totals"], totals["yearOnYear"])
    assert compared["resident"]["previous"] == october["bySource"]["resident"]
    # Each street and each category is compared with its own earlier figures.
    streets = {g["code"]: g for g in got["byRegion"]}
    home = streets[HOME_STREET]["compared"]
    home_now = [c for c in now if c.street == HOME_STREET]
    home_ago = [c for c in year_ago if c.street == HOME_STREET]
    assert home["yearOnYear"]["received"] == ratio(len(home_now), len(home_ago)) == 2.0
    other = streets[world.other_street]["compared"]
    assert other["yearBefore"]["received"] == 1
    assert other["yearOnYear"]["received"] == 0.0
    assert other["periodOnPeriod"]["received"] is None  # nothing there in October
    categories = {g["code"]: g for g in got["byCategory"]}
    lights = categories["streetlight"]["compared"]
    assert (lights["previous"]["received"], lights["periodOnPeriod"]["received"]) == (0, None)
    sanitation = categories["sanitation"]["compared"]
    assert sanitation["yearOnYear"]["received"] == ratio(
        sum(c.category == "sanitation" for c in now),
        sum(c.category == "sanitation" for c in year_ago),
    )


async def test_a_quarter_a_free_period_and_who_may_count_clues(
    client: Client, world: World
) -> None:
    quarter = await get(client, SUMMARY, world.supervisor, period="2026-Q4", region=DISTRICT)
    compared = quarter["compared"]
    assert (compared["previousPeriod"]["label"], compared["yearBeforePeriod"]["label"]) == (
        "2026-Q3",
        "2025-Q4",
    )
    now = cases_in(world, "2026-10-01", "2026-12-31", confidential=True)
    ago = cases_in(world, "2025-10-01", "2025-12-31", confidential=True)
    assert compared["totals"]["previous"]["received"] == 0
    assert compared["totals"]["periodOnPeriod"]["received"] is None
    assert compared["totals"]["yearOnYear"]["received"] == ratio(len(now), len(ago))
    # A free period: the same number of days just before, and the same days a year before.
    free = await get(
        client,
        SUMMARY,
        world.supervisor,
        region=HOME_STREET,
        **{"from": "2026-11-01", "to": "2026-11-10"},
    )
    compared = free["compared"]
    assert (compared["previousPeriod"]["from"], compared["previousPeriod"]["to"]) == (
        "2026-10-22",
        "2026-10-31",
    )
    assert compared["yearBeforePeriod"]["label"] == "2025-11-01..2025-11-10"
    now = cases_in(world, "2026-11-01", "2026-11-10", confidential=True, street=HOME_STREET)
    before = cases_in(world, "2026-10-22", "2026-10-31", confidential=True, street=HOME_STREET)
    ago = cases_in(world, "2025-11-01", "2025-11-10", confidential=True, street=HOME_STREET)
    assert (len(now), len(before), len(ago)) == (6, 1, 2)
    assert compared["totals"]["periodOnPeriod"]["received"] == ratio(len(now), len(before))
    assert compared["totals"]["yearOnYear"]["received"] == ratio(len(now), len(ago))


async def test_the_hour_weekday_grid_counts_valid_reports_by_local_time(
    client: Client, world: World
) -> None:
    got = await get(client, HOURS, world.dispatcher, period="2026-11", region=DISTRICT)
    assert got["region"] == {"code": DISTRICT, "name": "西湖区"}
    assert got["period"]["label"] == "2026-11"
    mine = cases_in(world, "2026-11-01", "2026-11-30", confidential=False)
    want = grid_of(mine)
    assert got["counts"] == want
    assert got["total"] == sum(map(sum, want)) == 6  # the refused one and the clue left out
    # 23:30 on Saturday and 00:15 on Sunday in the city, both Saturday afternoon in UTC.
    assert got["counts"][23][5] == 1 and got["counts"][0][6] == 1
    assert got["counts"][8][0] == 2  # Monday 08:10 and 08:50; 08:20 was refused
    assert got["byHour"] == [sum(row) for row in want]
    assert got["byWeekday"] == [sum(row[d] for row in want) for d in range(7)]
    # A supervisor handles clues: the confidential report counts for them.
    theirs = await get(client, HOURS, world.supervisor, period="2026-11", region=DISTRICT)
    assert theirs["counts"] == grid_of(
        cases_in(world, "2026-11-01", "2026-11-30", confidential=True)
    )
    assert theirs["counts"][10][1] == 1
    # One category, one street, a free period.
    lights = await get(
        client, HOURS, world.dispatcher, period="2026-11", region=DISTRICT, category="streetlight"
    )
    assert lights["category"] == "streetlight"
    assert lights["counts"] == grid_of([c for c in mine if c.category == "streetlight"])
    street = await get(
        client,
        HOURS,
        world.dispatcher,
        region=HOME_STREET,
        **{"from": "2026-11-01", "to": "2026-12-01"},
    )
    assert street["counts"] == grid_of(
        cases_in(world, "2026-11-01", "2026-12-01", confidential=False, street=HOME_STREET)
    )
    assert street["counts"][0][1] == 1  # 00:00 on Tuesday 1 December
    clues = await get(
        client, HOURS, world.dispatcher, period="2026-11", region=DISTRICT, category="vice_clue"
    )
    assert clues["total"] == 0  # as in the summary: a clue is not the dispatcher's to count


async def test_the_grid_is_scoped_and_refuses_bad_requests_clearly(
    client: Client, login: Login, world: World
) -> None:
    admin = await login("demo-admin")
    street = await staff(client, admin, "grid-street", "dispatcher", regionCode=world.other_street)
    own = await get(client, HOURS, street, period="2026-11")
    assert own["region"]["code"] == world.other_street
    assert own["total"] == 1
    for region in (HOME_STREET, DISTRICT):
        outside = await client.get(HOURS, headers=street, params={"region": region})
        assert outside.status_code == 404, region
        assert outside.json()["code"] == "regions.not_found"
        assert outside.json()["message"] and outside.json()["messageEn"]
    bad = await client.get(HOURS, headers=world.dispatcher, params={"period": "2026-13"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "stats.bad_period"
    unknown = await client.get(HOURS, headers=world.dispatcher, params={"category": "nosuch"})
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "stats.unknown_category"
    edge = await client.get(HOURS, headers=world.dispatcher, params={"period": "0001-01"})
    assert edge.status_code == 400
    assert (await client.get(HOURS, headers=await resident(client))).status_code == 403
    assert (await client.get(HOURS)).status_code == 401


async def test_the_workbook_shows_the_comparisons_and_the_grid(
    client: Client, world: World
) -> None:
    params = {"period": "2026-11", "region": DISTRICT}
    response = await client.get(
        "/api/v1/stats/report.xlsx", headers=world.dispatcher, params=params
    )
    assert response.status_code == 200, response.text
    sheets, _ = read_xlsx(response.content)
    summary = await get(client, SUMMARY, world.dispatcher, **params)
    front = sheets["汇总 Summary"]
    assert front[4][4:8] == [
        "上期 Previous period",
        "环比 Period on period",
        "去年同期 Year before",
        "同比 Year on year",
    ]
    totals = summary["compared"]["totals"]
    names = ("received", "registered", "refused", "closed", "closeRate")
    for row, name in zip(front[5:10], names, strict=True):
        assert same(row[4], totals["previous"][name]), name
        assert same(row[5], totals["periodOnPeriod"][name]), name
        assert same(row[6], totals["yearBefore"][name]), name
        assert same(row[7], totals["yearOnYear"][name]), name
    assert front[5][5] == 6.0 and front[5][7] == pytest.approx(4 / 3, abs=1e-4)
    hours = sheets["时段分布 Hour × weekday"]
    assert hours[3][:9] == ["时 Hour", "周一 Mon", "周二 Tue", "周三 Wed", "周四 Thu", "周五 Fri",
                            "周六 Sat", "周日 Sun", "合计 Total"]  # fmt: skip
    want = grid_of(cases_in(world, "2026-11-01", "2026-11-30", confidential=False))
    for hour in range(24):
        assert hours[4 + hour][0] == f"{hour:02d}:00"
        assert hours[4 + hour][1:8] == want[hour], hour
        assert hours[4 + hour][8] == sum(want[hour])
    assert hours[28][0] == "合计 Total"
    assert hours[28][8] == 6
