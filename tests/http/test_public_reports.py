"""季度公开报告 over HTTP: staff preview and publish a region's quarter with the sections they
choose; anyone reads the published versions (JSON, a printable page, a workbook) without a
login; the latest published 安全感 survey reaches the area page only once published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backend.clock import ManualClock
from backend.db.pool import connect
from backend.settings import Settings
from tests.http.case_helpers import report, resident, staff
from tests.http.conftest import Client, Login
from tests.http.test_stats_report import read_xlsx
from tests.http.test_surveys import SURVEY, answer_of

REPORTS = "/api/v1/public-reports"
PAGE = "/api/v1/area-page"
HOME_COMMUNITY, HOME_STREET, OTHER_STREET = "330106002003", "330106002", "330106001"


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    changes: dict[str, Any] = getattr(request, "param", {})
    return Settings(
        data_dir=tmp_path,
        login_max_failures_per_user=5,
        login_max_failures_per_address=30,
        **changes,
    )


async def call(
    client: Client, method: str, path: str, headers: dict[str, str], expect: int, **kw: Any
) -> Any:
    response = await client.request(method, path, headers=headers, **kw)
    assert response.status_code == expect, response.text
    return response.json() if response.content else None


async def published_survey(
    client: Client, supervisor: dict[str, str], dispatcher: dict[str, str]
) -> int:
    """A 安全感 survey of the home street with 6 answers taken by phone in the home
    community, closed; returns its id (not yet published)."""
    made = await call(client, "POST", "/api/v1/surveys/", supervisor, 201, json=SURVEY)
    survey_id: int = made["id"]
    await call(client, "POST", f"/api/v1/surveys/{survey_id}/open", supervisor, 200)
    entries = {
        "channel": "phone",
        "regionCode": HOME_COMMUNITY,
        "entries": [{"answers": answer_of(n)} for n in range(6)],
    }
    await call(
        client, "POST", f"/api/v1/surveys/{survey_id}/entries", dispatcher, 201, json=entries
    )
    await call(client, "POST", f"/api/v1/surveys/{survey_id}/close", supervisor, 200)
    return survey_id


async def test_a_quarter_is_previewed_published_and_read_by_anyone(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    supervisor, dispatcher = await login("demo-supervisor"), await login("demo-dispatcher")
    reporter = await resident(client)
    for _ in range(5):
        await report(client, reporter, "sanitation")
    survey_id = await published_survey(client, supervisor, dispatcher)
    before = await call(client, "GET", PAGE, reporter, 200, params={"region": HOME_COMMUNITY})
    assert before["survey"] is None
    assert before["report"] is None
    await call(client, "POST", f"/api/v1/surveys/{survey_id}/publish", supervisor, 200)
    after = await call(client, "GET", PAGE, reporter, 200, params={"region": HOME_COMMUNITY})
    assert after["survey"]["surveyId"] == survey_id
    assert after["survey"]["regionCode"] == HOME_COMMUNITY
    assert after["survey"]["indices"]["answered"] == 6

    query = {"region": HOME_COMMUNITY, "year": 2026, "quarter": 4, "sections": "reports,areas"}
    preview = await call(client, "GET", f"{REPORTS}/preview", dispatcher, 200, params=query)
    assert (preview["id"], preview["version"], preview["publishedAt"]) == (None, None, None)
    assert preview["figures"]["reports"]["valid"] == 5
    assert "survey" not in preview["figures"]
    assert await call(client, "GET", REPORTS, {}, 200, params={"region": HOME_COMMUNITY}) == []

    body = {
        "regionCode": HOME_COMMUNITY,
        "year": 2026,
        "quarter": 4,
        "sections": ["survey", "reports"],
        "surveyId": survey_id,
    }
    first = await call(client, "POST", REPORTS, supervisor, 201, json=body)
    assert (first["version"], first["sections"], first["surveyId"]) == (
        1,
        ["reports", "survey"],
        survey_id,
    )
    assert first["figures"]["reports"]["valid"] == 5
    assert first["figures"]["survey"]["indices"]["answered"] == 6
    assert "flagged" not in first["figures"]
    assert "lifted" not in first["figures"]
    second = await call(client, "POST", REPORTS, supervisor, 201, json=body)
    assert second["version"] == 2

    listed = await call(client, "GET", REPORTS, {}, 200, params={"region": HOME_COMMUNITY})
    assert [(r["id"], r["version"]) for r in listed] == [(second["id"], 2), (first["id"], 1)]
    assert await call(client, "GET", f"{REPORTS}/{first['id']}", {}, 200) == first

    html = await client.get(f"{REPORTS}/{second['id']}/page")
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "script-src" not in html.headers["content-security-policy"]
    assert "default-src 'none'" in html.headers["content-security-policy"]
    assert "<script" not in html.text
    assert "@media print" in html.text
    assert "平安建设公开报告" in html.text
    assert "public safety report, 2026 Q4" in html.text
    assert "安全感指数" in html.text
    assert "挂牌督办" not in html.text

    workbook = await client.get(f"{REPORTS}/{second['id']}/workbook")
    assert workbook.status_code == 200
    assert "attachment" in workbook.headers["content-disposition"]
    sheets, _ = read_xlsx(workbook.content)
    cells = {str(c) for rows in sheets.values() for row in rows for c in row if c is not None}
    assert any("平安建设公开报告" in c for c in cells)
    assert 5 in {c for rows in sheets.values() for row in rows for c in row}
    assert not any("挂牌督办" in c for c in cells)

    page = await call(client, "GET", PAGE, reporter, 200, params={"region": HOME_COMMUNITY})
    assert page["report"]["id"] == second["id"]
    conn = await connect(demo_database)
    try:
        audited = await conn.fetch(
            "SELECT subject_id, detail FROM audit_log WHERE action = 'public_reports.publish' "
            "ORDER BY id"
        )
    finally:
        await conn.close()
    assert [row["subject_id"] for row in audited] == [str(first["id"]), str(second["id"])]
    assert audited[1]["detail"]["version"] == 2


async def test_bad_publications_are_refused(client: Client, login: Login) -> None:
    admin, supervisor = await login("demo-admin"), await login("demo-supervisor")
    street = await staff(client, admin, "street-lead", "supervisor", regionCode=HOME_STREET)
    body = {"regionCode": HOME_COMMUNITY, "year": 2026, "quarter": 4, "sections": ["reports"]}

    async def refused(headers: dict[str, str], expect: int, **change: Any) -> Any:
        return await call(client, "POST", REPORTS, headers, expect, json={**body, **change})

    assert (await refused(supervisor, 400, quarter=5))["fields"]
    assert (await refused(supervisor, 422, year=2027, quarter=1))["code"] == (
        "public_reports.quarter_not_started"
    )
    assert (await refused(supervisor, 404, regionCode="999999"))[
        "code"
    ] == "public.region_not_found"
    other_community = f"{OTHER_STREET}001"
    assert (await refused(street, 404, regionCode=other_community))["messageEn"]
    await refused(street, 201)
    assert (await refused(supervisor, 400, sections=[]))["fields"]
    assert (await refused(supervisor, 400, sections=["cases"]))["fields"]
    draft = await call(client, "POST", "/api/v1/surveys/", supervisor, 201, json=SURVEY)
    not_published = await refused(
        supervisor, 422, sections=["reports", "survey"], surveyId=draft["id"]
    )
    assert not_published["code"] == "public_reports.bad_survey"
    await refused(supervisor, 422, sections=["survey"], surveyId=999999)
    # The survey section with no published survey over the region would publish nothing.
    no_survey = await refused(supervisor, 422, sections=["reports", "survey"])
    assert no_survey["code"] == "public_reports.no_survey"
    assert no_survey["message"] and no_survey["messageEn"]
    # A survey named for a report that does not show the survey.
    unshown = await refused(supervisor, 422, sections=["reports"], surveyId=draft["id"])
    assert unshown["code"] == "public_reports.survey_not_shown"
    assert unshown["message"] and unshown["messageEn"]
    assert (await refused(supervisor, 422, year=2026, quarter=2))["code"] == (
        "public_reports.quarter_too_old"
    )
    garbage = await client.post(
        REPORTS, headers={**supervisor, "Content-Type": "application/json"}, content=b"{not json"
    )
    assert garbage.status_code == 400
    assert garbage.json()["messageEn"]
    await refused(await login("demo-dispatcher"), 403)
    await refused(await resident(client), 403)
    assert (await call(client, "POST", REPORTS, {}, 401, json=body))["code"] == "auth.required"
    missing = await call(client, "GET", f"{REPORTS}/999999", {}, 404)
    assert (missing["code"], bool(missing["message"])) == ("public_reports.not_found", True)
    await call(client, "GET", f"{REPORTS}/999999/page", {}, 404)
    await call(client, "GET", f"{REPORTS}/999999/workbook", {}, 404)
    await call(client, "GET", REPORTS, {}, 404, params={"region": "999999"})
    bad_sections = {"region": HOME_COMMUNITY, "year": 2026, "quarter": 4, "sections": "x"}
    await call(client, "GET", f"{REPORTS}/preview", supervisor, 422, params=bad_sections)
    await call(client, "GET", f"{REPORTS}/preview", {}, 401, params=bad_sections)


@pytest.mark.parametrize("settings", [{"public_reports_per_hour_per_address": 2}], indirect=True)
async def test_published_reports_are_read_a_limited_number_of_times_per_address(
    client: Client, clock: ManualClock
) -> None:
    for _ in range(2):
        await call(client, "GET", REPORTS, {}, 200)
    refused = await client.get(f"{REPORTS}/1/page")
    assert refused.status_code == 429
    assert refused.json()["code"] == "public_reports.rate_limited"
    assert int(refused.headers["retry-after"]) > 0
    clock.advance(hours=1, seconds=1)
    await call(client, "GET", REPORTS, {}, 200)


async def test_a_survey_outside_the_callers_subtree_is_as_unknown(
    client: Client, login: Login
) -> None:
    admin, supervisor = await login("demo-admin"), await login("demo-supervisor")
    other = await staff(client, admin, "other-lead", "supervisor", regionCode=OTHER_STREET)
    # A draft of the home street: the other street's supervisor may not learn it exists.
    draft = await call(client, "POST", "/api/v1/surveys/", supervisor, 201, json=SURVEY)
    body = {
        "regionCode": f"{OTHER_STREET}001",
        "year": 2026,
        "quarter": 4,
        "sections": ["reports", "survey"],
    }
    hidden = await call(client, "POST", REPORTS, other, 422, json={**body, "surveyId": draft["id"]})
    unknown = await call(client, "POST", REPORTS, other, 422, json={**body, "surveyId": 999999})
    assert hidden == unknown
    assert hidden["code"] == "public_reports.bad_survey"


async def test_a_previous_quarter_is_published_with_its_key_areas_as_of_publishing(
    client: Client, login: Login
) -> None:
    supervisor = await login("demo-supervisor")
    body = {"regionCode": HOME_COMMUNITY, "year": 2026, "quarter": 3, "sections": ["areas"]}
    published = await call(client, "POST", REPORTS, supervisor, 201, json=body)
    assert published["figures"]["lastDay"] == "2026-09-30"
    html = await client.get(f"{REPORTS}/{published['id']}/page")
    assert html.status_code == 200
    assert "挂牌督办地区（截至发布日）" in html.text
    assert "(as of publishing)" in html.text
    workbook = await client.get(f"{REPORTS}/{published['id']}/workbook")
    sheets, _ = read_xlsx(workbook.content)
    cells = {str(c) for rows in sheets.values() for row in rows for c in row if c is not None}
    assert "挂牌督办地区（截至发布日）" in cells
    assert any("as of publishing" in c for c in cells)


async def test_a_stored_report_is_read_whatever_shape_its_figures_were_frozen_in(
    client: Client, login: Login, demo_database: str
) -> None:
    supervisor = await login("demo-supervisor")
    body = {
        "regionCode": HOME_COMMUNITY,
        "year": 2026,
        "quarter": 4,
        "sections": ["reports", "areas"],
    }
    published = await call(client, "POST", REPORTS, supervisor, 201, json=body)
    conn = await connect(demo_database)
    try:
        # A field the page no longer has (and one inside a section), and an optional one
        # the figures did not have yet.
        await conn.execute(
            """
            UPDATE public_reports
               SET figures = jsonb_set(
                       figures - 'parent', '{reports}',
                       (figures -> 'reports') - 'satisfactionRate' || '{"trend": "up"}')
                   || '{"mapUrl": "https://example.invalid/map"}'
             WHERE id = $1
            """,
            published["id"],
        )
    finally:
        await conn.close()
    read = await call(client, "GET", f"{REPORTS}/{published['id']}", {}, 200)
    assert read["figures"]["parent"] is None
    assert read["figures"]["reports"]["satisfactionRate"] is None
    assert "trend" not in read["figures"]["reports"]
    assert "mapUrl" not in read["figures"]
    assert read["figures"]["region"] == published["figures"]["region"]
    page = await client.get(f"{REPORTS}/{published['id']}/page")
    assert page.status_code == 200
    assert "挂牌督办" in page.text
    workbook = await client.get(f"{REPORTS}/{published['id']}/workbook")
    assert workbook.status_code == 200


async def test_reports_are_found_by_their_region_after_the_tree_changes(
    client: Client, login: Login, demo_database: str
) -> None:
    supervisor = await login("demo-supervisor")
    body = {"regionCode": HOME_COMMUNITY, "year": 2026, "quarter": 4, "sections": ["reports"]}
    published = await call(client, "POST", REPORTS, supervisor, 201, json=body)
    conn = await connect(demo_database)
    try:
        # The path the report was published under is no longer the region's path.
        await conn.execute(
            "UPDATE public_reports SET region_path = '/330199/330199001/' WHERE id = $1",
            published["id"],
        )
    finally:
        await conn.close()
    listed = await call(client, "GET", REPORTS, {}, 200, params={"region": HOME_COMMUNITY})
    assert [r["id"] for r in listed] == [published["id"]]
    reader = await resident(client)
    page = await call(client, "GET", PAGE, reader, 200, params={"region": HOME_COMMUNITY})
    assert page["report"]["id"] == published["id"]
