"""考核 over HTTP: a quarter's result computed from cases moved through the API, checked
against the statistics of the same period and regions; a veto ranking last; manual items;
公示 with an objection answered; final only after the window; 约谈 only at the bottom; the
result's sheet in the quarterly workbook."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from backend.clock import ManualClock
from backend.db.pool import connect
from backend.oversight import assessment_step_queries as step_sql
from backend.oversight import monthly
from backend.settings import Settings
from tests.http.area_helpers import HOME_GRID, me
from tests.http.case_helpers import HOME, move, photo, report, resident, staff
from tests.http.conftest import Client, Login
from tests.http.inspection_helpers import department_id, file, finding, inspection_body
from tests.http.inspection_helpers import move as finding_move
from tests.http.inspection_helpers import report as finding_report
from tests.http.survey_index_helpers import answer_set, safety_figure
from tests.http.test_stats_report import REPORT, read_xlsx
from tests.http.test_stats_report_areas import governed, people

BASE = "/api/v1/assessment"
DISTRICT, HOME_STREET, VETOED_STREET = "330106", "330106002", "330106001"
HOME_COMMUNITY, VETOED_COMMUNITY = "330106002001", "330106001001"
QUARTER = "2026-Q4"
SHEET = "考核 Assessment"
INDICATORS: list[dict[str, Any]] = [
    {"key": "on_time", "name": "按期结案率", "weight": 30, "source": "on_time_rate", "target": 0.9},
    {
        "key": "satisfaction",
        "name": "满意率",
        "nameEn": "Satisfaction",
        "weight": 30,
        "source": "satisfaction_rate",
        "target": 0.9,
    },
    {
        "key": "rework",
        "name": "返工率",
        "weight": 10,
        "source": "rework_rate",
        "target": 0.05,
        "direction": "lower",
    },
    {
        "key": "overdue_areas",
        "name": "超期重点地区",
        "weight": 10,
        "source": "areas_overdue",
        "target": 0,
        "direction": "lower",
    },
    {"key": "mediation", "name": "化解率", "weight": 5, "source": "mediation_rate", "target": 0.98},
    {"key": "work", "name": "工作实绩", "weight": 15, "source": "manual"},
]
RATE_OF = {"on_time": "onTimeRate", "satisfaction": "satisfactionRate", "rework": "reworkRate"}
# What each rate divides, as the statistics count it.
COUNTS_OF = {
    "on_time": ("closedOnTime", "closed"),
    "satisfaction": ("satisfied", "rated"),
    "rework": ("reworked", "resolved"),
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Staff stay logged in past the quarter's end and across the objection window.
    return Settings(
        data_dir=tmp_path,
        staff_token_hours=24 * 90,
        login_max_failures_per_user=5,
        login_max_failures_per_address=30,
    )


async def closed_case(
    client: Client, worker: dict[str, str], dispatcher: dict[str, str], score: int
) -> None:
    """A resident's report handled on time by the grid, verified and rated."""
    reporter = await resident(client)
    made = await report(client, reporter, "sanitation", **HOME)
    await move(client, worker, made["id"], "accept")
    after = await photo(client, worker, purpose="resolution", seed=made["id"])
    await move(client, worker, made["id"], "resolve", note="已清理", mediaIds=[after])
    await move(client, dispatcher, made["id"], "verify", passed=True)
    rated = await client.post(
        f"/api/v1/reports/{made['id']}/rating", headers=reporter, json={"score": score}
    )
    assert rated.status_code == 200, rated.text


def by_unit(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        s["unit"]["code"] if s["unit"]["kind"] == "region" else f"d{s['unit']['id']}": s
        for s in result["scores"]
    }


def items(score: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in score["breakdown"]}


def expected_points(indicator: dict[str, Any], value: float | None) -> float:
    if value is None:
        return 0.0
    weight, target = indicator["weight"], indicator["target"]
    if indicator.get("direction") == "lower":
        return weight if value <= target else weight * target / value
    return weight * min(1.0, value / target)


