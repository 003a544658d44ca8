"""Pure decisions of report intake: idempotency, tracking numbers, deadlines, cells, distance."""

from __future__ import annotations

import base64
import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

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


def rate_limit_retry_after(
    oldest_in_window: datetime | None, *, count: int, limit: int, now: datetime, window: timedelta
) -> int | None:
    """Seconds until the device may report again, or None when it is under its limit."""
    if count < limit or oldest_in_window is None:
        return None
    return max(1, math.ceil((oldest_in_window + window - now).total_seconds()))


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
