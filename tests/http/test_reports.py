"""Report intake and the reporter's side, over HTTP against a real database and store."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import asyncpg
import pytest

from backend.clock import ManualClock
from backend.settings import Settings
from tests.http.conftest import Client, Login
from tests.http.photos import jpeg, multipart_file

HOME = {"lat": 30.2741, "lng": 120.1551}
REPORTS = "/api/v1/reports/"


async def resident(client: Client) -> dict[str, str]:
    token = (await client.post("/api/v1/auth/device", json={})).json()["token"]
    return {"Authorization": f"Bearer {token}"}


async def upload(client: Client, headers: dict[str, str], data: bytes | None = None) -> str:
    response = await client.post(
        "/api/v1/media/", headers=headers, files=multipart_file(data or jpeg())
    )
    assert response.status_code == 201, response.text
    media_id: str = response.json()["id"]
    return media_id


def report(media_ids: list[str], **overrides: Any) -> dict[str, Any]:
    body = {
        "clientId": str(uuid.uuid4()),
        "category": "sanitation",
        "description": "垃圾堆积",
        "accuracyM": 8.5,
        "mediaIds": media_ids,
        **HOME,
    }
    return {**body, **overrides}


async def count(dsn: str, table: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        value: int = await conn.fetchval(f"SELECT count(*) FROM {table}")
        return value
    finally:
        await conn.close()


async def test_a_report_arrives_in_its_grid_with_a_tracking_number(client: Client) -> None:
    me = await resident(client)
    body = report([await upload(client, me)])
    response = await client.post(REPORTS, json=body, headers=me)
    assert response.status_code == 201, response.text
    created = response.json()
    assert re.fullmatch(r"\d{8}-\d{6}", created["trackingNo"])
    assert created["trackingNo"].startswith("20261123")
    assert created["status"] == "dispatched"  # sanitation goes straight to the grid
    assert created["region"]["level"] == "grid"
    located = (await client.get("/api/v1/regions/locate", params=HOME)).json()
    assert created["region"]["code"] == located["region"]["code"]
    assert created["deadlines"]["acceptBy"] < created["deadlines"]["resolveBy"]
    assert created["possibleDuplicates"] == []


async def test_a_retry_returns_the_same_report_and_other_content_conflicts(client: Client) -> None:
    me = await resident(client)
    body = report([await upload(client, me)])
    first = await client.post(REPORTS, json=body, headers=me)
    again = await client.post(REPORTS, json=body, headers=me)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["trackingNo"] == first.json()["trackingNo"]
    changed = await client.post(REPORTS, json={**body, "description": "别的"}, headers=me)
    assert changed.status_code == 409
    assert changed.json()["code"] == "reports.client_id_reused"


async def test_fifty_identical_submissions_at_once_make_one_report(
    client: Client, demo_database: str
) -> None:
    me = await resident(client)
    body = report([await upload(client, me)])
    responses = await asyncio.gather(
        *(client.post(REPORTS, json=body, headers=me) for _ in range(50))
    )
    assert sorted({r.status_code for r in responses}) in ([200, 201], [201])
    assert [r.status_code for r in responses].count(201) == 1
    assert len({r.json()["id"] for r in responses}) == 1
    assert await count(demo_database, "cases") == 1
    assert await count(demo_database, "case_events") == 2  # submitted, then dispatched


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"clientId": "not-a-uuid"}, 400, "clientId"),
        ({"lat": 95}, 400, "lat"),
        ({"lng": -181}, 400, "lng"),
        ({"description": "长" * 10_000}, 400, "description"),
        ({"category": "no_such_thing"}, 422, "category"),
        ({"color": "red"}, 400, "color"),
        ({"mediaIds": []}, 422, "mediaIds"),
        ({"lat": 29.0, "lng": 119.0}, 422, "lat"),
        ({"mediaIds": [str(uuid.uuid4())] * 10}, 400, "mediaIds"),
    ],
)
async def test_bad_reports_are_refused_and_leave_nothing(
    client: Client, demo_database: str, change: dict[str, Any], status: int, field: str
) -> None:
    me = await resident(client)
    body = report([await upload(client, me)], **change)
    response = await client.post(REPORTS, json=body, headers=me)
    assert response.status_code == status, response.text
    assert field in response.json()["fields"]
    assert response.json()["message"] and response.json()["messageEn"]
    assert await count(demo_database, "cases") == 0


async def test_nan_and_broken_json_are_400(client: Client) -> None:
    me = await resident(client)
    for raw in [b'{"lat": NaN}', b"{", b"null", "😀".encode()]:
        response = await client.post(
            REPORTS, content=raw, headers={**me, "content-type": "application/json"}
        )
        assert response.status_code == 400, raw


async def test_someone_elses_photo_cannot_be_attached(client: Client, demo_database: str) -> None:
    owner, thief = await resident(client), await resident(client)
    photo = await upload(client, owner)
    response = await client.post(REPORTS, json=report([photo]), headers=thief)
    assert response.status_code == 422
    assert response.json()["fields"] == {"mediaIds": "unknown or already used"}
    assert await count(demo_database, "cases") == 0
    # The owner can still use it, once.
    assert (await client.post(REPORTS, json=report([photo]), headers=owner)).status_code == 201
    reused = await client.post(REPORTS, json=report([photo]), headers=owner)
    assert reused.status_code == 422


async def test_devices_are_rate_limited(client: Client, settings: Settings) -> None:
    me = await resident(client)
    bodies = [report([], category="dispute") for _ in range(settings.reports_per_hour + 1)]
    for body in bodies[:-1]:
        assert (await client.post(REPORTS, json=body, headers=me)).status_code == 201
    limited = await client.post(REPORTS, json=bodies[-1], headers=me)
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 3600
    # A retry of a report already made is not a new report and is not limited.
    assert (await client.post(REPORTS, json=bodies[0], headers=me)).status_code == 200


async def test_nearby_reports_offer_following_instead_of_a_duplicate(client: Client) -> None:
    first, second = await resident(client), await resident(client)
    made = await client.post(REPORTS, json=report([await upload(client, first)]), headers=first)
    nearby = await client.get(
        "/api/v1/reports/nearby", headers=second, params={**HOME, "category": "sanitation"}
    )
    assert nearby.status_code == 200
    [found] = nearby.json()
    assert found["id"] == made.json()["id"]
    assert found["distanceM"] == 0.0
    assert "reporter" not in str(found).lower()
    elsewhere = await client.get(
        "/api/v1/reports/nearby",
        headers=second,
        params={"lat": 30.29, "lng": 120.17, "category": "sanitation"},
    )
    assert elsewhere.json() == []
    other_category = await client.get(
        "/api/v1/reports/nearby", headers=second, params={**HOME, "category": "streetlight"}
    )
    assert other_category.json() == []
    assert (await client.post(f"{REPORTS}{found['id']}/follow", headers=second)).status_code == 204
    assert (await client.post(f"{REPORTS}999999/follow", headers=second)).status_code == 404
    # The duplicate check in the intake answer lists it too.
    second_report = await client.post(
        REPORTS, json=report([await upload(client, second)]), headers=second
    )
    assert [d["id"] for d in second_report.json()["possibleDuplicates"]] == [found["id"]]


async def test_confidential_reports_never_show_as_nearby(client: Client) -> None:
    me, other = await resident(client), await resident(client)
    made = await client.post(REPORTS, json=report([], category="vice_clue"), headers=me)
    assert made.status_code == 201
    assert made.json()["possibleDuplicates"] == []
    nearby = await client.get(
        "/api/v1/reports/nearby", headers=other, params={**HOME, "category": "vice_clue"}
    )
    assert nearby.json() == []
    assert (
        await client.post(f"{REPORTS}{made.json()['id']}/follow", headers=other)
    ).status_code == 404


async def test_my_reports_page_by_cursor(client: Client, clock: ManualClock) -> None:
    me = await resident(client)
    made = []
    for n in range(25):
        if n == 20:  # past the hourly limit: an hour later
            clock.advance(hours=1, minutes=1)
        response = await client.post(REPORTS, json=report([], category="dispute"), headers=me)
        assert response.status_code == 201
        made.append(response.json()["id"])
        clock.advance(seconds=1)
    newest_first = list(reversed(made))
    first = (await client.get("/api/v1/me/reports/", headers=me)).json()
    assert [item["id"] for item in first["items"]] == newest_first[:20]
    second = (
        await client.get("/api/v1/me/reports/", params={"cursor": first["nextCursor"]}, headers=me)
    ).json()
    assert [item["id"] for item in second["items"]] == newest_first[20:]
    assert second["nextCursor"] is None
    bad = await client.get("/api/v1/me/reports/", params={"cursor": "garbage!"}, headers=me)
    assert bad.status_code == 422


async def test_reporter_sees_the_report_others_get_404(client: Client, login: Login) -> None:
    me, stranger = await resident(client), await resident(client)
    made = (await client.post(REPORTS, json=report([await upload(client, me)]), headers=me)).json()
    mine = await client.get(f"{REPORTS}{made['id']}", headers=me)
    assert mine.status_code == 200
    body = mine.json()
    assert body["trackingNo"] == made["trackingNo"]
    assert len(body["photos"]) == 1
    assert body["afterPhotos"] == []
    assert [(e["action"], e["actor"], e["actorEn"]) for e in body["timeline"]] == [
        ("submit", "群众", "Resident"),
        ("dispatch", "系统", "System"),
    ]
    assert (await client.get(f"{REPORTS}{made['id']}", headers=stranger)).status_code == 404
    staff = await login("demo-worker")
    assert (await client.get(f"{REPORTS}{made['id']}", headers=staff)).status_code == 404


async def test_rating_only_once_and_only_after_closing(client: Client, demo_database: str) -> None:
    me, stranger = await resident(client), await resident(client)
    made = (await client.post(REPORTS, json=report([await upload(client, me)]), headers=me)).json()
    url = f"{REPORTS}{made['id']}/rating"
    early = await client.post(url, json={"score": 5}, headers=me)
    assert early.status_code == 409
    conn = await asyncpg.connect(demo_database)
    try:  # closing is the case loop's step; here it is set directly
        await conn.execute("UPDATE cases SET status = 'closed' WHERE id = $1", made["id"])
    finally:
        await conn.close()
    assert (await client.post(url, json={"score": 4}, headers=stranger)).status_code == 404
    assert (await client.post(url, json={"score": 6}, headers=me)).status_code == 400
    rated = await client.post(url, json={"score": 4, "comment": "很快"}, headers=me)
    assert rated.status_code == 200
    assert rated.json()["status"] == "rated"
    assert rated.json()["rating"] == 4
    assert (await client.post(url, json={"score": 5}, headers=me)).status_code == 409


async def test_the_same_picture_can_illustrate_a_second_report(client: Client) -> None:
    me = await resident(client)
    data = jpeg(seed=5)
    key = "k" * 40

    async def send_photo() -> str:
        response = await client.post(
            "/api/v1/media/", headers=me, files=multipart_file(data), data={"clientKey": key}
        )
        assert response.status_code == 201, response.text
        media_id: str = response.json()["id"]
        return media_id

    first = await send_photo()
    assert await send_photo() == first  # a retry before it is used: the same photo
    assert (await client.post(REPORTS, json=report([first]), headers=me)).status_code == 201
    second = await send_photo()  # used since: a photo of its own
    assert second != first
    again = await client.post(REPORTS, json=report([second], lat=30.2742), headers=me)
    assert again.status_code == 201
