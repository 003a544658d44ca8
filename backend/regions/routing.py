"""Routing a point to the region that owns it: which grid gets a report made here.

Rules, in order: the deepest grid or micro-grid that covers the point ("inside"; an outline
counts as inside, a hole does not); else the nearest grid or micro-grid within `near_metres`
("nearest": phones place a tip a few dozen metres off, and a tip on a road between grids
still belongs to someone); else the deepest region of any level that covers it ("fallback",
属地兜底: the community or street handles it itself); else nobody (outside the service area).
Among equals the deepest level wins, then the smallest code, so a point on a shared edge
always goes to the same grid whatever order the regions were loaded in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from backend.regions.levels import LEAF_LEVELS, Level, depth

Match = Literal["inside", "nearest", "fallback"]

# Mean Earth radius (IUGG) × π / 180: within 0.5% of the ellipsoid, half a metre in 100.
METRES_PER_DEGREE: Final = 111_195.0
_HERE: Final = Point(0.0, 0.0)


@dataclass(frozen=True, slots=True)
class IndexedRegion:
    """A stored region as routing sees it."""

    id: int
    code: str
    name: str
    level: Level
    parent_id: int | None
    geometry: BaseGeometry


@dataclass(frozen=True, slots=True)
class IndexedPlace:
    """An active place as routing sees it: a drawn outline, or a region of the tree by path."""

    id: int
    geometry: BaseGeometry | None
    covers_path: str | None


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a point belongs: the owning region, its ancestry from the district down, and how."""

    region: IndexedRegion
    chain: tuple[IndexedRegion, ...]
    match: Match
    distance_m: float


class RoutingIndex:
    """An in-memory index of the region tree, rebuilt whenever regions change."""

    def __init__(
        self,
        chains: Mapping[int, tuple[IndexedRegion, ...]],
        leaves: _Layer,
        areas: _Layer,
        near_metres: float,
        places: _PlaceLayer | None = None,
    ) -> None:
        self._chains = chains
        self._leaves = leaves
        self._areas = areas
        self._near_metres = near_metres
        self._places = places or _PlaceLayer(())

    @classmethod
    def build(
        cls,
        regions: Iterable[IndexedRegion],
        *,
        near_metres: float = 100.0,
        places: Iterable[IndexedPlace] = (),
    ) -> RoutingIndex:
        """Index the regions: grids and micro-grids for placing, the rest for fallback."""
        by_id = {region.id: region for region in regions}
        leaves = [region for region in by_id.values() if region.level in LEAF_LEVELS]
        areas = [region for region in by_id.values() if region.level not in LEAF_LEVELS]
        return cls(_chains(by_id), _Layer(leaves), _Layer(areas), near_metres, _PlaceLayer(places))

    def with_places(self, places: Iterable[IndexedPlace]) -> RoutingIndex:
        """The same regions with another set of places (regions are not indexed again)."""
        return RoutingIndex(
            self._chains, self._leaves, self._areas, self._near_metres, _PlaceLayer(places)
        )

    def places_at(self, lat: float, lng: float, region_path: str) -> tuple[int, ...]:
        """The ids of the active places a case made here, routed to `region_path`, falls into.

        Drawn outlines holding the point (outline included), and region places whose region
        is the case's region or one above it."""
        if not (math.isfinite(lat) and math.isfinite(lng)):
            return ()
        return self._places.at(Point(lng, lat), region_path)

    @property
    def region_count(self) -> int:
        """How many regions the index holds, of every level."""
        return len(self._chains)

    def get(self, region_id: int) -> IndexedRegion | None:
        """The region with this id, if the index holds it."""
        chain = self._chains.get(region_id)
        return None if chain is None else chain[-1]

    def locate(self, lat: float, lng: float) -> Placement | None:
        """The region that owns a report made at this spot; None outside the service area."""
        if not (math.isfinite(lat) and math.isfinite(lng)):
            return None
        point = Point(lng, lat)
        region = self._leaves.first_covering(point)
        if region is not None:
            return self._placed(region, "inside", 0.0)
        if self._near_metres > 0.0:
            near = self._leaves.nearest(point, self._near_metres)
            if near is not None:
                return self._placed(near[0], "nearest", near[1])
        region = self._areas.first_covering(point)
        return None if region is None else self._placed(region, "fallback", 0.0)

    def grids_within(
        self, west: float, south: float, east: float, north: float, *, limit: int
    ) -> list[IndexedRegion]:
        """Grids and micro-grids whose outline meets the box, in priority order, at most `limit`."""
        return self._leaves.meeting(shapely.box(west, south, east, north), limit)

    def _placed(self, region: IndexedRegion, match: Match, distance_m: float) -> Placement:
        return Placement(region, self._chains[region.id], match, distance_m)


