"""Statistics and the heat map over a month of cases moved through the real API.

The right answers are worked out here, in Python, from each case's timeline as the case
screen shows it (and from what the test itself did): never by the SQL under test.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from shapely.geometry import shape

from backend.cases import scheduler
from backend.clock import ManualClock
from backend.db.pool import connect
from backend.settings import Settings
from tests.http.case_helpers import HOME, move, photo, report, resident, staff
from tests.http.conftest import Client, Login

# 23:00 on 31 October in Hangzhou (UTC+8): the first report falls in October there.
START = datetime(2026, 10, 31, 15, 0, tzinfo=UTC)
NOVEMBER = (datetime(2026, 10, 31, 16, 0, tzinfo=UTC), datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
HOME_STREET = "330106002"
RATES = ("closeRate", "onTimeRate", "satisfactionRate", "reworkRate")
HOURS = ("acceptHoursAvg", "acceptHoursP90", "resolveHoursAvg", "resolveHoursP90")
COUNTS = ("received", "registered", "refused", "closed", "overdue", "rated")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Staff stay logged in across the simulated month.
    return Settings(
        data_dir=tmp_path,
        staff_token_hours=24 * 60,
        login_max_failures_per_user=5,
        login_max_failures_per_address=30,
    )


@dataclass
class Made:
    """A case of the data set, and what the test knows of it besides its timeline."""

    id: int
    street: str
    category: str
    source: str = "resident"
    rating: int | None = None


@dataclass
class World:
    supervisor: dict[str, str]
    dispatcher: dict[str, str]
    other_dispatcher: dict[str, str]
    worker: dict[str, str]
    other_street: str
    cases: list[Made] = field(default_factory=list)


async def _other_street(
    client: Client, dsn: str, supervisor: dict[str, str]
) -> tuple[str, str, Any]:
    """Another street, one of its grids and a point inside that grid."""
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
    feature = (await client.get(f"/api/v1/regions/{grid}", headers=supervisor)).json()
    point = shape(feature["geometry"]).representative_point()
    return street, grid, {"lat": point.y, "lng": point.x}


class Story:
    """Reports and moves at the clock's time, recorded as the test goes."""

    def __init__(self, client: Client, clock: ManualClock, world: World) -> None:
        self.client, self.clock, self.world = client, clock, world
        self.reporters: dict[int, dict[str, str]] = {}

    async def report(
        self, street: str, category: str, where: dict[str, float], by: dict[str, str] | None = None
    ) -> Made:
        reporter = by or await resident(self.client)
        made = await report(self.client, reporter, category, **where)
        case = Made(made["id"], street, category, "patrol" if by else "resident")
        self.reporters[case.id] = reporter
        self.world.cases.append(case)
        return case

    async def move(self, who: dict[str, str], case: Made, action: str, **body: Any) -> None:
        await move(self.client, who, case.id, action, **body)

    async def resolve(self, who: dict[str, str], case: Made) -> None:
        after = await photo(self.client, who, purpose="resolution", seed=case.id)
        await self.move(who, case, "resolve", note="已清理", mediaIds=[after])

    async def rate(self, case: Made, score: int) -> None:
        response = await self.client.post(
            f"/api/v1/reports/{case.id}/rating",
            headers=self.reporters[case.id],
            json={"score": score},
        )
        assert response.status_code == 200, response.text
        case.rating = score

    def later(self, **delta: float) -> None:
        self.clock.advance(**delta)


async def _run_scheduler(dsn: str, clock: ManualClock) -> None:
    conn = await connect(dsn)
    try:
        handled = None
        while handled != 0:  # a batch at a time until nothing is due
            handled = await scheduler.run_due(conn, now=clock.now())
    finally:
        await conn.close()


