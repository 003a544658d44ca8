"""A 安全感 survey from the standard template, draft to published: answered by 200 devices in
the app and 30 answers entered by staff, its indices rolled up over the region tree, small
counts suppressed, compared with the previous survey, and what residents may read of it."""

from __future__ import annotations

import math
import statistics
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest

from backend.db.pool import connect
from backend.settings import Settings
from backend.surveys import index_service
from backend.surveys.schemas import FigureOut
from tests.http.case_helpers import report, resident, staff
from tests.http.conftest import Client, Login
from tests.http.survey_index_helpers import (
    T_975,
    TARGET,
    answer_set,
    assert_figures_match,
    community_above,
    expected_indices,
    grid_points,
    path_of,
)

STREET = "330106002"  # 西溪街道, where HOME lies
COMMUNITY_A, COMMUNITY_B = "330106002001", "330106002002"
COMMUNITY_C, COMMUNITY_D = "330106002003", "330106002004"
OTHER_COMMUNITY = "330106001001"  # in another street
AT_A, AT_B, REPORTERS = 118, 80, 2


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # One test client stands for a whole town's devices: its address limits are lifted.
    return Settings(
        data_dir=tmp_path,
        devices_per_hour_per_address=1000,
        survey_answers_per_hour_per_address=10_000,
        survey_answers_per_address_per_survey=10_000,
    )


