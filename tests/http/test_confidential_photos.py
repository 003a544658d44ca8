"""Photos of confidential cases reach only those who may see the case, by short-lived links."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.clock import ManualClock
from backend.settings import Settings
from tests.conftest import DEMO_PASSWORD
from tests.http.case_helpers import HOME, case, move, photo, report, resident, user_id
from tests.http.conftest import Client, Login
from tests.http.photos import jpeg, multipart_file
from tests.http.test_confidential_cases import make_confidential
from tests.seaweedfs import S3Server

YEAR = "max-age=31536000"


def signed(url: str) -> bool:
    return url.startswith("/media/signed/") and "signature=" in url


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return f"{parts.path}?{urlencode({**query, **changes})}"


async def fetch(client: Client, url: str) -> httpx.Response:
    """What a browser's <img> does: no Authorization header, only the URL."""
    response: httpx.Response = await client.get(url)
    return response


async def assert_private_photo(client: Client, url: str) -> None:
    assert signed(url), url
    served = await fetch(client, url)
    assert served.status_code == 200, served.text
    assert served.headers["content-type"].startswith("image/")
    cache = served.headers["cache-control"]
    assert cache.startswith("private") and YEAR not in cache and "immutable" not in cache
    assert served.headers["content-disposition"].startswith("inline")


async def test_photos_of_a_lead_are_served_only_by_links_signed_for_its_viewers(
    client: Client, login: Login, clock: ManualClock
) -> None:
    reporter = await resident(client)
    uploaded = await client.post("/api/v1/media/", headers=reporter, files=multipart_file(jpeg()))
    assert uploaded.status_code == 201, uploaded.text
    by_name = uploaded.json()["url"]
    lead = await report(client, reporter, category="vice_clue", mediaIds=[uploaded.json()["id"]])
    assert (await fetch(client, by_name)).status_code == 404  # its stored name opens nothing

    supervisor = await login("demo-supervisor")
    shown = (await case(client, supervisor, lead["id"]))["photos"][0]
    assert by_name.rsplit("/", 1)[1] not in shown["url"]  # the stored name is never given out
    await assert_private_photo(client, shown["url"])
    await assert_private_photo(client, shown["thumbnailUrl"])

    mine = (await client.get(f"/api/v1/reports/{lead['id']}", headers=reporter)).json()
    await assert_private_photo(client, mine["photos"][0]["url"])
    listed = (await client.get("/api/v1/me/reports", headers=reporter)).json()["items"]
    await assert_private_photo(
        client, next(i for i in listed if i["id"] == lead["id"])["thumbnailUrl"]
    )

    forged = with_query(shown["url"], viewer="1")
    for bad in (forged, with_query(shown["url"], signature="A" * 43)):
        refused = await fetch(client, bad)
        assert refused.status_code == 403
        body = refused.json()
        assert body["code"] == "media.link_expired" and body["message"] and body["messageEn"]
    clock.advance(hours=1)
    expired = await fetch(client, shown["url"])
    assert expired.status_code == 403
    fresh = (await case(client, supervisor, lead["id"]))["photos"][0]["url"]
    await assert_private_photo(client, fresh)


async def test_ordinary_photos_stay_public_until_their_category_turns_confidential(
    client: Client, login: Login
) -> None:
    made = await report(client, await resident(client))
    dispatcher = await login("demo-dispatcher")
    public = (await case(client, dispatcher, made["id"]))["photos"][0]["url"]
    assert not signed(public)
    served = await fetch(client, public)
    assert served.status_code == 200 and YEAR in served.headers["cache-control"]
    # What nginx asks before it serves a stored photo from the bucket by its name.
    check = f"/media/public/{public.rsplit('/', 1)[1]}"
    assert (await fetch(client, check)).status_code == 204

    await make_confidential(client, await login("demo-admin"), "sanitation")

    assert (await fetch(client, public)).status_code == 404
    refused = await fetch(client, check)
    assert refused.status_code == 403 and refused.json()["code"] == "media.not_public"
    supervisor = await login("demo-supervisor")
    await assert_private_photo(
        client, (await case(client, supervisor, made["id"]))["photos"][0]["url"]
    )


async def assert_link_refused(client: Client, url: str) -> None:
    refused = await fetch(client, url)
    assert refused.status_code == 403, refused.text
    body = refused.json()
    assert body["code"] == "media.link_expired" and body["message"] and body["messageEn"]