async def test_a_quarter_computed_posted_objected_and_final(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    admin, supervisor = await login("demo-admin"), await login("demo-supervisor")
    worker, dispatcher = await login("demo-worker"), await login("demo-dispatcher")
    street_staff = await staff(
        client, admin, "street-a-dispatcher", "dispatcher", regionCode=VETOED_STREET
    )
    home_staff = await staff(
        client, admin, "street-b-dispatcher", "dispatcher", regionCode=HOME_STREET
    )
    await closed_case(client, worker, dispatcher, 5)
    await closed_case(client, worker, dispatcher, 4)
    await report(client, await resident(client), "sanitation", **HOME)  # still open

    scheme = await client.post(
        f"{BASE}/schemes",
        headers=supervisor,
        json={
            "year": 2026,
            "regionCode": DISTRICT,
            "name": "2026年度平安考核",
            "indicators": INDICATORS,
        },
    )
    assert scheme.status_code == 201, scheme.text
    scheme_id = scheme.json()["id"]
    assert [i["key"] for i in scheme.json()["indicators"]] == [i["key"] for i in INDICATORS]

    veto = await client.post(
        f"{BASE}/vetoes",
        headers=supervisor,
        json={"regionCode": VETOED_STREET, "year": 2026, "reason": "发生重大刑事案件"},
    )
    assert veto.status_code == 201, veto.text

    computed = await client.post(
        f"{BASE}/results", headers=supervisor, json={"schemeId": scheme_id, "period": QUARTER}
    )
    assert computed.status_code == 201, computed.text
    again = await client.post(
        f"{BASE}/results", headers=supervisor, json={"schemeId": scheme_id, "period": QUARTER}
    )
    assert again.status_code == 200, again.text
    result = again.json()
    assert result["id"] == computed.json()["id"] and result["state"] == "draft"
    result_id = result["id"]

    # The figures are those of the statistics for the same quarter and district.
    stats = await client.get(
        "/api/v1/stats/summary", headers=admin, params={"region": DISTRICT, "period": QUARTER}
    )
    assert stats.status_code == 200, stats.text
    streets = {g["code"]: g["metrics"] for g in stats.json()["byRegion"]}
    scores = by_unit(result)
    regions = [s for s in result["scores"] if s["unit"]["kind"] == "region"]
    assert sorted(s["unit"]["code"] for s in regions) == sorted(c for c in streets if c != DISTRICT)
    for code, score in ((s["unit"]["code"], s) for s in regions):
        got = items(score)
        total = 0.0
        for indicator in INDICATORS:
            item = got[indicator["key"]]
            if indicator["key"] in RATE_OF:
                value = streets[code][RATE_OF[indicator["key"]]]
                assert (
                    item["value"] == pytest.approx(value) if value is not None else item["noData"]
                )
                assert item["points"] == pytest.approx(expected_points(indicator, value), abs=0.01)
                part, whole = COUNTS_OF[indicator["key"]]
                assert (item["numerator"], item["denominator"]) == (
                    streets[code][part],
                    streets[code][whole],
                )
            total += item["points"]
        assert got["mediation"]["noData"] and got["mediation"]["points"] == 0  # never full
        assert score["total"] == pytest.approx(total, abs=0.01)
    home = items(scores[HOME_STREET])
    assert home["on_time"]["value"] == 1.0 and home["on_time"]["denominator"] == 2
    assert (home["rework"]["numerator"], home["rework"]["denominator"]) == (0, 2)
    assert (home["satisfaction"]["numerator"], home["satisfaction"]["denominator"]) == (2, 2)
    assert home["satisfaction"]["value"] == 1.0 and home["satisfaction"]["points"] == 30
    assert home["overdue_areas"]["value"] == 0 and home["overdue_areas"]["points"] == 10
    assert scores[HOME_STREET]["rank"] == 1 and scores[HOME_STREET]["eligible"]
    departments = [s for s in result["scores"] if s["unit"]["kind"] == "department"]
    assert len(departments) == 3 and all(s["rank"] == 1 for s in departments)

    # A manual item: within its weight, with a reason; the vetoed street still ranks last.
    manual = {
        "unit": {"kind": "region", "code": VETOED_STREET},
        "key": "work",
        "reason": "台账规范",
    }
    for bad, code in ((16, "assessment.manual_points"), (5, None)):
        body = {**manual, "points": bad} if code else {**manual, "points": bad, "key": "on_time"}
        refused = await client.put(
            f"{BASE}/results/{result_id}/manual", headers=supervisor, json=body
        )
        assert refused.status_code == 422, refused.text
    given = await client.put(
        f"{BASE}/results/{result_id}/manual", headers=supervisor, json={**manual, "points": 15}
    )
    assert given.status_code == 200, given.text
    scores = by_unit(given.json())
    vetoed = scores[VETOED_STREET]
    assert (
        vetoed["vetoed"] and not vetoed["eligible"] and "发生重大刑事案件" in vetoed["vetoReasons"]
    )
    assert items(vetoed)["work"] == {**items(vetoed)["work"], "points": 15, "reason": "台账规范"}
    others = [
        s
        for c, s in scores.items()
        if c not in {VETOED_STREET, HOME_STREET} and not c.startswith("d")
    ]
    assert all(vetoed["total"] > s["total"] for s in others)
    assert vetoed["rank"] == len(regions) and all(s["rank"] < vetoed["rank"] for s in others)
    # A department, named by the unit as the result reads it: it alone now ranks first.
    first, *rest = departments
    by_department = await client.put(
        f"{BASE}/results/{result_id}/manual",
        headers=supervisor,
        json={**manual, "unit": first["unit"], "points": 6},
    )
    assert by_department.status_code == 200, by_department.text
    ranked = by_unit(by_department.json())
    assert ranked[f"d{first['unit']['id']}"]["total"] == 6
    assert ranked[f"d{first['unit']['id']}"]["rank"] == 1
    assert all(ranked[f"d{d['unit']['id']}"]["rank"] == 2 for d in rest)

    # A street's staff see nothing of a draft; an objection waits for 公示.
    hidden = await client.get(f"{BASE}/results/{result_id}", headers=street_staff)
    assert hidden.status_code == 404
    early = await client.post(f"{BASE}/results/{result_id}/final", headers=supervisor)
    assert early.status_code == 409, early.text

    # The quarter is not over: a standing so far, not to be posted yet.
    too_soon = await client.post(
        f"{BASE}/results/{result_id}/post", headers=supervisor, json={"objectionDays": 3}
    )
    assert too_soon.status_code == 409, too_soon.text
    assert too_soon.json()["code"] == "assessment.period_not_over"
    assert too_soon.json()["message"] and too_soon.json()["messageEn"]
    clock.advance(days=39)  # 2027-01-01, past the quarter's end in the city
    ended = await client.post(
        f"{BASE}/results", headers=supervisor, json={"schemeId": scheme_id, "period": QUARTER}
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["computedAt"] > result["computedAt"]
    assert by_unit(ended.json())[VETOED_STREET]["total"] == vetoed["total"]  # manual item kept

    posted = await client.post(
        f"{BASE}/results/{result_id}/post", headers=supervisor, json={"objectionDays": 3}
    )
    assert posted.status_code == 200, posted.text
    assert posted.json()["state"] == "posted" and posted.json()["objectionUntil"]
    recompute = await client.post(
        f"{BASE}/results", headers=supervisor, json={"schemeId": scheme_id, "period": QUARTER}
    )
    assert recompute.status_code == 409, recompute.text
    assert (
        await client.get(f"{BASE}/results/{result_id}", headers=street_staff)
    ).status_code == 200

    objection = {
        "unit": {"kind": "region", "code": VETOED_STREET},
        "text": "否决所依据的案件不在本街道",
    }
    not_ours = await client.post(
        f"{BASE}/results/{result_id}/objections", headers=home_staff, json=objection
    )
    assert not_ours.status_code == 403, not_ours.text
    raised = await client.post(
        f"{BASE}/results/{result_id}/objections", headers=street_staff, json=objection
    )
    assert raised.status_code == 201, raised.text
    (open_objection,) = raised.json()["objections"]
    assert open_objection["answer"] is None

    # Final only after the window, and only once every objection is answered.
    window_open = await client.post(f"{BASE}/results/{result_id}/final", headers=supervisor)
    assert window_open.status_code == 409
    assert window_open.json()["code"] == "assessment.objection_window_open"
    clock.advance(days=3, minutes=1)
    late = await client.post(
        f"{BASE}/results/{result_id}/objections", headers=street_staff, json=objection
    )
    assert late.status_code == 409, late.text
    unanswered = await client.post(f"{BASE}/results/{result_id}/final", headers=supervisor)
    assert unanswered.json()["code"] == "assessment.objections_unanswered"
    answered = await client.post(
        f"{BASE}/results/{result_id}/objections/{open_objection['id']}/answer",
        headers=supervisor,
        json={"answer": "经核实，否决依据成立，维持原结果"},
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["objections"][0]["answer"].startswith("经核实")
    twice = await client.post(
        f"{BASE}/results/{result_id}/objections/{open_objection['id']}/answer",
        headers=supervisor,
        json={"answer": "再次答复"},
    )
    assert twice.status_code == 409 and twice.json()["code"] == "assessment.already_answered"
    nowhere = await client.post(
        f"{BASE}/results/{result_id}/objections/999999/answer",
        headers=supervisor,
        json={"answer": "答复"},
    )
    assert nowhere.status_code == 404
    final = await client.post(f"{BASE}/results/{result_id}/final", headers=supervisor)
    assert final.status_code == 200, final.text
    assert final.json()["state"] == "final" and final.json()["finalAt"]

    # 约谈: the vetoed street is at the bottom, the first is not.
    at_bottom = {
        s["unit"]["code"]
        for s in final.json()["scores"]
        if s["atBottom"] and s["unit"]["kind"] == "region"
    }
    assert VETOED_STREET in at_bottom and HOME_STREET not in at_bottom
    talk = {
        "at": clock.now().isoformat(),
        "notes": "约谈街道主要负责人，限期整改",
        "who": "街道书记",
    }
    refused = await client.post(
        f"{BASE}/results/{result_id}/interviews",
        headers=supervisor,
        json={**talk, "unit": {"kind": "region", "code": HOME_STREET}},
    )
    assert refused.status_code == 422 and refused.json()["code"] == "assessment.not_at_bottom"
    held = await client.post(
        f"{BASE}/results/{result_id}/interviews",
        headers=supervisor,
        json={**talk, "unit": {"kind": "region", "code": VETOED_STREET}},
    )
    assert held.status_code == 201, held.text
    assert [i["unit"]["code"] for i in held.json()["interviews"]] == [VETOED_STREET]

    # The quarterly workbook of the district carries the final result.
    workbook = await client.get(
        REPORT, headers=supervisor, params={"region": DISTRICT, "period": QUARTER}
    )
    assert workbook.status_code == 200, workbook.text
    sheets, _ = read_xlsx(workbook.content)
    rows = sheets[SHEET]
    (header,) = [r for r in rows if r and r[0] == "排名 Rank"]
    table = rows[rows.index(header) + 1 : rows.index(header) + 1 + len(final.json()["scores"])]
    shown = {r[1]: r for r in table}
    expected = by_unit(final.json())
    for code in (HOME_STREET, VETOED_STREET):
        score = expected[code]
        row = shown[score["unit"]["name"]]
        assert row[0] == score["rank"] and row[3] == pytest.approx(score["total"])
    assert shown[expected[VETOED_STREET]["unit"]["name"]][header.index("一票否决 Veto")] == "是 Yes"
    assert any("计算时间 Computed at" in str(r[0]) for r in rows if r)
    mediation = header.index("化解率 (5)")
    assert all(r[mediation] == "无数据 no data" for r in table)

    # Every step is on record.
    conn = await asyncpg.connect(demo_database)
    try:
        steps = await conn.fetch(
            "SELECT action FROM audit_log WHERE subject_type = 'assessment_result' "
            "AND subject_id = $1 ORDER BY id",
            str(result_id),
        )
        events = await conn.fetchval(
            "SELECT count(*) FROM assessment_events e JOIN regions r ON r.code = $2 "
            "WHERE e.result_id = $1 AND e.region_path = r.path",
            result_id,
            DISTRICT,
        )
    finally:
        await conn.close()
    assert events == len(steps)
    assert [s["action"].removeprefix("assessment.") for s in steps] == [
        "compute", "compute", "manual", "manual", "compute", "post", "objection", "answer",
        "final", "interview",
    ]  # fmt: skip


async def test_refusals(client: Client, login: Login) -> None:
    supervisor, dispatcher = await login("demo-supervisor"), await login("demo-dispatcher")
    department = await login("demo-department")
    body = {"year": 2026, "regionCode": DISTRICT, "name": "方案", "indicators": INDICATORS}
    assert (await client.post(f"{BASE}/schemes", headers=dispatcher, json=body)).status_code == 403
    duplicate = [INDICATORS[0], INDICATORS[0]]
    bad = await client.post(
        f"{BASE}/schemes", headers=supervisor, json={**body, "indicators": duplicate}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "assessment.bad_scheme"
    unknown = await client.post(
        f"{BASE}/schemes",
        headers=supervisor,
        json={**body, "indicators": [{**INDICATORS[0], "source": "luck"}]},
    )
    assert unknown.status_code == 400
    elsewhere = await client.post(
        f"{BASE}/schemes", headers=supervisor, json={**body, "regionCode": "110101"}
    )
    assert elsewhere.status_code == 404
    made = await client.post(f"{BASE}/schemes", headers=supervisor, json=body)
    assert made.status_code == 201
    again = await client.post(f"{BASE}/schemes", headers=supervisor, json=body)
    assert again.status_code == 409
    scheme_id = made.json()["id"]
    for period, status in (("2025-Q4", 422), ("2026-Q9", 422), ("soon", 422)):
        computed = await client.post(
            f"{BASE}/results", headers=supervisor, json={"schemeId": scheme_id, "period": period}
        )
        assert computed.status_code == status, (period, computed.text)
    missing = await client.post(
        f"{BASE}/results", headers=supervisor, json={"schemeId": 999999, "period": QUARTER}
    )
    assert missing.status_code == 404
    listed = await client.get(f"{BASE}/schemes", headers=department)
    assert listed.status_code == 403
    no_reason = await client.post(
        f"{BASE}/vetoes",
        headers=supervisor,
        json={"regionCode": HOME_STREET, "year": 2026, "reason": ""},
    )
    assert no_reason.status_code == 400


async def test_every_source_is_measured_or_says_no_data(client: Client, login: Login) -> None:
    supervisor = await login("demo-supervisor")
    sources = [
        ("findings_on_time", 0.9),
        ("monthly_reports_on_time", 0.9),
        ("duties_on_time", 0.9),
        ("safety_index", 90),
        ("areas_lifted", 1),
    ]
    indicators = [
        {"key": source, "name": source, "weight": 10, "source": source, "target": target}
        for source, target in sources
    ]
    body = {"year": 2026, "regionCode": DISTRICT, "name": "全部来源", "indicators": indicators}
    scheme = await client.post(f"{BASE}/schemes", headers=supervisor, json=body)
    assert scheme.status_code == 201, scheme.text
    computed = await client.post(
        f"{BASE}/results",
        headers=supervisor,
        json={"schemeId": scheme.json()["id"], "period": "2026-11"},
    )
    assert computed.status_code == 201, computed.text
    for score in computed.json()["scores"]:
        got = items(score)
        for source in ("findings_on_time", "monthly_reports_on_time", "duties_on_time"):
            assert got[source]["noData"] and got[source]["denominator"] == 0
        assert got["safety_index"]["noData"]
        if score["unit"]["kind"] == "region":
            assert got["areas_lifted"] == {**got["areas_lifted"], "value": 0, "noData": False}
        else:  # a department governs no places
            assert got["areas_lifted"]["noData"]
        assert score["total"] == 0
    # A draft is not shown in the month's workbook.
    workbook = await client.get(
        REPORT, headers=supervisor, params={"region": DISTRICT, "period": "2026-11"}
    )
    assert workbook.status_code == 200 and SHEET not in read_xlsx(workbook.content)[0]
    listed = await client.get(f"{BASE}/results", headers=supervisor)
    assert [r["period"]["label"] for r in listed.json()] == ["2026-11"]
    schemes = await client.get(f"{BASE}/schemes", headers=supervisor, params={"year": 2026})
    assert [s["name"] for s in schemes.json()] == ["全部来源"]


async def closed_finding_and_open_one(
    client: Client, supervisor: dict[str, str], worker: dict[str, str], dept: int, t0: datetime
) -> None:
    """An inspection of the home street: its finding closed on time by the street, and one
    the city management department leaves open past its deadline."""
    body = inspection_body(
        [
            finding("消防通道被占用", t0 + timedelta(hours=72), responsibleRegionCode=HOME_STREET),
            finding("占道经营屡禁不止", t0 + timedelta(hours=2), responsibleDepartmentId=dept),
        ],
        day=t0,
    )
    on_time = (await file(client, supervisor, body))["findings"][0]["id"]
    await finding_move(client, worker, on_time, "accept")
    await finding_report(client, worker, on_time)
    await finding_move(client, supervisor, on_time, "recheck", note="通道已畅通")
    assert (await finding_move(client, supervisor, on_time, "close"))["closedOnTime"] is True


async def published_survey(client: Client, supervisor: dict[str, str]) -> float:
    """A district-wide 安全感 survey of the quarter: five answers in the home street, two in the
    vetoed street (too few to show), five by phone for the whole district; published. Returns
    the home street's index."""
    surveys = "/api/v1/surveys"
    questions = (await client.get(f"{surveys}/standard/safety", headers=supervisor)).json()
    made = await client.post(
        f"{surveys}/",
        headers=supervisor,
        json={
            "title": "2026年第四季度西湖区群众安全感调查",
            "titleEn": "Sense of safety, Q4 2026",
            "regionCode": DISTRICT,
            "questions": questions,
            "opensOn": "2026-11-23",
            "closesOn": "2026-12-31",
        },
    )
    assert made.status_code == 201, made.text
    survey_id = made.json()["id"]
    assert (await client.post(f"{surveys}/{survey_id}/open", headers=supervisor)).is_success
    home = [answer_set(i) for i in range(5)]
    for channel, answers, where in (
        ("visit", home, {"regionCode": HOME_COMMUNITY}),
        ("visit", [answer_set(i) for i in range(2)], {"regionCode": VETOED_COMMUNITY}),
        ("phone", [answer_set(i) for i in range(5)], {}),
    ):
        entered = await client.post(
            f"{surveys}/{survey_id}/entries",
            headers=supervisor,
            json={"channel": channel, "entries": [{"answers": a} for a in answers], **where},
        )
        assert entered.status_code == 201, entered.text
    for step in ("close", "publish"):
        moved = await client.post(f"{surveys}/{survey_id}/{step}", headers=supervisor)
        assert moved.status_code == 200, moved.text
    value: float = safety_figure(home)["value"]
    return value


async def test_every_source_measures_what_happened(
    client: Client, login: Login, clock: ManualClock, demo_database: str, settings: Settings
) -> None:
    admin, supervisor = await login("demo-admin"), await login("demo-supervisor")
    worker, department = await login("demo-worker"), await login("demo-department")
    who = await people(client, login)
    home_staff = await staff(
        client, admin, "street-b-dispatcher", "dispatcher", regionCode=HOME_STREET
    )
    street_supervisor = await staff(
        client, admin, "street-b-supervisor", "supervisor", regionCode=HOME_STREET
    )
    dept = await department_id(demo_database)
    t0 = clock.now()
    await closed_finding_and_open_one(client, supervisor, worker, dept, t0)
    # A listed key area of the home street whose deadline falls late in the quarter.
    await governed(
        client,
        who,
        clock,
        name="文三路背街小巷",
        area_type="back_street",
        street=HOME_STREET,
        grid=HOME_GRID,
        owner="worker",
        deadline=date(2026, 12, 10),
    )
    safety = await published_survey(client, supervisor)
    # November's reports owed on 1 December; the department files its 零报告 on time.
    clock.advance(days=7, hours=8, minutes=30)  # 00:30 on 1 December in the city
    conn = await connect(demo_database)
    try:
        assert await monthly.owe_reports(conn, settings=settings, now=clock.now()) > 0
    finally:
        await conn.close()
    (own,) = (await client.get("/api/v1/monthly-reports/mine", headers=department)).json()
    filed = await client.post(
        f"/api/v1/monthly-reports/{own['id']}/submit",
        headers=department,
        json={"placesVisited": 12, "problemsFound": 0, "zeroReport": True},
    )
    assert filed.status_code == 200, filed.text

    indicators = [
        {"key": s, "name": s, "weight": 10, "source": s, "target": t, "direction": d}
        for s, t, d in (
            ("findings_on_time", 0.9, "higher"),
            ("monthly_reports_on_time", 0.9, "higher"),
            ("duties_on_time", 0.9, "higher"),
            ("safety_index", 90, "higher"),
            ("areas_overdue", 0, "lower"),
            ("on_time_rate", 0.9, "higher"),
        )
    ] + [{"key": "work", "name": "工作实绩", "weight": 10, "source": "manual"}]
    scheme = await client.post(
        f"{BASE}/schemes",
        headers=supervisor,
        json={"year": 2026, "regionCode": DISTRICT, "name": "来源核对", "indicators": indicators},
    )
    assert scheme.status_code == 201, scheme.text
    scheme_id = scheme.json()["id"]

    async def compute(period: str, expect: int = 200) -> dict[str, Any]:
        made = await client.post(
            f"{BASE}/results", headers=supervisor, json={"schemeId": scheme_id, "period": period}
        )
        assert made.status_code == expect, made.text
        result: dict[str, Any] = made.json()
        return result

    # A survey of another quarter is not used.
    third = by_unit(await compute("2026-Q3", 201))
    assert items(third[HOME_STREET])["safety_index"]["noData"]

    # During the quarter: what falls due later is not owed yet.
    during = await compute(QUARTER, 201)
    result_id = during["id"]
    assert items(by_unit(during)[HOME_STREET])["areas_overdue"]["value"] == 0
    assert (await client.get(f"{BASE}/results/mine", headers=department)).json() == []

    clock.advance(days=31)  # 00:30 on 1 January 2027
    after = await compute(QUARTER)
    assert after["computedAt"] > during["computedAt"]
    scores = by_unit(after)
    home, vetoed_street, cg = (
        items(scores[HOME_STREET]),
        items(scores[VETOED_STREET]),
        items(scores[f"d{dept}"]),
    )
    # Findings: the street closed its one on time; the department left its one open.
    assert (home["findings_on_time"]["numerator"], home["findings_on_time"]["denominator"]) == (
        1,
        1,
    )
    assert home["findings_on_time"]["points"] == 10
    assert (cg["findings_on_time"]["numerator"], cg["findings_on_time"]["denominator"]) == (0, 1)
    # The department filed November's report on time.
    assert cg["monthly_reports_on_time"]["value"] == 1.0
    assert cg["monthly_reports_on_time"]["denominator"] == 1
    # The key area passed its deadline unlifted.
    assert home["areas_overdue"]["value"] == 1 and home["areas_overdue"]["points"] == 0
    # The street's own 安全感 figure; the vetoed street's answers are too few: no data.
    assert home["safety_index"]["value"] == pytest.approx(safety, abs=0.01)
    assert home["safety_index"]["denominator"] == 5
    assert vetoed_street["safety_index"]["noData"]
    # Duties: the department's duty in the street counts for the department, not the street.
    db = await connect(demo_database)
    try:
        street_path = await db.fetchval("SELECT path FROM regions WHERE code = $1", HOME_STREET)
        in_street = await db.fetch(
            "SELECT d.owner_department_id, d.done_at IS NOT NULL AND d.done_at <= d.due_at "
            "AS kept FROM duties d WHERE d.region_path LIKE $1 || '%' "
            "AND d.due_at >= '2026-09-30T16:00:00Z' AND d.due_at < '2026-12-31T16:00:00Z'",
            street_path,
        )
    finally:
        await db.close()
    by_department = [d for d in in_street if d["owner_department_id"] == dept]
    own_duties = [d for d in in_street if d["owner_department_id"] is None]
    assert by_department and own_duties
    assert home["duties_on_time"]["denominator"] == len(own_duties)
    assert home["duties_on_time"]["numerator"] == sum(d["kept"] for d in own_duties)
    assert cg["duties_on_time"]["denominator"] >= len(by_department)
    # Departments' case figures are those of the statistics' department ranking.
    ranking = await client.get(
        "/api/v1/stats/rankings",
        headers=admin,
        params={"by": "department", "region": DISTRICT, "period": QUARTER, "metric": "received"},
    )
    assert ranking.status_code == 200, ranking.text
    for entry in ranking.json()["items"]:
        (score,) = [
            s
            for s in after["scores"]
            if s["unit"]["kind"] == "department" and s["unit"]["code"] == entry["code"]
        ]
        shown = items(score)["on_time_rate"]
        rate = entry["metrics"]["onTimeRate"]
        assert shown["value"] == pytest.approx(rate) if rate is not None else shown["noData"]

    # A manual item: in steps of 0.01; measured figures keep what they divide.
    manual = {"unit": {"kind": "department", "id": dept}, "key": "work", "reason": "  台账规范 "}
    too_fine = await client.put(
        f"{BASE}/results/{result_id}/manual", headers=supervisor, json={**manual, "points": 7.255}
    )
    assert too_fine.status_code == 422, too_fine.text
    given = await client.put(
        f"{BASE}/results/{result_id}/manual", headers=supervisor, json={**manual, "points": 7.25}
    )
    assert given.status_code == 200, given.text
    kept = by_unit(given.json())
    assert items(kept[f"d{dept}"])["work"]["reason"] == "台账规范"
    assert items(kept[f"d{dept}"])["work"]["points"] == 7.25
    for score in given.json()["scores"]:
        before = items(
            by_unit(after)[
                score["unit"]["code"]
                if score["unit"]["kind"] == "region"
                else f"d{score['unit']['id']}"
            ]
        )
        for key, item in items(score).items():
            if key != "work":
                assert (item["numerator"], item["denominator"]) == (
                    before[key]["numerator"],
                    before[key]["denominator"],
                )

    # Outside the caller's scope: 404 at once, the result's lock held elsewhere notwithstanding.
    holder = await connect(demo_database)
    try:
        async with holder.transaction():
            await holder.execute(
                "SELECT id FROM assessment_results WHERE id = $1 FOR UPDATE", result_id
            )
            for path in ("post", "final"):
                refused = await client.post(
                    f"{BASE}/results/{result_id}/{path}", headers=street_supervisor, json={}
                )
                assert refused.status_code == 404, refused.text
            hidden = await client.get(f"{BASE}/results/{result_id}", headers=street_supervisor)
            assert hidden.status_code == 404
    finally:
        await holder.close()

    posted = await client.post(
        f"{BASE}/results/{result_id}/post", headers=supervisor, json={"objectionDays": 1}
    )
    assert posted.status_code == 200, posted.text
    # The units find the results that score them.
    for headers in (department, home_staff):
        mine = await client.get(f"{BASE}/results/mine", headers=headers)
        assert mine.status_code == 200, mine.text
        assert [r["id"] for r in mine.json()] == [result_id]

    # 约谈 within a year of now only; a veto's reason must say something.
    bottom = next(s for s in posted.json()["scores"] if s["atBottom"])
    far = await client.post(
        f"{BASE}/results/{result_id}/interviews",
        headers=supervisor,
        json={
            "unit": bottom["unit"],
            "at": (clock.now() + timedelta(days=400)).isoformat(),
            "notes": "约谈",
        },
    )
    assert far.status_code == 422 and far.json()["code"] == "assessment.interview_time"
    blank = await client.post(
        f"{BASE}/vetoes",
        headers=supervisor,
        json={"regionCode": HOME_STREET, "year": 2026, "reason": "    "},
    )
    assert blank.status_code == 422, blank.text
    trimmed = await client.post(
        f"{BASE}/vetoes",
        headers=supervisor,
        json={"regionCode": HOME_STREET, "year": 2026, "reason": "  重大事故 "},
    )
    assert trimmed.status_code == 201 and trimmed.json()["reason"] == "重大事故"

    # An objection cannot slip in once the result is final.
    clock.advance(days=1, minutes=1)
    final = await client.post(f"{BASE}/results/{result_id}/final", headers=supervisor)
    assert final.status_code == 200, final.text
    db = await connect(demo_database)
    try:
        taken = await step_sql.insert_objection(
            db,
            result_id=result_id,
            region_id=await db.fetchval(
                "SELECT region_id FROM assessment_results WHERE id = $1", result_id
            ),
            region_path=await db.fetchval(
                "SELECT region_path FROM assessment_results WHERE id = $1", result_id
            ),
            unit_region_id=None,
            unit_department_id=dept,
            text="迟到的异议",
            user_id=await me(client, department),
            at=clock.now() - timedelta(days=1),
        )
        assert taken is None
        assert not await db.fetchval("SELECT count(*) FROM assessment_objections")
        with pytest.raises(asyncpg.CheckViolationError):  # final and when, together
            await db.execute(
                "UPDATE assessment_results SET final_at = NULL WHERE id = $1", result_id
            )
    finally:
        await db.close()


async def test_the_workbook_shows_a_result_only_to_its_readers(
    client: Client, login: Login, clock: ManualClock
) -> None:
    supervisor, department = await login("demo-supervisor"), await login("demo-department")
    indicators = [{"key": "work", "name": "工作实绩", "weight": 10, "source": "manual"}]
    scheme = await client.post(
        f"{BASE}/schemes",
        headers=supervisor,
        json={
            "year": 2026,
            "regionCode": HOME_STREET,
            "name": "街道考核",
            "indicators": indicators,
        },
    )
    assert scheme.status_code == 201, scheme.text
    clock.advance(days=39)
    computed = await client.post(
        f"{BASE}/results",
        headers=supervisor,
        json={"schemeId": scheme.json()["id"], "period": QUARTER},
    )
    assert computed.status_code == 201, computed.text
    result_id = computed.json()["id"]
    posted = await client.post(f"{BASE}/results/{result_id}/post", headers=supervisor, json={})
    assert posted.status_code == 200, posted.text
    params = {"region": HOME_STREET, "period": QUARTER}
    seen = await client.get(REPORT, headers=supervisor, params=params)
    assert seen.status_code == 200 and SHEET in read_xlsx(seen.content)[0]
    # The department is not one of the street's units: the API refuses it the result...
    assert (await client.get(f"{BASE}/results/{result_id}", headers=department)).status_code == 404
    # ...and its workbook of the street leaves the sheet out.
    unseen = await client.get(REPORT, headers=department, params=params)
    assert unseen.status_code == 200, unseen.text
    assert SHEET not in read_xlsx(unseen.content)[0]