@pytest.fixture
async def db(demo_database: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await connect(demo_database)
    try:
        yield conn
    finally:
        await conn.close()


async def call(
    client: Client, method: str, path: str, headers: dict[str, str], expect: int, body: Any = None
) -> Any:
    response = await client.request(method, f"/api/v1/surveys{path}", headers=headers, json=body)
    assert response.status_code == expect, response.text
    if expect >= 400:
        assert response.json()["message"] and response.json()["messageEn"]
    return response.json()


async def new_survey(client: Client, supervisor: dict[str, str], **body: Any) -> int:
    questions = await call(client, "GET", "/standard/safety", supervisor, 200)
    survey = {
        "title": "2026年第四季度西溪街道群众安全感调查",
        "titleEn": "Sense of safety in Xixi, Q4 2026",
        "regionCode": STREET,
        "questions": questions,
        "opensOn": "2026-11-23",
        "closesOn": "2026-12-31",
        **body,
    }
    survey_id: int = (await call(client, "POST", "/", supervisor, 201, survey))["id"]
    return survey_id


async def enter(
    client: Client,
    headers: dict[str, str],
    survey_id: int,
    channel: str,
    entries: list[Any],
    **at: str,
) -> None:
    body = {"channel": channel, "entries": entries, **at}
    entered = await call(client, "POST", f"/{survey_id}/entries", headers, 201, body)
    assert entered["entered"] == len(entries)


async def previous_survey(client: Client, supervisor: dict[str, str]) -> int:
    """An earlier survey of the same street: 10 answers at community A, all feeling safe."""
    survey_id = await new_survey(client, supervisor, opensOn="2026-10-01", title="第三季度调查")
    await call(client, "POST", f"/{survey_id}/open", supervisor, 200)
    safe = {"safe_day": 5, "safe_night": 5, "safe_home": 5, "satisfaction": "satisfied"}
    await enter(
        client, supervisor, survey_id, "visit", [{"answers": safe}] * 10, regionCode=COMMUNITY_A
    )
    await call(client, "POST", f"/{survey_id}/close", supervisor, 200)
    return survey_id


async def devices(client: Client, db: asyncpg.Connection) -> list[tuple[Any, str, Any]]:
    """200 devices, with where their answer lies and the point they send: two that reported at
    HOME (their answers lie where they reported, whatever point they send), and devices in use
    for a month (made before the survey opened) reached by where they stand in A or B."""
    points = {c: await grid_points(db, c) for c in (COMMUNITY_A, COMMUNITY_B)}
    reporters = [await resident(client) for _ in range(REPORTERS)]
    for headers in reporters:
        await report(client, headers)
    reported = await db.fetchval("SELECT region_path FROM cases ORDER BY id DESC LIMIT 1")
    home = await community_above(db, reported)
    assert home != await path_of(db, COMMUNITY_B)  # the point they send lies elsewhere
    found = [(headers, home, points[COMMUNITY_B][0]) for headers in reporters]
    for i in range(AT_A + AT_B):
        community = COMMUNITY_A if i < AT_A else COMMUNITY_B
        grids = points[community]
        found.append((await resident(client), await path_of(db, community), grids[i % len(grids)]))
    await db.execute("UPDATE users SET created_at = created_at - interval '30 days'")
    return found


async def staff_entries(
    client: Client, login: Login, db: asyncpg.Connection, survey_id: int
) -> list[tuple[str, dict[str, Any]]]:
    """30 answers entered by staff: 12 at visits in C, 15 by phone for the whole street, and a
    座谈会 of 3 in one grid of D (too few to show). Returns (region path, answers) of each."""
    dispatcher = await login("demo-dispatcher")
    visits = [answer_set(1000 + i) for i in range(12)]
    await enter(
        client,
        dispatcher,
        survey_id,
        "visit",
        [{"answers": a} for a in visits],
        regionCode=COMMUNITY_C,
    )
    calls = [answer_set(2000 + i) for i in range(15)]
    await enter(client, dispatcher, survey_id, "phone", [{"answers": a} for a in calls])
    grid = await db.fetchval(
        "SELECT g.code FROM regions g JOIN regions c ON c.id = g.parent_id "
        "WHERE c.code = $1 AND g.level = 'grid' ORDER BY g.code LIMIT 1",
        COMMUNITY_D,
    )
    forum = [answer_set(3000 + i) for i in range(3)]
    groups = ["resident", "informant", "victim"]
    rows = [{"answers": a, "group": g} for a, g in zip(forum, groups, strict=True)]
    await enter(client, dispatcher, survey_id, "forum", rows, regionCode=grid)
    return (
        [(await path_of(db, COMMUNITY_C), a) for a in visits]
        + [(await path_of(db, STREET), a) for a in calls]
        + [(await path_of(db, grid), a) for a in forum]
    )


def nodes_of(root: str, paths: set[str]) -> list[str]:
    """The survey's region and every region between it and an answer region, by path."""
    nodes = {root}
    for path in paths:
        codes = path[len(root) :].strip("/").split("/") if path != root else []
        for depth in range(1, len(codes) + 1):
            nodes.add(root + "".join(f"{code}/" for code in codes[:depth]))
    return sorted(nodes)


async def test_a_survey_from_the_template_is_answered_rolled_up_and_published(
    client: Client, login: Login, db: asyncpg.Connection, settings: Settings
) -> None:
    supervisor = await login("demo-supervisor")
    earlier = await previous_survey(client, supervisor)
    survey_id = await new_survey(client, supervisor)
    found = await devices(client, db)
    await call(client, "POST", f"/{survey_id}/open", supervisor, 200)
    answered: list[tuple[str, dict[str, Any]]] = []
    for i, (headers, where, point) in enumerate(found):
        answers = answer_set(i)
        await call(
            client, "POST", f"/{survey_id}/answers", headers, 201, {"answers": answers, **point}
        )
        answered.append((where, answers))
    headers, _, point = found[7]
    again = await call(
        client, "POST", f"/{survey_id}/answers", headers, 409, {"answers": answer_set(7), **point}
    )
    assert again["code"] == "surveys.already_answered"
    answered += await staff_entries(client, login, db, survey_id)
    street = await path_of(db, STREET)

    refused = await call(client, "POST", f"/{survey_id}/publish", supervisor, 409)
    assert refused["code"] == "surveys.wrong_state"  # only a closed survey is published
    assert await index_service.latest_published(db, region_path=street, settings=settings) is None
    await call(client, "POST", f"/{survey_id}/close", supervisor, 200)
    await call(client, "POST", f"/{survey_id}/publish", await login("demo-dispatcher"), 403)
    assert (await call(client, "POST", f"/{survey_id}/publish", supervisor, 200))[
        "state"
    ] == "published"
    audited = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'surveys.publish' AND subject_id = $1",
        str(survey_id),
    )
    assert audited == 1
    await call(client, "POST", f"/{survey_id}/publish", supervisor, 409)

    # The tables: one mark per device and nothing else; answers name no device, no time.
    marks = await db.fetch("SELECT * FROM survey_respondents WHERE survey_id = $1", survey_id)
    assert len(marks) == 200 and {tuple(dict(m)) for m in marks} == {
        ("survey_id", "mark", "pending")
    }
    assert not [m for m in marks if m["pending"]]  # the last batch re-written at closing
    columns = await db.fetch(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'survey_answers'"
    )
    assert {c["column_name"] for c in columns} == {
        "id", "survey_id", "region_id", "channel", "grp", "answers", "entered_by", "day",
        "pending",
    }  # fmt: skip
    assert not [c for c in columns if "time" in c["data_type"]]
    app = await db.fetch(
        "SELECT a.entered_by, r.level FROM survey_answers a JOIN regions r ON r.id = a.region_id "
        "WHERE a.survey_id = $1 AND a.channel = 'app'",
        survey_id,
    )
    # No app answer lies finer than a community: a grid might hold a single respondent.
    assert len(app) == 200 and {tuple(row) for row in app} == {(None, "community")}

    shown = await call(client, "GET", f"/{survey_id}/indices", await login("demo-dispatcher"), 200)
    assert (shown["surveyId"], shown["state"], shown["target"]) == (survey_id, "published", TARGET)
    assert (shown["previousSurveyId"], shown["previousTitle"]) == (earlier, "第三季度调查")
    codes = {row["code"]: row["path"] for row in await db.fetch(
        "SELECT code, path FROM regions WHERE code = ANY($1::text[])",
        [region["code"] for region in shown["regions"]],
    )}  # fmt: skip
    paths = [codes[region["code"]] for region in shown["regions"]]
    assert paths == nodes_of(street, {where for where, _ in answered})
    assert len(paths) == 6  # the street, A, B, C, D and the grid of D's 座谈会
    for region, path in zip(shown["regions"], paths, strict=True):
        below = [answers for where, answers in answered if where.startswith(path)]
        assert_figures_match(region["indices"], expected_indices(below))
        assert region["depth"] == path.count("/") - street.count("/")
    by_code = {region["code"]: region for region in shown["regions"]}
    assert by_code[STREET]["indices"]["answered"] == 230
    assert by_code[STREET]["parentCode"] == "330106"
    suppressed = by_code[COMMUNITY_D]["indices"]
    assert suppressed["answered"] == 3
    assert suppressed["safety"] == {
        "n": 3,
        "value": None,
        "low": None,
        "high": None,
        "standing": None,
    }
    # Against the previous survey of the street: it had answers in A only.
    assert by_code[STREET]["previous"]["answered"] == 10
    assert by_code[COMMUNITY_A]["previous"]["safety"]["value"] == 100.0
    assert by_code[COMMUNITY_B]["previous"] is None

    # What residents read: the figures of their community when 5 or more answered there.
    community_a = await path_of(db, COMMUNITY_A)
    public = await index_service.latest_published(db, region_path=community_a, settings=settings)
    assert public is not None and (public.survey_id, public.region_code) == (survey_id, COMMUNITY_A)
    assert public.indices.answered == by_code[COMMUNITY_A]["indices"]["answered"]
    assert public.indices.safety == msgspec.convert(
        by_code[COMMUNITY_A]["indices"]["safety"], FigureOut
    )
    assert public.previous is None  # the earlier survey was closed, never published
    await call(client, "POST", f"/{earlier}/publish", supervisor, 200)
    public = await index_service.latest_published(db, region_path=community_a, settings=settings)
    assert public is not None and public.survey_id == survey_id  # still the newest survey
    assert public.previous is not None and public.previous.answered == 10
    # In D too few answered: the street's figures, with no count that could name anyone.
    community_d = await path_of(db, COMMUNITY_D)
    public = await index_service.latest_published(db, region_path=community_d, settings=settings)
    assert public is not None and (public.region_code, public.indices.answered) == (STREET, 230)
    assert public.previous is not None and public.previous.answered == 10
    elsewhere = await path_of(db, OTHER_COMMUNITY)
    assert (
        await index_service.latest_published(db, region_path=elsewhere, settings=settings) is None
    )

    listed = await call(client, "GET", "/?state=published", supervisor, 200)
    assert [(s["id"], s["answered"], s["regionCode"]) for s in listed] == [
        (survey_id, 230, STREET),
        (earlier, 10, STREET),
    ]
    everything = await call(client, "GET", "/?purpose=safety", supervisor, 200)
    assert [s["id"] for s in everything] == [survey_id, earlier]  # newest first
    await call(client, "GET", "/?state=finished", supervisor, 400)


