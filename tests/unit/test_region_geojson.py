"""Importing a regions GeoJSON file: what is refused, where the problem is reported, and
that a good file comes back parents first."""

from __future__ import annotations

import math
import re

import pytest
from shapely.geometry import MultiPolygon, box

from backend.errors import Invalid
from backend.regions.geojson import (
    MAX_FEATURES,
    ExistingRegion,
    RegionDraft,
    parse_region_collection,
)
from backend.regions.geojson_checks import MAX_POSITIONS

LNG, LAT = 120.0, 30.0
# Metres per degree near latitude 30, for drawing test shapes by the metre.
EAST_M = 111_195.0 * math.cos(math.radians(LAT))
NORTH_M = 111_195.0


def ring_m(west: float, south: float, east: float, north: float) -> list[list[float]]:
    """A closed counter-clockwise ring, in metres east and north of (LNG, LAT)."""
    corners = [(west, south), (east, south), (east, north), (west, north), (west, south)]
    return [[LNG + x / EAST_M, LAT + y / NORTH_M] for x, y in corners]


def feature(
    code: str,
    level: str,
    parent: str | None,
    rings: object,
    *,
    kind: str = "Polygon",
    name: str | None = None,
) -> dict[str, object]:
    properties = {"code": code, "name": name or f"{code}名", "level": level, "parentCode": parent}
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": kind, "coordinates": rings},
    }


def collection(*features: object) -> dict[str, object]:
    return {"type": "FeatureCollection", "features": list(features)}


DISTRICT = feature("330106", "district", None, [ring_m(0, 0, 4000, 4000)])
STREET = feature("330106001", "street", "330106", [ring_m(0, 0, 2000, 2000)])


def refusal(doc: object, existing: dict[str, ExistingRegion] | None = None) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        parse_region_collection(doc, existing or {})
    assert caught.value.code == "regions.invalid_geojson"
    assert caught.value.message_zh
    assert caught.value.message_en
    return caught.value.fields


def test_open_ring_is_refused() -> None:
    ring = [*ring_m(0, 0, 500, 500)[:-1], [LNG + 0.0001, LAT]]
    fields = refusal(collection(DISTRICT, STREET, feature("G1", "grid", "330106001", [ring])))
    assert "not closed" in fields["features[2].geometry"]


def test_ring_with_three_positions_is_refused() -> None:
    ring = [[LNG, LAT], [LNG + 0.01, LAT], [LNG, LAT]]
    fields = refusal(collection(feature("330106", "district", None, [ring])))
    assert "at least 4" in fields["features[0].geometry"]


def test_bow_tie_is_refused_with_the_crossing_point() -> None:
    bow_tie = [[120.0, 30.0], [120.02, 30.02], [120.02, 30.0], [120.0, 30.02], [120.0, 30.0]]
    fields = refusal(collection(feature("330106", "district", None, [bow_tie])))
    assert fields["features[0].geometry"] == (
        "invalid polygon: self-intersection at lng 120.01 lat 30.01"
    )


def test_latitude_beyond_90_is_refused() -> None:
    ring = [[120.0, 30.0], [120.1, 30.0], [120.1, 95.0], [120.0, 30.0]]
    fields = refusal(collection(feature("330106", "district", None, [ring])))
    assert "latitude 95" in fields["features[0].geometry"]


