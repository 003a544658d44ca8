"""Importing regions from a GeoJSON FeatureCollection: all of it, or nothing.

Every problem in the file is collected and refused at once, keyed by where it sits
(`features[3].geometry`), so an admin fixes the file in one round instead of many.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import shapely
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from backend.errors import Invalid
from backend.regions.geojson_checks import (
    MAX_POSITIONS,
    FileTooLarge,
    PositionBudget,
    Problems,
    read_geometry,
    read_properties,
)
from backend.regions.geojson_overlaps import OVERLAP_TOLERANCE_SHARE, Sibling, sibling_overlaps
from backend.regions.levels import LEVELS, Level, depth
from backend.regions.routing import METRES_PER_DEGREE

MAX_FEATURES: Final = 50_000
# Outlines drawn by different offices rarely agree to the metre, so a child may cross its
# parent's outline by this much …
CONTAINMENT_SLACK_METRES: Final = 2.0
# … and beyond that, this share of its area may still lie outside (digitising slivers).
CONTAINMENT_SLACK_SHARE: Final = 0.005
# Enough to fix a file by; a file broken everywhere need not echo 50 000 reasons.
MAX_REPORTED_PROBLEMS: Final = 200

_BROKEN: Final = MultiPolygon()


@dataclass(frozen=True, slots=True)
class ExistingRegion:
    """A region already stored, which the file may name as a parent or redraw."""

    code: str
    level: Level
    parent_code: str | None
    geometry: BaseGeometry


@dataclass(frozen=True, slots=True)
class RegionDraft:
    """One checked feature of the file, ready to be stored."""

    code: str
    name: str
    level: Level
    parent_code: str | None
    geometry: MultiPolygon
    feature_index: int


def parse_region_collection(
    doc: object,
    existing: Mapping[str, ExistingRegion],
    *,
    overlap_tolerance: float = OVERLAP_TOLERANCE_SHARE,
) -> list[RegionDraft]:
    """Check a decoded FeatureCollection for import; parents come before their children.

    Siblings may overlap by `overlap_tolerance` of the smaller one's area, no more."""
    features = _features(doc)
    problems: Problems = {}
    try:
        drafts, unreadable = _read_features(features, problems)
    except FileTooLarge:
        reason = f"holds more than {MAX_POSITIONS} positions; split the file"
        raise _refused({"features": reason}) from None
    _check_hierarchy(drafts, existing, unreadable, problems, overlap_tolerance)
    if problems:
        raise _refused(problems)
    # A parent is always a shallower level, so sorting by depth puts parents first.
    return sorted(drafts, key=lambda draft: (depth(draft.level), draft.feature_index))


def _features(doc: object) -> list[object]:
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise _refused({"type": "the file must be a GeoJSON FeatureCollection"})
    features = doc.get("features")
    if not isinstance(features, list):
        raise _refused({"features": "must be a list of features"})
    if not features:
        raise _refused({"features": "is empty; the file must hold at least one region"})
    if len(features) > MAX_FEATURES:
        reason = f"holds {len(features)} features; at most {MAX_FEATURES} per file"
        raise _refused({"features": reason})
    return features


def _read_features(
    features: list[object], problems: Problems
) -> tuple[list[RegionDraft], set[str]]:
    """The features that read as regions, and the codes of those whose properties did not."""
    budget = PositionBudget()
    drafts, unreadable = [], set()
    first_use: dict[str, int] = {}
    for index, feature in enumerate(features):
        where = f"features[{index}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.setdefault(where, "must be a GeoJSON Feature object")
            continue
        properties = read_properties(feature.get("properties"), where, problems)
        geometry = read_geometry(feature.get("geometry"), budget)
        if isinstance(geometry, str):
            problems.setdefault(f"{where}.geometry", geometry)
            geometry = _BROKEN
        # A code used twice is reported whatever else is wrong with either feature.
        _note_reuse(
            properties.code if properties else _code_of(feature), index, first_use, problems
        )
        if properties is not None:
            code, name, level, parent_code = properties
            drafts.append(RegionDraft(code, name, level, parent_code, geometry, index))
        else:
            unreadable.add(_code_of(feature))
    return drafts, unreadable


def _note_reuse(code: str, index: int, first_use: dict[str, int], problems: Problems) -> None:
    if not code:
        return
    earlier = first_use.setdefault(code, index)
    if earlier != index:
        reason = f"{code} is also used by features[{earlier}]"
        problems.setdefault(f"features[{index}].properties.code", reason)


def _code_of(feature: dict[object, object]) -> str:
    properties = feature.get("properties")
    code = properties.get("code") if isinstance(properties, dict) else None
    return code if isinstance(code, str) else ""


def _refused(problems: Problems) -> Invalid:
    count = len(problems)
    shown = dict(list(problems.items())[:MAX_REPORTED_PROBLEMS])
    return Invalid(
        "regions.invalid_geojson",
        f"区域文件有 {count} 处问题，未导入任何区域；请修改后重新导入。",
        f"The regions file has {count} problem(s); nothing was imported. Fix it and retry.",
        fields=shown,
    )