async def test_entered_answers_lie_within_the_surveys_region(
    client: Client, login: Login, db: asyncpg.Connection
) -> None:
    supervisor = await login("demo-supervisor")
    survey_id = await new_survey(client, supervisor)
    await call(client, "POST", f"/{survey_id}/open", supervisor, 200)
    one = [{"answers": answer_set(1)}]
    outside = {"channel": "visit", "entries": one, "regionCode": OTHER_COMMUNITY}
    refused = await call(client, "POST", f"/{survey_id}/entries", supervisor, 422, outside)
    assert (refused["code"], list(refused["fields"])) == ("surveys.region_outside", ["regionCode"])
    unknown = {"channel": "visit", "entries": one, "regionCode": "330199999999"}
    refused = await call(client, "POST", f"/{survey_id}/entries", supervisor, 404, unknown)
    assert refused["code"] == "regions.not_found"
    assert (await call(client, "GET", f"/{survey_id}", supervisor, 200))["answered"] == 0
    await enter(client, supervisor, survey_id, "visit", one, regionCode=COMMUNITY_C)
    where = await db.fetchval(
        "SELECT r.code FROM survey_answers a JOIN regions r ON r.id = a.region_id "
        "WHERE a.survey_id = $1",
        survey_id,
    )
    assert where == COMMUNITY_C
    shown = await call(client, "GET", f"/{survey_id}/indices", supervisor, 200)
    assert [r["code"] for r in shown["regions"]] == [STREET, COMMUNITY_C]
    assert shown["regions"][1]["indices"]["safety"]["value"] is None  # one answer: not shown
    assert shown["previousSurveyId"] is None and shown["regions"][0]["previous"] is None
    admin = await login("demo-admin")
    elsewhere = await staff(client, admin, "north-lead", "supervisor", regionCode="330106001")
    hidden = await call(client, "GET", f"/{survey_id}/indices", elsewhere, 404)
    assert hidden["code"] == "surveys.not_found"
    assert await call(client, "GET", "/", elsewhere, 200) == []
    resident_headers = await resident(client)
    await call(client, "GET", "/standard/safety", resident_headers, 403)


