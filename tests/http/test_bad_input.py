"""Bad input on every JSON route and in query strings: a 4xx in both languages, never a 500."""

from __future__ import annotations

import io
import random
import re
from typing import Any

import pytest
from PIL import Image

from tests.http.case_helpers import resident
from tests.http.conftest import Client, Login
from tests.http.photos import multipart_file

STAFF = ("demo-worker", "demo-department", "demo-dispatcher", "demo-supervisor", "demo-admin")
BAD_BODIES = {
    "invalid UTF-8 inside a string": b'{"username": "a\xff\xfeb", "note": "\xc3\x28"}',
    "arrays nested 1,000 deep": b"[" * 1000 + b"]" * 1000,
    "objects nested 1,000 deep": b'{"a":' * 1000 + b"1" + b"}" * 1000,
}
JSON = {"Content-Type": "application/json"}
# Take a whole city's GeoJSON, or up to 500 answer sets from a 座谈会: their own, larger, limit.
LARGE_BODY_ROUTES = {
    ("post", "/api/v1/admin/regions/import"),
    ("post", "/api/v1/surveys/1/entries"),
}


def assert_bilingual(body: dict[str, Any]) -> None:
    assert set(body) == {"code", "message", "messageEn", "fields"}, body
    assert body["message"] and body["messageEn"] and body["message"] != body["messageEn"]


def json_routes(client: Client) -> list[tuple[str, str]]:
    """(method, path with sample path parameters) of every operation that takes a JSON body."""
    schema = client.app.openapi_schema.to_schema()
    routes = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                routes.append((method, re.sub(r"\{[^}]+\}", "1", path)))
    return sorted(routes)


async def callers(client: Client, login: Login) -> list[dict[str, str]]:
    """Nobody, a resident and every staff role: every route's guard lets one of them in."""
    return [{}, await resident(client), *[await login(name) for name in STAFF]]


async def test_the_walk_covers_the_routes_named_in_the_promise(client: Client) -> None:
    routes = json_routes(client)
    assert ("post", "/api/v1/auth/login") in routes
    assert ("post", "/api/v1/auth/device") in routes
    assert ("post", "/api/v1/cases/1/reveal") in routes
    assert len(routes) >= 25


@pytest.mark.parametrize("kind", sorted(BAD_BODIES))
async def test_unreadable_json_is_a_400_on_every_json_route(
    client: Client, login: Login, kind: str
) -> None:
    people = await callers(client, login)
    for method, path in json_routes(client):
        answers = [
            await client.request(
                method, path, content=BAD_BODIES[kind], headers={**headers, **JSON}
            )
            for headers in people
        ]
        statuses = [answer.status_code for answer in answers]
        assert all(status < 500 for status in statuses), (method, path, statuses)
        read = [answer for answer in answers if answer.status_code not in {401, 403}]
        assert read, (method, path, "no caller got past the guard")
        for answer in read:
            assert answer.status_code == 400, (method, path, answer.text)
            assert_bilingual(answer.json())


async def test_a_json_body_larger_than_64_kib_is_refused_on_every_json_route(
    client: Client, login: Login
) -> None:
    people = await callers(client, login)
    large = b'{"note": "' + b"x" * (64 * 1024) + b'"}'
    for method, path in json_routes(client):
        answers = [
            await client.request(method, path, content=large, headers={**headers, **JSON})
            for headers in people
        ]
        read = [answer for answer in answers if answer.status_code not in {401, 403}]
        assert read, (method, path, "no caller got past the guard")
        for answer in read:
            if (method, path) in LARGE_BODY_ROUTES:
                assert answer.status_code in {400, 422}, (method, path, answer.text)
                continue
            assert answer.status_code == 413, (method, path, answer.text)
            assert answer.json()["code"] == "request.too_large"
            assert_bilingual(answer.json())


def noisy_jpeg(width: int = 800, height: int = 600) -> bytes:
    pixels = random.Random(7).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, "JPEG", quality=95)
    return out.getvalue()


async def test_a_photo_larger_than_a_json_body_may_be_is_still_accepted(client: Client) -> None:
    photo = noisy_jpeg()
    assert len(photo) > 4 * 64 * 1024
    uploaded = await client.post(
        "/api/v1/media/",
        headers=await resident(client),
        files=multipart_file(photo),
        data={"purpose": "report"},
    )
    assert uploaded.status_code == 201, uploaded.text


@pytest.mark.parametrize(
    "query",
    [
        {"q": "\x00"},
        {"q": "a\x00b"},
        {"assignee": "9" * 5000},
        {"assignee": str(2**63)},
        {"createdFrom": "0001-01-01T00:00:00+14:00"},
    ],
    ids=["nul", "nul-inside", "huge-assignee", "assignee-past-bigint", "before-year-one"],
)
async def test_the_case_export_refuses_values_the_database_cannot_take(
    client: Client, login: Login, query: dict[str, str]
) -> None:
    for path in ("/api/v1/cases/export.csv", "/api/v1/cases/"):
        answer = await client.get(path, params=query, headers=await login("demo-dispatcher"))
        assert answer.status_code == 400, (path, answer.text)
        assert_bilingual(answer.json())


async def test_a_good_export_still_streams(client: Client, login: Login) -> None:
    answer = await client.get(
        "/api/v1/cases/export.csv", params={"q": "楼道"}, headers=await login("demo-dispatcher")
    )
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    "query",
    [
        {"from": "9999-12-30", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-02"},
        {"period": "9999-W52"},
        {"period": "0001-01"},
        {"period": "0001"},
    ],
    ids=["last-days", "first-days", "last-week", "first-month", "first-year"],
)
@pytest.mark.parametrize(
    "path", ["/api/v1/stats/summary", "/api/v1/stats/rankings", "/api/v1/stats/report.xlsx"]
)
async def test_statistics_of_the_calendars_edges_are_a_400(
    client: Client, login: Login, path: str, query: dict[str, str]
) -> None:
    answer = await client.get(path, params=query, headers=await login("demo-supervisor"))
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "stats.period_out_of_range"
    assert_bilingual(answer.json())