class _Layer:
    """An STRtree over regions stored in priority order, so the first hit is the winner."""

    def __init__(self, regions: Sequence[IndexedRegion]) -> None:
        self.regions = sorted(regions, key=_priority)
        self.geometries: npt.NDArray[np.object_] = np.array(
            [region.geometry for region in self.regions], dtype=object
        )
        # Prepared outlines make each point-in-polygon test cheap however long the outline.
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)

    def first_covering(self, point: Point) -> IndexedRegion | None:
        """The highest-priority region that covers the point, outline included."""
        candidates = self.tree.query(point)
        candidates.sort()
        indices: list[int] = candidates.tolist()
        # Priority order lets the first covering outline win without testing the rest.
        for index in indices:
            if self.geometries[index].intersects(point):
                return self.regions[index]
        return None

    def meeting(self, box: BaseGeometry, limit: int) -> list[IndexedRegion]:
        """Regions whose outline meets the box, in priority order, at most `limit`."""
        candidates = self.tree.query(box, predicate="intersects")
        candidates.sort()
        indices: list[int] = candidates[:limit].tolist()
        return [self.regions[index] for index in indices]

    def nearest(self, point: Point, near_metres: float) -> tuple[IndexedRegion, float] | None:
        """The closest region within `near_metres`, with its distance in metres."""
        # One degree of longitude is the shorter degree, so this radius reaches far enough.
        shrink = max(math.cos(math.radians(point.y)), 0.01)
        reach = near_metres / (METRES_PER_DEGREE * shrink)
        candidates = self.tree.query(point, predicate="dwithin", distance=reach)
        indices: list[int] = candidates.tolist()
        best: tuple[float, int] | None = None
        for index in indices:
            metres = _metres_between(self.geometries[index], point)
            # Millimetres decide, so rounding noise cannot break a tie that priority should.
            key = (round(metres, 3), index)
            if metres <= near_metres and (best is None or key < best):
                best = key
        return None if best is None else (self.regions[best[1]], best[0])


class _PlaceLayer:
    """Drawn places in an STRtree, region places by the path of the region they cover."""

    def __init__(self, given: Iterable[IndexedPlace]) -> None:
        places = list(given)
        drawn = [place for place in places if place.geometry is not None]
        self.ids = [place.id for place in drawn]
        self.geometries: npt.NDArray[np.object_] = np.array(
            [place.geometry for place in drawn], dtype=object
        )
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)
        self.by_path: dict[str, list[int]] = {}
        for place in places:
            if place.geometry is None and place.covers_path is not None:
                self.by_path.setdefault(place.covers_path, []).append(place.id)

    def at(self, point: Point, region_path: str) -> tuple[int, ...]:
        """Drawn places holding the point (outline included) and region places above the path."""
        found: set[int] = set()
        if self.ids:
            hits: list[int] = self.tree.query(point, predicate="intersects").tolist()
            found.update(self.ids[index] for index in hits)
        if self.by_path:
            for prefix in _prefixes(region_path):
                found.update(self.by_path.get(prefix, ()))
        return tuple(sorted(found))


def _prefixes(path: str) -> list[str]:
    """ "/a/b/" gives "/a/" and "/a/b/": the paths of a region and of those above it."""
    codes = [code for code in path.split("/") if code]
    return ["/" + "/".join(codes[: n + 1]) + "/" for n in range(len(codes))]


def _priority(region: IndexedRegion) -> tuple[int, str]:
    return (-depth(region.level), region.code)


def _metres_between(geometry: BaseGeometry, point: Point) -> float:
    # A local equirectangular projection centred on the point: exact enough over 100 m.
    scale = np.array([METRES_PER_DEGREE * math.cos(math.radians(point.y)), METRES_PER_DEGREE])
    origin = np.array([point.x, point.y])
    local = shapely.transform(geometry, lambda xy: (xy - origin) * scale)
    return float(shapely.distance(local, _HERE))


def _chains(by_id: Mapping[int, IndexedRegion]) -> dict[int, tuple[IndexedRegion, ...]]:
    chains: dict[int, tuple[IndexedRegion, ...]] = {}
    for region in by_id.values():
        _chain_of(region, by_id, chains)
    return chains


def _chain_of(
    region: IndexedRegion,
    by_id: Mapping[int, IndexedRegion],
    chains: dict[int, tuple[IndexedRegion, ...]],
) -> None:
    path: list[IndexedRegion] = []
    on_path: set[int] = set()
    current: IndexedRegion | None = region
    # A parent loop in the stored rows must not hang routing; the chain just stops there.
    while current is not None and current.id not in chains and current.id not in on_path:
        path.append(current)
        on_path.add(current.id)
        current = None if current.parent_id is None else by_id.get(current.parent_id)
    above = chains.get(current.id, ()) if current is not None else ()
    for member in reversed(path):
        above = (*above, member)
        chains[member.id] = above