async def test_the_safety_index_reads_every_safety_item_answered_on_either_scale(
    client: Client, login: Login
) -> None:
    supervisor = await login("demo-supervisor")
    questions = [
        {"key": "s5", "kind": "scale5", "zh": "白天", "en": "By day", "standard": "safety"},
        {"key": "s10", "kind": "scale10", "zh": "夜间", "en": "At night", "standard": "safety"},
    ]
    survey_id = await new_survey(client, supervisor, questions=questions)
    await call(client, "POST", f"/{survey_id}/open", supervisor, 200)
    sets = [{"s5": 4}, {"s10": 7}, {"s5": 2, "s10": 10}, {}, {"s5": 1, "s10": 0}, {"s10": 10}]
    await enter(client, supervisor, survey_id, "visit", [{"answers": a} for a in sets])
    # By hand: scale5 (v − 1)·25, scale10 v·10, the mean of the items answered; the empty
    # answer set has no score. 75, 70, (25 + 100) / 2, (0 + 0) / 2, 100.
    scores = [75.0, 70.0, 62.5, 0.0, 100.0]
    half = T_975[4] * statistics.stdev(scores) / math.sqrt(5)
    shown = await call(client, "GET", f"/{survey_id}/indices", supervisor, 200)
    street = shown["regions"][0]
    assert (street["code"], street["indices"]["answered"]) == (STREET, 6)
    safety = street["indices"]["safety"]
    assert (safety["n"], safety["value"], safety["standing"]) == (5, 61.5, "uncertain")
    assert safety["low"] == pytest.approx(max(0.0, 61.5 - half), abs=0.006)
    assert safety["high"] == pytest.approx(min(100.0, 61.5 + half), abs=0.006)
    assert street["indices"]["satisfaction"] is None  # the questionnaire has no such item