@pytest.fixture
async def world(client: Client, login: Login, clock: ManualClock, demo_database: str) -> World:
    admin, supervisor = await login("demo-admin"), await login("demo-supervisor")
    street, grid, b_point = await _other_street(client, demo_database, supervisor)
    w = World(
        supervisor=supervisor,
        dispatcher=await login("demo-dispatcher"),
        other_dispatcher=await staff(
            client, admin, "b-dispatcher", "dispatcher", regionCode=street
        ),
        worker=await login("demo-worker"),
        other_street=street,
    )
    b_worker = await staff(client, admin, "b-worker", "worker", regionCode=grid)
    s, a, b, d = Story(client, clock, w), HOME, b_point, w.dispatcher
    await s.report(HOME_STREET, "sanitation", a)  # 31 October, local time
    s.later(hours=2)  # 1 November, 01:00 local
    c1 = await s.report(HOME_STREET, "sanitation", a)
    c2 = await s.report(HOME_STREET, "sanitation", a)
    c3 = await s.report(street, "public_facility", b)
    c4 = await s.report(HOME_STREET, "sanitation", a)
    await s.report(HOME_STREET, "other", a)  # stays in triage
    c6 = await s.report(HOME_STREET, "sanitation", a, by=w.worker)  # found on patrol
    await s.report(HOME_STREET, "vice_clue", a)  # confidential
    c9 = await s.report(street, "public_facility", b)
    s.later(hours=1)
    await s.move(w.worker, c1, "accept")
    await s.move(b_worker, c3, "accept")
    await s.move(w.worker, c6, "accept")
    s.later(hours=1.5)
    await s.move(w.worker, c2, "accept")
    await s.move(d, c4, "reject", reason="insufficient_information")
    await s.move(d, c9, "merge", masterId=c3.id)
    s.later(hours=2)
    await s.resolve(w.worker, c1)
    await s.resolve(b_worker, c3)
    s.later(hours=1)
    await s.resolve(w.worker, c2)
    await s.move(d, c1, "verify", passed=True)
    await s.move(d, c2, "verify", passed=False, note="还没清理干净")
    await s.move(d, c3, "verify", passed=True)
    s.later(hours=3.25)
    await s.resolve(w.worker, c2)
    await s.move(d, c2, "verify", passed=True)
    c10 = await s.report(HOME_STREET, "sanitation", a)
    s.later(hours=5)  # past c10's 4-hour accept deadline (and others')
    await _run_scheduler(demo_database, clock)
    s.later(hours=1)
    await s.move(w.worker, c10, "accept")
    await s.resolve(w.worker, c10)
    await s.move(d, c10, "verify", passed=True)
    s.later(hours=2)
    for case, score in ((c1, 5), (c2, 4), (c10, 3), (c3, 1)):  # 1 sends c3 back (返工)
        await s.rate(case, score)
    clock.advance(days=27, hours=6)  # 28 November, 23:45 local
    c8 = await s.report(HOME_STREET, "sanitation", a)
    s.later(days=1)
    await s.move(w.worker, c8, "accept")
    s.later(days=1, hours=2)  # 1 December, local: too late for November
    await s.resolve(w.worker, c8)
    await s.move(d, c8, "verify", passed=True)
    await _run_scheduler(demo_database, clock)
    return w


# The right answers, from the timelines -----------------------------------------------------


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Life:
    """What a case's timeline shows up to a moment."""

    case: Made
    received: datetime
    registered: bool
    refused: bool
    closed: bool
    rated: bool
    reworked: bool
    overdue: bool
    accept_s: float | None
    resolve_s: float | None


def life_of(case: Made, timeline: list[dict[str, Any]], end: datetime) -> Life:
    seen = [e for e in timeline if _at(e["at"]) < end]
    actions = [e["action"] for e in seen]

    def first(action: str) -> datetime | None:
        return next((_at(e["at"]) for e in seen if e["action"] == action), None)

    received = first("submit")
    assert received is not None
    accepted, resolved = first("accept"), first("resolve")
    return Life(
        case=case,
        received=received,
        registered="dispatch" in actions and not {"reject", "merge"} & set(actions),
        refused="reject" in actions,
        closed=seen[-1]["status"] in {"closed", "rated"},
        rated="rate" in actions,
        reworked=bool({"verify_fail", "reopen"} & set(actions)),
        overdue="remind" in actions,
        accept_s=None if accepted is None else (accepted - received).total_seconds(),
        resolve_s=None if resolved is None else (resolved - received).total_seconds(),
    )


