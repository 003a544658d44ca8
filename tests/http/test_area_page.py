"""治安动态 over HTTP: the figures of the community around a resident, or of a region by
code, in one small cacheable answer that names no reporter and no confidential lead."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from backend.clock import ManualClock
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
    client: Client, clock: ManualClock
) -> None:
    reporter = await resident(client, nickname=NICKNAME, phone=PHONE)
    for _ in range(6):
        await report(client, reporter, "sanitation")
    for _ in range(2):
        await report(client, reporter, "illegal_parking")
    for _ in range(6):
        await report(client, reporter, "vice_clue", mediaIds=[])
    reader = await resident(client)

    by_point = await page(client, reader, lat=HOME["lat"], lng=HOME["lng"])
    assert by_point["region"] == {
        "code": HOME_COMMUNITY,
        "name": by_point["region"]["name"],
        "level": "community",
    }
    assert by_point["parent"]["code"] == HOME_STREET
    assert by_point["periodLabel"] == "2026-Q4"
    assert (by_point["firstDay"], by_point["lastDay"]) == ("2026-10-01", "2026-12-31")
    # The clue is no valid report of anyone's page; the 2 parking reports count in the total
    # but are too few to show as a category of their own.
    assert by_point["reports"]["valid"] == 8
    assert [c["code"] for c in by_point["categories"]] == ["sanitation"]
    assert by_point["categories"][0]["count"] == 6
    assert by_point["categories"][0]["nameEn"]

    by_code = await page(client, reader, region=HOME_COMMUNITY)
    assert by_code == by_point

    response = await client.get(PAGE, headers=reader, params={"region": HOME_COMMUNITY})
    text = response.text
    for secret in (NICKNAME, PHONE, "vice_clue", "黄赌毒", "lat", "lng", "trackingNo"):
        assert secret not in text


async def test_small_counts_are_withheld(client: Client) -> None:
    reporter = await resident(client)
    for _ in range(4):
        await report(client, reporter, "sanitation")
    figures = (await page(client, reporter, region=HOME_COMMUNITY))["reports"]
    assert figures == {
        "valid": None,
        "closeRate": None,
        "onTimeRate": None,
        "satisfactionRate": None,
    }
    assert (await page(client, reporter, region=HOME_COMMUNITY))["categories"] == []


async def test_a_page_unchanged_is_answered_304_and_cached_privately(client: Client) -> None:
    reader = await resident(client)
    for _ in range(4):
        await report(client, reader, "sanitation")
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
    # The fifth report makes the count one that may be shown: the page has changed.
    await report(client, reader, "sanitation")
    other = await client.get(
        PAGE, headers={**reader, "If-None-Match": etag}, params={"region": HOME_COMMUNITY}
    )
    assert other.status_code == 200
    assert other.headers["etag"] != etag


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
    client: Client, clock: ManualClock, demo_database: str
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
    assert body["lifted"][0]["liftedOn"] == (now - timedelta(days=10)).date().isoformat()
    assert "geometry" not in response.text
    assert len(gzip.compress(response.content)) <= 20 * 1024
