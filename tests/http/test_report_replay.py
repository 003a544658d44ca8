"""A phone replaying one draft from several places (page, service worker, retry timer) at once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx

from tests.http import case_helpers
from tests.http.conftest import Client
from tests.http.photos import client_key, jpeg, multipart_file

REPLAYS_AT_ONCE = 4


async def send_draft(
    client: Client, headers: dict[str, str], photos: list[tuple[bytes, str]], body: dict[str, Any]
) -> httpx.Response:
    """What one replay of the outbox does: upload each photo by its key, then submit."""
    media_ids = []
    for data, key in photos:
        uploaded = await client.post(
            "/api/v1/media/", headers=headers, files=multipart_file(data), data={"clientKey": key}
        )
        if uploaded.status_code >= 400:
            return uploaded
        media_ids.append(uploaded.json()["id"])
    answer: httpx.Response = await client.post(
        "/api/v1/reports/", headers=headers, json={**body, "mediaIds": media_ids}
    )
    return answer


async def photos_of_cases(dsn: str) -> dict[int, int]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT c.id, count(m.id) AS photos FROM cases c "
            "LEFT JOIN media m ON m.case_id = c.id GROUP BY c.id"
        )
    finally:
        await conn.close()
    return {row["id"]: row["photos"] for row in rows}


async def test_replays_of_one_draft_land_one_report_with_its_photos(
    client: Client, demo_database: str
) -> None:
    for attempt in range(3):
        me = await case_helpers.resident(client)
        photos = [(jpeg(seed=2 * attempt + i), client_key()) for i in range(2)]
        body = {
            "clientId": str(uuid.uuid4()),
            "category": "sanitation",
            **case_helpers.HOME,
            "description": "楼道堆放杂物",
        }
        # Replays that start together, then replays that start after the report has landed
        # (their answers to the first replays were lost): each must get the one report back.
        first = await asyncio.gather(
            *(send_draft(client, me, photos, body) for _ in range(REPLAYS_AT_ONCE))
        )
        later = await asyncio.gather(
            *(send_draft(client, me, photos, body) for _ in range(REPLAYS_AT_ONCE))
        )
        answers = [*first, *later]
        assert [a.json().get("code") for a in answers if a.status_code >= 400] == []
        assert len({a.json()["id"] for a in answers}) == 1
    assert sorted((await photos_of_cases(demo_database)).values()) == [2, 2, 2]
