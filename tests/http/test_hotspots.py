"""红黄蓝三级预警 over HTTP: grids coloured by valid reports, rolled up, windowed, scoped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import shape

from backend.clock import ManualClock
from backend.db.pool import connect
from backend.settings import Settings
from tests.http.case_helpers import move, report, resident, staff
from tests.http.conftest import Client, Login

HOME_GRID, HOME_STREET, DISTRICT = "330106002003010", "330106002", "330106"
OTHER_STREET = "330106001"
NEIGHBOUR_GRID = "330106002003009"


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The suite's settings; a test may pass hotspot thresholds of its own (indirect)."""
    overrides: dict[str, Any] = getattr(request, "param", {})
    return Settings(
        data_dir=tmp_path,
        login_max_failures_per_user=5,
        login_max_failures_per_address=30,
        **overrides,
    )


async def inside(dsn: str, code: str) -> tuple[float, float]:
    """A point well inside a region (lat, lng)."""
    conn = await connect(dsn)
    try:
        geometry = await conn.fetchval("SELECT geometry FROM regions WHERE code = $1", code)
    finally:
        await conn.close()
    point = shape(geometry).representative_point()
    return point.y, point.x


@pytest.fixture
async def admin(login: Login) -> dict[str, str]:
    return await login("demo-admin")