async def test_a_link_stops_working_once_its_viewer_is_deactivated(
    client: Client, login: Login, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reporter = await resident(client)
    lead = await report(client, reporter, category="vice_clue")
    supervisor = await login("demo-supervisor")
    shown = (await case(client, supervisor, lead["id"]))["photos"][0]
    await assert_private_photo(client, shown["url"])

    gone = await user_id(client, supervisor)
    off = await client.post(
        f"/api/v1/admin/users/{gone}/deactivate", headers=await login("demo-admin")
    )
    assert off.status_code == 200, off.text

    await assert_link_refused(client, shown["url"])
    await assert_link_refused(client, shown["thumbnailUrl"])
    mine = (await client.get(f"/api/v1/reports/{lead['id']}", headers=reporter)).json()
    await assert_private_photo(client, mine["photos"][0]["url"])  # the reporter's still opens
    # A link opens the photo by itself, so it never reaches a log line of the API (the test's
    # own HTTP client logs the URLs it asks for, and is left out).
    signature = parse_qs(urlsplit(shown["url"]).query)["signature"][0]
    logged = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert any(record.name == "gridreport.access" for record in logged)
    assert all(signature not in record.getMessage() for record in logged)


@pytest.fixture
async def all_signed(
    settings: Settings, demo_database: str, clock: ManualClock
) -> AsyncIterator[Client]:
    """A city that serves every photo by signed links only."""
    app = create_app(
        dataclasses.replace(settings, signed_photos="all"), dsn=demo_database, clock=clock
    )
    async with AsyncTestClient(app=app) as c:
        yield c


async def log_in(client: Client, username: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def test_a_link_stops_working_once_its_case_leaves_the_viewers_reach(
    all_signed: Client,
) -> None:
    made = await report(all_signed, await resident(all_signed))
    dispatcher = await log_in(all_signed, "demo-dispatcher")
    await move(
        all_signed, dispatcher, made["id"], "transfer", target={"departmentCode": "330106-cg"}
    )
    department = await log_in(all_signed, "demo-department")
    shown = (await case(all_signed, department, made["id"]))["photos"][0]
    await assert_private_photo(all_signed, shown["url"])

    await move(all_signed, dispatcher, made["id"], "transfer", target={"regionCode": "330106002"})

    gone = await all_signed.get(f"/api/v1/cases/{made['id']}", headers=department)
    assert gone.status_code == 404
    await assert_link_refused(all_signed, shown["url"])
    still = (await case(all_signed, dispatcher, made["id"]))["photos"][0]
    await assert_private_photo(all_signed, still["url"])


async def test_a_signed_city_still_shows_residents_close_by_and_followers_their_photos(
    all_signed: Client,
) -> None:
    made = await report(all_signed, await resident(all_signed))
    neighbour = await resident(all_signed)
    [near] = (
        await all_signed.get(
            "/api/v1/reports/nearby", headers=neighbour, params={**HOME, "category": "sanitation"}
        )
    ).json()
    await assert_private_photo(all_signed, near["thumbnailUrl"])
    followed = await all_signed.post(f"/api/v1/reports/{made['id']}/follow", headers=neighbour)
    assert followed.status_code == 204, followed.text
    seen = (await all_signed.get(f"/api/v1/reports/{made['id']}", headers=neighbour)).json()
    await assert_private_photo(all_signed, seen["photos"][0]["url"])


async def stored_names(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT display_key, thumbnail_key FROM media")
    finally:
        await conn.close()
    return [key for row in rows for key in row]


async def test_a_city_may_sign_every_photo(all_signed: Client, demo_database: str) -> None:
    reporter = await resident(all_signed)
    made = await report(all_signed, reporter)
    mine = (await all_signed.get(f"/api/v1/reports/{made['id']}", headers=reporter)).json()
    await assert_private_photo(all_signed, mine["photos"][0]["url"])
    uploaded = await all_signed.post(
        "/api/v1/media/", headers=reporter, files=multipart_file(jpeg(seed=7))
    )
    await assert_private_photo(all_signed, uploaded.json()["url"])
    for key in await stored_names(demo_database):
        assert (await fetch(all_signed, f"/media/{key}")).status_code == 404


@pytest.fixture
async def s3_client(
    settings: Settings, demo_database: str, clock: ManualClock, seaweedfs: S3Server
) -> AsyncIterator[Client]:
    app = create_app(settings, dsn=demo_database, clock=clock, store=seaweedfs.store())
    async with AsyncTestClient(app=app) as c:
        yield c


@pytest.mark.slow
async def test_with_s3_the_api_serves_a_lead_photo_itself(s3_client: Client) -> None:
    reporter = await resident(s3_client)
    media_id = await photo(s3_client, reporter)
    lead = await report(s3_client, reporter, category="gang_clue", mediaIds=[media_id])
    mine = (await s3_client.get(f"/api/v1/reports/{lead['id']}", headers=reporter)).json()
    shown: dict[str, Any] = mine["photos"][0]
    assert "X-Amz" not in shown["url"]  # never the bucket: the API checks the link first
    await assert_private_photo(s3_client, shown["url"])
    await assert_private_photo(s3_client, shown["thumbnailUrl"])
