"""Pure decisions of report intake: idempotency, tracking numbers, deadlines, cells, distance."""

from __future__ import annotations

import base64
import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Literal

import h3
import msgspec

H3_RESOLUTIONS: Final = (7, 8, 9, 10, 11)
# Nearby duplicates are looked up in resolution-9 cells (edges of about 174 m).
NEARBY_RESOLUTION: Final = 9
_R9_MIN_EDGE_METRES: Final = 150.0
EARTH_RADIUS_METRES: Final = 6_371_008.8

# What a reporter sees instead of a staff member's name.
ROLE_NAMES: Final = {
    "resident": ("群众", "Resident"),
    "worker": ("网格员", "Grid worker"),
    "department": ("职能部门", "Department"),
    "dispatcher": ("综治中心", "Dispatch centre"),
    "supervisor": ("督办", "Supervisor"),
    "admin": ("管理员", "Administrator"),
    "system": ("系统", "System"),
}


def body_hash(body: msgspec.Struct) -> bytes:
    """A fingerprint of a submission: the same clientId must always carry the same content."""
    return hashlib.sha256(msgspec.json.encode(body)).digest()


def tracking_number(day: date, number: int) -> str:
    """YYYYMMDD-NNNNNN, counted per local day."""
    return f"{day:%Y%m%d}-{number:06d}"


@dataclass(frozen=True, slots=True)
class Deadlines:
    accept_by: datetime
    resolve_by: datetime


def intake_deadlines(
    created_at: datetime, *, accept_minutes: int, resolve_minutes: int
) -> Deadlines:
    """Accept within the preset; resolve within the preset after that."""
    accept_by = created_at + timedelta(minutes=accept_minutes)
    return Deadlines(accept_by=accept_by, resolve_by=accept_by + timedelta(minutes=resolve_minutes))


# How a resident stands to a report in 我的上报: their own, one their report was merged into
# (已合并), or one they follow (关注).
Relation = Literal["own", "merged", "following"]
# A merged reporter rates the master too (it is their problem that was fixed), even after its
# own reporter has; a mere follower only reads.
_RATABLE_IN: Final[dict[str, frozenset[str]]] = {
    "own": frozenset({"closed"}),
    "merged": frozenset({"closed", "rated"}),
}


def may_rate(
    relation: str, *, status: str, closed_at: datetime | None, rated_at: datetime | None
) -> bool:
    """评价: once per closing (a rework that closes again may be rated again), never by a
    follower."""
    if status not in _RATABLE_IN.get(relation, frozenset()):
        return False
    return rated_at is None or (closed_at is not None and rated_at < closed_at)


def offered_nearby(*, public: bool, confidential: bool, duplicate_radius_m: int) -> bool:
    """Whether a category's open reports are shown to residents close by (已有人反映), and so
    may be followed: never a confidential or non-public one (disputes, leads), whose text names
    people, nor one that asks for no duplicate check."""
    return public and not confidential and duplicate_radius_m > 0


def h3_cells(lat: float, lng: float) -> dict[int, int]:
    """The H3 cell (as a signed-64-bit-safe integer) of a position at each stored resolution."""
    return {res: h3.str_to_int(h3.latlng_to_cell(lat, lng, res)) for res in H3_RESOLUTIONS}


def nearby_cells(lat: float, lng: float, radius_m: float) -> list[int]:
    """Resolution-9 cells that together cover every point within `radius_m`."""
    rings = math.ceil(radius_m / _R9_MIN_EDGE_METRES) + 1
    centre = h3.latlng_to_cell(lat, lng, NEARBY_RESOLUTION)
    return [h3.str_to_int(cell) for cell in h3.grid_disk(centre, rings)]


def metres_between(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the next page of a newest-first list starts."""

    created_at: datetime
    id: int


def encode_cursor(cursor: Cursor) -> str:
    raw = msgspec.json.encode([cursor.created_at.isoformat(), cursor.id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor | None:
    """The cursor a client sent back, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        stamp, ident = msgspec.json.decode(raw, type=tuple[str, int])
        return Cursor(datetime.fromisoformat(stamp), ident)
    except (ValueError, msgspec.DecodeError, msgspec.ValidationError):
        return None
