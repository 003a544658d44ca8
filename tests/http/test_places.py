"""Places that cases fall into: a drawn outline or a region, its cases old and new, its levels."""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point, Polygon, shape

from backend.clock import ManualClock
from backend.db.pool import connect
from backend.db.types import Connection
from backend.errors import Invalid
from backend.media import links as signing
from backend.media import service as media
from backend.places import service as places
from backend.regions.routing import METRES_PER_DEGREE
from backend.settings import Settings
from backend.web.context import context_of
from tests.http.case_helpers import HOME, photo, report, resident, staff, user_id
from tests.http.conftest import Client, Login

LOCATE = "/api/v1/regions/locate"
# Around HOME, a few hundred metres across, edges at odd angles.
OUTLINE = Polygon(
    [
        (120.1530, 30.2725),
        (120.1572, 30.2722),
        (120.1581, 30.2748),
        (120.1556, 30.2763),
        (120.1527, 30.2752),
    ]
)
AS_GEOJSON = {"type": "Polygon", "coordinates": [[list(xy) for xy in OUTLINE.exterior.coords]]}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        login_max_failures_per_user=5,
        login_max_failures_per_address=30,
        reports_per_hour=200,
        reports_per_hour_per_address=500,
    )


@pytest.fixture
async def db(demo_database: str) -> AsyncIterator[Connection]:
    conn = await connect(demo_database)
    try:
        yield conn
    finally:
        await conn.close()


def nudged(edge: Point, towards: Point, metres: float) -> tuple[float, float]:
    """A point `metres` from a spot on the outline, towards (positive) or away from a centre."""
    dx = (towards.x - edge.x) * METRES_PER_DEGREE * math.cos(math.radians(edge.y))
    dy = (towards.y - edge.y) * METRES_PER_DEGREE
    length = math.hypot(dx, dy)
    east, north = dx / length * metres, dy / length * metres
    return (
        edge.y + north / METRES_PER_DEGREE,
        edge.x + east / (METRES_PER_DEGREE * math.cos(math.radians(edge.y))),
    )


def spots_about_the_border(count: int) -> list[tuple[float, float]]:
    """Positions half a metre inside and outside the outline, and some further off."""
    centre = OUTLINE.centroid
    spots = []
    for k in range(count):
        edge = OUTLINE.exterior.interpolate((k + 0.37) / count, normalized=True)
        metres = (0.5, -0.5, 40.0, -40.0)[k % 4]
        spots.append(nudged(edge, centre, metres))
    return spots


async def district(db: Connection) -> tuple[int, str]:
    row = await db.fetchrow("SELECT id, path FROM regions WHERE level = 'district'")
    assert row is not None
    return row["id"], row["path"]


async def routed_to(client: Client, place_created: int, db: Connection) -> None:
    """Wait until this API process routes with the places created so far."""
    revision = await db.fetchval("SELECT revision FROM region_revision")
    assert revision >= place_created
    routing = context_of(client.app.state).require_routing()
    # The app follows new places on its own event loop: wait there, not on the test's.
    assert client.blocking_portal.call(routing.wait_for_revision, revision, 20)


async def placed(db: Connection, place_id: int) -> set[int]:
    rows = await db.fetch("SELECT case_id FROM case_places WHERE place_id = $1", place_id)
    return {row["case_id"] for row in rows}


async def test_a_drawn_place_holds_exactly_the_cases_inside_it_old_and_new(
    client: Client, db: Connection, clock: ManualClock
) -> None:
    reporter = await resident(client)
    for lat, lng in spots_about_the_border(50):
        await report(client, reporter, lat=lat, lng=lng)
    region_id, region_path = await district(db)
    before = await db.fetchval("SELECT revision FROM region_revision")
    place_id = await places.create_place(
        db,
        kind="key_area",
        region_id=region_id,
        region_path=region_path,
        covers=None,
        geometry=AS_GEOJSON,
        now=clock.now(),
    )
    # The plain scan: every case of the city, tested against the outline one by one.
    every_case = await db.fetch("SELECT id, lat, lng FROM cases")
    inside = {c["id"] for c in every_case if OUTLINE.intersects(Point(c["lng"], c["lat"]))}
    assert 20 <= len(inside) <= 30
    assert await placed(db, place_id) == inside

    await routed_to(client, before + 1, db)
    new_inside = await report(client, reporter, lat=HOME["lat"], lng=HOME["lng"])
    outside_lat, outside_lng = nudged(
        OUTLINE.exterior.interpolate(0.1, normalized=True), OUTLINE.centroid, -0.5
    )
    new_outside = await report(client, reporter, lat=outside_lat, lng=outside_lng)
    assert await placed(db, place_id) == {*inside, new_inside["id"]}
    assert new_outside["id"] not in await placed(db, place_id)
    how = await db.fetchval(
        "SELECT how FROM case_places WHERE place_id = $1 AND case_id = $2",
        place_id,
        new_inside["id"],
    )
    assert how == "position"
    counted = await places.count_in_window(
        db, place_id=place_id, start=clock.now() - timedelta(days=1), end=clock.now() + timedelta(1)
    )
    assert counted == len(inside) + 1


