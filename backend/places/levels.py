"""The hotspot level of grids and places, kept once a day so that each has a history.

A grid's level is the hotspot level (hotspots.service). A drawn place is coloured like a
grid: its own count of valid reports in the hotspot window against the city's cut points. A
region place shows its region's level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg

from backend.db.types import Connection
from backend.errors import NotFound
from backend.hotspots import service as hotspots
from backend.hotspots.rules import Alert, Tally, grid_alert
from backend.places import backfill, level_queries, queries, rules, window_queries
from backend.settings import Settings

_CATCH_UP = timedelta(days=2)
_UNKNOWN_PLACE = NotFound("places.not_found", "找不到该地点", "No such place")


@dataclass(frozen=True, slots=True)
class _Placed:
    id: int
    drawn: bool
    covers_path: str | None


@dataclass(frozen=True, slots=True)
class LevelChange:
    """A grid whose level turned red or rose two steps since the previous snapshot."""

    region_id: int
    region_path: str
    region_name: str
    before: str  # red | yellow | blue | none
    after: str
    reports: int


async def snapshot_levels(
    conn: Connection, *, day: date, settings: Settings, now: datetime
) -> list[LevelChange]:
    """Keep the day's level of every grid and every active place; the grids that turned red
    or rose two steps. Once a day: a second run that day keeps nothing and reports nothing,
    and costs one lookup, since the job that calls it runs every minute."""
    if await level_queries.day_kept(conn, day=day):
        return []
    # Cases filed while a new place was still unknown to some API process join it now.
    await backfill.catch_up(conn, since=now - _CATCH_UP)
    survey = await hotspots.city_levels(conn, settings=settings, now=now)
    grids = [a for a in survey.places.values() if a.place.level == "grid"]
    async with conn.transaction():
        stored = await level_queries.store_grid_levels(
            conn,
            day=day,
            paths=[a.place.path for a in grids],
            alerts=[a.alert for a in grids],
            reports=[a.tally.current for a in grids],
        )
        await _keep_place_levels(conn, day=day, survey=survey, settings=settings, now=now)
        return await _changes(conn, stored, day=day)


async def _keep_place_levels(
    conn: Connection, *, day: date, survey: hotspots.Survey, settings: Settings, now: datetime
) -> None:
    places = [
        _Placed(row["id"], row["drawn"], row["covers_path"])
        for row in await queries.active_places(conn)
    ]
    levels = await _place_levels(conn, places, survey=survey, settings=settings, now=now)
    await level_queries.store_place_levels(
        conn,
        day=day,
        place_ids=list(levels),
        alerts=[alert for alert, _ in levels.values()],
        reports=[reports for _, reports in levels.values()],
    )


async def _place_levels(
    conn: Connection,
    places: list[_Placed],
    *,
    survey: hotspots.Survey,
    settings: Settings,
    now: datetime,
) -> dict[int, tuple[Alert, int]]:
    """Each place's level and its reports in the window, by place id."""
    window = timedelta(days=settings.hotspot_window_days)
    drawn = [p.id for p in places if p.drawn]
    counts = {
        row["place_id"]: Tally(row["current"], row["previous"])
        for row in await window_queries.tallies(
            conn, place_ids=drawn, since=now - 2 * window, split=now - window, until=now
        )
    }
    thresholds = hotspots.thresholds_of(settings)
    levels: dict[int, tuple[Alert, int]] = {}
    for place in places:
        if place.drawn:
            tally = counts.get(place.id, Tally())
            levels[place.id] = (grid_alert(tally, survey.cuts, thresholds), tally.current)
        else:
            region = survey.places.get(place.covers_path or "")
            levels[place.id] = (
                ("none", 0) if region is None else (region.alert, region.tally.current)
            )
    return levels


async def _changes(
    conn: Connection, stored: list[asyncpg.Record], *, day: date
) -> list[LevelChange]:
    # Only a grid now yellow or red can have turned red or risen two steps.
    raised = {row["region_id"]: row for row in stored if row["alert"] in ("yellow", "red")}
    if not raised:
        return []
    changes = []
    for before in await level_queries.levels_before(conn, region_ids=list(raised), day=day):
        now_row = raised[before["region_id"]]
        was: Alert = before["alert"] or "none"
        if rules.worth_telling(was, now_row["alert"]):
            changes.append(
                LevelChange(
                    region_id=before["region_id"],
                    region_path=before["path"],
                    region_name=before["name"],
                    before=was,
                    after=now_row["alert"],
                    reports=now_row["reports"],
                )
            )
    return sorted(changes, key=lambda change: change.region_path)


async def level_history(conn: Connection, *, place_id: int, since: date) -> list[asyncpg.Record]:
    """A place's kept daily levels from a day on: day, alert, reports."""
    return await level_queries.place_history(conn, place_id=place_id, since=since)


async def current_level(
    conn: Connection, *, place_id: int, settings: Settings, now: datetime
) -> tuple[str, int]:
    """A place's level now and its valid reports in the hotspot window."""
    place = await queries.get_place(conn, place_id=place_id)
    if place is None:
        raise _UNKNOWN_PLACE
    placed = _Placed(place["id"], place["geometry"] is not None, place["covers_path"])
    # The cut points are the whole city's whatever the range; the range only saves work.
    within = place["region_path"] if placed.drawn else placed.covers_path
    survey = await hotspots.city_levels(conn, settings=settings, now=now, within=within)
    levels = await _place_levels(conn, [placed], survey=survey, settings=settings, now=now)
    return levels[place_id]
