"""Followers (关注) and reporters whose report was merged (已合并) read the report they are told
about, find it in 我的上报, and learn nothing of who reported it."""

from __future__ import annotations

from typing import Any

from tests.http.case_helpers import move, outbox, photo, report, resident, user_id
from tests.http.conftest import Client, Login

REPORTS = "/api/v1/reports/"
MINE = "/api/v1/me/reports/"
NICKNAME, PHONE = "王阿姨", "13912345678"


async def read(client: Client, headers: dict[str, str], case_id: int) -> dict[str, Any]:
    response = await client.get(f"{REPORTS}{case_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def listed(client: Client, headers: dict[str, str]) -> dict[int, str]:
    """我的上报 as id -> relation."""
    response = await client.get(MINE, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"]: item["relation"] for item in response.json()["items"]}


async def rate(client: Client, headers: dict[str, str], case_id: int, score: int) -> Any:
    return await client.post(f"{REPORTS}{case_id}/rating", headers=headers, json={"score": score})


async def close(client: Client, login: Login, case_id: int) -> None:
    worker, dispatcher = await login("demo-worker"), await login("demo-dispatcher")
    await move(client, worker, case_id, "accept")
    after = await photo(client, worker, "resolution", seed=case_id)
    await move(client, worker, case_id, "resolve", note="已清理", mediaIds=[after])
    await move(client, dispatcher, case_id, "verify", passed=True)


async def test_a_follower_reads_the_report_without_learning_who_made_it(
    client: Client, login: Login, demo_database: str
) -> None:
    reporter = await resident(client, nickname=NICKNAME, phone=PHONE)
    follower, stranger = await resident(client), await resident(client)
    made = await report(client, reporter, anonymous=True, address="保俶路12号3栋502室")
    assert (await client.post(f"{REPORTS}{made['id']}/follow", headers=follower)).status_code == 204
    followed = await read(client, follower, made["id"])
    assert (followed["trackingNo"], followed["relation"]) == (made["trackingNo"], "following")
    assert not followed["canRate"]
    assert await listed(client, follower) == {made["id"]: "following"}
    assert await listed(client, reporter) == {made["id"]: "own"}
    assert (await client.get(f"{REPORTS}{made['id']}", headers=stranger)).status_code == 404

    await close(client, login, made["id"])
    assert (await user_id(client, follower), "closed") in await outbox(demo_database, made["id"])
    assert (await rate(client, reporter, made["id"], 5)).status_code == 200
    refused = await rate(client, follower, made["id"], 1)
    assert refused.status_code == 403
    assert refused.json()["code"] == "reports.followers_cannot_rate"
    after = await read(client, follower, made["id"])
    assert (after["status"], after["rating"], after["anonymous"]) == ("rated", None, False)
    assert after["address"] is None
    assert NICKNAME not in str(after) and PHONE not in str(after)
    assert (await read(client, reporter, made["id"]))["rating"] == 5


async def test_merging_brings_its_reporter_and_followers_to_the_master(
    client: Client, login: Login, demo_database: str
) -> None:
    first = await resident(client, nickname=NICKNAME, phone=PHONE)
    second, follower = await resident(client), await resident(client)
    master, duplicate = await report(client, first), await report(client, second)
    assert (
        await client.post(f"{REPORTS}{duplicate['id']}/follow", headers=follower)
    ).status_code == 204
    await move(
        client, await login("demo-dispatcher"), duplicate["id"], "merge", masterId=master["id"]
    )

    assert await listed(client, second) == {master["id"]: "merged", duplicate["id"]: "own"}
    assert (await read(client, second, duplicate["id"]))["masterId"] == master["id"]
    assert await listed(client, follower) == {
        master["id"]: "following",
        duplicate["id"]: "following",
    }
    as_merged = await read(client, second, master["id"])
    assert (as_merged["relation"], as_merged["canRate"]) == ("merged", False)
    assert NICKNAME not in str(as_merged) and PHONE not in str(as_merged)

    await close(client, login, master["id"])
    told = await outbox(demo_database, master["id"])
    assert (await user_id(client, follower), "closed") in told
    assert (await user_id(client, second), "closed") in told
    assert (await rate(client, first, master["id"], 4)).status_code == 200
    assert (await read(client, second, master["id"]))["canRate"]
    # The merged reporter rates too: their own score, beside the master reporter's.
    unhappy = await rate(client, second, master["id"], 2)
    assert unhappy.status_code == 200, unhappy.text
    assert (unhappy.json()["rating"], unhappy.json()["status"]) == (2, "rated")
    assert not unhappy.json()["canRate"]
    assert (await rate(client, second, master["id"], 3)).status_code == 409
    assert (await read(client, first, master["id"]))["rating"] == 4
    assert (await rate(client, follower, master["id"], 1)).status_code == 403