def test_longitude_beyond_180_is_refused() -> None:
    ring = [[120.0, 30.0], [181.0, 30.0], [120.1, 30.1], [120.0, 30.0]]
    fields = refusal(collection(feature("330106", "district", None, [ring])))
    assert "longitude 181" in fields["features[0].geometry"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_coordinate_is_refused(bad: float) -> None:
    ring = [[120.0, 30.0], [120.1, bad], [120.1, 30.1], [120.0, 30.0]]
    fields = refusal(collection(feature("330106", "district", None, [ring])))
    assert "NaN or infinite" in fields["features[0].geometry"]


@pytest.mark.parametrize("bad", ["120.1", None, True, [120.1], {"x": 1}])
def test_non_numeric_coordinate_is_refused(bad: object) -> None:
    ring = [[120.0, 30.0], [bad, 30.0], [120.1, 30.1], [120.0, 30.0]]
    fields = refusal(collection(feature("330106", "district", None, [ring])))
    assert "ring 0 position 1" in fields["features[0].geometry"]


def test_unknown_parent_is_refused() -> None:
    fields = refusal(collection(DISTRICT, feature("S9", "street", "nowhere", [ring_m(0, 0, 9, 9)])))
    assert "nowhere" in fields["features[1].properties.parentCode"]


def test_missing_parent_is_refused_below_district() -> None:
    fields = refusal(collection(feature("S1", "street", None, [ring_m(0, 0, 9, 9)])))
    assert "features[0].properties.parentCode" in fields


def test_cyclic_parents_are_refused() -> None:
    first = feature("S1", "street", "C1", [ring_m(0, 0, 900, 900)])
    second = feature("C1", "community", "S1", [ring_m(0, 0, 900, 900)])
    fields = refusal(collection(first, second))
    assert "cycle" in fields["features[0].properties.parentCode"]
    assert "cycle" in fields["features[1].properties.parentCode"]


def test_parent_of_the_same_or_deeper_level_is_refused() -> None:
    grid = feature("G1", "grid", "330106001", [ring_m(0, 0, 500, 500)])
    street = feature("330106002", "street", "G1", [ring_m(0, 0, 100, 100)])
    fields = refusal(collection(DISTRICT, STREET, grid, street))
    assert "cannot hold a street" in fields["features[3].properties.parentCode"]


def test_duplicate_code_is_refused() -> None:
    twin = feature("330106001", "street", "330106", [ring_m(2000, 0, 4000, 2000)])
    fields = refusal(collection(DISTRICT, STREET, twin))
    assert fields["features[2].properties.code"] == "330106001 is also used by features[1]"


def test_child_outside_its_parent_is_refused() -> None:
    grid = feature("G1", "grid", "330106001", [ring_m(1800, 0, 2300, 500)])
    fields = refusal(collection(DISTRICT, STREET, grid))
    assert "outside parent 330106001" in fields["features[2].geometry"]


def test_child_crossing_its_parent_by_a_metre_is_accepted() -> None:
    # Offices draw shared outlines a little differently; a metre over is not an error.
    grid = feature("G1", "grid", "330106001", [ring_m(1500, 0, 2001, 500)])
    drafts = parse_region_collection(collection(DISTRICT, STREET, grid), {})
    assert [draft.code for draft in drafts] == ["330106", "330106001", "G1"]


@pytest.mark.parametrize("kind", ["Point", "LineString", "GeometryCollection", None])
def test_geometry_other_than_polygons_is_refused(kind: str | None) -> None:
    doc = collection(
        {
            "type": "Feature",
            "properties": {"code": "330106", "name": "西湖区", "level": "district"},
            "geometry": {"type": kind, "coordinates": [120.0, 30.0]},
        }
    )
    assert "Polygon or MultiPolygon" in refusal(doc)["features[0].geometry"]


@pytest.mark.parametrize(
    "doc",
    [None, "FeatureCollection", [], 42, {"type": "Feature"}, {"features": []}],
)
def test_anything_but_a_feature_collection_is_refused(doc: object) -> None:
    assert set(refusal(doc)) == {"type"}


@pytest.mark.parametrize("features", [None, {}, "abc", []])
def test_features_must_be_a_non_empty_list(features: object) -> None:
    assert set(refusal({"type": "FeatureCollection", "features": features})) == {"features"}


def with_properties(**changes: object) -> dict[str, object]:
    properties = {"code": "330106", "name": "西湖区", "level": "district", **changes}
    return {**DISTRICT, "properties": properties}


def with_geometry(geometry: object) -> dict[str, object]:
    return {**DISTRICT, "geometry": geometry}


@pytest.mark.parametrize(
    ("junk", "key"),
    [
        ("a feature", "features[0]"),
        ({"type": "Polygon"}, "features[0]"),
        ({**DISTRICT, "properties": ["code"]}, "features[0].properties"),
        (with_properties(code=330106), "features[0].properties.code"),
        (with_properties(code="33 01"), "features[0].properties.code"),
        (with_properties(code="9" * 33), "features[0].properties.code"),
        (with_properties(name="  "), "features[0].properties.name"),
        (with_properties(name="区" * 101), "features[0].properties.name"),
        (with_properties(level="city"), "features[0].properties.level"),
        (with_properties(parentCode=7), "features[0].properties.parentCode"),
        (with_geometry(None), "features[0].geometry"),
        (with_geometry({"type": "Polygon", "coordinates": "abc"}), "features[0].geometry"),
        (with_geometry({"type": "Polygon", "coordinates": [[1, 2]]}), "features[0].geometry"),
        (with_geometry({"type": "MultiPolygon", "coordinates": []}), "features[0].geometry"),
    ],
)
def test_junk_inside_a_feature_is_refused_where_it_sits(junk: object, key: str) -> None:
    assert key in refusal(collection(junk))


def test_every_problem_is_reported_at_once_and_nothing_is_accepted() -> None:
    good_grid = feature("G1", "grid", "330106001", [ring_m(0, 0, 500, 500)])
    bad_level = feature("G2", "town", "330106001", [ring_m(500, 0, 900, 500)])
    bad_ring = feature("G3", "grid", "330106001", [ring_m(0, 500, 500, 900)[:3]])
    unknown_parent = feature("G4", "grid", "S404", [ring_m(0, 900, 500, 1200)])
    doc = collection(DISTRICT, STREET, good_grid, bad_level, bad_ring, unknown_parent)
    assert set(refusal(doc)) == {
        "features[3].properties.level",
        "features[4].geometry",
        "features[5].properties.parentCode",
    }


def test_children_of_a_broken_parent_are_not_blamed_for_it() -> None:
    community = feature("C1", "village", "330106001", [ring_m(0, 0, 900, 900)])
    grid = feature("C1001", "grid", "C1", [ring_m(0, 0, 500, 500)])
    assert set(refusal(collection(DISTRICT, STREET, community, grid))) == {
        "features[2].properties.level"
    }


def test_too_many_features_are_refused_before_any_is_read() -> None:
    fields = refusal(collection(*[{}] * (MAX_FEATURES + 1)))
    assert f"at most {MAX_FEATURES}" in fields["features"]


def test_too_many_positions_are_refused() -> None:
    # One shared list object: big to the importer, cheap to build here.
    huge_ring = [[LNG, LAT]] * (MAX_POSITIONS + 1)
    fields = refusal(collection(feature("330106", "district", None, [huge_ring])))
    assert set(fields) == {"features"}
    assert "positions" in fields["features"]


def test_good_file_comes_back_parents_first_under_a_stored_street() -> None:
    stored = {
        "330106001": ExistingRegion(
            "330106001", "street", "330106", box(LNG, LAT, LNG + 0.03, LAT + 0.03)
        )
    }
    grid = feature("330106001001001", "grid", "330106001001", [ring_m(0, 0, 500, 500)])
    two_parts = [[ring_m(500, 0, 900, 500)], [ring_m(1000, 0, 1400, 500)]]
    multi = feature("330106001001002", "grid", "330106001001", two_parts, kind="MultiPolygon")
    community = feature(
        "330106001001", "community", "330106001", [ring_m(0, 0, 1500, 1500)], name=" 保俶社区 "
    )
    drafts = parse_region_collection(collection(grid, multi, community), stored)
    assert [(d.code, d.parent_code, d.feature_index) for d in drafts] == [
        ("330106001001", "330106001", 2),
        ("330106001001001", "330106001001", 0),
        ("330106001001002", "330106001001", 1),
    ]
    assert drafts[0].name == "保俶社区"
    assert all(isinstance(d.geometry, MultiPolygon) for d in drafts)
    assert len(drafts[2].geometry.geoms) == 2


def test_clockwise_shells_are_accepted_and_turned_counter_clockwise() -> None:
    clockwise = list(reversed(ring_m(0, 0, 500, 500)))
    [draft] = parse_region_collection(
        collection(feature("330106", "district", None, [clockwise])), {}
    )
    assert isinstance(draft, RegionDraft)
    assert draft.geometry.geoms[0].exterior.is_ccw


def test_redrawn_parent_must_still_hold_its_stored_children() -> None:
    stored = {
        "330106": ExistingRegion("330106", "district", None, box(LNG, LAT, LNG + 0.1, LAT + 0.1)),
        "330106001001": ExistingRegion(
            "330106001001", "community", "330106001", box(LNG, LAT, LNG + 0.01, LAT + 0.01)
        ),
    }
    shrunk_street = feature("330106001", "street", "330106", [ring_m(500, 500, 2000, 2000)])
    fields = refusal(collection(shrunk_street), stored)
    assert "stored community 330106001001" in fields["features[0].geometry"]


def test_a_reused_code_is_reported_beside_the_feature_s_other_problems() -> None:
    twin = feature("330106001", "town", "330106", [ring_m(2000, 0, 4000, 2000)])
    broken_first = feature("G9", "grid", "330106001", [ring_m(0, 0, 100, 100)], name=" ")
    broken_twin = feature("G9", "grid", "330106001", [ring_m(100, 0, 200, 100)])
    fields = refusal(collection(DISTRICT, STREET, twin, broken_first, broken_twin))
    assert fields["features[2].properties.code"] == "330106001 is also used by features[1]"
    assert "features[2].properties.level" in fields
    assert "features[3].properties.name" in fields
    assert fields["features[4].properties.code"] == "G9 is also used by features[3]"


def grid(code: str, west: float, east: float) -> dict[str, object]:
    return feature(code, "grid", "330106001", [ring_m(west, 0, east, 500)])


def test_overlapping_sibling_grids_are_refused_naming_both() -> None:
    doc = collection(DISTRICT, STREET, grid("G1", 0, 500), grid("G2", 400, 900))
    fields = refusal(doc)
    reason = fields["features[3].geometry"]
    assert "grid G2 overlaps grid G1 (features[2])" in reason
    assert "20.0% of the smaller" in reason
    square_metres = re.search(r"by ([\d,]+) m²", reason)
    assert square_metres is not None
    assert float(square_metres[1].replace(",", "")) == pytest.approx(100 * 500, rel=0.01)
    assert set(fields) == {"features[3].geometry"}


def test_a_grid_drawn_over_a_stored_sibling_is_refused() -> None:
    stored = {
        "330106001": ExistingRegion(
            "330106001", "street", "330106", box(LNG, LAT, LNG + 0.03, LAT + 0.03)
        ),
        "G1": ExistingRegion("G1", "grid", "330106001", box(LNG, LAT, LNG + 0.001, LAT + 0.001)),
    }
    fields = refusal(collection(grid("G2", 0, 500)), stored)
    assert "grid G2 overlaps grid G1 by" in fields["features[0].geometry"]


def test_siblings_sharing_a_border_or_a_sliver_are_accepted() -> None:
    # Touching grids, and a 2 m sliver along a 500 m border (0.4 % of either): digitising.
    doc = collection(
        DISTRICT, STREET, grid("G1", 0, 500), grid("G2", 500, 1000), grid("G3", 998, 1500)
    )
    assert [d.code for d in parse_region_collection(doc, {})][2:] == ["G1", "G2", "G3"]
    with pytest.raises(Invalid):
        parse_region_collection(doc, {}, overlap_tolerance=0.001)


def test_regions_under_different_parents_are_not_siblings() -> None:
    other_street = feature("330106002", "street", "330106", [ring_m(2000, 0, 4000, 2000)])
    community = feature("C1", "community", "330106001", [ring_m(0, 0, 2000, 2000)])
    other_community = feature("C2", "community", "330106002", [ring_m(2000, 0, 4000, 2000)])
    doc = collection(DISTRICT, STREET, other_street, community, other_community)
    assert len(parse_region_collection(doc, {})) == 5
