"""Surveys over HTTP: a questionnaire opened, offered, answered once per device, entered by
staff at a 座谈会, tallied; scoped to the staff member's subtree; and a key area's 验收 survey."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from backend.clock import ManualClock
from backend.db.pool import connect
from backend.places import service as places
from backend.settings import Settings
from backend.surveys import service as surveys
from backend.web.context import context_of
from tests.http.case_helpers import HOME, report, resident, staff
from tests.http.conftest import Client, Login

HOME_STREET, OTHER_STREET = "330106002", "330106001"
# A point in another street (北山街道), outside HOME's street.
ELSEWHERE = {"lat": 30.2801, "lng": 120.1420}
SATISFACTION = {
    "key": "satisfaction",
    "kind": "single",
    "zh": "您对本辖区的治安状况满意吗？",
    "en": "Are you satisfied with public safety here?",
    "standard": "satisfaction",
    "required": True,
    "options": [
        {"key": "satisfied", "zh": "满意", "en": "Satisfied"},
        {"key": "basically_satisfied", "zh": "基本满意", "en": "Basically satisfied"},
        {"key": "dissatisfied", "zh": "不满意", "en": "Dissatisfied"},
    ],
}
SAFETY = {"key": "safety", "kind": "scale5", "zh": "您感到安全吗？", "en": "Do you feel safe?"}
SAFETY["standard"] = "safety"
NOTE = {"key": "note", "kind": "text", "zh": "意见建议", "en": "Remarks"}
SURVEY = {
    "title": "2026年第四季度群众安全感调查",
    "titleEn": "Sense of safety, Q4 2026",
    "regionCode": HOME_STREET,
    "questions": [SATISFACTION, SAFETY, NOTE],
    "opensOn": "2026-11-23",
    "closesOn": "2026-12-31",
}


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The app's settings; a test changes some of them by parametrising this fixture."""
    changes: dict[str, Any] = getattr(request, "param", {})
    return Settings(
        data_dir=tmp_path,
        login_max_failures_per_user=5,
        login_max_failures_per_address=30,
        **changes,
    )


@pytest.fixture
async def supervisor(login: Login) -> dict[str, str]:
    return await login("demo-supervisor")


