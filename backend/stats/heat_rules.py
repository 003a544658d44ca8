"""Pure decisions of the heat map: which h3 resolution, which box, which time window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from backend.errors import Invalid

RESOLUTIONS: Final = (7, 8, 9, 10, 11)  # the h3 columns stored with every case
MAX_CELLS: Final = 3000
HEAT_WINDOW: Final = timedelta(days=30)
MAX_HEAT_WINDOW: Final = timedelta(days=3 * 366)
HeatStatus = Literal["open", "closed", "all"]


_BAD_ZOOM = Invalid(
    "stats.bad_zoom", "地图缩放级别应为 0 到 20 的整数", "zoom must be a whole number from 0 to 20",
    fields={"zoom": "0..20"},
)  # fmt: skip


def resolution_for_zoom(zoom: int) -> int:
    """A hexagon some 20-60 pixels across on a web map at this zoom (h3 7 at city scale)."""
    if not 0 <= zoom <= 20:
        raise _BAD_ZOOM
    return min(max(zoom - 5, RESOLUTIONS[0]), RESOLUTIONS[-1])


@dataclass(frozen=True, slots=True)
class BBox:
    min_lng: float
    min_lat: float
    max_lng: float
    max_lat: float


def _bad_bbox(detail: str) -> Invalid:
    return Invalid(
        "stats.bad_bbox",
        "地图范围无效，应为 minLon,minLat,maxLon,maxLat",
        f"Bad bbox: {detail} (minLon,minLat,maxLon,maxLat in WGS-84)",
        fields={"bbox": detail},
    )


def parse_bbox(text: str) -> BBox:
    """minLon,minLat,maxLon,maxLat in WGS-84 degrees, west-south before east-north."""
    parts = text.split(",")
    if len(parts) != 4:
        raise _bad_bbox("four numbers expected")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise _bad_bbox("not numbers") from None
    if not all(-180 <= x <= 180 for x in (west, east)) or not all(
        -90 <= y <= 90 for y in (south, north)
    ):
        raise _bad_bbox("outside WGS-84 ranges")
    if west >= east or south >= north:
        raise _bad_bbox("min must be below max")
    return BBox(west, south, east, north)


def parse_instant(text: str, *, name: str) -> datetime:
    """An ISO-8601 time with its zone (a bare local time would be ambiguous)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise Invalid(
            "stats.bad_time",
            "时间无效，请用带时区的 ISO-8601 格式",
            "Bad time: use ISO-8601 with a zone, e.g. 2026-11-23T08:00:00+08:00",
            fields={name: "ISO-8601 with zone"},
        )
    return value


def heat_window(first: str | None, last: str | None, *, now: datetime) -> tuple[datetime, datetime]:
    """[from, to) of the heat map: by default the last 30 days up to now."""
    end = parse_instant(last, name="to") if last else now
    start = parse_instant(first, name="from") if first else end - HEAT_WINDOW
    if start >= end or end - start > MAX_HEAT_WINDOW:
        raise Invalid(
            "stats.bad_window",
            "时间范围无效：起点须早于终点，且不超过三年",
            "Bad time window: from must be before to, and at most three years apart",
            fields={"from": "before to", "to": "after from"},
        )
    return start, end


def parse_zoom(text: str) -> int:
    """The h3 resolution for a web map's zoom level as sent in the query string."""
    try:
        zoom = int(text)
    except ValueError:
        raise _BAD_ZOOM from None
    return resolution_for_zoom(zoom)


def parse_status(text: str) -> HeatStatus:
    """open (still in the loop), closed (closed or rated) or all."""
    if text not in {"open", "closed", "all"}:
        raise Invalid(
            "stats.bad_status",
            "状态应为 open、closed 或 all",
            "status must be open, closed or all",
            fields={"status": "open|closed|all"},
        )
    return text  # type: ignore[return-value]


# Rejected reports (不予受理) are not troubles on the ground: no map shows them.
HEAT_STATUSES: Final[dict[str, tuple[str, ...]]] = {
    "open": ("submitted", "dispatched", "accepted", "resolved"),
    "closed": ("closed", "rated"),
    "all": ("submitted", "dispatched", "accepted", "resolved", "closed", "rated", "merged"),
}
