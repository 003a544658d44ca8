"""The demo city: a valid, importable 西湖区 whose grids cover the lake-side neighbourhood."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from shapely.geometry import Point, shape

from backend.regions.demo_city import demo_city_features
from backend.regions.geojson import RegionDraft, parse_region_collection
from backend.regions.routing import IndexedRegion, RoutingIndex

WEST_LAKE = (30.2741, 120.1551)  # lat, lng


def properties(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [feature["properties"] for feature in doc["features"]]


def index_of(drafts: list[RegionDraft]) -> RoutingIndex:
    ids = {draft.code: number for number, draft in enumerate(drafts, start=1)}
    return RoutingIndex.build(
        IndexedRegion(
            ids[draft.code],
            draft.code,
            draft.name,
            draft.level,
            ids.get(draft.parent_code or ""),
            draft.geometry,
        )
        for draft in drafts
    )


@pytest.mark.parametrize("seed", [7, 8, 2024])
def test_demo_city_imports_cleanly_with_about_300_grids(seed: int) -> None:
    doc = demo_city_features(seed)
    drafts = parse_region_collection(doc, {})
    levels = Counter(draft.level for draft in drafts)
    assert levels["district"] == 1
    assert levels["street"] == 5
    assert levels["community"] == 20
    assert 270 <= levels["grid"] <= 330
    assert all(draft.geometry.is_valid for draft in drafts)


def test_demo_city_codes_nest_under_their_parents() -> None:
    rows = properties(demo_city_features())
    district = rows[0]
    assert (district["code"], district["name"], district["parentCode"]) == (
        "330106",
        "西湖区",
        None,
    )
    for row in rows[1:]:
        assert row["code"].startswith(row["parentCode"])
        assert len(row["code"]) == len(row["parentCode"]) + 3
    names = {row["level"]: row["name"] for row in rows}
    assert names["street"].endswith("街道")
    assert names["community"].endswith("社区")
    assert names["grid"].endswith("网格")


def test_demo_city_covers_west_lake_and_routes_it_to_a_grid() -> None:
    doc = demo_city_features()
    lat, lng = WEST_LAKE
    assert shape(doc["features"][0]["geometry"]).covers(Point(lng, lat))
    placement = index_of(parse_region_collection(doc, {})).locate(lat, lng)
    assert placement is not None
    assert (placement.region.level, placement.match) == ("grid", "inside")
    assert [member.level for member in placement.chain] == [
        "district",
        "street",
        "community",
        "grid",
    ]


def test_demo_city_is_plain_json_with_six_decimals() -> None:
    doc = demo_city_features()
    assert json.loads(json.dumps(doc)) == doc
    coordinates = json.dumps([feature["geometry"] for feature in doc["features"]])
    numbers = coordinates.replace("[", " ").replace("]", " ").replace(",", " ").split()
    decimals = [number.split(".")[1] for number in numbers if "." in number]
    assert max(len(digits) for digits in decimals) <= 6


def test_demo_city_is_the_same_every_time_for_a_seed() -> None:
    assert json.dumps(demo_city_features()) == json.dumps(demo_city_features())
    assert demo_city_features(seed=8) != demo_city_features()