def _check_hierarchy(
    drafts: Sequence[RegionDraft],
    existing: Mapping[str, ExistingRegion],
    unreadable: set[str],
    problems: Problems,
    overlap_tolerance: float,
) -> None:
    in_file = _first_by_code(drafts)
    tree = dict(existing)
    tree.update((code, _as_stored(draft)) for code, draft in in_file.items())
    containment = _Containment(tree)
    for draft in drafts:
        # A parent whose own properties are broken is reported there, not at each child.
        if draft.parent_code not in unreadable:
            _check_parent(draft, tree, containment, problems)
    for child in existing.values():
        parent = in_file.get(child.parent_code or "")
        if parent is not None and child.code not in in_file:
            _check_existing_child(child, parent, containment, problems)
    _check_overlaps(tree, in_file, problems, overlap_tolerance)


def _first_by_code(drafts: Sequence[RegionDraft]) -> dict[str, RegionDraft]:
    """Each code's first feature (a later one with the same code is reported on reading)."""
    first: dict[str, RegionDraft] = {}
    for draft in drafts:
        first.setdefault(draft.code, draft)
    return first


def _check_overlaps(
    tree: Mapping[str, ExistingRegion],
    in_file: Mapping[str, RegionDraft],
    problems: Problems,
    tolerance: float,
) -> None:
    siblings = [
        Sibling(
            code,
            region.level,
            region.parent_code,
            region.geometry,
            in_file[code].feature_index if code in in_file else None,
        )
        for code, region in tree.items()
    ]
    for overlap in sibling_overlaps(siblings, tolerance=tolerance):
        # Every overlap is listed, also beside another problem with the same outline.
        key = f"features[{overlap.region.feature_index}].geometry"
        problems[key] = (
            f"{problems[key]}; {overlap.reason()}" if key in problems else overlap.reason()
        )


def _as_stored(draft: RegionDraft) -> ExistingRegion:
    return ExistingRegion(draft.code, draft.level, draft.parent_code, draft.geometry)


def _check_parent(
    draft: RegionDraft,
    tree: Mapping[str, ExistingRegion],
    containment: _Containment,
    problems: Problems,
) -> None:
    where = f"features[{draft.feature_index}]"
    reason = _parent_problem(draft, tree)
    if reason is not None:
        problems.setdefault(f"{where}.properties.parentCode", reason)
    elif draft.parent_code is not None:
        share = containment.outside_share(draft.geometry, draft.parent_code)
        if share > CONTAINMENT_SLACK_SHARE:
            reason = f"{share:.1%} of this {draft.level} lies outside parent {draft.parent_code}"
            problems.setdefault(f"{where}.geometry", reason)


def _parent_problem(draft: RegionDraft, tree: Mapping[str, ExistingRegion]) -> str | None:
    if draft.parent_code is None:
        return None if draft.level == "district" else f"is required for a {draft.level}"
    parent = tree.get(draft.parent_code)
    if parent is None:
        return f"{draft.parent_code} is neither in this file nor already stored"
    cycle = _cycle_through(draft.code, tree)
    if cycle is not None:
        return "parents form a cycle: " + " → ".join(cycle)
    if depth(parent.level) >= depth(draft.level):
        return f"{parent.code} is a {parent.level}, which cannot hold a {draft.level}"
    return None


def _cycle_through(code: str, tree: Mapping[str, ExistingRegion]) -> list[str] | None:
    chain = [code]
    parent = tree[code].parent_code
    # A sound chain is at most one region per level long; a longer one breaks a level rule
    # somewhere, which is reported there, so a hostile file cannot make this walk long.
    while parent is not None and parent in tree and len(chain) <= len(LEVELS):
        if parent == code:
            return [*chain, code]
        chain.append(parent)
        parent = tree[parent].parent_code
    return None


def _check_existing_child(
    child: ExistingRegion, parent: RegionDraft, containment: _Containment, problems: Problems
) -> None:
    where = f"features[{parent.feature_index}]"
    if depth(child.level) <= depth(parent.level):
        reason = f"stored {child.level} {child.code} lies under it and must stay deeper"
        problems.setdefault(f"{where}.properties.level", reason)
        return
    share = containment.outside_share(child.geometry, parent.code)
    if share > CONTAINMENT_SLACK_SHARE:
        reason = f"{share:.1%} of stored {child.level} {child.code} would lie outside it"
        problems.setdefault(f"{where}.geometry", reason)


class _Containment:
    """How much of a child lies outside its parent, growing each parent by the slack once."""

    def __init__(self, tree: Mapping[str, ExistingRegion]) -> None:
        self._tree = tree
        self._grown: dict[str, BaseGeometry] = {}

    def outside_share(self, child: BaseGeometry, parent_code: str) -> float:
        """The share of the child's area beyond its parent's slack-grown outline."""
        parent = self._grown_parent(parent_code)
        if child.is_empty or parent.is_empty or child.area <= 0.0:
            return 0.0  # a broken outline is reported where it is read
        if shapely.covers(parent, child):
            return 0.0
        return float(shapely.difference(child, parent).area / child.area)

    def _grown_parent(self, code: str) -> BaseGeometry:
        grown = self._grown.get(code)
        if grown is None:
            grown = _grow(self._tree[code].geometry)
            self._grown[code] = grown
        return grown


def _grow(geometry: BaseGeometry) -> BaseGeometry:
    if geometry.is_empty:
        return geometry
    # Degrees of longitude shrink with latitude; size the slack for the parent's own latitude.
    shrink = max(math.cos(math.radians(geometry.centroid.y)), 0.1)
    slack = CONTAINMENT_SLACK_METRES / (METRES_PER_DEGREE * shrink)
    grown = shapely.buffer(geometry, slack, quad_segs=2)
    shapely.prepare(grown)
    return grown
