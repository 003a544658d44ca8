"""Pure rules of places: what outline may be drawn, which hex cells cover it, how levels move.

A drawn place is counted by the cases whose position lies inside it. Counting never needs
geometry in SQL: the outline is covered by H3 cells (resolution 9, the cells stored with every
case), candidates are read by cell, and their points are tested here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Final

import h3
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from backend.errors import Invalid
from backend.hotspots.rules import Alert, rank
from backend.regions.geojson_checks import FileTooLarge, PositionBudget, read_geometry
from backend.regions.routing import METRES_PER_DEGREE

# A key area is a village, a market, a station square: a few square kilometres at most. A
# larger outline is a mistake (a whole district drawn by hand), and would cost every count.
KINDS: Final = ("key_area", "patrol_zone", "school_zone")
MAX_AREA_KM2: Final = 200.0
MAX_VERTICES: Final = 5_000
CELL_RESOLUTION: Final = 9
# Two drawings are one place when they share at least this share of the smaller one.
SAME_PLACE_SHARE: Final = 0.5
# An outline drawn on a phone, or traced by hand along a street, misses its region's border by
# a few metres: a drawing that crosses the border by no more than this still lies in it.
BORDER_TOLERANCE_M: Final = 20.0


def _refused(reason_zh: str, reason_en: str) -> Invalid:
    return Invalid(
        "places.invalid_geometry",
        f"地点轮廓无效：{reason_zh}",
        f"The place's outline is invalid: {reason_en}",
        fields={"geometry": reason_en},
    )


def checked_geometry(raw: object) -> MultiPolygon:
    """A drawn outline as a valid WGS-84 MultiPolygon, or Invalid saying why not."""
    try:
        geometry = read_geometry(raw, PositionBudget(MAX_VERTICES))
    except FileTooLarge:
        raise _refused(
            f"顶点超过 {MAX_VERTICES} 个", f"it has more than {MAX_VERTICES} vertices"
        ) from None
    if isinstance(geometry, str):
        raise _refused("须为有效的 GeoJSON 多边形（WGS-84）", geometry)
    area = area_km2(geometry)
    if area > MAX_AREA_KM2:
        raise _refused(
            f"面积 {area:.0f} 平方公里，超过 {MAX_AREA_KM2:.0f} 平方公里",
            f"it covers {area:.0f} km², more than {MAX_AREA_KM2:.0f} km²",
        )
    return geometry


def area_km2(geometry: BaseGeometry) -> float:
    """The area in square kilometres (a local projection at the outline's own latitude)."""
    shrink = math.cos(math.radians(geometry.centroid.y))
    return float(geometry.area) * METRES_PER_DEGREE**2 * shrink / 1e6


def cover_cells(geometry: BaseGeometry, resolution: int = CELL_RESOLUTION) -> set[int]:
    """Every H3 cell a point inside the outline (its border included) can fall into.

    The cells that overlap the outline, and around the border their neighbours too: a point
    on the outline itself, or a rounding step away from it, still finds its cell here.
    """
    shape = h3.geo_to_h3shape(geometry)
    overlap = set(h3.h3shape_to_cells_experimental(shape, resolution, contain="overlap"))
    inner = set(h3.h3shape_to_cells_experimental(shape, resolution, contain="full"))
    cells = set(overlap)
    for cell in overlap - inner:
        cells.update(h3.grid_disk(cell, 1))
    return {h3.str_to_int(cell) for cell in cells}


def inside(
    geometry: BaseGeometry, lngs: Iterable[float], lats: Iterable[float]
) -> npt.NDArray[np.bool_]:
    """Which points lie in the outline; on the outline counts as inside, as routing has it."""
    shapely.prepare(geometry)
    xs = np.fromiter(lngs, dtype=float)
    ys = np.fromiter(lats, dtype=float)
    return np.asarray(shapely.intersects_xy(geometry, xs, ys), dtype=bool)


def overlap_share(a: BaseGeometry, b: BaseGeometry) -> float:
    """How much two outlines share, as a share of the smaller one's area."""
    smaller = min(a.area, b.area)
    if smaller <= 0.0 or not a.intersects(b):
        return 0.0
    return float(a.intersection(b).area / smaller)


def same_place(a: BaseGeometry, b: BaseGeometry) -> bool:
    """Two drawings of one place: they share at least half of the smaller one."""
    return overlap_share(a, b) >= SAME_PLACE_SHARE


def lies_within(
    outline: BaseGeometry, region: BaseGeometry, *, tolerance_m: float = BORDER_TOLERANCE_M
) -> bool:
    """Whether a drawn outline lies in a region's outline, `tolerance_m` metres over its border
    allowed (measured in a local projection at the region's own latitude)."""
    east = METRES_PER_DEGREE * math.cos(math.radians(region.centroid.y))
    scale = np.array([east, METRES_PER_DEGREE])

    def in_metres(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        scaled: npt.NDArray[np.float64] = coords * scale
        return scaled

    border = shapely.transform(region, in_metres).buffer(tolerance_m)
    return bool(border.covers(shapely.transform(outline, in_metres)))


def clipped_to(outline: MultiPolygon, region: BaseGeometry) -> MultiPolygon:
    """The part of a drawn outline inside its region: a drawing a few metres over the border
    counts no case of the neighbouring region."""
    if region.covers(outline):
        return outline
    pieces: list[Polygon] = []
    for part in shapely.get_parts(outline.intersection(region)):
        if isinstance(part, Polygon):
            pieces.append(part)
        elif isinstance(part, MultiPolygon):
            pieces.extend(part.geoms)
    return MultiPolygon(pieces)


def turned_red(before: Alert, after: Alert) -> bool:
    """Red now, and not red at the previous snapshot."""
    return after == "red" and before != "red"


def rose_two_steps(before: Alert, after: Alert) -> bool:
    """Up at least two levels since the previous snapshot (none → yellow, blue → red)."""
    return rank(after) - rank(before) >= 2


def worth_telling(before: Alert, after: Alert) -> bool:
    """A level change that proposes a key area: it turned red or rose two steps."""
    return turned_red(before, after) or rose_two_steps(before, after)
