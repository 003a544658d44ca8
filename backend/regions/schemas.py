"""Request and response bodies of the regions domain."""

from __future__ import annotations

from typing import Any

from backend.structs import Model


class RegionOut(Model):
    code: str
    name: str
    level: str


class LocateOut(Model):
    """Where a point belongs: the owning region and its ancestors from the district down."""

    region: RegionOut
    chain: list[RegionOut]
    match: str
    distance_m: float


class RegionNodeOut(Model):
    code: str
    name: str
    level: str
    parent_code: str | None
    child_count: int


class RegionFeatureOut(Model):
    """A region as a GeoJSON Feature, with its ancestors for breadcrumbs."""

    type: str
    geometry: dict[str, Any]
    properties: dict[str, Any]


class OutlinesOut(Model):
    """Grid outlines in a map box, as a GeoJSON FeatureCollection; `truncated` when capped."""

    type: str
    features: list[RegionFeatureOut]
    truncated: bool


class ImportOut(Model):
    created: int
    updated: int
    revision: int
