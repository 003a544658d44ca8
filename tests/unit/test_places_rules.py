"""Rules of places: drawn outlines, the hex cells that cover them, level changes worth telling."""

from __future__ import annotations

import math
from typing import Any

import h3
import pytest
from shapely.geometry import Point, shape

from backend.errors import Invalid
from backend.places import rules
from backend.regions.routing import METRES_PER_DEGREE, IndexedPlace, RoutingIndex

LAT, LNG = 30.2741, 120.1551


def square(lng: float, lat: float, side_m: float) -> dict[str, Any]:
    dx = side_m / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    dy = side_m / METRES_PER_DEGREE
    ring = [[lng, lat], [lng + dx, lat], [lng + dx, lat + dy], [lng, lat + dy], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.mark.parametrize(
    ("before", "after", "told"),
    [
        ("none", "yellow", True),  # rose two steps
        ("blue", "red", True),  # rose two steps, and turned red
        ("yellow", "red", True),  # one step, but it turned red
        ("none", "red", True),
        ("none", "blue", False),
        ("blue", "yellow", False),  # one step, not red
        ("red", "red", False),  # red already
        ("yellow", "none", False),
        ("red", "blue", False),
    ],
)
def test_a_level_change_is_told_when_it_turned_red_or_rose_two_steps(
    before: Any, after: Any, told: bool
) -> None:
    assert rules.worth_telling(before, after) is told


def test_turned_red_and_rose_two_steps_apart() -> None:
    assert rules.turned_red("yellow", "red")
    assert not rules.turned_red("red", "red")
    assert not rules.rose_two_steps("yellow", "red")
    assert rules.rose_two_steps("none", "yellow")
    assert rules.rose_two_steps("none", "red")


def test_the_cover_holds_the_cell_of_a_point_just_inside_the_border() -> None:
    outline = rules.checked_geometry(square(LNG, LAT, 700.0))
    cover = rules.cover_cells(outline)
    centre_inside = {
        h3.str_to_int(cell)
        for cell in h3.h3shape_to_cells(h3.geo_to_h3shape(outline), rules.CELL_RESOLUTION)
    }
    # Cells whose centre lies outside the outline but which still hold points inside it.
    assert cover > centre_inside
    border = outline.boundary
    for k in range(400):
        edge = border.interpolate(k / 400, normalized=True)
        towards = Point(LNG + 0.0031, LAT + 0.0031)  # the square's middle
        step = 1e-6 / max(edge.distance(towards), 1e-9)
        lng = edge.x + (towards.x - edge.x) * step
        lat = edge.y + (towards.y - edge.y) * step
        assert outline.intersects(Point(lng, lat))
        cell = h3.str_to_int(h3.latlng_to_cell(lat, lng, rules.CELL_RESOLUTION))
        assert cell in cover, (lat, lng)
    # A point on the outline itself counts as inside, as routing has it.
    corner = h3.str_to_int(h3.latlng_to_cell(LAT, LNG, rules.CELL_RESOLUTION))
    assert corner in cover
    assert rules.inside(outline, [LNG], [LAT]).tolist() == [True]


def test_an_outline_too_large_or_too_detailed_is_refused_in_both_languages() -> None:
    with pytest.raises(Invalid) as large:
        rules.checked_geometry(square(LNG, LAT, 15_000.0))  # 225 km²
    assert "平方公里" in large.value.message_zh
    assert "km²" in large.value.message_en
    ring = [
        [
            LNG + 0.01 * math.cos(t * 2 * math.pi / 6000),
            LAT + 0.01 * math.sin(t * 2 * math.pi / 6000),
        ]
        for t in range(6000)
    ]
    with pytest.raises(Invalid) as detailed:
        rules.checked_geometry({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})
    assert "5000" in detailed.value.message_en
    with pytest.raises(Invalid) as point:
        rules.checked_geometry({"type": "Point", "coordinates": [LNG, LAT]})
    assert point.value.code == "places.invalid_geometry"
    assert rules.area_km2(rules.checked_geometry(square(LNG, LAT, 1000.0))) == pytest.approx(
        1.0, rel=0.01
    )


def test_two_drawings_are_one_place_when_they_share_half_of_the_smaller() -> None:
    big = shape(square(LNG, LAT, 1000.0))
    small_inside = shape(square(LNG + 0.001, LAT + 0.001, 300.0))
    beside = shape(square(LNG + 0.0105, LAT, 1000.0))
    assert rules.same_place(big, small_inside)
    assert not rules.same_place(big, beside)


def test_routing_finds_drawn_places_by_position_and_region_places_by_path() -> None:
    outline = rules.checked_geometry(square(LNG, LAT, 500.0))
    index = RoutingIndex.build([]).with_places(
        [
            IndexedPlace(id=1, geometry=outline, covers_path=None),
            IndexedPlace(id=2, geometry=None, covers_path="/330106/330106001/"),
            IndexedPlace(id=3, geometry=None, covers_path="/330106/330106002/"),
        ]
    )
    grid = "/330106/330106001/330106001001/330106001001001/"
    assert index.places_at(LAT + 0.001, LNG + 0.001, grid) == (1, 2)
    assert index.places_at(LAT, LNG, "/330106/") == (1,)  # on the outline counts
    assert index.places_at(LAT - 0.001, LNG, "/330106/330106002/") == (3,)
    assert index.places_at(math.nan, LNG, grid) == ()
