"""Open311 GeoReport v2 over HTTP, as another city system would use it.

Round trips (discover → services → post → token → request) in JSON and in XML, the XML read
with xml.etree and held to the spec's element names; filters and paging; the spec's errors;
confidential categories and reporters' identities never shown. Requests are read with a key
(the city's public feed is off by default).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import asyncpg
import pytest

from backend.clock import ManualClock
from tests.http.case_helpers import HOME, move, outbox, report, resident
from tests.http.conftest import Client, Login
from tests.http.photos import jpeg

BASE = "/open311/v2"
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
PERSON = {
    "email": "zhang.san@example.com",
    "first_name": "三",
    "last_name": "张",
    "phone": "13800138000",
    "account_id": "crm-4711",
}


@pytest.fixture
async def admin(login: Login) -> dict[str, str]:
    return await login("demo-admin")


async def issue_key(client: Client, admin: dict[str, str], **body: Any) -> str:
    response = await client.post(
        "/api/v1/admin/open311-keys", headers=admin, json={"name": "12345 热线", **body}
    )
    assert response.status_code == 201, response.text
    key: str = response.json()["apiKey"]
    return key


@pytest.fixture
async def api_key(client: Client, admin: dict[str, str]) -> str:
    return await issue_key(client, admin)


def form(api_key: str | None, service_code: str = "dispute", **fields: Any) -> dict[str, Any]:
    body = {
        "service_code": service_code,
        "lat": HOME["lat"],
        "long": HOME["lng"],
        "description": "邻里噪音纠纷",
        "jurisdiction_id": "hz.gov.cn",
        **fields,
    }
    return {**body, "api_key": api_key} if api_key is not None else body


async def post(client: Client, data: dict[str, Any], fmt: str = "json", **kw: Any) -> Any:
    return await client.post(f"{BASE}/requests.{fmt}", data=data, **kw)


def parse(response: Any) -> ET.Element:
    """The document as a client reads it: declared UTF-8, served as text/xml."""
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def children(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


async def test_round_trip_in_json(
    client: Client, api_key: str, login: Login, demo_database: str
) -> None:
    discovery = (await client.get(f"{BASE}/discovery.json")).json()
    endpoint = discovery["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert discovery["contact"] and discovery["key_service"] and discovery["changeset"]

    services = (await client.get(f"{BASE}/services.json")).json()
    dispute = next(s for s in services if s["service_code"] == "dispute")
    assert list(dispute) == SERVICE_FIELDS
    assert dispute["service_name"] == "矛盾纠纷"
    assert dispute["type"] == "realtime"
    assert dispute["metadata"] is True

    definition = (await client.get(f"{BASE}/services/dispute.json")).json()
    assert definition["service_code"] == "dispute"
    assert [list(a) for a in definition["attributes"]] == [ATTRIBUTE_FIELDS] * 2
    codes = {a["code"]: a for a in definition["attributes"]}
    assert codes["guidance"]["variable"] is False
    assert codes["accuracy_m"]["datatype"] == "number"

    posted = await post(client, form(api_key, **PERSON, **{"attribute[accuracy_m]": "8"}))
    assert posted.status_code == 201, posted.text
    assert posted.headers["content-type"] == "application/json; charset=utf-8"
    [created] = posted.json()
    assert set(created) == {"service_request_id", "token", "service_notice", "account_id"}
    assert created["account_id"] is None

    [by_token] = (await client.get(f"{BASE}/tokens/{created['token']}.json")).json()
    assert by_token == {
        "service_request_id": created["service_request_id"],
        "token": created["token"],
    }

    [request] = (
        await client.get(
            f"{BASE}/requests/{created['service_request_id']}.json", params={"api_key": api_key}
        )
    ).json()
    assert list(request) == REQUEST_FIELDS
    assert request["status"] == "open"
    assert request["status_notes"] == "已受理，待派遣"
    assert request["service_code"] == "dispute"
    assert request["description"] == "邻里噪音纠纷"
    assert (request["lat"], request["long"]) == (round(HOME["lat"], 3), round(HOME["lng"], 3))
    assert request["requested_datetime"] == "2026-11-23T16:00:00+08:00"
    assert request["media_url"] is None
    for value in PERSON.values():
        assert value not in posted.text + str(request)

    # The request is a case like any other, in the grid's queue with its tracking number.
    dispatcher = await login("demo-dispatcher")
    tracking_no = await _tracking_no(demo_database, created["service_request_id"])
    queue = await client.get("/api/v1/cases/", headers=dispatcher, params={"q": tracking_no})
    [case] = queue.json()["items"]
    assert case["status"] == "submitted"
    staff_view = (await client.get(f"/api/v1/cases/{case['id']}", headers=dispatcher)).text
    for value in PERSON.values():
        assert value not in staff_view


async def test_round_trip_in_xml_with_a_photo(
    client: Client, api_key: str, demo_database: str
) -> None:
    discovery = parse(await client.get(f"{BASE}/discovery.xml"))
    assert discovery.tag == "discovery"
    assert children(discovery) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = discovery.find("endpoints/endpoint")
    assert endpoint is not None
    assert children(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert [f.text for f in endpoint.iterfind("formats/format")] == ["text/xml", "application/json"]

    services = parse(await client.get(f"{BASE}/services.xml"))
    assert services.tag == "services"
    assert {children(s) == SERVICE_FIELDS for s in services} == {True}
    assert "sanitation" in [s.findtext("service_code") for s in services]

    definition = parse(await client.get(f"{BASE}/services/sanitation.xml"))
    assert definition.tag == "service_definition"
    assert children(definition) == ["service_code", "attributes"]
    for attribute in definition.iterfind("attributes/attribute"):
        assert children(attribute) == ATTRIBUTE_FIELDS
    assert definition.findtext("attributes/attribute/variable") == "false"

    posted = await post(
        client,
        form(api_key, "sanitation", description="垃圾 <满> & 溢", device_id="dev-1"),
        "xml",
        files={"media": ("photo.jpg", jpeg(seed=3), "image/jpeg")},
    )
    assert posted.status_code == 201, posted.text
    created = parse(posted)
    assert created.tag == "service_requests"
    assert children(created) == ["request"]
    assert children(created[0]) == ["service_request_id", "token", "service_notice", "account_id"]
    request_id, token = (
        created.findtext("request/service_request_id"),
        created.findtext("request/token"),
    )

    by_token = parse(await client.get(f"{BASE}/tokens/{token}.xml"))
    assert children(by_token[0]) == ["service_request_id", "token"]
    assert by_token.findtext("request/service_request_id") == request_id

    found = parse(
        await client.get(f"{BASE}/requests/{request_id}.xml", params={"api_key": api_key})
    )
    assert found.tag == "service_requests"
    request = found[0]
    assert children(request) == REQUEST_FIELDS
    assert request.findtext("description") == "垃圾 <满> & 溢"
    assert request.findtext("status") == "open"  # auto-dispatched to the grid
    assert request.findtext("status_notes") == "已派遣给责任网格或部门"
    media_url = request.findtext("media_url")
    assert media_url is not None and media_url.startswith("http://127.0.0.1:8000/media/")
    photo = await client.get(media_url.removeprefix("http://127.0.0.1:8000"))
    assert photo.status_code == 200
    assert photo.headers["content-type"].startswith("image/")
    # Intake ran as for a phone: the grid's workers were told (outbox).
    case_id = await _case_id(demo_database, request_id or "")
    assert await outbox(demo_database, case_id)


async def _case_id(dsn: str, public_id: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        found: int = await conn.fetchval("SELECT id FROM cases WHERE public_id = $1", public_id)
        return found
    finally:
        await conn.close()


async def _public_id(dsn: str, case_id: int) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        found: str = await conn.fetchval("SELECT public_id FROM cases WHERE id = $1", case_id)
        return found
    finally:
        await conn.close()


async def _tracking_no(dsn: str, public_id: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        found: str = await conn.fetchval(
            "SELECT tracking_no FROM cases WHERE public_id = $1", public_id
        )
        return found
    finally:
        await conn.close()


async def test_a_retried_post_returns_the_same_request(
    client: Client, api_key: str, clock: ManualClock
) -> None:
    photo = {"media": ("photo.jpg", jpeg(seed=5), "image/jpeg")}
    data = form(api_key, "sanitation", device_id="phone-7")
    first = await post(client, data, files=photo)
    again = await post(client, data, files=photo)
    assert first.status_code == 201, first.text
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    other_device = await post(client, {**data, "device_id": "phone-8"}, files=photo)
    assert other_device.status_code == 201
    assert other_device.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    clock.advance(hours=17)  # past midnight UTC: a late retry still finds its request
    late = await post(client, data, files=photo)
    assert (late.status_code, late.json()) == (200, first.json())
    clock.advance(days=7)  # the same words about the same spot next week: a new request
    next_week = await post(client, data, files=photo)
    assert next_week.status_code == 201
    assert next_week.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]


async def test_identical_posts_at_once_make_one_request(
    client: Client, api_key: str, demo_database: str
) -> None:
    photo = {"media": ("photo.jpg", jpeg(seed=9), "image/jpeg")}
    data = form(api_key, "sanitation", device_id="flaky-3g")
    answers = await asyncio.gather(*(post(client, data, files=photo) for _ in range(6)))
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.json()[0]["service_request_id"] for a in answers}) == 1
    conn = await asyncpg.connect(demo_database)
    try:
        assert await conn.fetchval("SELECT count(*) FROM open311_requests") == 1
        assert await conn.fetchval("SELECT count(*) FROM cases") == 1
    finally:
        await conn.close()


async def test_filters_and_paging(
    client: Client, api_key: str, clock: ManualClock, login: Login, demo_database: str
) -> None:
    made = []
    for index in range(5):
        code = "dispute" if index % 2 == 0 else "other"
        response = await post(client, form(api_key, code, description=f"第{index}件"))
        made.append(response.json()[0]["service_request_id"])
        clock.advance(hours=1)
    dispatcher = await login("demo-dispatcher")
    await move(
        client, dispatcher, await _case_id(demo_database, made[1]), "reject", reason="not_our_remit"
    )

    def ids(response: Any) -> list[str]:
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    async def requests(params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return await client.get(
            f"{BASE}/requests.json", params={**(params or {}), "api_key": api_key}, **kw
        )

    listed = await requests()
    assert ids(listed) == made[::-1]  # newest first
    closed = await requests({"status": "closed"})
    assert ids(closed) == [made[1]]
    assert closed.json()[0]["status_notes"] == "不予受理：不属于受理范围"
    english = await requests({"status": "closed"}, headers={"Accept-Language": "en"})
    assert english.json()[0]["status_notes"] == "Not accepted: Not our remit"
    open_ = await requests({"status": "open"})
    assert ids(open_) == [made[4], made[3], made[2], made[0]]
    both = await requests({"status": "open,closed"})
    assert ids(both) == made[::-1]
    disputes = await requests({"service_code": "dispute"})
    assert ids(disputes) == [made[4], made[2], made[0]]
    window = await requests(
        {"start_date": "2026-11-23T09:00:00Z", "end_date": "2026-11-23T11:00:00+00:00"}
    )
    assert ids(window) == [made[3], made[2], made[1]]  # the end is included
    by_id = await requests({"service_request_id": f"{made[0]},{made[3]}", "status": "closed"})
    assert ids(by_id) == [made[3], made[0]]  # ids override every other filter
    pages = [ids(await requests({"page": p, "page_size": 2})) for p in (1, 2, 3, 4)]
    assert pages == [made[4:2:-1], made[2:0:-1], made[:1], []]
    old = await requests({"end_date": "2026-08-01"})
    assert ids(old) == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"status": "pending"}, "status"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-11-20T00:00:00"}, "start_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "5000"}, "page_size"),
        ({"page": "-1"}, "page"),
        ({"radius": "100"}, "radius"),
    ],
)
async def test_bad_filters_are_named_in_the_specs_errors(
    client: Client, params: dict[str, str], named: str
) -> None:
    response = await client.get(f"{BASE}/requests.json", params=params)
    assert response.status_code == 400
    errors = response.json()
    assert all(error["code"] == 400 for error in errors)
    assert any(error["description"].startswith(f"{named}: ") for error in errors)


async def test_a_bad_api_key_is_403_in_the_specs_format(
    client: Client, admin: dict[str, str], api_key: str
) -> None:
    missing = await post(client, form(None))
    assert missing.status_code == 403
    [error] = missing.json()
    assert error["code"] == 403
    assert "api_key" in error["description"]
    wrong = await post(client, form("o311_not-a-key"), "xml")
    assert wrong.status_code == 403
    errors = parse(wrong)
    assert errors.tag == "errors"
    assert children(errors[0]) == ["code", "description"]
    assert errors.findtext("error/code") == "403"
    keys = (await client.get("/api/v1/admin/open311-keys", headers=admin)).json()
    assert "apiKey" not in keys[0]
    revoked = await client.post(f"/api/v1/admin/open311-keys/{keys[0]['id']}/revoke", headers=admin)
    assert revoked.json()["revokedAt"] is not None
    assert (await post(client, form(api_key))).status_code == 403


async def test_only_an_admin_issues_keys(client: Client, login: Login) -> None:
    dispatcher = await login("demo-dispatcher")
    refused = await client.post(
        "/api/v1/admin/open311-keys", headers=dispatcher, json={"name": "mine"}
    )
    assert refused.status_code == 403
    empty_name = await client.post(
        "/api/v1/admin/open311-keys", headers=await login("demo-admin"), json={"name": ""}
    )
    assert empty_name.status_code == 400


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"lat": ""}, "lat"),
        ({"long": "east"}, "long"),
        ({"lat": "91"}, "lat"),
        ({"lat": "nan"}, "lat"),
        ({"service_code": ""}, "service_code"),
        ({"description": "长" * 501}, "description"),
        ({"address_string": "路" * 201}, "address_string"),
        ({"attribute[colour]": "red"}, "attribute[colour]"),
        ({"attribute[guidance]": "x"}, "attribute[guidance]"),
        ({"attribute[accuracy_m]": "-1"}, "attribute[accuracy_m]"),
        ({"priority": "high"}, "priority"),
    ],
)
async def test_bad_input_is_400_naming_the_field(
    client: Client, api_key: str, fields: dict[str, str], named: str
) -> None:
    response = await post(client, form(api_key, **fields))
    assert response.status_code == 400, response.text
    assert any(e["description"].startswith(f"{named}: ") for e in response.json())


async def test_requests_the_city_cannot_take_are_400(client: Client, api_key: str) -> None:
    as_json = await client.post(f"{BASE}/requests.json", json=form(api_key))
    assert as_json.status_code == 400
    assert "x-www-form-urlencoded" in as_json.json()[0]["description"]
    far_away = await post(client, form(api_key, lat="39.9", long="116.4"))
    assert far_away.status_code == 400
    assert "outside the service area" in far_away.text
    not_a_photo = await post(
        client, form(api_key, "sanitation"), files={"media": ("a.jpg", b"GIF89a...", "image/jpeg")}
    )
    assert not_a_photo.status_code == 400
    assert "JPEG" in not_a_photo.json()[0]["description"]
    two_photos = await post(
        client,
        form(api_key, "sanitation"),
        files=[("media", ("a.jpg", jpeg(seed=1), "image/jpeg"))] * 2,
    )
    assert two_photos.status_code == 400


async def test_unknown_services_and_requests_are_404(client: Client, api_key: str) -> None:
    for path in (
        "/services/potholes.json",
        "/services/vice_clue.json",
        "/services/sanitation",
        "/requests/20261123-999999.json",
        f"/tokens/{uuid.uuid4()}.json",
        "/services.csv",
        "/potholes/near/me.json",
    ):
        response = await client.get(BASE + path, params={"api_key": api_key})
        assert response.status_code == 404, path
        [error] = response.json()
        assert error["code"] == 404
    not_a_token = await client.get(f"{BASE}/tokens/not-a-token.xml")
    assert not_a_token.status_code == 404
    assert parse(not_a_token).findtext("error/code") == "404"
    unknown = await post(client, form(api_key, "potholes"), "xml")
    assert unknown.status_code == 404
    assert parse(unknown).findtext("error/code") == "404"
    confidential = await post(client, form(api_key, "gang_clue"))
    assert confidential.status_code == 404


async def test_confidential_cases_and_reporters_never_appear(
    client: Client, api_key: str, demo_database: str
) -> None:
    services = (await client.get(f"{BASE}/services.json")).json()
    listed = {s["service_code"] for s in services}
    assert "sanitation" in listed
    assert not listed & {"vice_clue", "gang_clue"}
    assert "黄赌毒" not in (await client.get(f"{BASE}/services.xml")).text

    someone = await resident(client, nickname="王小明", phone="13912345678")
    public = await report(client, someone, "sanitation", address="文三路 90 号")
    secret = await client.post(
        "/api/v1/reports/",
        headers=someone,
        json={"clientId": str(uuid.uuid4()), "category": "vice_clue", **HOME, "description": "x"},
    )
    assert secret.status_code == 201, secret.text
    secret_no = secret.json()["trackingNo"]

    keyed = {"api_key": api_key}
    listed_requests = await client.get(f"{BASE}/requests.json", params=keyed)
    [listed] = listed_requests.json()
    assert listed["address"] == "文三路 90 号"
    assert await _case_id(demo_database, listed["service_request_id"]) == public["id"]
    for text in ("王小明", "13912345678"):
        assert text not in listed_requests.text
        assert text not in (await client.get(f"{BASE}/requests.xml", params=keyed)).text
    secret_id = await _public_id(demo_database, secret.json()["id"])
    for request_id in (secret_no, secret_id):
        found = await client.get(f"{BASE}/requests/{request_id}.json", params=keyed)
        assert found.status_code == 404
        by_id = await client.get(
            f"{BASE}/requests.json", params={"service_request_id": request_id, **keyed}
        )
        assert by_id.json() == []


async def test_a_key_has_its_own_hourly_limit(
    client: Client, admin: dict[str, str], clock: ManualClock
) -> None:
    key = await issue_key(client, admin, reportsPerHour=2)
    for n in range(2):
        assert (await post(client, form(key, description=f"第{n}件"))).status_code == 201
    throttled = await post(client, form(key, description="第三件"), "xml")
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    assert parse(throttled).findtext("error/code") == "429"
    clock.advance(hours=1, seconds=1)
    assert (await post(client, form(key, description="第三件"))).status_code == 201


def gridreport(dsn: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        env={**os.environ, "DATABASE_URL": dsn},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_the_command_line_issues_a_key_that_works(client: Client, demo_database: str) -> None:
    issued = gridreport(demo_database, "open311-key", "--name", "12345 热线", "--per-hour", "50")
    assert issued.returncode == 0, issued.stderr
    api_key = issued.stdout.strip().rsplit(" ", 1)[-1]
    assert api_key.startswith("o311_")
    assert (await post(client, form(api_key))).status_code == 201
    refused = gridreport(demo_database, "open311-key", "--name", "x", "--per-hour", "0")
    assert refused.returncode != 0
    assert "reportsPerHour" in refused.stderr
