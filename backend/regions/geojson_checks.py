"""Checks on one feature of a regions GeoJSON file: its properties and its geometry.

Each check says what is wrong in words an admin can act on; `geojson.py` decides where
the reason is reported and whether the file as a whole is refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from enum import Enum
from typing import Final, NamedTuple, TypeVar

import shapely
from shapely.geometry import MultiPolygon, Polygon

from backend.regions.levels import LEVELS, Level, is_level
from backend.structs import without_bidi

# A city's grid layer is a few hundred thousand positions; ten times that is not a grid file.
MAX_POSITIONS: Final = 2_000_000
MAX_CODE_LENGTH: Final = 32
MAX_NAME_LENGTH: Final = 100

_CODE = re.compile(r"[0-9A-Za-z-]+")
_GEOS_REASON = re.compile(r"(?P<what>[^\[]+)\[(?P<x>[^\s\]]+) (?P<y>[^\s\]]+)")

Problems = dict[str, str]
Position = tuple[float, float]
T = TypeVar("T")


class FileTooLarge(Exception):
    """The file holds more positions than one import may."""


class _Bad(Exception):
    """One value breaks a rule; the message is the reason shown to the admin."""


class _Missing(Enum):
    MISSING = "missing"


class PositionBudget:
    """Counts positions across a whole file so a huge one stops before it is all walked."""

    def __init__(self, limit: int = MAX_POSITIONS) -> None:
        self.left = limit

    def spend(self, count: int) -> None:
        """Take `count` positions from the budget, raising FileTooLarge when it runs out."""
        self.left -= count
        if self.left < 0:
            raise FileTooLarge


class RegionProperties(NamedTuple):
    code: str
    name: str
    level: Level
    parent_code: str | None


def read_properties(raw: object, where: str, problems: Problems) -> RegionProperties | None:
    """The feature's region properties, or None once every problem with them is noted."""
    if not isinstance(raw, dict):
        problems.setdefault(f"{where}.properties", "must be an object with code, name and level")
        return None
    key = f"{where}.properties."
    code = _checked(_code, raw.get("code"), key + "code", problems)
    name = _checked(_name, raw.get("name"), key + "name", problems)
    level = _checked(_level, raw.get("level"), key + "level", problems)
    parent = _checked(_parent_code, raw.get("parentCode"), key + "parentCode", problems)
    missing = _Missing.MISSING
    if code is missing or name is missing or level is missing or parent is missing:
        return None
    return RegionProperties(code, name, level, parent)


def _checked(
    read: Callable[[object], T], raw: object, key: str, problems: Problems
) -> T | _Missing:
    try:
        return read(raw)
    except _Bad as bad:
        problems.setdefault(key, str(bad))
        return _Missing.MISSING


def _code(raw: object) -> str:
    if not isinstance(raw, str) or not raw:
        raise _Bad("must be a non-empty string")
    if len(raw) > MAX_CODE_LENGTH or not _CODE.fullmatch(raw):
        raise _Bad(f"must be at most {MAX_CODE_LENGTH} letters, digits or '-'")
    return raw


def _name(raw: object) -> str:
    # Stored like every other text: without bidirectional controls (see backend.structs).
    name = without_bidi(raw).strip() if isinstance(raw, str) else ""
    if not name:
        raise _Bad("must be a non-empty string")
    if len(name) > MAX_NAME_LENGTH:
        raise _Bad(f"must be at most {MAX_NAME_LENGTH} characters")
    return name


def _level(raw: object) -> Level:
    if not is_level(raw):
        raise _Bad("must be one of " + ", ".join(LEVELS))
    return raw


def _parent_code(raw: object) -> str | None:
    return None if raw is None else _code(raw)


def read_geometry(raw: object, budget: PositionBudget) -> MultiPolygon | str:
    """The feature's geometry as a valid MultiPolygon, or the reason it cannot be one."""
    if not isinstance(raw, dict):
        return "must be a GeoJSON Polygon or MultiPolygon object"
    kind, coordinates = raw.get("type"), raw.get("coordinates")
    try:
        if kind == "Polygon":
            polygons = [_polygon(coordinates, "", budget)]
        elif kind == "MultiPolygon":
            polygons = _multipolygon(coordinates, budget)
        else:
            return f"must be a Polygon or MultiPolygon, not {_describe(kind)}"
    except _Bad as bad:
        return str(bad)
    return _valid(MultiPolygon(polygons))


def _describe(kind: object) -> str:
    return repr(kind[:40]) if isinstance(kind, str) else "a missing or non-string type"


def _multipolygon(raw: object, budget: PositionBudget) -> list[Polygon]:
    if not isinstance(raw, list) or not raw:
        raise _Bad("coordinates must be a non-empty list of polygons")
    return [_polygon(part, f"polygon {k} ", budget) for k, part in enumerate(raw)]


def _polygon(raw: object, label: str, budget: PositionBudget) -> Polygon:
    if not isinstance(raw, list) or not raw:
        raise _Bad(f"{label or 'coordinates '}must be a non-empty list of rings")
    rings = [_ring(ring, f"{label}ring {k}", budget) for k, ring in enumerate(raw)]
    return Polygon(rings[0], rings[1:])


def _ring(raw: object, label: str, budget: PositionBudget) -> list[Position]:
    if not isinstance(raw, list):
        raise _Bad(f"{label} must be a list of positions")
    budget.spend(len(raw))
    if len(raw) < 4:
        raise _Bad(f"{label} has {len(raw)} positions; a closed ring needs at least 4")
    positions = [_position(position, f"{label} position {k}") for k, position in enumerate(raw)]
    if positions[0] != positions[-1]:
        raise _Bad(f"{label} is not closed: its first and last positions differ")
    return positions


def _position(raw: object, label: str) -> Position:
    if not isinstance(raw, list) or len(raw) not in (2, 3):
        raise _Bad(f"{label} must be [longitude, latitude]")
    lng, lat = _number(raw[0], label), _number(raw[1], label)
    if not -180.0 <= lng <= 180.0:
        raise _Bad(f"{label} has longitude {lng:g}, outside -180..180 (WGS-84)")
    if not -90.0 <= lat <= 90.0:
        raise _Bad(f"{label} has latitude {lat:g}, outside -90..90 (WGS-84)")
    return (lng, lat)


def _number(raw: object, label: str) -> float:
    # bool is an int to Python, but `true` is never a coordinate.
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _Bad(f"{label} must hold numbers")
    try:
        value = float(raw)
    except OverflowError:
        raise _Bad(f"{label} holds a number far outside WGS-84") from None
    if not math.isfinite(value):
        raise _Bad(f"{label} holds a NaN or infinite number")
    return value


def _valid(geometry: MultiPolygon) -> MultiPolygon | str:
    reason = shapely.is_valid_reason(geometry)
    if reason != "Valid Geometry":
        return "invalid polygon: " + _explain(reason)
    if geometry.area <= 0.0:
        return "invalid polygon: it encloses no area"
    # RFC 7946 asks for counter-clockwise shells; files from desktop GIS often differ.
    oriented: MultiPolygon = shapely.orient_polygons(geometry)
    return oriented


def _explain(reason: str) -> str:
    match = _GEOS_REASON.match(reason)
    if match is None:
        return reason.lower()
    lng, lat = round(float(match["x"]), 7), round(float(match["y"]), 7)
    return f"{match['what'].strip().lower()} at lng {lng} lat {lat}"
