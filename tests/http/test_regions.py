"""Regions over HTTP: import, routing edge cases, the tree within a scope, live rebuilds."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.clock import ManualClock
from backend.settings import Settings
from backend.web.context import context_of
from tests.http.conftest import Client, Login

IMPORT = "/api/v1/admin/regions/import"
LOCATE = "/api/v1/regions/locate"


def box(west: float, south: float, east: float, north: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def feature(code: str, level: str, parent: str | None, geometry: dict[str, Any]) -> dict[str, Any]:
    props = {"code": code, "name": f"区域{code}", "level": level, "parentCode": parent}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


# A small city south-west of the demo: two communities, a shared edge, a hole, a multipolygon.
SMALL_CITY: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        feature("900001", "district", None, polygon(box(120.00, 30.00, 120.10, 30.10))),
        feature("900001001", "street", "900001", polygon(box(120.00, 30.00, 120.10, 30.10))),
        feature(
            "900001001001", "community", "900001001", polygon(box(120.00, 30.00, 120.05, 30.10))
        ),
        feature(
            "900001001002", "community", "900001001", polygon(box(120.05, 30.00, 120.10, 30.10))
        ),
        feature(
            "900001001001001", "grid", "900001001001", polygon(box(120.00, 30.00, 120.02, 30.05))
        ),
        feature(
            "900001001001002", "grid", "900001001001", polygon(box(120.02, 30.00, 120.04, 30.05))
        ),
        feature(
            "900001001001003",
            "grid",
            "900001001001",
            polygon(box(120.00, 30.05, 120.04, 30.09), box(120.01, 30.06, 120.03, 30.08)),
        ),
        feature(
            "900001001002001",
            "grid",
            "900001001002",
            {
                "type": "MultiPolygon",
                "coordinates": [
                    [box(120.06, 30.01, 120.07, 30.02)],
                    [box(120.08, 30.06, 120.09, 30.07)],
                ],
            },
        ),
    ],
}


@pytest.fixture
async def admin(login: Login) -> dict[str, str]:
    return await login("demo-admin")


@pytest.fixture
async def small_city(client: Client, admin: dict[str, str]) -> None:
    response = await client.post(IMPORT, json=SMALL_CITY, headers=admin)
    assert response.status_code == 201, response.text
    assert response.json()["created"] == len(SMALL_CITY["features"])


async def locate(client: Client, lat: float, lng: float) -> dict[str, Any]:
    response = await client.get(LOCATE, params={"lat": lat, "lng": lng})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_demo_point_locates_to_a_grid_with_its_ancestors(client: Client) -> None:
    body = await locate(client, 30.2741, 120.1551)
    assert body["region"]["level"] == "grid"
    assert body["match"] == "inside"
    assert [r["level"] for r in body["chain"]] == ["district", "street", "community", "grid"]
    assert body["chain"][0]["code"] == "330106"


@pytest.mark.usefixtures("small_city")
async def test_routing_edge_cases(client: Client) -> None:
    inside = await locate(client, 30.02, 120.01)
    assert (inside["region"]["code"], inside["match"]) == ("900001001001001", "inside")
    # On the edge shared by two grids: always the same one (the smaller code).
    for _ in range(3):
        edge = await locate(client, 30.02, 120.02)
        assert edge["region"]["code"] == "900001001001001"
    # Deep in a hole: no grid within 100 m, so the community handles it (属地兜底).
    hole = await locate(client, 30.07, 120.02)
    assert (hole["region"]["code"], hole["match"]) == ("900001001001", "fallback")
    # Just inside the hole, ~48 m from its edge: the grid around the hole.
    near_hole = await locate(client, 30.07, 120.0295)
    assert (near_hole["region"]["code"], near_hole["match"]) == ("900001001001003", "nearest")
    assert 40 < near_hole["distanceM"] < 56
    for lat, lng in [(30.015, 120.065), (30.065, 120.085)]:
        assert (await locate(client, lat, lng))["region"]["code"] == "900001001002001"
    # ~44 m south of the district: still the nearest grid.
    near = await locate(client, 29.9996, 120.01)
    assert (near["region"]["code"], near["match"]) == ("900001001001001", "nearest")
    assert 35 < near["distanceM"] < 55
    between = await locate(client, 30.05, 120.075)
    assert (between["region"]["code"], between["match"]) == ("900001001002", "fallback")
    far = await client.get(LOCATE, params={"lat": 29.9, "lng": 120.01})
    assert far.status_code == 404
    assert far.json()["code"] == "regions.outside_service_area"
    assert far.json()["message"] and far.json()["messageEn"]


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "95", "lng": "120"},
        {"lat": "NaN", "lng": "120"},
        {"lat": "30", "lng": "inf"},
        {"lat": "thirty", "lng": "120"},
        {"lat": "30"},
        {},
    ],
)
async def test_bad_coordinates_are_400(client: Client, params: dict[str, str]) -> None:
    response = await client.get(LOCATE, params=params)
    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid"
    assert response.json()["fields"]


async def test_bad_geojson_is_refused_whole_and_names_the_feature(
    client: Client, admin: dict[str, str], demo_database: str
) -> None:
    bad = {
        "type": "FeatureCollection",
        "features": [
            SMALL_CITY["features"][0],
            feature(
                "900001001",
                "street",
                "900001",
                polygon(
                    [[120.0, 30.0], [120.1, 30.1], [120.1, 30.0], [120.0, 30.1], [120.0, 30.0]]
                ),
            ),
            feature("900001002", "street", "nope", polygon(box(120.0, 30.0, 120.01, 30.01))),
            feature("900001003", "street", "900001", polygon(box(120.0, 95.0, 120.01, 95.01))),
        ],
    }
    conn = await asyncpg.connect(demo_database)
    try:
        before = await conn.fetchval("SELECT count(*) FROM regions")
        response = await client.post(IMPORT, json=bad, headers=admin)
        assert response.status_code == 422
        fields = response.json()["fields"]
        assert any(key.startswith("features[1]") for key in fields)
        assert any(key.startswith("features[2]") for key in fields)
        assert any(key.startswith("features[3]") for key in fields)
        assert await conn.fetchval("SELECT count(*) FROM regions") == before
    finally:
        await conn.close()


async def test_overlapping_grids_and_a_reused_code_are_all_listed(
    client: Client, admin: dict[str, str], small_city: None
) -> None:
    community = "900001001001"
    reused_code = "900001001001010"
    over_two = feature(
        f"{community}009", "grid", community, polygon(box(120.01, 30.0, 120.03, 30.05))
    )
    new_grid = feature(reused_code, "grid", community, polygon(box(120.0, 30.09, 120.01, 30.1)))
    twin = feature(reused_code, "town", community, polygon(box(120.01, 30.09, 120.02, 30.1)))
    doc = {"type": "FeatureCollection", "features": [over_two, new_grid, twin]}
    response = await client.post(IMPORT, json=doc, headers=admin)
    assert response.status_code == 422
    body = response.json()
    assert "未导入任何区域" in body["message"] and "nothing was imported" in body["messageEn"]
    assert set(body["fields"]) == {
        "features[0].geometry",
        "features[2].properties.code",
        "features[2].properties.level",
    }
    overlap = body["fields"]["features[0].geometry"]
    assert f"grid {community}009 overlaps grid {community}001 by" in overlap
    assert f"grid {community}009 overlaps grid {community}002 by" in overlap
    assert reused_code in body["fields"]["features[2].properties.code"]
    assert (await client.post(IMPORT, json=SMALL_CITY, headers=admin)).json()["created"] == 0


async def test_import_is_idempotent_and_only_for_admins(
    client: Client, admin: dict[str, str], login: Login
) -> None:
    first = await client.post(IMPORT, json=SMALL_CITY, headers=admin)
    again = await client.post(IMPORT, json=SMALL_CITY, headers=admin)
    assert again.status_code == 201
    assert again.json()["created"] == 0
    assert again.json()["updated"] == len(SMALL_CITY["features"])
    assert again.json()["revision"] == first.json()["revision"] + 1
    dispatcher = await client.post(IMPORT, json=SMALL_CITY, headers=await login("demo-dispatcher"))
    assert dispatcher.status_code == 403
    assert (await client.post(IMPORT, json=SMALL_CITY)).status_code == 401
    not_json = await client.post(
        IMPORT, content=b"<xml/>", headers={**admin, "content-type": "application/json"}
    )
    assert not_json.status_code == 400


async def test_every_api_process_rebuilds_after_an_import(
    client: Client, admin: dict[str, str], settings: Settings, demo_database: str
) -> None:
    other_app = create_app(settings, dsn=demo_database, clock=ManualClock())
    async with AsyncTestClient(app=other_app) as other:
        assert (await other.get(LOCATE, params={"lat": 30.02, "lng": 120.01})).status_code == 404
        imported = await client.post(IMPORT, json=SMALL_CITY, headers=admin)
        revision = imported.json()["revision"]
        # The other process learns of it by NOTIFY, without a restart.
        assert await context_of(other_app.state).require_routing().wait_for_revision(revision, 20)
        body = (await other.get(LOCATE, params={"lat": 30.02, "lng": 120.01})).json()
        assert body["region"]["code"] == "900001001001001"


async def test_region_tree_within_scope(
    client: Client, login: Login, admin: dict[str, str]
) -> None:
    dispatcher = await login("demo-dispatcher")
    roots = (await client.get("/api/v1/regions/", headers=dispatcher)).json()
    assert [r["code"] for r in roots] == ["330106"]
    streets = (
        await client.get("/api/v1/regions/", params={"parent": "330106"}, headers=dispatcher)
    ).json()
    assert len(streets) >= 3
    assert all(s["level"] == "street" and s["childCount"] > 0 for s in streets)
    one, other = streets[0]["code"], streets[1]["code"]
    created = await client.post(
        "/api/v1/admin/users",
        headers=admin,
        json={
            "username": "street-one",
            "password": "a-long-password",
            "role": "dispatcher",
            "regionCode": one,
        },
    )
    assert created.status_code == 201
    street_one = await client.post(
        "/api/v1/auth/login", json={"username": "street-one", "password": "a-long-password"}
    )
    headers = {"Authorization": f"Bearer {street_one.json()['token']}"}
    own = await client.get(f"/api/v1/regions/{one}", headers=headers)
    assert own.status_code == 200
    assert own.json()["type"] == "Feature"
    assert own.json()["geometry"]["type"] == "MultiPolygon"
    assert [a["code"] for a in own.json()["properties"]["ancestors"]] == ["330106"]
    # Another street, and the district above, do not exist for this dispatcher.
    assert (await client.get(f"/api/v1/regions/{other}", headers=headers)).status_code == 404
    assert (await client.get("/api/v1/regions/330106", headers=headers)).status_code == 404
    hidden = await client.get("/api/v1/regions/", params={"parent": other}, headers=headers)
    assert hidden.status_code == 404
    assert (await client.get("/api/v1/regions/nope", headers=headers)).status_code == 404


async def test_residents_cannot_browse_the_tree(client: Client) -> None:
    token = (await client.post("/api/v1/auth/device", json={})).json()["token"]
    response = await client.get("/api/v1/regions/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


OUTLINES = "/api/v1/regions/outlines"


@pytest.mark.usefixtures("small_city")
async def test_grid_outlines_in_a_map_box_for_anyone(client: Client) -> None:
    response = await client.get(OUTLINES, params={"bbox": "120.0,30.0,120.035,30.04"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["truncated"] is False
    codes = {f["properties"]["code"] for f in body["features"]}
    # Only grids, and only the two whose outlines meet the box (the holed one starts at 30.05).
    assert codes == {"900001001001001", "900001001001002"}
    first = next(f for f in body["features"] if f["properties"]["code"] == "900001001001001")
    # Stored outlines are multipolygons; this grid is one square.
    assert first["geometry"]["type"] == "MultiPolygon"
    [[ring]] = first["geometry"]["coordinates"]
    assert [120.0, 30.0] in ring and [120.02, 30.05] in ring


@pytest.mark.parametrize(
    "bbox", ["120,30,119,31", "120,30,121", "a,b,c,d", "120,31,121,30", "1e3,0,2,1"]
)
async def test_a_bad_map_box_is_refused_in_both_languages(client: Client, bbox: str) -> None:
    response = await client.get(OUTLINES, params={"bbox": bbox})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["message"] and body["messageEn"]


async def test_client_config_names_no_tiles_by_default(client: Client) -> None:
    response = await client.get("/api/v1/client-config")
    assert response.status_code == 200
    assert response.json() == {"map": {"tileUrl": None, "coordinates": "wgs84", "attribution": ""}}
