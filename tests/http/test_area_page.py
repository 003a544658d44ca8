"""治安动态 over HTTP: the figures of the community around a resident, or of a region by
code, in one small cacheable answer that names no reporter and no confidential lead, whose
counts cannot be subtracted from one another to single out a few reports."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from shapely.geometry import shape

from backend.clock import ManualClock, city_today
from backend.db.pool import connect
from backend.settings import Settings
from tests.http.case_helpers import HOME, report, resident
from tests.http.conftest import Client, Login

PAGE = "/api/v1/area-page"
HOME_COMMUNITY, HOME_STREET, OTHER_STREET = "330106002003", "330106002", "330106001"
NICKNAME, PHONE = "王小明", "13912345678"


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    changes: dict[str, Any] = getattr(request, "param", {})
    return Settings(
        data_dir=tmp_path,
        login_max_failures_per_user=5,
        login_max_failures_per_address=30,
        **changes,
    )


async def page(client: Client, headers: dict[str, str], expect: int = 200, **query: Any) -> Any:
    response = await client.get(PAGE, headers=headers, params=query)
    assert response.status_code == expect, response.text
    return response.json()


async def region_facts(dsn: str, sql: str, *args: Any) -> asyncpg.Record:
    conn = await connect(dsn)
    try:
        row: asyncpg.Record | None = await conn.fetchrow(sql, *args)
    finally:
        await conn.close()
    assert row is not None, args
    return row


async def point_in(dsn: str, code: str) -> dict[str, float]:
    """A point well inside a region."""
    row = await region_facts(dsn, "SELECT geometry FROM regions WHERE code = $1", code)
    point = shape(row["geometry"]).representative_point()
    return {"lat": point.y, "lng": point.x}


async def add_areas(
    dsn: str, *, street: str, names: list[str], state: str, now: datetime, **at: datetime
) -> None:
    """Key areas on the street's first grid, as the register holds them."""
    conn = await connect(dsn)
    try:
        grid = await conn.fetchrow(
            "SELECT g.id, g.path FROM regions g JOIN regions s ON g.path LIKE s.path || '%' "
            "WHERE s.code = $1 AND g.level = 'grid' ORDER BY g.code LIMIT 1",
            street,
        )
        region = await conn.fetchrow("SELECT id, path FROM regions WHERE code = $1", street)
        for name in names:
            await add_area(conn, grid, region, name=name, state=state, now=now, **at)
    finally:
        await conn.close()


async def add_area(
    conn: asyncpg.Connection,
    grid: asyncpg.Record,
    region: asyncpg.Record,
    *,
    name: str,
    state: str,
    now: datetime,
    lifted_at: datetime | None = None,
) -> None:
    place_id = await conn.fetchval(
        "INSERT INTO places (kind, region_id, region_path, covers_region_id, covers_path, "
        "created_at) VALUES ('key_area', $1, $2, $3, $4, $5) RETURNING id",
        region["id"],
        region["path"],
        grid["id"],
        grid["path"],
        now,
    )
    await conn.execute(
        "INSERT INTO key_areas (place_id, region_id, region_path, name, area_type, state, "
        "level, tier, source, deadline, flagged_at, lifted_at, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, 'old_estate', $5, 'red', 'district', 'staff', "
        "DATE '2026-12-31', $6, $7, $6, $6)",
        place_id,
        region["id"],
        region["path"],
        name,
        state,
        now,
        lifted_at,
    )


async def test_the_page_of_a_residents_community_counts_its_reports_and_names_no_one(
    client: Client, clock: ManualClock, demo_database: str
) -> None:
    reporter = await resident(client, nickname=NICKNAME, phone=PHONE)
    for _ in range(6):
        await report(client, reporter, "sanitation")
    for _ in range(2):
        await report(client, reporter, "illegal_parking")
    for _ in range(6):
        await report(client, reporter, "vice_clue", mediaIds=[])
    reader = await resident(client)
    clock.advance(days=1)

    by_point = await page(client, reader, lat=HOME["lat"], lng=HOME["lng"])
    community = await region_facts(
        demo_database, "SELECT name FROM regions WHERE code = $1", HOME_COMMUNITY
    )
    assert by_point["region"] == {
        "code": HOME_COMMUNITY,
        "name": community["name"],
        "level": "community",
    }
    assert by_point["parent"]["code"] == HOME_STREET
    assert by_point["periodLabel"] == "2026-Q4"
    assert (by_point["firstDay"], by_point["lastDay"]) == ("2026-10-01", "2026-12-31")
    # The clue is no valid report of anyone's page; the 2 parking reports count in the total
    # but are too few to show as a category of their own. 8 and 6 are shown rounded to 5.
    assert by_point["reports"]["valid"] == 10
    assert [c["code"] for c in by_point["categories"]] == ["sanitation"]
    assert by_point["categories"][0]["count"] == 5
    assert by_point["categories"][0]["nameEn"]
    # The figures run to the end of yesterday in the city: midnight in Hangzhou.
    assert by_point["asOf"] == "2026-11-23T16:00:00Z"

    by_code = await page(client, reader, region=HOME_COMMUNITY)
    assert by_code == by_point

    response = await client.get(PAGE, headers=reader, params={"region": HOME_COMMUNITY})
    text = response.text
    for secret in (NICKNAME, PHONE, "vice_clue", "黄赌毒", "lat", "lng", "trackingNo"):
        assert secret not in text