def p90(values: list[float]) -> float | None:
    """The 90th percentile, interpolating between the two nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = 0.9 * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def expected(lives: list[Life]) -> dict[str, Any]:
    closed = [x for x in lives if x.closed]
    rated = [x for x in lives if x.rated]
    handled = [x for x in lives if x.resolve_s is not None]
    accept = [x.accept_s for x in lives if x.accept_s is not None]
    resolve = [x.resolve_s for x in handled if x.resolve_s is not None]
    registered = sum(x.registered for x in lives)
    hours: Callable[[float | None], float | None] = lambda s: None if s is None else s / 3600  # noqa: E731
    return {
        "received": len(lives),
        "registered": registered,
        "refused": sum(x.refused for x in lives),
        "closed": len(closed),
        "closeRate": share(len(closed), registered),
        "onTimeRate": share(sum(not x.overdue for x in closed), len(closed)),
        "satisfactionRate": share(sum((x.case.rating or 0) >= 3 for x in rated), len(rated)),
        "reworkRate": share(sum(x.reworked for x in handled), len(handled)),
        "acceptHoursAvg": hours(sum(accept) / len(accept)) if accept else None,
        "acceptHoursP90": hours(p90(accept)),
        "resolveHoursAvg": hours(sum(resolve) / len(resolve)) if resolve else None,
        "resolveHoursP90": hours(p90(resolve)),
        "overdue": sum(x.overdue for x in lives),
        "rated": len(rated),
    }


def assert_figures(got: dict[str, Any], want: dict[str, Any], what: str) -> None:
    for name in COUNTS:
        assert got[name] == want[name], (what, name, got[name], want[name])
    for name, places in [(n, 4) for n in RATES] + [(n, 2) for n in HOURS]:
        if want[name] is None:
            assert got[name] is None, (what, name, got[name])
        else:
            assert got[name] == pytest.approx(want[name], abs=10**-places), (what, name)


async def lives_in(
    client: Client, w: World, window: tuple[datetime, datetime], confidential: bool
) -> list[Life]:
    """The cases received in the window, each followed up to the window's end."""
    lives = []
    for case in w.cases:
        detail = (await client.get(f"/api/v1/cases/{case.id}", headers=w.supervisor)).json()
        if detail["confidential"] and not confidential:
            continue
        life = life_of(case, detail["timeline"], window[1])
        if window[0] <= life.received < window[1]:
            lives.append(life)
    return lives