async def test_a_drawn_place_refuses_an_outline_it_cannot_use(
    client: Client, db: Connection, clock: ManualClock
) -> None:
    region_id, region_path = await district(db)
    huge = {"type": "Polygon", "coordinates": [[[119, 29], [121, 29], [121, 31], [119, 29]]]}
    with pytest.raises(Invalid) as refused:
        await places.create_place(
            db,
            kind="key_area",
            region_id=region_id,
            region_path=region_path,
            covers=None,
            geometry=huge,
            now=clock.now(),
        )
    assert refused.value.message_zh and refused.value.message_en
    assert await db.fetchval("SELECT count(*) FROM places") == 0


async def test_a_region_place_counts_a_case_routed_to_the_nearest_grid(
    client: Client, db: Connection, clock: ManualClock, settings: Settings
) -> None:
    outline = shape(await db.fetchval("SELECT geometry FROM regions WHERE level = 'district'"))
    west = min(
        outline.exterior.coords
        if outline.geom_type == "Polygon"
        else (xy for part in outline.geoms for xy in part.exterior.coords)
    )
    lng, lat = west[0] - 30.0 / (METRES_PER_DEGREE * math.cos(math.radians(west[1]))), west[1]
    located = (await client.get(LOCATE, params={"lat": lat, "lng": lng})).json()
    assert located["match"] == "nearest"
    community = located["chain"][-2]
    assert community["level"] == "community"
    covers = await db.fetchrow("SELECT id, path FROM regions WHERE code = $1", community["code"])
    before = await db.fetchval("SELECT revision FROM region_revision")
    place_id = await places.create_place(
        db,
        kind="patrol_zone",
        region_id=covers["id"],
        region_path=covers["path"],
        covers=(covers["id"], covers["path"]),
        geometry=None,
        now=clock.now(),
    )
    await routed_to(client, before + 1, db)
    made = await report(client, await resident(client), lat=lat, lng=lng)
    match = await db.fetchval("SELECT route_match FROM cases WHERE id = $1", made["id"])
    assert match == "nearest"
    assert await placed(db, place_id) == {made["id"]}
    assert await places.current_level(
        db, place_id=place_id, settings=settings, now=clock.now()
    ) == (
        "none",
        1,
    )
    assert (
        await places.duplicate_of(
            db, kind="patrol_zone", covers_region_id=covers["id"], geometry=None
        )
        == place_id
    )
    await places.deactivate(db, place_id=place_id)
    await routed_to(client, before + 2, db)
    later = await report(client, await resident(client), lat=lat, lng=lng)
    assert later["id"] not in await placed(db, place_id)