async def test_small_counts_are_withheld(client: Client, clock: ManualClock) -> None:
    reporter = await resident(client)
    for _ in range(4):
        await report(client, reporter, "sanitation")
    clock.advance(days=1)
    figures = (await page(client, reporter, region=HOME_COMMUNITY))["reports"]
    assert figures == {
        "valid": None,
        "closeRate": None,
        "onTimeRate": None,
        "satisfactionRate": None,
    }
    assert (await page(client, reporter, region=HOME_COMMUNITY))["categories"] == []


async def test_a_page_unchanged_is_answered_304_and_cached_privately(
    client: Client, clock: ManualClock
) -> None:
    reader = await resident(client)
    for _ in range(4):
        await report(client, reader, "sanitation")
    clock.advance(days=1)
    first = await client.get(PAGE, headers=reader, params={"region": HOME_COMMUNITY})
    assert first.status_code == 200
    assert first.headers["cache-control"] == "private, max-age=300"
    etag = first.headers["etag"]
    assert etag.startswith('"')
    again = await client.get(
        PAGE, headers={**reader, "If-None-Match": etag}, params={"region": HOME_COMMUNITY}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    # A fifth report today, and the browser's copy gone stale: the page still reads as of
    # the end of yesterday, so nothing has changed.
    await report(client, reader, "sanitation")
    clock.advance(seconds=301)
    later = await client.get(
        PAGE, headers={**reader, "If-None-Match": etag}, params={"region": HOME_COMMUNITY}
    )
    assert later.status_code == 304
    # The next day the fifth report makes the count one that may be shown.
    clock.advance(days=1)
    next_day = await client.get(
        PAGE, headers={**reader, "If-None-Match": etag}, params={"region": HOME_COMMUNITY}
    )
    assert next_day.status_code == 200
    assert next_day.headers["etag"] != etag
    assert next_day.json()["reports"]["valid"] == 5


async def test_a_report_made_today_shows_only_from_tomorrow(
    client: Client, clock: ManualClock
) -> None:
    reader = await resident(client)
    for _ in range(5):
        await report(client, reader, "sanitation")
    today = await page(client, reader, region=HOME_COMMUNITY)
    assert today["reports"]["valid"] is None
    assert today["asOf"] == "2026-11-22T16:00:00Z"
    clock.advance(days=1)
    assert (await page(client, reader, region=HOME_COMMUNITY))["reports"]["valid"] == 5
    # Reports that reach the server late, dated the day before, are counted in the day's
    # next pass of the figures: the page stays as it was for the rest of the day.
    clock.advance(days=-1)
    for _ in range(5):
        await report(client, reader, "sanitation")
    clock.advance(days=1)
    assert (await page(client, reader, region=HOME_COMMUNITY))["reports"]["valid"] == 5
    clock.advance(days=1)
    assert (await page(client, reader, region=HOME_COMMUNITY))["reports"]["valid"] == 10


async def test_bad_places_are_refused_in_both_languages(client: Client) -> None:
    reader = await resident(client)
    outside = await page(client, reader, 404, lat=0.5, lng=0.5)
    assert outside["code"] == "regions.outside_service_area"
    assert outside["message"] and outside["messageEn"]
    assert (await page(client, reader, 404, region="999999"))["code"] == "public.region_not_found"
    assert (await page(client, reader, 422))["code"] == "public.place_needed"
    both = await page(client, reader, 422, region=HOME_COMMUNITY, lat=HOME["lat"], lng=HOME["lng"])
    assert both["fields"]
    assert (await page(client, reader, 422, lat=HOME["lat"]))["code"] == "public.place_needed"
    assert (await page(client, reader, 400, lat=120, lng=30))["code"] == "request.invalid"
    response = await client.get(PAGE, params={"region": HOME_COMMUNITY})
    assert response.status_code == 401


@pytest.mark.parametrize("settings", [{"area_page_per_hour": 3}], indirect=True)
async def test_each_caller_reads_the_page_a_limited_number_of_times_an_hour(
    client: Client, clock: ManualClock, login: Login
) -> None:
    reader = await resident(client)
    for _ in range(3):
        await page(client, reader, region=HOME_COMMUNITY)
    refused = await client.get(PAGE, headers=reader, params={"region": HOME_COMMUNITY})
    assert refused.status_code == 429
    assert refused.json()["code"] == "public.area_page_limited"
    assert int(refused.headers["retry-after"]) > 0
    await page(client, await resident(client), region=HOME_COMMUNITY)
    await page(client, await login("demo-dispatcher"), region=HOME_COMMUNITY)
    clock.advance(hours=1, seconds=1)
    await page(client, reader, region=HOME_COMMUNITY)


async def test_sixty_key_areas_nearby_fit_a_small_answer(
    client: Client, clock: ManualClock, demo_database: str, settings: Settings
) -> None:
    now = clock.now()
    long_names = [f"{n:02d} 号" + "城东老旧小区背街小巷综合整治片区" * 5 for n in range(60)]
    await add_areas(demo_database, street=HOME_STREET, names=long_names, state="flagged", now=now)
    await add_areas(
        demo_database, street=OTHER_STREET, names=["别处的重点地区"], state="flagged", now=now
    )
    await add_areas(
        demo_database,
        street=HOME_STREET,
        names=["已摘牌的小区"],
        state="lifted",
        now=now,
        lifted_at=now - timedelta(days=10),
    )
    await add_areas(
        demo_database,
        street=HOME_STREET,
        names=["早已摘牌的小区"],
        state="watching",
        now=now,
        lifted_at=now - timedelta(days=400),
    )
    reader = await resident(client)
    response = await client.get(
        PAGE, headers=reader, params={"lat": HOME["lat"], "lng": HOME["lng"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert len(body["flagged"]) == 20
    assert all(a["name"] in long_names for a in body["flagged"])
    assert body["flagged"][0]["progress"] == {"tasks": 0, "done": 0, "overdue": 0}
    assert "别处的重点地区" not in response.text
    assert [a["name"] for a in body["lifted"]] == ["已摘牌的小区"]
    lifted_on = city_today(settings.timezone, now - timedelta(days=10))
    assert body["lifted"][0]["liftedOn"] == lifted_on.isoformat()
    assert "geometry" not in response.text
    assert len(gzip.compress(response.content)) <= 20 * 1024


async def test_a_listed_area_is_not_published(
    client: Client, clock: ManualClock, demo_database: str
) -> None:
    now = clock.now()
    # On the street's own working list (重点整治), not under 挂牌督办: not for the public.
    await add_areas(
        demo_database, street=HOME_STREET, names=["街道内部整治名单小区"], state="listed", now=now
    )
    await add_areas(
        demo_database, street=HOME_STREET, names=["挂牌的小区"], state="flagged", now=now
    )
    body = await page(client, await resident(client), region=HOME_COMMUNITY)
    assert [a["name"] for a in body["flagged"]] == ["挂牌的小区"]


async def test_pages_cannot_be_subtracted_to_single_out_a_few_reports(
    client: Client, clock: ManualClock, demo_database: str
) -> None:
    other = await region_facts(
        demo_database,
        "SELECT c.code FROM regions c JOIN regions s ON s.id = c.parent_id "
        "WHERE s.code = $1 AND c.level = 'community' AND c.code <> $2 ORDER BY c.code LIMIT 1",
        HOME_STREET,
        HOME_COMMUNITY,
    )
    elsewhere = await point_in(demo_database, other["code"])
    reporter = await resident(client)
    # The home community: 6 sanitation and 2 parking reports; its neighbour: 3.
    for _ in range(6):
        await report(client, reporter, "sanitation")
    for _ in range(2):
        await report(client, reporter, "illegal_parking")
    for _ in range(3):
        await report(client, reporter, "sanitation", **elsewhere)
    clock.advance(days=1)
    reader = await resident(client)
    street = await page(client, reader, region=HOME_STREET)
    home = await page(client, reader, region=HOME_COMMUNITY)
    assert street["region"]["code"] == HOME_STREET
    street_valid, home_valid = street["reports"]["valid"], home["reports"]["valid"]
    assert (street_valid, home_valid) == (10, 10)
    # 11 - 8 = 3 reports in the neighbour: the published counts do not tell it.
    assert street_valid - home_valid != 3
    assert (await page(client, reader, region=other["code"]))["reports"]["valid"] is None
    # 8 - 6 = 2 parking reports: the total less the categories shown does not tell it.
    shown = sum(c["count"] for c in home["categories"])
    assert home_valid - shown != 2
    assert all(c["count"] % 5 == 0 for c in street["categories"] + home["categories"])


async def test_a_grid_is_answered_with_its_community(
    client: Client, clock: ManualClock, demo_database: str
) -> None:
    grid = await region_facts(
        demo_database,
        "SELECT g.code FROM regions g JOIN regions c ON g.path LIKE c.path || '%' "
        "WHERE c.code = $1 AND g.level = 'grid' ORDER BY g.code LIMIT 1",
        HOME_COMMUNITY,
    )
    reader = await resident(client)
    by_grid = await page(client, reader, region=grid["code"])
    assert by_grid["region"]["code"] == HOME_COMMUNITY
    assert by_grid["parent"]["code"] == HOME_STREET
    assert by_grid == await page(client, reader, region=HOME_COMMUNITY)
