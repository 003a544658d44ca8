"""What the Open311 read side publishes: public categories only, masked numbers, blurred places.

Disputes and leads stay out of the feed; phone and ID numbers typed into a report are masked;
positions are rounded to about 100 m; reading needs a key unless the city opens its feed; and
a request's public id says nothing about how many reports came in that day.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.clock import ManualClock
from backend.settings import Settings
from tests.http.case_helpers import HOME, report, resident
from tests.http.conftest import Client, Login
from tests.http.test_open311 import BASE, form, issue_key, post

TRACKING_NO = re.compile(r"^\d{8}-\d{6}$")


@pytest.fixture
async def admin(login: Login) -> dict[str, str]:
    return await login("demo-admin")


@pytest.fixture
async def reader_key(client: Client, admin: dict[str, str]) -> str:
    return await issue_key(client, admin, name="城市开放数据")


@pytest.fixture
async def open_feed(
    settings: Settings, demo_database: str, clock: ManualClock
) -> AsyncIterator[Client]:
    """The same city with its public feed turned on."""
    opened = dataclasses.replace(settings, open311_public_feed=True)
    app = create_app(opened, dsn=demo_database, clock=clock)
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as other:
        yield other


async def listed(client: Client, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(f"{BASE}/requests.json", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def without_photo(
    client: Client, headers: dict[str, str], category: str, **extra: Any
) -> Any:
    body = {"clientId": str(uuid.uuid4()), "category": category, **HOME, **extra}
    response = await client.post("/api/v1/reports/", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_reading_requests_needs_a_key_unless_the_city_opens_its_feed(
    client: Client, reader_key: str, open_feed: Client
) -> None:
    await report(client, await resident(client))
    for path in ("/requests.json", "/requests/abc.json"):
        refused = await client.get(BASE + path)
        assert refused.status_code == 403
        [error] = refused.json()
        assert "api_key" in error["description"]
    xml = await client.get(f"{BASE}/requests.xml")
    assert xml.status_code == 403
    assert b"<errors>" in xml.content
    wrong = await client.get(f"{BASE}/requests.json", params={"api_key": "o311_nope"})
    assert wrong.status_code == 403
    assert len(await listed(client, api_key=reader_key)) == 1
    assert len(await listed(open_feed)) == 1
    # Discovery and the list of services stay open to anyone.
    assert (await client.get(f"{BASE}/services.json")).status_code == 200
    assert (await client.get(f"{BASE}/discovery.json")).status_code == 200


async def test_disputes_and_leads_stay_out_of_the_feed_unless_made_public(
    client: Client, admin: dict[str, str], reader_key: str
) -> None:
    categories = {
        c["code"]: c for c in (await client.get("/api/v1/admin/categories/", headers=admin)).json()
    }
    assert categories["sanitation"]["public"] is True
    for code in ("dispute", "telecom_fraud", "vice_clue", "gang_clue"):
        assert categories[code]["public"] is False, code
    someone = await resident(client)
    shown = await report(client, someone, "sanitation")
    dispute = await without_photo(client, someone, "dispute", description="邻居漏水纠纷")
    fraud = await without_photo(client, someone, "telecom_fraud", description="冒充客服退款")
    feed = await listed(client, api_key=reader_key)
    assert [r["service_code"] for r in feed] == ["sanitation"]
    text = str(feed)
    assert "邻居漏水纠纷" not in text and "冒充客服退款" not in text
    for hidden in (dispute, fraud):
        assert hidden["trackingNo"] not in text
    made_public = await client.patch(
        "/api/v1/admin/categories/dispute", headers=admin, json={"public": True}
    )
    assert made_public.status_code == 200, made_public.text
    assert made_public.json()["public"] is True
    feed = await listed(client, api_key=reader_key)
    assert sorted(r["service_code"] for r in feed) == ["dispute", "sanitation"]
    assert shown["trackingNo"] not in str(feed)


async def test_a_new_lead_category_is_private_by_default(
    client: Client, admin: dict[str, str]
) -> None:
    created = await client.post(
        "/api/v1/admin/categories/",
        headers=admin,
        json={
            "code": "pyramid_clue",
            "name": "传销线索",
            "nameEn": "Pyramid-scheme lead",
            "class": "clue",
            "ownerKind": "police",
            "preset": "urgent",
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["public"] is False
    ordinary = await client.post(
        "/api/v1/admin/categories/",
        headers=admin,
        json={
            "code": "manhole",
            "name": "井盖缺失",
            "nameEn": "Missing manhole cover",
            "class": "facility",
            "ownerKind": "grid",
            "preset": "urgent",
        },
    )
    assert ordinary.json()["public"] is True


async def test_numbers_are_masked_and_positions_blurred_in_public(
    client: Client, open_feed: Client
) -> None:
    someone = await resident(client)
    await report(
        client,
        someone,
        "sanitation",
        lat=30.27437,
        lng=120.15583,
        description="垃圾没人清，请联系 138 1234 5678 或 0571-87654321，身份证 330106199001011234",
        address="文三路 90 号，电话13912345678",
    )
    [request] = await listed(open_feed)
    public_text = f"{request['description']} {request['address']}"
    for secret in ("1381234", "12345678", "87654321", "330106199001011234", "13912345678"):
        assert secret not in public_text.replace(" ", "").replace("-", ""), secret
    assert "138 **** 5678" in request["description"]
    assert "139****5678" in request["address"]
    assert request["description"].startswith("垃圾没人清")
    assert (request["lat"], request["long"]) == (30.274, 120.156)
    xml = (await open_feed.get(f"{BASE}/requests.xml")).text
    assert "13912345678" not in xml and "30.27437" not in xml


async def test_public_ids_reveal_no_daily_sequence(client: Client, open_feed: Client) -> None:
    someone = await resident(client)
    first = await report(client, someone, "sanitation")
    second = await report(client, someone, "sanitation", lat=30.2745)
    assert TRACKING_NO.match(first["trackingNo"])  # staff and reporter keep the number
    feed = await listed(open_feed)
    ids = [r["service_request_id"] for r in feed]
    assert len(ids) == len(set(ids)) == 2
    for public_id in ids:
        assert first["trackingNo"] not in public_id and second["trackingNo"] not in public_id
        assert not TRACKING_NO.match(public_id)
        [again] = (await open_feed.get(f"{BASE}/requests/{public_id}.json")).json()
        assert again["service_request_id"] == public_id
    for number in (first["trackingNo"], second["trackingNo"]):
        assert (await open_feed.get(f"{BASE}/requests/{number}.json")).status_code == 404
        assert await listed(open_feed, service_request_id=number) == []


async def test_a_key_reads_what_it_posted_even_in_a_private_category(
    client: Client, admin: dict[str, str], reader_key: str
) -> None:
    hotline = await issue_key(client, admin)
    posted = await post(client, form(hotline, "dispute", description="楼上漏水，电话13800001111"))
    assert posted.status_code == 201, posted.text
    request_id = posted.json()[0]["service_request_id"]
    [mine] = (
        await client.get(f"{BASE}/requests/{request_id}.json", params={"api_key": hotline})
    ).json()
    assert mine["description"] == "楼上漏水，电话138****1111"
    others = await client.get(f"{BASE}/requests/{request_id}.json", params={"api_key": reader_key})
    assert others.status_code == 404
