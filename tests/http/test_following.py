"""Followers (关注) and reporters whose report was merged (已合并) read the report they are told
about, find it in 我的上报, and learn nothing of who reported it."""

from __future__ import annotations

from typing import Any

from tests.http.case_helpers import move, outbox, photo, report, resident, user_id
from tests.http.conftest import Client, Login
from tests.http.test_confidential_cases import make_confidential

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
    assert (followed["trackingNo"], followed["relation"]) == (None, "following")
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


async def test_a_stranger_cannot_follow_a_dispute_by_its_number(
    client: Client, login: Login
) -> None:
    reporter, stranger = await resident(client), await resident(client)
    dispute = await report(client, reporter, category="dispute", mediaIds=[])
    refused = await client.post(f"{REPORTS}{dispute['id']}/follow", headers=stranger)
    assert refused.status_code == 404
    assert refused.json()["code"] == "reports.not_found"
    assert (await client.get(f"{REPORTS}{dispute['id']}", headers=stranger)).status_code == 404
    assert await listed(client, stranger) == {}

    ordinary = await report(client, reporter)
    dispatcher = await login("demo-dispatcher")
    staff_refused = await client.post(f"{REPORTS}{ordinary['id']}/follow", headers=dispatcher)
    assert staff_refused.status_code == 403
    assert staff_refused.json()["code"] == "reports.residents_only"


async def test_a_follower_sees_roughly_where_and_no_numbers(client: Client) -> None:
    reporter, follower = await resident(client), await resident(client)
    made = await report(
        client,
        reporter,
        lat=30.27416,
        lng=120.15527,
        description="楼道堆放杂物，请联系13812345678",
    )
    offered = await client.get(
        f"{REPORTS}nearby",
        headers=follower,
        params={"lat": 30.2742, "lng": 120.1553, "category": "sanitation"},
    )
    assert [r["description"] for r in offered.json()] == ["楼道堆放杂物，请联系138****5678"]
    assert (await client.post(f"{REPORTS}{made['id']}/follow", headers=follower)).status_code == 204

    followed = await read(client, follower, made["id"])
    assert (followed["lat"], followed["lng"]) == (30.274, 120.155)
    assert followed["trackingNo"] is None
    assert "13812345678" not in str(followed)
    assert followed["description"] == "楼道堆放杂物，请联系138****5678"
    item = (await client.get(MINE, headers=follower)).json()["items"][0]
    assert (item["trackingNo"], item["description"]) == (None, followed["description"])

    own = await read(client, reporter, made["id"])
    assert (own["lat"], own["lng"], own["trackingNo"]) == (30.27416, 120.15527, made["trackingNo"])
    assert own["description"] == "楼道堆放杂物，请联系13812345678"


async def test_a_case_made_confidential_leaves_its_followers_and_merged_reporters(
    client: Client, login: Login
) -> None:
    first, second, follower = await resident(client), await resident(client), await resident(client)
    master, duplicate = await report(client, first), await report(client, second)
    assert (
        await client.post(f"{REPORTS}{master['id']}/follow", headers=follower)
    ).status_code == 204
    await move(
        client, await login("demo-dispatcher"), duplicate["id"], "merge", masterId=master["id"]
    )
    assert await listed(client, second) == {master["id"]: "merged", duplicate["id"]: "own"}

    await make_confidential(client, await login("demo-admin"), "sanitation")

    assert (await client.get(f"{REPORTS}{master['id']}", headers=follower)).status_code == 404
    assert await listed(client, follower) == {}
    assert (await client.get(f"{REPORTS}{master['id']}", headers=second)).status_code == 404
    assert await listed(client, second) == {duplicate["id"]: "own"}
    assert (await read(client, first, master["id"]))["relation"] == "own"
    assert await listed(client, first) == {master["id"]: "own"}


async def test_merging_into_a_confidential_lead_tells_the_duplicate_s_people_nothing_of_it(
    client: Client, login: Login, demo_database: str
) -> None:
    first, second, follower = await resident(client), await resident(client), await resident(client)
    lead = await report(client, first, category="vice_clue", mediaIds=[])
    duplicate = await report(client, second)
    assert (
        await client.post(f"{REPORTS}{duplicate['id']}/follow", headers=follower)
    ).status_code == 204
    supervisor = await login("demo-supervisor")
    await move(client, supervisor, duplicate["id"], "merge", masterId=lead["id"])

    for reader in (second, follower):
        assert (await client.get(f"{REPORTS}{lead['id']}", headers=reader)).status_code == 404
        assert lead["id"] not in await listed(client, reader)
    await move(client, supervisor, lead["id"], "reject", reason="other", note="已核查")
    told = {user for user, _ in await outbox(demo_database, lead["id"])}
    assert await user_id(client, first) in told
    assert await user_id(client, follower) not in told
    assert await user_id(client, second) not in told
