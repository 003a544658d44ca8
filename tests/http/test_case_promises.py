"""What the case loop promises and must keep: a button offered is a move accepted, the
resolve date shown at filing holds at 签收, and a reworked case may be rated again."""

from __future__ import annotations

from datetime import datetime

from backend.clock import ManualClock
from tests.http.case_helpers import case, move, photo, report, resident
from tests.http.conftest import Client, Login

REPORTS = "/api/v1/reports/"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_extension_is_offered_only_while_it_would_be_accepted(
    client: Client, login: Login, clock: ManualClock
) -> None:
    made = await report(client, await resident(client))
    worker, supervisor = await login("demo-worker"), await login("demo-supervisor")
    accepted = await move(client, worker, made["id"], "accept")
    assert "request_extension" in accepted["allowedActions"]
    assert "decide_extension" not in (await case(client, supervisor, made["id"]))["allowedActions"]
    asked = await move(client, worker, made["id"], "extension", minutes=60, reason="等待配件")
    assert "request_extension" not in asked["allowedActions"]
    assert "decide_extension" in (await case(client, supervisor, made["id"]))["allowedActions"]
    await move(client, supervisor, made["id"], "extension/decision", approve=False)
    assert "request_extension" in (await case(client, worker, made["id"]))["allowedActions"]
    clock.advance(days=10)
    worker = await login("demo-worker")  # a new day, a new login
    late = await case(client, worker, made["id"])
    assert "request_extension" not in late["allowedActions"]
    assert "resolve" in late["allowedActions"]
    await move(client, worker, made["id"], "extension", expect=409, minutes=60, reason="太晚了")


async def test_the_resolve_date_promised_at_filing_holds_at_acceptance(
    client: Client, login: Login, clock: ManualClock
) -> None:
    reporter = await resident(client)
    made = await report(client, reporter)
    promised = _at(made["deadlines"]["resolveBy"])
    clock.advance(minutes=10)  # accepted well before the accept deadline
    accepted = await move(client, await login("demo-worker"), made["id"], "accept")
    assert _at(accepted["deadlines"]["resolveBy"]) == promised
    mine = (await client.get(f"{REPORTS}{made['id']}", headers=reporter)).json()
    assert _at(mine["deadlines"]["resolveBy"]) == promised


async def test_a_reworked_case_may_be_rated_again_once_it_closes_again(
    client: Client, login: Login, clock: ManualClock
) -> None:
    reporter = await resident(client)
    made = await report(client, reporter)
    worker, dispatcher = await login("demo-worker"), await login("demo-dispatcher")
    rating = f"{REPORTS}{made['id']}/rating"

    async def fix_and_close(seed: int) -> None:
        after = await photo(client, worker, "resolution", seed=seed)
        await move(client, worker, made["id"], "resolve", note="已处理", mediaIds=[after])
        await move(client, dispatcher, made["id"], "verify", passed=True)

    await move(client, worker, made["id"], "accept")
    await fix_and_close(seed=11)
    clock.advance(hours=1)
    unhappy = await client.post(rating, headers=reporter, json={"score": 1, "comment": "没修好"})
    assert unhappy.json()["status"] == "accepted"  # 返工
    clock.advance(hours=1)
    await fix_and_close(seed=12)
    clock.advance(hours=1)
    again = await client.post(rating, headers=reporter, json={"score": 4})
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["rating"]) == ("rated", 4)
    clock.advance(hours=1)
    twice = await client.post(rating, headers=reporter, json={"score": 5})
    assert twice.status_code == 409