async def test_levels_are_kept_once_a_day_and_a_grid_turning_red_is_told(
    client: Client, db: Connection, clock: ManualClock, settings: Settings
) -> None:
    region_id, region_path = await district(db)
    before = await db.fetchval("SELECT revision FROM region_revision")
    place_id = await places.create_place(
        db,
        kind="key_area",
        region_id=region_id,
        region_path=region_path,
        covers=None,
        geometry=AS_GEOJSON,
        now=clock.now(),
    )
    await routed_to(client, before + 1, db)
    first_day = clock.now().date()
    assert await places.snapshot_levels(db, day=first_day, settings=settings, now=clock.now()) == []
    grids = await db.fetchval("SELECT count(*) FROM regions WHERE level = 'grid'")
    assert await db.fetchval("SELECT count(*) FROM level_history") == grids + 1

    clock.advance(days=1)
    reporter = await resident(client)
    made = [await report(client, reporter) for _ in range(4)]
    # As if one was filed by a process that had not yet learnt of the place: the daily
    # snapshot places it all the same.
    await db.execute("DELETE FROM case_places WHERE case_id = $1", made[1]["id"])
    second_day = clock.now().date()
    changes = await places.snapshot_levels(db, day=second_day, settings=settings, now=clock.now())
    home_grid = await db.fetchrow(
        "SELECT r.id, r.path, r.name FROM cases c JOIN regions r ON r.id = c.region_id "
        "WHERE c.id = $1",
        made[0]["id"],
    )
    assert [(c.region_id, c.before, c.after, c.reports) for c in changes] == [
        (home_grid["id"], "none", "red", 4)
    ]
    assert changes[0].region_path == home_grid["path"]
    assert changes[0].region_name == home_grid["name"]
    assert {m["id"] for m in made} <= await placed(db, place_id)
    again = await places.snapshot_levels(db, day=second_day, settings=settings, now=clock.now())
    assert again == []
    assert await db.fetchval("SELECT count(*) FROM level_history") == 2 * (grids + 1)

    history = await places.level_history(db, place_id=place_id, since=first_day)
    assert [(h["day"], h["alert"], h["reports"]) for h in history] == [
        (first_day, "none", 0),
        (second_day, "red", 4),
    ]
    assert await places.current_level(
        db, place_id=place_id, settings=settings, now=clock.now()
    ) == ("red", 4)


async def test_evidence_photos_survive_the_sweep_and_show_to_staff_of_their_region(
    client: Client, db: Connection, clock: ManualClock, login: Login
) -> None:
    admin = await login("demo-admin")
    located = (await client.get(LOCATE, params=HOME)).json()
    street = located["chain"][1]
    assert street["level"] == "street"
    other_street = await db.fetchval(
        "SELECT code FROM regions WHERE level = 'street' AND code <> $1 ORDER BY code LIMIT 1",
        street["code"],
    )
    near = await staff(client, admin, "street-near", "dispatcher", regionCode=street["code"])
    far = await staff(client, admin, "street-far", "dispatcher", regionCode=other_street)
    worker = await staff(
        client, admin, "task-owner", "worker", regionCode=located["region"]["code"]
    )
    kept = await photo(client, worker, purpose="evidence", seed=1)
    loose = await photo(client, worker, purpose="evidence", seed=2)
    someone_else = await photo(client, near, purpose="evidence", seed=3)
    subject_region = await db.fetchval(
        "SELECT id FROM regions WHERE code = $1", located["region"]["code"]
    )
    attach: dict[str, Any] = {
        "uploader_id": await user_id(client, worker),
        "subject_kind": "area_task",
        "subject_id": 7,
        "region_id": subject_region,
        "now": clock.now(),
    }
    assert not await media.attach_to_subject(
        db, media_ids=[uuid.UUID(kept), uuid.UUID(someone_else)], **attach
    )
    assert await media.attach_to_subject(db, media_ids=[uuid.UUID(kept)], **attach)
    assert not await media.attach_to_subject(db, media_ids=[uuid.UUID(kept)], **attach)

    ctx = context_of(client.app.state)
    swept = await media.sweep_unattached(
        db, ctx.require_store(), now=clock.now() + timedelta(days=3), older_than=timedelta(days=1)
    )
    assert swept >= 2
    remaining = {str(r["id"]) for r in await db.fetch("SELECT id FROM media")}
    assert kept in remaining
    assert loose not in remaining
    assert someone_else not in remaining

    secret = ctx.link_signing()

    async def opens(viewer: dict[str, str]) -> int:
        who = await user_id(client, viewer)
        expires = signing.expiry(clock.now(), secret.seconds)
        mac = signing.signature(
            secret.secret,
            media_id=uuid.UUID(kept),
            rendition="display",
            viewer=who,
            expires=expires,
        )
        url = (
            f"{signing.SIGNED_PREFIX}/{kept}/display?viewer={who}&expires={expires}&signature={mac}"
        )
        return (await client.get(url)).status_code

    assert await opens(near) == 200
    assert await opens(admin) == 200
    assert await opens(worker) == 200  # its uploader
    assert await opens(far) == 403
    assert await opens(await login("demo-department")) == 403
