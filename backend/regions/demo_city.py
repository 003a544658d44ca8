"""A demo city for `gridreport serve --demo`: 西湖区 in Hangzhou cut into about 300 grids.

The outlines are invented (Voronoi cells of random seeds, clipped to their parent) but the
district sits where the real one does, so a phone in West Lake's neighbourhood lands in a
grid. The same seed always gives the same file.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Final

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from backend.regions.levels import LEVELS, Level, depth
from backend.regions.routing import METRES_PER_DEGREE

DISTRICT_CODE: Final = "330106"
DISTRICT_NAME: Final = "西湖区"
STREET_NAMES: Final = ("北山街道", "西溪街道", "灵隐街道", "翠苑街道", "文新街道")
COMMUNITIES_PER_STREET: Final = 4
COMMUNITY_STEMS: Final = (
    "保俶", "松木场", "曙光", "岳坟", "古荡", "文鼎苑", "嘉绿", "益乐",
    "玉泉", "茅家埠", "金沙港", "双峰", "竞舟", "府苑", "华星", "桂花",
    "文新", "三塘", "星洲", "德加",
)  # fmt: skip
TARGET_GRIDS: Final = 300
# 1e-6° is about 0.1 m: the six decimals a GeoJSON file keeps.
PRECISION: Final = 1e-6

# About a kilometre south-west of 30.2741 N 120.1551 E, so that spot lies well inside.
_CENTRE: Final = (120.1451, 30.2701)
_HALF_WIDTH_M: Final = 4_000.0
_HALF_HEIGHT_M: Final = 3_000.0
_OUTLINE_CORNERS: Final = 24
_SEED_TRIES: Final = 12


@dataclass(frozen=True, slots=True)
class _Region:
    code: str
    name: str
    level: Level
    geometry: BaseGeometry


def demo_city_features(seed: int = 7) -> dict[str, object]:
    """A FeatureCollection of one district, its streets, communities and about 300 grids."""
    rng = random.Random(seed)  # noqa: S311 -- repeatable shapes, not secrets
    district = _Region(DISTRICT_CODE, DISTRICT_NAME, "district", _snap(_outline(rng)))
    features: list[object] = [_feature(district, None)]
    _add_children(district, district.geometry.area, rng, features)
    return {"type": "FeatureCollection", "features": features}


def _outline(rng: random.Random) -> Polygon:
    # A star-shaped ring around the centre is always simple, however the radii wobble.
    lng0, lat0 = _CENTRE
    half_width = _HALF_WIDTH_M / (METRES_PER_DEGREE * math.cos(math.radians(lat0)))
    half_height = _HALF_HEIGHT_M / METRES_PER_DEGREE
    corners = []
    for k in range(_OUTLINE_CORNERS):
        angle, reach = 2 * math.pi * k / _OUTLINE_CORNERS, rng.uniform(0.8, 1.0)
        east, north = math.cos(angle) * reach, math.sin(angle) * reach
        corners.append((lng0 + half_width * east, lat0 + half_height * north))
    return Polygon(corners)


def _add_children(
    parent: _Region, district_area: float, rng: random.Random, features: list[object]
) -> None:
    level = LEVELS[depth(parent.level) + 1]
    count = _child_count(parent, level, district_area)
    for number, geometry in enumerate(_split(parent.geometry, count, rng), start=1):
        name = _child_name(parent, level, number)
        child = _Region(f"{parent.code}{number:03d}", name, level, geometry)
        features.append(_feature(child, parent.code))
        if level != "grid":
            _add_children(child, district_area, rng, features)


def _child_count(parent: _Region, level: Level, district_area: float) -> int:
    if level == "street":
        return len(STREET_NAMES)
    if level == "community":
        return COMMUNITIES_PER_STREET
    # Grids of a similar size everywhere, as a city would draw them.
    share = float(parent.geometry.area) / district_area
    return max(3, round(TARGET_GRIDS * share))


def _child_name(parent: _Region, level: Level, number: int) -> str:
    if level == "street":
        return STREET_NAMES[number - 1]
    if level == "community":
        street = int(parent.code[-3:]) - 1
        stem = (street * COMMUNITIES_PER_STREET + number - 1) % len(COMMUNITY_STEMS)
        return f"{COMMUNITY_STEMS[stem]}社区"
    return f"{parent.name}第{number}网格"


def _split(parent: BaseGeometry, count: int, rng: random.Random) -> list[BaseGeometry]:
    """Voronoi cells of `count` well-spread seeds, clipped to the parent and snapped."""
    seeds = _seeds(parent, count, rng)
    # Number children as a map is read: north to south, then west to east.
    seeds.sort(key=lambda seed: (-round(seed[1], 3), seed[0]))
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=parent, ordered=True)
    clipped = (_snap(shapely.intersection(cell, parent)) for cell in cells.geoms)
    return [cell for cell in clipped if not cell.is_empty]


def _seeds(parent: BaseGeometry, count: int, rng: random.Random) -> list[tuple[float, float]]:
    # Best of a few candidates (Mitchell's sampling) keeps cells of similar size.
    seeds: list[tuple[float, float]] = []
    while len(seeds) < count:
        candidates = [_point_inside(parent, rng) for _ in range(_SEED_TRIES)]
        seeds.append(max(candidates, key=lambda candidate: _room(candidate, seeds)))
    return seeds


def _point_inside(parent: BaseGeometry, rng: random.Random) -> tuple[float, float]:
    west, south, east, north = parent.bounds
    while True:
        lng, lat = rng.uniform(west, east), rng.uniform(south, north)
        if shapely.contains_xy(parent, lng, lat):
            return (lng, lat)


def _room(candidate: tuple[float, float], seeds: list[tuple[float, float]]) -> float:
    shrink = math.cos(math.radians(candidate[1]))
    return min(
        (math.hypot((candidate[0] - lng) * shrink, candidate[1] - lat) for lng, lat in seeds),
        default=0.0,
    )


def _snap(geometry: BaseGeometry) -> BaseGeometry:
    # Snapping to the 6-decimal grid here keeps the file valid once its numbers are written.
    snapped = shapely.set_precision(geometry, PRECISION)
    polygons = [part for part in _parts(snapped) if isinstance(part, Polygon) and part.area > 0]
    # RFC 7946 wants shells counter-clockwise, holes clockwise.
    oriented: BaseGeometry = shapely.orient_polygons(
        polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    )
    return oriented


def _parts(geometry: BaseGeometry) -> list[BaseGeometry]:
    if hasattr(geometry, "geoms"):
        return [part for member in geometry.geoms for part in _parts(member)]
    return [geometry]


def _feature(region: _Region, parent_code: str | None) -> dict[str, object]:
    properties = {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "parentCode": parent_code,
    }
    return {"type": "Feature", "properties": properties, "geometry": _geojson(region.geometry)}


def _geojson(geometry: BaseGeometry) -> dict[str, object]:
    if isinstance(geometry, Polygon):
        return {"type": "Polygon", "coordinates": _rings(geometry)}
    parts = [_rings(part) for part in geometry.geoms]
    return {"type": "MultiPolygon", "coordinates": parts}


def _rings(polygon: Polygon) -> list[list[list[float]]]:
    rings = [polygon.exterior, *polygon.interiors]
    return [[[round(x, 6), round(y, 6)] for x, y in ring.coords] for ring in rings]
