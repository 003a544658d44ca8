"""Response bodies of the hotspot list and its map layer."""

from __future__ import annotations

from typing import Any, Literal

from backend.structs import Model
from backend.supervision.schemas import FlagRefOut

PlaceLevel = Literal["district", "street", "community", "grid"]


class HotspotOut(Model):
    """One place: its colour (level), valid reports now and in the window before, the change."""

    code: str
    name: str
    path: str
    level: str
    count: int
    previous_count: int
    trend: float | None
    flag: FlagRefOut | None = None


class CutPointsOut(Model):
    """The fewest reports a grid needs for each colour in this window."""

    red: int
    yellow: int
    blue: int


class HotspotFeatureOut(Model):
    type: str
    geometry: dict[str, Any]
    properties: HotspotOut


class HotspotMapOut(Model):
    """The same places as a GeoJSON FeatureCollection, for colouring outlines on the map."""

    type: str
    features: list[HotspotFeatureOut]
    window_days: int
    thresholds: CutPointsOut | None
