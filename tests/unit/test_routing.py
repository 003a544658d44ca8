"""Routing a point to its grid: inside, on shared edges, in holes, near, and fallback."""

from __future__ import annotations

import itertools
import math

import pytest
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from backend.regions.levels import Level
from backend.regions.routing import IndexedRegion, Placement, RoutingIndex

LNG, LAT = 120.0, 30.0
EAST_M = 111_195.0 * math.cos(math.radians(LAT))
NORTH_M = 111_195.0


def lng_lat(x: float, y: float) -> tuple[float, float]:
    """The spot `x` metres east and `y` metres north of (LNG, LAT)."""
    return LNG + x / EAST_M, LAT + y / NORTH_M


def box_m(west: float, south: float, east: float, north: float) -> Polygon:
    return box(*lng_lat(west, south), *lng_lat(east, north))


def region(
    id_: int, code: str, level: Level, parent_id: int | None, geometry: BaseGeometry
) -> IndexedRegion:
    return IndexedRegion(id_, code, f"{code}名", level, parent_id, geometry)


#   y
# 2000 ┌──────────────────── district D ───────────────────┐
# 1000 ├──────────────────── community C ──────────────────┤
#  800 │ C004a                                      C004b  │
#  500 ├ C001 ┬ C002 ┬ C003 (with hole, C005 inside it) ┐   │
#    0 └──────┴──────┴──────────────────────────────────┴───┘
#      0     500   1000                               1500  2000 x
# C001001 is a micro-grid in C001's south-west corner (0..100 × 0..100).
CITY = [
    region(1, "D", "district", None, box_m(0, 0, 2000, 2000)),
    region(2, "C", "community", 1, box_m(0, 0, 2000, 1000)),
    region(3, "C001", "grid", 2, box_m(0, 0, 500, 500)),
    region(4, "C002", "grid", 2, box_m(500, 0, 1000, 500)),
    region(
        5,
        "C003",
        "grid",
        2,
        Polygon(box_m(1000, 0, 1500, 500).exterior, [box_m(1100, 100, 1400, 400).exterior]),
    ),
    region(
        6, "C004", "grid", 2, MultiPolygon([box_m(0, 600, 200, 800), box_m(1600, 600, 1800, 800)])
    ),
    region(7, "C005", "grid", 2, box_m(1200, 200, 1300, 300)),
    region(8, "C001001", "microgrid", 3, box_m(0, 0, 100, 100)),
]


def locate(x: float, y: float, regions: list[IndexedRegion] = CITY) -> Placement | None:
    lng, lat = lng_lat(x, y)
    return RoutingIndex.build(regions).locate(lat, lng)


def placed(x: float, y: float, regions: list[IndexedRegion] = CITY) -> tuple[str, str]:
    placement = locate(x, y, regions)
    assert placement is not None
    return placement.region.code, placement.match


def test_point_inside_a_grid_goes_to_it_with_its_chain() -> None:
    placement = locate(250, 250)
    assert placement is not None
    assert placement.region.code == "C001"
    assert placement.match == "inside"
    assert placement.distance_m == 0.0
    assert [member.code for member in placement.chain] == ["D", "C", "C001"]


def test_point_on_a_grid_outline_counts_as_inside() -> None:
    assert placed(250, 500) == ("C001", "inside")


def test_point_on_a_shared_edge_goes_to_one_grid_whatever_the_load_order() -> None:
    answers = {
        placed(500, 250, list(order))
        for order in itertools.permutations(CITY[2:5])
        for _ in range(3)
    }
    # Outlines exactly on the edge and the point on it: both grids cover it, the code decides.
    assert answers == {("C001", "inside")}


def test_point_on_a_shared_corner_goes_to_one_grid() -> None:
    orders = [CITY[k:] + CITY[:k] for k in range(len(CITY))]
    orders += [list(reversed(order)) for order in orders]
    assert {placed(500, 500, order) for order in orders} == {("C001", "inside")}


def test_point_in_a_hole_is_not_inside_the_grid_around_it() -> None:
    # C005 sits in C003's hole: the enclave owns its own ground.
    assert placed(1250, 250) == ("C005", "inside")


def test_point_in_an_empty_hole_far_from_its_rim_falls_back() -> None:
    ring = Polygon(box_m(0, 0, 1000, 1000).exterior, [box_m(200, 200, 800, 800).exterior])
    regions = [
        region(1, "C", "community", None, box_m(0, 0, 1000, 1000)),
        region(2, "C001", "grid", 1, ring),
    ]
    assert placed(500, 500, regions) == ("C", "fallback")
    assert placed(150, 500, regions) == ("C001", "inside")


def test_both_parts_of_a_multipolygon_grid_are_its_own() -> None:
    assert placed(100, 700) == ("C004", "inside")
    assert placed(1700, 700) == ("C004", "inside")


def test_microgrid_beats_the_grid_around_it() -> None:
    placement = locate(50, 50)
    assert placement is not None
    assert (placement.region.code, placement.match) == ("C001001", "inside")
    assert [member.code for member in placement.chain] == ["D", "C", "C001", "C001001"]
    assert placed(100, 50) == ("C001001", "inside")  # its outline, inside C001 too


def test_point_just_outside_the_grids_goes_to_the_nearest_with_its_distance() -> None:
    placement = locate(250, -60)
    assert placement is not None
    assert (placement.region.code, placement.match) == ("C001", "nearest")
    assert placement.distance_m == pytest.approx(60.0, abs=0.1)


def test_nearest_measures_metres_not_degrees() -> None:
    # 80 m east of C003 and 90 m south of C004b: in degrees the east gap looks smaller
    # than it is, since a degree of longitude is shorter than one of latitude.
    placement = locate(1580, 510)
    assert placement is not None
    assert placement.region.code == "C003"
    assert placement.distance_m == pytest.approx(math.hypot(80, 10), abs=0.1)


def test_nearest_tie_goes_to_the_smallest_code() -> None:
    answers = {placed(500, -50, list(order)) for order in itertools.permutations(CITY[2:5])}
    assert answers == {("C001", "nearest")}


def test_point_beyond_near_reach_falls_back_to_the_community_around_it() -> None:
    placement = locate(1000, 800)
    assert placement is not None
    assert (placement.region.code, placement.match) == ("C", "fallback")
    assert [member.code for member in placement.chain] == ["D", "C"]


def test_point_outside_every_community_falls_back_to_the_district() -> None:
    assert placed(1000, 1500) == ("D", "fallback")


def test_point_outside_the_service_area_has_no_owner() -> None:
    assert locate(250, -500) is None
    assert locate(-5000, 5000) is None


def test_near_reach_can_be_turned_off() -> None:
    lng, lat = lng_lat(250, -60)
    assert RoutingIndex.build(CITY, near_metres=0).locate(lat, lng) is None


def test_nonsense_coordinates_have_no_owner() -> None:
    index = RoutingIndex.build(CITY)
    assert index.locate(math.nan, LNG) is None
    assert index.locate(LAT, math.inf) is None


def test_index_counts_and_finds_regions_by_id() -> None:
    index = RoutingIndex.build(CITY)
    assert index.region_count == len(CITY)
    found = index.get(7)
    assert found is not None
    assert found.code == "C005"
    assert index.get(999) is None


def test_empty_index_places_nothing() -> None:
    index = RoutingIndex.build([])
    assert index.region_count == 0
    assert index.locate(LAT, LNG) is None
