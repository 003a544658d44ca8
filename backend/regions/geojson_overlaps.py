"""Sibling regions must not overlap: a point in two grids would have two owners, and which
of them gets a report would depend on the routing index's tie-break, not on the map.

Outlines drawn by different offices rarely agree to the metre along a shared border, so an
overlap up to a small share of the smaller region is tolerated (a setting).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from backend.regions.routing import METRES_PER_DEGREE

# Share of the smaller of two siblings they may overlap by (digitising slivers).
OVERLAP_TOLERANCE_SHARE: Final = 0.01


@dataclass(frozen=True, slots=True)
class Sibling:
    """A region as the overlap check sees it: stored ones have no feature index."""

    code: str
    level: str
    parent_code: str | None
    geometry: BaseGeometry
    feature_index: int | None


@dataclass(frozen=True, slots=True)
class Overlap:
    """Two siblings sharing more ground than tolerated; `region` is from the file."""

    region: Sibling
    other: Sibling
    square_metres: float
    share: float

    def reason(self) -> str:
        other = self.other
        where = "" if other.feature_index is None else f" (features[{other.feature_index}])"
        return (
            f"{self.region.level} {self.region.code} overlaps {other.level} {other.code}{where} "
            f"by {self.square_metres:,.0f} m², {self.share:.1%} of the smaller; "
            "regions under one parent must not overlap"
        )


def sibling_overlaps(regions: Sequence[Sibling], *, tolerance: float) -> Iterator[Overlap]:
    """Every pair of siblings, at least one from the file, overlapping beyond `tolerance`."""
    by_parent: dict[str | None, list[Sibling]] = defaultdict(list)
    for region in regions:
        if not region.geometry.is_empty:  # a broken outline is reported where it is read
            by_parent[region.parent_code].append(region)
    for group in by_parent.values():
        if len(group) > 1 and any(region.feature_index is not None for region in group):
            yield from _overlaps_within(group, tolerance)


def _overlaps_within(group: list[Sibling], tolerance: float) -> Iterator[Overlap]:
    geometries = np.array([region.geometry for region in group], dtype=object)
    first, second = shapely.STRtree(geometries).query(geometries, predicate="intersects")
    pairs = [
        (i, j)
        for i, j in zip(first.tolist(), second.tolist(), strict=True)
        if i < j and (group[i].feature_index is not None or group[j].feature_index is not None)
    ]
    if not pairs:
        return
    left = geometries[[i for i, _ in pairs]]
    right = geometries[[j for _, j in pairs]]
    shared = shapely.area(shapely.intersection(left, right))
    smaller = np.minimum(shapely.area(left), shapely.area(right))
    for (i, j), area, least in zip(pairs, shared.tolist(), smaller.tolist(), strict=True):
        share = area / least if least > 0 else 0.0
        if share > tolerance:
            region, other = _reported_and_named(group[i], group[j])
            yield Overlap(region, other, _square_metres(area, region.geometry), share)


def _reported_and_named(a: Sibling, b: Sibling) -> tuple[Sibling, Sibling]:
    """The later feature of the file carries the problem; the other is named in it."""
    if a.feature_index is None:
        return b, a
    if b.feature_index is None or a.feature_index > b.feature_index:
        return a, b
    return b, a


def _square_metres(square_degrees: float, near: BaseGeometry) -> float:
    shrink = max(math.cos(math.radians(near.centroid.y)), 0.1)
    return square_degrees * METRES_PER_DEGREE * METRES_PER_DEGREE * shrink