async def test_no_small_group_can_be_read_off_the_published_figures(
    client: Client, login: Login, db: asyncpg.Connection, settings: Settings
) -> None:
    """Ten answers in A, one in B, six in C: each community on its own, the street would
    show 17, A 10 and C 6, and B's one answer would be the street's less A's and C's."""
    supervisor = await login("demo-supervisor")
    survey_id = await new_survey(client, supervisor)
    await call(client, "POST", f"/{survey_id}/open", supervisor, 200)
    at = {COMMUNITY_A: 10, COMMUNITY_B: 1, COMMUNITY_C: 6}
    i = 0
    for community, count in at.items():
        entries = [{"answers": answer_set(i + k)} for k in range(count)]
        await enter(client, supervisor, survey_id, "visit", entries, regionCode=community)
        i += count
    await call(client, "POST", f"/{survey_id}/close", supervisor, 200)
    await call(client, "POST", f"/{survey_id}/publish", supervisor, 200)

    staff_view = await call(client, "GET", f"/{survey_id}/indices", supervisor, 200)
    by_code = {region["code"]: region["indices"] for region in staff_view["regions"]}
    # Staff still see how many answered in C, but no figure B's answer could be read from.
    assert (by_code[COMMUNITY_C]["answered"], by_code[COMMUNITY_C]["safety"]["n"]) == (6, 6)
    assert by_code[COMMUNITY_C]["safety"]["value"] is None
    assert by_code[COMMUNITY_A]["safety"]["value"] is not None

    # What residents read, asking for each region in turn.
    public: dict[str, tuple[str, Any]] = {}
    for code in (STREET, COMMUNITY_A, COMMUNITY_B, COMMUNITY_C):
        read = await index_service.latest_published(
            db, region_path=await path_of(db, code), settings=settings
        )
        assert read is not None and read.survey_id == survey_id
        public[code] = (read.region_code, read.indices)
    assert {code: shown for code, (shown, _) in public.items()} == {
        STREET: STREET,
        COMMUNITY_A: COMMUNITY_A,
        COMMUNITY_B: STREET,  # one answer: the nearest region that may be shown
        COMMUNITY_C: STREET,  # six, but with A's and the street's they would give B's one
    }
    street, community_a = public[STREET][1], public[COMMUNITY_A][1]
    assert (street.answered, community_a.answered) == (17, 10)
    # Every figure the street shows less what its shown communities show leaves 0 or 5 and
    # more answers: never a group of 1 to 4 whose figure could be worked out.
    for item in ("safety", "satisfaction", "awareness", "support"):
        whole, part = getattr(street, item), getattr(community_a, item)
        if whole.n is None or part.n is None:
            continue
        assert not 0 < whole.n - part.n < 5, item