async def hotspots(client: Client, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/stats/hotspots", headers=headers, params=params)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


async def spot(client: Client, headers: dict[str, str], code: str, **params: Any) -> dict[str, Any]:
    found = [h for h in await hotspots(client, headers, **params) if h["code"] == code]
    assert len(found) == 1, code
    return found[0]


async def disputes(client: Client, count: int, **extra: Any) -> list[dict[str, Any]]:
    """Reports at the demo point in a category that needs no photo and no triage."""
    reporter = await resident(client)
    return [
        await report(client, reporter, category="dispute", mediaIds=[], **extra)
        for _ in range(count)
    ]


async def test_a_grid_turns_red_at_three_valid_reports_and_its_street_and_district_with_it(
    client: Client, login: Login
) -> None:
    dispatcher = await login("demo-dispatcher")
    await disputes(client, 2)
    home = await spot(client, dispatcher, HOME_GRID)
    assert (home["level"], home["count"], home["previousCount"]) == ("none", 2, 0)
    assert home["trend"] is None and home["flag"] is None
    await disputes(client, 1)
    grids = await hotspots(client, dispatcher)
    assert len(grids) == 300  # every grid of the district, coloured or not
    assert grids[0] == {
        "code": HOME_GRID,
        "name": grids[0]["name"],
        "path": f"/{DISTRICT}/{HOME_STREET}/330106002003/{HOME_GRID}/",
        "level": "red",
        "count": 3,
        "previousCount": 0,
        "trend": None,
        "flag": None,
    }
    assert {g["level"] for g in grids[1:]} == {"none"}
    streets = await hotspots(client, dispatcher, level="street", sort="count")
    assert [(s["code"], s["level"], s["count"]) for s in streets][:2] == [
        (HOME_STREET, "red", 3),
        (OTHER_STREET, "none", 0),
    ]
    assert len(streets) == 5
    district = await hotspots(client, dispatcher, level="district")
    assert [(d["code"], d["level"], d["count"]) for d in district] == [(DISTRICT, "red", 3)]


async def test_rejected_and_merged_reports_do_not_count(client: Client, login: Login) -> None:
    dispatcher = await login("demo-dispatcher")
    made = await disputes(client, 4)
    assert (await spot(client, dispatcher, HOME_GRID))["count"] == 4
    await move(client, dispatcher, made[0]["id"], "reject", reason="not_a_problem")
    await move(client, dispatcher, made[1]["id"], "merge", masterId=made[2]["id"])
    home = await spot(client, dispatcher, HOME_GRID)
    assert (home["count"], home["level"]) == (2, "none")


async def test_the_window_rolls_on_the_app_clock_and_trend_compares_the_one_before(
    client: Client, login: Login, clock: ManualClock
) -> None:
    await disputes(client, 3)
    clock.advance(days=30)
    dispatcher = await login("demo-dispatcher")  # a staff login lasts hours, not weeks
    home = await spot(client, dispatcher, HOME_GRID)
    assert (home["count"], home["previousCount"], home["level"]) == (0, 3, "none")
    assert home["trend"] == -1.0
    await disputes(client, 6)
    home = await spot(client, dispatcher, HOME_GRID)
    # Red by the percentiles already; +100 % on the window before cannot make it redder.
    assert (home["count"], home["previousCount"], home["trend"], home["level"]) == (
        6,
        3,
        1.0,
        "red",
    )
    wide = await spot(client, dispatcher, HOME_GRID, window=60)
    assert (wide["count"], wide["previousCount"]) == (9, 0)
    clock.advance(days=61)
    assert (await spot(client, await login("demo-dispatcher"), HOME_GRID))["count"] == 0


# Percentiles so high that, with two busy grids in the city, each colour has its own cut point.
STEEP = {
    "hotspot_red_percentile": 100.0,
    "hotspot_yellow_percentile": 99.9,
    "hotspot_blue_percentile": 99.5,
}


@pytest.mark.parametrize("settings", [STEEP], indirect=True)
async def test_a_rise_of_100_percent_lifts_a_grid_one_level(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    lat, lng = await inside(demo_database, NEIGHBOUR_GRID)
    await disputes(client, 3)
    clock.advance(days=30)
    dispatcher = await login("demo-dispatcher")
    await disputes(client, 8, lat=lat, lng=lng)
    await disputes(client, 5)
    grids = {g["code"]: g for g in await hotspots(client, dispatcher)}
    assert (grids[NEIGHBOUR_GRID]["count"], grids[NEIGHBOUR_GRID]["level"]) == (8, "red")
    # Blue by its rank (at the cut point of five); +67 % is no sharp rise.
    home = grids[HOME_GRID]
    assert (home["count"], home["previousCount"], home["trend"], home["level"]) == (
        5,
        3,
        0.67,
        "blue",
    )
    await disputes(client, 1)
    home = await spot(client, dispatcher, HOME_GRID)
    # Six on three before is exactly +100 %: blue lifted to yellow.
    assert (home["count"], home["trend"], home["level"]) == (6, 1.0, "yellow")


async def test_confidential_reports_count_only_for_staff_who_may_see_them(
    client: Client, login: Login
) -> None:
    await disputes(client, 2)
    clue = await resident(client)
    await report(client, clue, category="vice_clue", mediaIds=[])
    dispatcher, supervisor = await login("demo-dispatcher"), await login("demo-supervisor")
    seen = await spot(client, dispatcher, HOME_GRID)
    assert (seen["count"], seen["level"]) == (2, "none")
    seen = await spot(client, supervisor, HOME_GRID)
    assert (seen["count"], seen["level"]) == (3, "red")


async def test_staff_see_only_their_own_subtree(
    client: Client, login: Login, admin: dict[str, str]
) -> None:
    await disputes(client, 3)
    other = await staff(client, admin, "other-street", "dispatcher", regionCode=OTHER_STREET)
    theirs = await hotspots(client, other)
    assert theirs and all(g["path"].startswith(f"/{DISTRICT}/{OTHER_STREET}/") for g in theirs)
    assert HOME_GRID not in {g["code"] for g in theirs}
    assert await hotspots(client, other, level="district") == []
    for code in (HOME_GRID, HOME_STREET):
        hidden = await client.get("/api/v1/stats/hotspots", headers=other, params={"region": code})
        assert hidden.status_code == 404
        assert hidden.json()["code"] == "regions.not_found"
    home = await staff(client, admin, "home-street", "dispatcher", regionCode=HOME_STREET)
    mine = await hotspots(client, home, level="street")
    assert [(s["code"], s["level"]) for s in mine] == [(HOME_STREET, "red")]
    worker = await login("demo-worker")
    assert [(g["code"], g["level"]) for g in await hotspots(client, worker)] == [(HOME_GRID, "red")]
    one_street = await hotspots(client, await login("demo-dispatcher"), region=HOME_STREET)
    assert {g["path"][:18] for g in one_street} == {f"/{DISTRICT}/{HOME_STREET}/"}


async def test_the_map_layer_is_geojson_with_a_level_on_every_outline(
    client: Client, login: Login
) -> None:
    await disputes(client, 3)
    response = await client.get(
        "/api/v1/stats/hotspots.geojson",
        headers=await login("demo-dispatcher"),
        params={"region": HOME_STREET},
    )
    assert response.status_code == 200, response.text
    layer = response.json()
    assert layer["type"] == "FeatureCollection"
    assert (layer["windowDays"], layer["thresholds"]) == (30, {"red": 3, "yellow": 3, "blue": 3})
    first = layer["features"][0]
    assert first["type"] == "Feature"
    assert first["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert (first["properties"]["code"], first["properties"]["level"]) == (HOME_GRID, "red")
    assert all(f["properties"]["level"] == "none" for f in layer["features"][1:])
    assert len(layer["features"]) > 10


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "planet"}, "level"),
        ({"sort": "colour"}, "sort"),
        ({"window": "0"}, "window"),
        ({"window": "366"}, "window"),
        ({"window": "a month"}, "window"),
        ({"region": "no such/region"}, "region"),
    ],
)
async def test_bad_inputs_are_refused_in_both_languages(
    client: Client, login: Login, params: dict[str, str], field: str
) -> None:
    response = await client.get(
        "/api/v1/stats/hotspots", headers=await login("demo-dispatcher"), params=params
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "request.invalid"
    assert body["message"] and body["messageEn"]
    assert field in body["fields"]


async def test_only_region_staff_read_hotspots(client: Client, login: Login) -> None:
    assert (await client.get("/api/v1/stats/hotspots")).status_code == 401
    for headers in (await resident(client), await login("demo-department")):
        refused = await client.get("/api/v1/stats/hotspots", headers=headers)
        assert refused.status_code == 403
        assert refused.json()["code"] == "auth.forbidden"
    unknown = await client.get(
        "/api/v1/stats/hotspots", headers=await login("demo-admin"), params={"region": "999"}
    )
    assert unknown.status_code == 404