async def summary(client: Client, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = await client.get("/api/v1/stats/summary", headers=headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# Tests --------------------------------------------------------------------------------------


async def test_a_month_of_figures_agree_with_the_timelines(client: Client, world: World) -> None:
    got = await summary(client, world.supervisor, period="2026-11")
    assert got["region"] == {"code": "330106", "name": "西湖区"}
    assert got["period"] == {
        "kind": "month",
        "label": "2026-11",
        "from": "2026-11-01",
        "to": "2026-11-30",
    }
    lives = await lives_in(client, world, NOVEMBER, confidential=True)
    # What the story did, counted by hand: 10 reports in November (one on 31 October local
    # time is not), one refused, one merged, one left in triage, c1 c2 c10 closed (c3 was
    # reopened by its unhappy reporter, c8 closed only in December).
    assert (got["totals"]["received"], got["totals"]["refused"], got["totals"]["closed"]) == (
        10,
        1,
        3,
    )
    assert_figures(got["totals"], expected(lives), "totals")
    for group in got["byRegion"]:
        mine = [x for x in lives if x.case.street == group["code"]]
        assert_figures(group["metrics"], expected(mine), group["code"])
    assert {g["code"] for g in got["byRegion"] if g["metrics"]["received"]} == {
        HOME_STREET,
        world.other_street,
    }
    categories = {g["code"]: g for g in got["byCategory"]}
    assert set(categories) == {x.case.category for x in lives}
    for code, group in categories.items():
        assert_figures(
            group["metrics"], expected([x for x in lives if x.case.category == code]), code
        )
    for source in ("resident", "patrol"):
        mine = [x for x in lives if x.case.source == source]
        assert_figures(got["bySource"][source], expected(mine), source)
    assert got["bySource"]["patrol"]["received"] == 1


async def test_a_longer_period_sees_the_late_close_and_local_days_bound_it(
    client: Client, world: World
) -> None:
    window = (NOVEMBER[0], datetime(2026, 12, 31, 16, 0, tzinfo=UTC))
    got = await summary(client, world.supervisor, **{"from": "2026-11-01", "to": "2026-12-31"})
    assert got["period"]["label"] == "2026-11-01..2026-12-31"
    assert got["totals"]["closed"] == 4  # c8, closed on 1 December, now counts
    assert_figures(got["totals"], expected(await lives_in(client, world, window, True)), "custom")
    october = await summary(client, world.supervisor, period="2026-10")
    assert october["totals"]["received"] == 1  # 23:00 on 31 October in Hangzhou
    week = await summary(client, world.supervisor, period="2026-W44")  # 26 Oct to 1 Nov
    assert week["totals"]["received"] == 10


async def test_confidential_cases_count_only_for_those_who_handle_them(
    client: Client, world: World
) -> None:
    supervisor = await summary(client, world.supervisor, period="2026-11")
    dispatcher = await summary(client, world.dispatcher, period="2026-11")
    assert dispatcher["totals"]["received"] == supervisor["totals"]["received"] - 1
    assert "vice_clue" not in {g["code"] for g in dispatcher["byCategory"]}
    assert "vice_clue" in {g["code"] for g in supervisor["byCategory"]}
    lives = await lives_in(client, world, NOVEMBER, confidential=False)
    assert_figures(dispatcher["totals"], expected(lives), "dispatcher")


async def test_a_street_sees_only_its_own_numbers(client: Client, world: World) -> None:
    own = await summary(client, world.other_dispatcher, period="2026-11")
    assert own["region"]["code"] == world.other_street
    lives = await lives_in(client, world, NOVEMBER, confidential=False)
    mine = [x for x in lives if x.case.street == world.other_street]
    assert own["totals"]["received"] == 2
    assert_figures(own["totals"], expected(mine), "street")
    for region in (HOME_STREET, "330106"):
        response = await client.get(
            "/api/v1/stats/summary",
            headers=world.other_dispatcher,
            params={"region": region, "period": "2026-11"},
        )
        assert response.status_code == 404, region
        assert response.json()["code"] == "regions.not_found"


async def test_rankings_put_the_best_first(client: Client, world: World) -> None:
    response = await client.get(
        "/api/v1/stats/rankings",
        headers=world.supervisor,
        params={"period": "2026-11", "metric": "closeRate"},
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    lives = await lives_in(client, world, NOVEMBER, confidential=True)
    rates = {
        code: expected([x for x in lives if x.case.street == code])["closeRate"]
        for code in {item["code"] for item in items}
    }
    known = sorted((r, c) for c, r in rates.items() if r is not None)
    assert [item["code"] for item in items[: len(known)]] == [c for _, c in reversed(known)]
    assert all(item["value"] is None for item in items[len(known) :])
    assert [item["rank"] for item in items] == list(range(1, len(items) + 1))
    slow = await client.get(
        "/api/v1/stats/rankings",
        headers=world.supervisor,
        params={"period": "2026-11", "metric": "acceptHoursAvg", "by": "department"},
    )
    departments = slow.json()["items"]
    assert [d["code"] for d in departments] == ["330106-ga"]  # the police took the vice lead
    assert departments[0]["metrics"]["received"] == 1
    hidden = await client.get(
        "/api/v1/stats/rankings",
        headers=world.dispatcher,
        params={"period": "2026-11", "by": "department"},
    )
    assert hidden.json()["items"] == []


async def heat(client: Client, headers: dict[str, str], **params: str) -> dict[str, Any]:
    query = {"bbox": "120.0,30.1,120.3,30.4", "zoom": "13", **params}
    response = await client.get("/api/v1/stats/heatmap", headers=headers, params=query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_heat_map_counts_hexagons_in_scope(client: Client, world: World) -> None:
    window = {"from": "2026-10-31T16:00:00Z", "to": "2026-11-30T16:00:00+00:00"}
    everything = await heat(client, world.supervisor, **window)
    assert everything["type"] == "FeatureCollection"
    assert everything["resolution"] == 8
    counts = {f["properties"]["cell"]: f["properties"]["count"] for f in everything["features"]}
    # Ten November reports less the refused one; the home point's cell holds seven of them.
    assert sum(counts.values()) == 9
    assert max(counts.values()) == 7
    ring = everything["features"][0]["geometry"]["coordinates"][0]
    assert everything["features"][0]["geometry"]["type"] == "Polygon"
    assert len(ring) == 7 and ring[0] == ring[-1]
    assert all(120 < lng < 121 and 30 < lat < 31 for lng, lat in ring)
    dispatcher = await heat(client, world.dispatcher, **window)
    assert sum(f["properties"]["count"] for f in dispatcher["features"]) == 8  # no vice lead
    street = await heat(client, world.other_dispatcher, **window)
    assert sum(f["properties"]["count"] for f in street["features"]) == 2
    open_only = await heat(client, world.supervisor, status="open", **window)
    assert sum(f["properties"]["count"] for f in open_only["features"]) == 4  # c3 c5 c6 vice
    sanitation = await heat(client, world.supervisor, category="sanitation", **window)
    assert sum(f["properties"]["count"] for f in sanitation["features"]) == 5
    clue = await heat(client, world.supervisor, **{"class": "clue"}, **window)
    assert sum(f["properties"]["count"] for f in clue["features"]) == 1
    finer = await heat(client, world.supervisor, zoom="18", **window)
    assert finer["resolution"] == 11
    recent = await heat(client, world.supervisor)  # the 30 days up to now (1 December, 01:45)
    assert sum(f["properties"]["count"] for f in recent["features"]) == 2  # c10 and c8
    elsewhere = await heat(client, world.supervisor, bbox="100,20,101,21", **window)
    assert elsewhere["features"] == []


async def test_staff_only(client: Client) -> None:
    me = await resident(client)
    for path in ("summary", "rankings", "heatmap?bbox=120,30,121,31&zoom=12"):
        response = await client.get(f"/api/v1/stats/{path}", headers=me)
        assert response.status_code == 403, path
    assert (await client.get("/api/v1/stats/summary")).status_code == 401


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("heatmap", {"bbox": "120,30,121", "zoom": "12"}, "stats.bad_bbox"),
        ("heatmap", {"bbox": "121,30,120,31", "zoom": "12"}, "stats.bad_bbox"),
        ("heatmap", {"bbox": "a,b,c,d", "zoom": "12"}, "stats.bad_bbox"),
        ("heatmap", {"bbox": "120,30,121,95", "zoom": "12"}, "stats.bad_bbox"),
        ("heatmap", {"bbox": "120,30,121,31", "zoom": "x"}, "stats.bad_zoom"),
        ("heatmap", {"bbox": "120,30,121,31", "zoom": "21"}, "stats.bad_zoom"),
        (
            "heatmap",
            {"bbox": "120,30,121,31", "zoom": "12", "from": "2026-11-01T00:00"},
            "stats.bad_time",
        ),
        ("heatmap", {"bbox": "120,30,121,31", "zoom": "12", "to": "yesterday"}, "stats.bad_time"),
        (
            "heatmap",
            {
                "bbox": "120,30,121,31",
                "zoom": "12",
                "from": "2026-11-02T00:00Z",
                "to": "2026-11-01T00:00Z",
            },
            "stats.bad_window",
        ),
        ("heatmap", {"bbox": "120,30,121,31", "zoom": "12", "status": "done"}, "stats.bad_status"),
        (
            "heatmap",
            {"bbox": "120,30,121,31", "zoom": "12", "category": "nope"},
            "stats.unknown_category",
        ),
        ("summary", {"period": "2026-W54"}, "stats.bad_period"),
        ("summary", {"period": "2026-13"}, "stats.bad_period"),
        ("summary", {"period": "2026-Q5"}, "stats.bad_period"),
        ("summary", {"period": "last week"}, "stats.bad_period"),
        ("summary", {"from": "2026-11-01"}, "stats.bad_period"),
        ("summary", {"from": "2026-11-05", "to": "2026-11-01"}, "stats.bad_period"),
        ("summary", {"from": "2026-11-01", "to": "30/11/2026"}, "stats.bad_date"),
        (
            "summary",
            {"period": "2026-11", "from": "2026-11-01", "to": "2026-11-02"},
            "stats.bad_period",
        ),
        ("summary", {"period": "2026-11", "category": "nope"}, "stats.unknown_category"),
        ("rankings", {"period": "2026-11", "metric": "bogus"}, "stats.bad_metric"),
    ],
)
async def test_bad_input_is_refused_in_both_languages(
    client: Client, login: Login, path: str, params: dict[str, str], code: str
) -> None:
    response = await client.get(
        f"/api/v1/stats/{path}", headers=await login("demo-supervisor"), params=params
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == code
    assert body["message"] and body["messageEn"] and body["message"] != body["messageEn"]
    assert body["fields"]


async def test_an_unknown_region_is_not_found(client: Client, login: Login) -> None:
    response = await client.get(
        "/api/v1/stats/summary", headers=await login("demo-supervisor"), params={"region": "999999"}
    )
    assert response.status_code == 404
    assert response.json()["code"] == "regions.not_found"