@pytest.fixture
async def db(demo_database: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await connect(demo_database)
    try:
        yield conn
    finally:
        await conn.close()


async def post(
    client: Client, path: str, headers: dict[str, str], expect: int, body: Any = None
) -> dict[str, Any]:
    response = await client.post(f"/api/v1/surveys{path}", headers=headers, json=body or {})
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def offered(client: Client, headers: dict[str, str], **point: float) -> list[int]:
    response = await client.get("/api/v1/surveys/offered", headers=headers, params=point)
    assert response.status_code == 200, response.text
    return [offer["id"] for offer in response.json()]


async def opened_survey(client: Client, supervisor: dict[str, str], **body: Any) -> int:
    draft = await post(client, "/", supervisor, 201, {**SURVEY, **body})
    assert draft["state"] == "draft"
    survey_id: int = draft["id"]
    assert (await post(client, f"/{survey_id}/open", supervisor, 200))["state"] == "open"
    return survey_id


async def neighbour(client: Client, db: asyncpg.Connection) -> dict[str, str]:
    """A device in use for a month: made before any survey of a test opened."""
    headers = await resident(client)
    user_id = (await client.get("/api/v1/me", headers=headers)).json()["id"]
    await db.execute(
        "UPDATE users SET created_at = created_at - interval '30 days' WHERE id = $1", user_id
    )
    return headers


def answer_of(n: int) -> dict[str, Any]:
    """Of every four answers: satisfied, basically satisfied, satisfied, dissatisfied."""
    choice = ["satisfied", "basically_satisfied", "satisfied", "dissatisfied"][n % 4]
    return {"satisfaction": choice, "safety": 1 + n % 5, "note": f"第{n}份"}


@pytest.mark.parametrize("settings", [{"survey_answers_per_address_per_survey": 15}], indirect=True)
async def test_a_survey_is_answered_once_per_device_and_tallied(
    client: Client, login: Login, supervisor: dict[str, str], db: asyncpg.Connection
) -> None:
    draft = await post(client, "/", supervisor, 201, SURVEY)
    device = await resident(client)
    await report(client, device)
    assert await offered(client, device) == []  # a draft is offered to nobody
    survey_id = draft["id"]
    assert (await post(client, f"/{survey_id}/open", supervisor, 200))["state"] == "open"
    # Five devices whose reports lie in the street, fifteen standing in it now.
    reporters = [device, *[await resident(client) for _ in range(4)]]
    for headers in reporters[1:]:
        await report(client, headers)
    passers_by = [await neighbour(client, db) for _ in range(15)]
    for headers in reporters:
        assert await offered(client, headers) == [survey_id]
    for headers in passers_by:
        assert await offered(client, headers) == []
        assert await offered(client, headers, **HOME) == [survey_id]
    for n, headers in enumerate(reporters + passers_by):
        # A reporter is reached through its report; a passer-by sends where it stands.
        where = HOME if headers in passers_by else {}
        answered = await post(
            client, f"/{survey_id}/answers", headers, 201, {"answers": answer_of(n), **where}
        )
        assert answered == {"surveyId": survey_id, "day": "2026-11-23"}
    again = await client.post(
        f"/api/v1/surveys/{survey_id}/answers", headers=device, json={"answers": answer_of(0)}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "surveys.already_answered"
    assert again.json()["message"] and again.json()["messageEn"]
    assert await offered(client, device, **HOME) == []

    dispatcher = await login("demo-dispatcher")
    forum = [
        {"answers": answer_of(n), "group": ["resident", "informant", "victim"][n % 3]}
        for n in range(15)
    ]
    entered = await post(
        client, f"/{survey_id}/entries", dispatcher, 201, {"channel": "forum", "entries": forum}
    )
    assert entered == {"surveyId": survey_id, "entered": 15}

    shown = (await client.get(f"/api/v1/surveys/{survey_id}", headers=dispatcher)).json()
    assert (shown["state"], shown["regionCode"], shown["openedAt"]) == (
        "open",
        HOME_STREET,
        "2026-11-23T08:00:00Z",
    )
    assert shown["answered"] == 35
    tally = {item["key"]: item for item in shown["tally"]}
    assert set(tally) == {"satisfaction", "safety"}
    # 20 app answers (n = 0..19) and 15 forum answers (n = 0..14), by n % 4 and n % 5.
    assert {c["key"]: c["count"] for c in tally["satisfaction"]["counts"]} == {
        "satisfied": 10 + 8,
        "basically_satisfied": 5 + 4,
        "dissatisfied": 5 + 3,
    }
    assert {c["key"]: c["count"] for c in tally["safety"]["counts"]} == {
        str(v): 4 + 3 for v in range(1, 6)
    }
    # Where the answers came from: 20 in the app (n = 0..19), 15 at the 座谈会 (n = 0..14).
    assert shown["satisfaction"] == {
        "answered": 35,
        "satisfied": 27,
        "byChannel": {
            "app": {"answered": 20, "satisfied": 15},
            "forum": {"answered": 15, "satisfied": 12},
        },
    }
    assert await surveys.satisfaction(db, survey_id=survey_id) == surveys.SatisfactionTally(
        35, 27, by_channel={"app": (20, 15), "forum": (15, 12)}
    )

    marks = await db.fetchval(
        "SELECT count(*) FROM survey_respondents WHERE survey_id = $1", survey_id
    )
    assert marks == 20
    columns = await db.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_name IN ('survey_respondents', 'survey_answers')"
    )
    kept = {(row["table_name"], row["column_name"]) for row in columns}
    assert {c for t, c in kept if t == "survey_respondents"} == {"survey_id", "mark", "pending"}
    assert not {c for _, c in kept if "device" in c or "user" in c or "reporter" in c}
    app_rows = await db.fetch(
        "SELECT entered_by, grp FROM survey_answers WHERE survey_id = $1 AND channel = 'app'",
        survey_id,
    )
    assert len(app_rows) == 20 and {tuple(row) for row in app_rows} == {(None, None)}


async def test_a_closed_survey_takes_no_more_answers(
    client: Client, supervisor: dict[str, str], db: asyncpg.Connection
) -> None:
    survey_id = await opened_survey(client, supervisor)
    device = await neighbour(client, db)
    assert (await post(client, f"/{survey_id}/close", supervisor, 200))["state"] == "closed"
    assert await offered(client, device, **HOME) == []
    refused = await post(
        client, f"/{survey_id}/answers", device, 409, {"answers": answer_of(1), **HOME}
    )
    assert refused["code"] == "surveys.not_taking_answers"
    again = await post(client, f"/{survey_id}/open", supervisor, 409)
    assert again["code"] == "surveys.wrong_state"


async def test_staff_see_and_run_only_surveys_of_their_subtree(
    client: Client, login: Login, supervisor: dict[str, str]
) -> None:
    survey_id = await opened_survey(client, supervisor)
    admin = await login("demo-admin")
    elsewhere = await staff(
        client, admin, "other-street-lead", "supervisor", regionCode=OTHER_STREET
    )
    seen = await client.get(f"/api/v1/surveys/{survey_id}", headers=elsewhere)
    assert seen.status_code == 404 and seen.json()["code"] == "surveys.not_found"
    await post(client, f"/{survey_id}/close", elsewhere, 404)
    entries = {"channel": "phone", "entries": [{"answers": answer_of(0)}]}
    await post(client, f"/{survey_id}/entries", elsewhere, 404, entries)
    await post(client, "/", elsewhere, 404, SURVEY)  # a region outside their street
    mine = await post(client, "/", elsewhere, 201, {**SURVEY, "regionCode": OTHER_STREET})
    assert mine["regionCode"] == OTHER_STREET
    assert (
        await client.get(f"/api/v1/surveys/{mine['id']}", headers=supervisor)
    ).status_code == 200
    worker = await login("demo-worker")
    assert (await client.get(f"/api/v1/surveys/{survey_id}", headers=worker)).status_code == 403
    device = await resident(client)
    await post(client, "/", device, 403, SURVEY)


async def test_bad_questionnaires_and_answers_are_named_per_field(
    client: Client, login: Login, supervisor: dict[str, str], db: asyncpg.Connection
) -> None:
    bad = {**SURVEY, "questions": [SATISFACTION, {**SAFETY, "key": "satisfaction"}]}
    refused = await post(client, "/", supervisor, 422, bad)
    assert refused["code"] == "surveys.bad_questionnaire"
    assert refused["fields"] == {"questions[1].key": "the same key is used twice"}
    assert refused["message"] and refused["messageEn"]
    survey_id = await opened_survey(client, supervisor)
    device = await neighbour(client, db)
    wrong = {"satisfaction": "ecstatic", "safety": 9, "age": 40}
    refused = await post(client, f"/{survey_id}/answers", device, 422, {"answers": wrong, **HOME})
    assert refused["code"] == "surveys.bad_answers"
    assert refused["fields"] == {
        "answers.satisfaction": "not one of the options",
        "answers.safety": "a whole number from 1 to 5",
        "answers.age": "no such question",
    }
    # A refused answer counts for nothing: the device may still answer.
    await post(client, f"/{survey_id}/answers", device, 201, {"answers": answer_of(0), **HOME})
    dispatcher = await login("demo-dispatcher")
    forum = {
        "channel": "forum",
        "entries": [{"answers": answer_of(0)}, {"answers": {}, "group": "victim"}],
    }
    refused = await post(client, f"/{survey_id}/entries", dispatcher, 422, forum)
    assert refused["fields"] == {
        "entries[0].group": "a forum answer needs its group",
        "entries[1].answers.satisfaction": "an answer is required",
    }
    assert (await client.get(f"/api/v1/surveys/{survey_id}", headers=dispatcher)).json()[
        "answered"
    ] == 1


async def acceptance_survey(
    client: Client, db: asyncpg.Connection, *, barred_entrants: tuple[int, ...] = ()
) -> tuple[int, int]:
    """(survey id, place id): a key area drawn around HOME and its open acceptance survey."""
    lat, lng, d = HOME["lat"], HOME["lng"], 0.002
    square = [[lng - d, lat - d], [lng + d, lat - d], [lng + d, lat + d], [lng - d, lat + d]]
    street = await db.fetchrow("SELECT id, path FROM regions WHERE code = $1", HOME_STREET)
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    place_id = await places.create_place(
        db,
        kind="key_area",
        region_id=street["id"],
        region_path=street["path"],
        covers=None,
        geometry={"type": "Polygon", "coordinates": [[*square, square[0]]]},
        now=now,
    )
    # The app follows new places on its own loop: wait there until it routes with this one.
    revision = await db.fetchval("SELECT revision FROM region_revision")
    routing = context_of(client.app.state).require_routing()
    assert client.blocking_portal.call(routing.wait_for_revision, revision, 20)
    user = await db.fetchval("SELECT id FROM users WHERE username = 'demo-supervisor'")
    survey_id = await surveys.open_acceptance_survey(
        db,
        place_id=place_id,
        region_id=street["id"],
        region_path=street["path"],
        title="某城中村整治验收",
        title_en="Acceptance of an urban village",
        actor_id=user,
        now=now,
        barred_entrants=barred_entrants,
    )
    return survey_id, place_id


async def test_a_key_area_acceptance_survey_reaches_the_residents_of_its_place(
    client: Client, supervisor: dict[str, str], db: asyncpg.Connection
) -> None:
    lat, lng = HOME["lat"], HOME["lng"]
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    survey_id, place_id = await acceptance_survey(client, db)
    inside, outside, reporter = (
        await neighbour(client, db),
        await resident(client),
        await resident(client),
    )
    await report(client, reporter)  # lands in the place
    assert await offered(client, inside, **HOME) == [survey_id]
    assert await offered(client, reporter) == [survey_id]
    assert await offered(client, outside, lat=lat + 0.01, lng=lng) == []
    answers = {"satisfaction": "satisfied", "safety": 4, "remark": "路灯修好了"}
    # Outside the place, with no report in it: the survey does not exist for this device.
    for where in ({}, {"lat": lat + 0.01, "lng": lng}):
        refused = await post(
            client, f"/{survey_id}/answers", outside, 404, {"answers": answers, **where}
        )
        assert refused["code"] == "surveys.not_found"
        assert refused["message"] and refused["messageEn"]
    await post(client, f"/{survey_id}/answers", inside, 201, {"answers": answers, **HOME})
    answers["satisfaction"] = "dissatisfied"
    await post(client, f"/{survey_id}/answers", reporter, 201, {"answers": answers})
    assert await surveys.satisfaction(db, survey_id=survey_id) == surveys.SatisfactionTally(
        2, 1, by_channel={"app": (2, 1)}
    )
    shown = (await client.get(f"/api/v1/surveys/{survey_id}", headers=supervisor)).json()
    assert (shown["purpose"], shown["placeId"], shown["closesOn"]) == (
        "acceptance",
        place_id,
        "2026-12-23",
    )
    await surveys.close(db, survey_id=survey_id, now=now)
    await surveys.close(db, survey_id=survey_id, now=now)  # closing twice changes nothing
    assert await offered(client, inside, **HOME) == []


async def test_a_device_gets_one_safety_survey_a_quarter(
    client: Client, supervisor: dict[str, str], login: Login, db: asyncpg.Connection
) -> None:
    first = await opened_survey(client, supervisor)
    second = await opened_survey(client, supervisor, title="第二次调查", titleEn="A second one")
    staff_only = await opened_survey(client, supervisor, channels=["forum"])
    device, other = await neighbour(client, db), await neighbour(client, db)
    assert await offered(client, device, **HOME) == [first, second]
    await post(client, f"/{first}/answers", device, 201, {"answers": answer_of(0), **HOME})
    assert await offered(client, device, **HOME) == []  # not again this quarter
    assert await offered(client, other, **HOME) == [first, second]
    refused = await post(
        client, f"/{staff_only}/answers", other, 409, {"answers": answer_of(0), **HOME}
    )
    assert refused["code"] == "surveys.not_taking_answers"


async def test_a_batch_holds_up_to_500_answer_sets(
    client: Client, login: Login, supervisor: dict[str, str]
) -> None:
    survey_id = await opened_survey(client, supervisor)
    dispatcher = await login("demo-dispatcher")
    entry = {"answers": {**answer_of(1), "note": "电话回访记录" * 25}}
    batch = {"channel": "phone", "day": "2026-11-23", "entries": [entry] * 500}
    entered = await post(client, f"/{survey_id}/entries", dispatcher, 201, batch)
    assert entered["entered"] == 500
    refused = await post(
        client, f"/{survey_id}/entries", dispatcher, 400, {**batch, "entries": [entry] * 501}
    )
    assert "entries" in refused["fields"]
    early = await post(
        client, f"/{survey_id}/entries", dispatcher, 422, {**batch, "day": "2026-11-22"}
    )
    assert early["fields"] == {"day": "between opensOn and today"}
    shown = (await client.get(f"/api/v1/surveys/{survey_id}", headers=dispatcher)).json()
    assert shown["satisfaction"] == {
        "answered": 500,
        "satisfied": 500,
        "byChannel": {"phone": {"answered": 500, "satisfied": 500}},
    }


async def test_only_devices_the_survey_reaches_may_answer(
    client: Client, supervisor: dict[str, str], db: asyncpg.Connection
) -> None:
    survey_id = await opened_survey(client, supervisor)
    stranger = await neighbour(client, db)
    await report(client, stranger, **ELSEWHERE)
    # No report in the street and not standing there: as if there were no such survey.
    for where in ({}, ELSEWHERE):
        body = {"answers": answer_of(0), **where}
        refused = await post(client, f"/{survey_id}/answers", stranger, 404, body)
        assert refused["code"] == "surveys.not_found"
        assert refused["message"] and refused["messageEn"]
    unknown = await post(client, "/987654/answers", stranger, 404, {"answers": answer_of(0)})
    assert (unknown["code"], unknown["message"]) == (refused["code"], refused["message"])
    # Standing in the street now, the same device may answer.
    await post(client, f"/{survey_id}/answers", stranger, 201, {"answers": answer_of(0), **HOME})
    reporter = await resident(client)
    await report(client, reporter)
    await post(client, f"/{survey_id}/answers", reporter, 201, {"answers": answer_of(1)})
    shown = (await client.get(f"/api/v1/surveys/{survey_id}", headers=supervisor)).json()
    assert shown["answered"] == 2


async def test_acceptance_answers_are_entered_by_supervisors_not_answerable_for_the_area(
    client: Client, login: Login, supervisor: dict[str, str], db: asyncpg.Connection
) -> None:
    answerable = await db.fetchval("SELECT id FROM users WHERE username = 'demo-supervisor'")
    survey_id, _ = await acceptance_survey(client, db, barred_entrants=(answerable,))
    satisfied = {"answers": {"satisfaction": "satisfied", "safety": 5}}
    visits = {"channel": "visit", "entries": [satisfied] * 3}
    dispatcher = await login("demo-dispatcher")
    refused = await post(client, f"/{survey_id}/entries", dispatcher, 403, visits)
    assert refused["code"] == "surveys.acceptance_entrants"
    assert refused["message"] and refused["messageEn"]
    refused = await post(client, f"/{survey_id}/entries", supervisor, 403, visits)
    assert refused["code"] == "surveys.entrant_answerable"
    assert refused["message"] and refused["messageEn"]
    admin = await login("demo-admin")
    colleague = await staff(client, admin, "street-lead-2", "supervisor", regionCode=HOME_STREET)
    entered = await post(client, f"/{survey_id}/entries", colleague, 201, visits)
    assert entered["entered"] == 3
    calls = {"channel": "phone", "entries": [{"answers": {"satisfaction": "dissatisfied"}}]}
    calls["entries"][0]["answers"]["safety"] = 2
    await post(client, f"/{survey_id}/entries", admin, 201, calls)
    device = await neighbour(client, db)
    await post(client, f"/{survey_id}/answers", device, 201, {**satisfied, **HOME})

    # The measure shows where its answers came from; the answerable supervisor still reads it.
    shown = (await client.get(f"/api/v1/surveys/{survey_id}", headers=supervisor)).json()
    assert shown["satisfaction"] == {
        "answered": 5,
        "satisfied": 4,
        "byChannel": {
            "app": {"answered": 1, "satisfied": 1},
            "phone": {"answered": 1, "satisfied": 0},
            "visit": {"answered": 3, "satisfied": 3},
        },
    }
    assert await surveys.satisfaction(db, survey_id=survey_id) == surveys.SatisfactionTally(
        5, 4, by_channel={"app": (1, 1), "phone": (1, 0), "visit": (3, 3)}
    )


def entries_of(count: int) -> dict[str, Any]:
    return {"channel": "phone", "entries": [{"answers": answer_of(n)} for n in range(count)]}


@pytest.mark.parametrize("settings", [{"survey_entries_per_day": 20}], indirect=True)
async def test_a_staff_member_enters_at_most_the_daily_allowance(
    client: Client, login: Login, supervisor: dict[str, str], clock: ManualClock
) -> None:
    survey_id = await opened_survey(client, supervisor)
    dispatcher = await login("demo-dispatcher")
    path = f"/api/v1/surveys/{survey_id}/entries"
    await post(client, f"/{survey_id}/entries", dispatcher, 201, entries_of(15))
    refused = await client.post(path, headers=dispatcher, json=entries_of(6))
    assert refused.status_code == 429, refused.text
    assert refused.json()["code"] == "surveys.entries_limited"
    assert refused.json()["message"] and refused.json()["messageEn"]
    assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
    await post(client, f"/{survey_id}/entries", dispatcher, 201, entries_of(5))
    assert (await client.post(path, headers=dispatcher, json=entries_of(1))).status_code == 429
    # Each staff member has an allowance of their own.
    await post(client, f"/{survey_id}/entries", supervisor, 201, entries_of(20))
    clock.advance(days=1)
    dispatcher = await login("demo-dispatcher")  # a staff session lasts less than a day
    await post(client, f"/{survey_id}/entries", dispatcher, 201, entries_of(1))
    shown = (await client.get(f"/api/v1/surveys/{survey_id}", headers=dispatcher)).json()
    assert shown["answered"] == 15 + 5 + 20 + 1


@pytest.mark.parametrize(
    "settings",
    [{"survey_answers_per_hour": 1, "survey_answers_per_hour_per_address": 2}],
    indirect=True,
)
async def test_app_answers_are_limited_per_device_and_per_network(
    client: Client, supervisor: dict[str, str], clock: ManualClock, db: asyncpg.Connection
) -> None:
    first = await opened_survey(client, supervisor)
    second = await opened_survey(client, supervisor, title="第二次调查", titleEn="A second one")
    a, b, c = await neighbour(client, db), await neighbour(client, db), await neighbour(client, db)
    body = {"answers": answer_of(0), **HOME}
    await post(client, f"/{first}/answers", a, 201, body)
    refused = await client.post(f"/api/v1/surveys/{second}/answers", headers=a, json=body)
    assert refused.status_code == 429, refused.text
    assert refused.json()["code"] == "surveys.rate_limited"
    assert "device" in refused.json()["messageEn"] and refused.json()["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    await post(client, f"/{first}/answers", b, 201, body)
    refused = await client.post(f"/api/v1/surveys/{first}/answers", headers=c, json=body)
    assert refused.status_code == 429, refused.text
    assert "network" in refused.json()["messageEn"]
    clock.advance(hours=1)
    # A refused answer was not kept: both devices may answer now.
    await post(client, f"/{first}/answers", c, 201, body)
    await post(client, f"/{second}/answers", a, 201, body)
    shown = (await client.get(f"/api/v1/surveys/{first}", headers=supervisor)).json()
    assert shown["answered"] == 3


async def xmins(db: asyncpg.Connection, sql: str, *args: Any) -> set[str]:
    """The transactions that wrote the rows a query selects (`xmin::text AS x`)."""
    return {row["x"] for row in await db.fetch(sql, *args)}


@pytest.mark.parametrize(
    "settings", [{"survey_answers_per_address_per_survey": 100}], indirect=True
)
async def test_app_answers_are_rewritten_in_batches_that_tie_to_no_device(
    client: Client,
    login: Login,
    supervisor: dict[str, str],
    db: asyncpg.Connection,
    clock: ManualClock,
) -> None:
    survey_id = await opened_survey(client, supervisor)
    dispatcher = await login("demo-dispatcher")
    devices = [await neighbour(client, db) for _ in range(13)]
    answers_sql = (
        "SELECT id, xmin::text AS x, pending, day FROM survey_answers "
        "WHERE survey_id = $1 AND channel = 'app'"
    )
    marks_sql = "SELECT xmin::text AS x, pending FROM survey_respondents WHERE survey_id = $1"
    throttled = "SELECT xmin::text AS x FROM rate_windows WHERE scope LIKE 'survey.%'"

    for n, headers in enumerate(devices[:9]):
        await post(client, f"/{survey_id}/answers", headers, 201, {"answers": answer_of(n), **HOME})
    waiting = await db.fetch(answers_sql, survey_id)
    assert len(waiting) == 9 and all(row["pending"] for row in waiting)
    # Not yet a batch: each answer was written with its mark, but with no throttling count.
    assert {row["x"] for row in waiting} == await xmins(db, marks_sql, survey_id)
    assert not {row["x"] for row in waiting} & await xmins(db, throttled)
    # Readers count the answers waiting for their batch.
    shown = (await client.get(f"/api/v1/surveys/{survey_id}", headers=dispatcher)).json()
    assert shown["answered"] == 9 and shown["satisfaction"]["answered"] == 9
    mark_writers = await xmins(db, marks_sql, survey_id)

    clock.advance(hours=16)  # the next day in the city
    dispatcher, supervisor = await login("demo-dispatcher"), await login("demo-supervisor")
    await post(client, f"/{survey_id}/answers", devices[9], 201, {"answers": answer_of(9), **HOME})
    batch = await db.fetch(answers_sql, survey_id)
    marks = await db.fetch(marks_sql, survey_id)
    assert len(batch) == 10 and len(marks) == 10
    assert not [row for row in [*batch, *marks] if row["pending"]]
    # The batch was written anew, all of it in one transaction that wrote no mark and no
    # throttling count: no answer shares a transaction with anything naming a device.
    (rewriter,) = {row["x"] for row in batch}
    mark_writers |= {row["x"] for row in marks}
    assert rewriter not in mark_writers and rewriter not in await xmins(db, throttled)
    assert not {row["id"] for row in batch} & {row["id"] for row in waiting}  # new ids
    assert {row["day"].isoformat() for row in batch} == {"2026-11-24"}  # the batch's day
    # Nothing lost: 10 answers, n = 0..9 (satisfied unless n % 4 == 3).
    shown = (await client.get(f"/api/v1/surveys/{survey_id}", headers=dispatcher)).json()
    assert shown["answered"] == 10
    assert shown["satisfaction"]["byChannel"] == {"app": {"answered": 10, "satisfied": 8}}
    tally = {item["key"]: item for item in shown["tally"]}
    assert {c["key"]: c["count"] for c in tally["safety"]["counts"]} == {
        str(v): 2 for v in range(1, 6)
    }

    # Three more, fewer than a batch: re-written when the survey closes, nothing lost.
    for n, headers in enumerate(devices[10:], start=10):
        await post(client, f"/{survey_id}/answers", headers, 201, {"answers": answer_of(n), **HOME})
    assert len([row for row in await db.fetch(answers_sql, survey_id) if row["pending"]]) == 3
    before = (await client.get(f"/api/v1/surveys/{survey_id}", headers=dispatcher)).json()
    indices_before = (
        await client.get(f"/api/v1/surveys/{survey_id}/indices", headers=dispatcher)
    ).json()
    mark_writers |= await xmins(db, marks_sql, survey_id)
    await post(client, f"/{survey_id}/close", supervisor, 200)
    after = (await client.get(f"/api/v1/surveys/{survey_id}", headers=dispatcher)).json()
    indices_after = (
        await client.get(f"/api/v1/surveys/{survey_id}/indices", headers=dispatcher)
    ).json()
    assert (after["answered"], after["tally"], after["satisfaction"]) == (
        before["answered"],
        before["tally"],
        before["satisfaction"],
    )
    assert indices_after["regions"] == indices_before["regions"]
    rows = await db.fetch(answers_sql, survey_id)
    marks = await db.fetch(marks_sql, survey_id)
    assert len(rows) == 13 and len(marks) == 13
    assert not [row for row in [*rows, *marks] if row["pending"]]
    last = {row["x"] for row in rows} - {rewriter}
    assert len(last) == 1 and not last & mark_writers
    assert not last & await xmins(db, marks_sql, survey_id)
    assert not last & await xmins(db, throttled)


async def test_a_survey_past_its_last_day_closes_by_itself(
    client: Client,
    supervisor: dict[str, str],
    db: asyncpg.Connection,
    clock: ManualClock,
    settings: Settings,
) -> None:
    """The worker closes a survey nobody closed once its last day is over; the answers that
    were waiting as a batch smaller than a whole one are re-written then."""
    survey_id = await opened_survey(client, supervisor, closesOn="2026-12-31")
    device = await neighbour(client, db)
    await post(client, f"/{survey_id}/answers", device, 201, {"answers": answer_of(1), **HOME})
    pending = "SELECT count(*) FROM survey_answers WHERE survey_id = $1 AND pending"
    assert await db.fetchval(pending, survey_id) == 1

    # The last day, 23:59 in the city: still open.
    clock.advance(
        seconds=(datetime(2026, 12, 31, 15, 59, tzinfo=UTC) - clock.now()).total_seconds()
    )
    assert await surveys.close_ended(db, settings=settings, now=clock.now()) == 0
    clock.advance(minutes=2)
    assert await surveys.close_ended(db, settings=settings, now=clock.now()) == 1
    assert await surveys.close_ended(db, settings=settings, now=clock.now()) == 0

    # Weeks later the staff sign-in has long expired: read the survey as the audit does.
    state = await db.fetchval("SELECT state FROM surveys WHERE id = $1", survey_id)
    assert state == "closed"
    assert await db.fetchval(pending, survey_id) == 0
    assert (
        await db.fetchval("SELECT count(*) FROM survey_answers WHERE survey_id = $1", survey_id)
        == 1
    )
    closed_by = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'surveys.close' "
        "AND subject_type = 'survey' AND subject_id = $1",
        str(survey_id),
    )
    assert closed_by == 1


async def test_a_batch_sent_again_after_a_drop_is_entered_once(
    client: Client, login: Login, supervisor: dict[str, str]
) -> None:
    """The desk sends its batch with the id it made when the rows were filled in: sent again
    (the first answer was lost on the way back), it is counted once, whatever the survey's
    state by then; the same id for another survey is refused."""
    survey_id = await opened_survey(client, supervisor)
    dispatcher = await login("demo-dispatcher")
    batch = {
        "channel": "visit",
        "batchId": "6f1c1e9e-8d2b-4c55-9a4e-3f0b2d1c7a11",
        "entries": [{"answers": answer_of(n)} for n in range(6)],
    }
    first = await post(client, f"/{survey_id}/entries", dispatcher, 201, batch)
    again = await post(client, f"/{survey_id}/entries", dispatcher, 201, batch)
    assert first == again == {"surveyId": survey_id, "entered": 6}
    assert (await post(client, f"/{survey_id}/close", supervisor, 200))["answered"] == 6
    late = await post(client, f"/{survey_id}/entries", dispatcher, 201, batch)
    assert late == first

    other = await opened_survey(client, supervisor)
    reused = await post(client, f"/{other}/entries", dispatcher, 409, batch)
    assert reused["code"] == "surveys.batch_reused"
    fresh = await post(client, f"/{other}/entries", dispatcher, 201, {**batch, "batchId": None})
    assert fresh["entered"] == 6
    shown = (await client.get(f"/api/v1/surveys/{other}", headers=dispatcher)).json()
    assert shown["answered"] == 6
