"""Monthly reports (定期访查, 零报告) over HTTP: asked for once when the month ends, filed on
time or late, marked missing by the 催办 at the due time, 督办 later, counted per unit."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from backend.accounts import queries as accounts
from backend.clock import ManualClock
from backend.db.pool import connect
from backend.oversight import monthly
from backend.settings import Settings
from tests.http.area_followup_helpers import watch_duties
from tests.http.case_helpers import STAFF_PASSWORD, staff
from tests.http.conftest import Client, Login

CITY_DEC_1 = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 00:30 on 1 December in the city
DUE = "2026-12-05T16:00:00Z"  # 00:00 on 6 December in the city: the first late moment
PAST_DUE = datetime(2026, 12, 5, 16, 0, 1, tzinfo=UTC)  # one second after the due time
LAST_MOMENT = datetime(2026, 12, 5, 15, 59, 59, 500000, tzinfo=UTC)  # 23:59:59.5 on the 5th
DEPARTMENTS = {"cg": "330106-cg", "sj": "330106-sj", "ga": "330106-ga", "mz": "330106-mz"}


async def owe(dsn: str, *, settings: Settings, now: datetime) -> int:
    """The worker's job, as it runs it."""
    conn = await connect(dsn)
    try:
        return await monthly.owe_reports(conn, settings=settings, now=now)
    finally:
        await conn.close()


async def fetch_rows(dsn: str, sql: str) -> list[Any]:
    conn = await connect(dsn)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def reminders(dsn: str, kind: str) -> list[tuple[int, str]]:
    """(user, title) of the duty pushes of one kind about monthly reports."""
    conn = await connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT user_id, payload FROM outbox WHERE kind = $1 ORDER BY id", kind
        )
    finally:
        await conn.close()
    return [
        (r["user_id"], r["payload"]["title"])
        for r in rows
        if r["payload"]["subjectKind"] == "monthly_report"
    ]


async def add_department(dsn: str) -> None:
    conn = await connect(dsn)
    try:
        district = await conn.fetchval("SELECT id FROM regions WHERE code = '330106'")
        await accounts.insert_department(
            conn,
            code=DEPARTMENTS["mz"],
            name="西湖区民政局",
            name_en="Xihu Civil Affairs Bureau",
            kind="civil",
            region_id=district,
        )
    finally:
        await conn.close()


async def get(client: Client, headers: dict[str, str], path: str, expect: int = 200) -> Any:
    response = await client.get(path, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


async def submit(
    client: Client, headers: dict[str, str], report_id: int, expect: int = 200, **body: Any
) -> Any:
    response = await client.post(
        f"/api/v1/monthly-reports/{report_id}/submit", headers=headers, json=body
    )
    assert response.status_code == expect, response.text
    return response.json()


def by_unit(reports: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["unit"]["code"]: r for r in reports}


@pytest.fixture
async def clerks(client: Client, login: Login, demo_database: str) -> None:
    """A user of each of four departments (the demo's three and 民政局): clerk-cg …"""
    await add_department(demo_database)
    admin = await login("demo-admin")
    for key, code in DEPARTMENTS.items():
        await staff(client, admin, f"clerk-{key}", "department", departmentCode=code)


async def clerks_logged_in(client: Client) -> dict[str, dict[str, str]]:
    """Logged in afresh: the clock has moved past the last logins' lifetime."""
    return {key: await login_as(client, f"clerk-{key}") for key in DEPARTMENTS}


async def login_as(client: Client, username: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def test_a_month_with_one_department_missing_its_report(
    client: Client,
    login: Login,
    clerks: None,
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
) -> None:
    clock.advance(seconds=(CITY_DEC_1 - clock.now()).total_seconds())
    assert await owe(demo_database, settings=settings, now=clock.now()) == 4
    assert await owe(demo_database, settings=settings, now=clock.now()) == 0  # once
    audited = await fetch_rows(
        demo_database, "SELECT detail FROM audit_log WHERE action = 'monthly_report.owed'"
    )
    assert [row["detail"] for row in audited] == [{"month": "2026-11", "units": 4}]
    supervisor = await login("demo-supervisor")
    clerk = await clerks_logged_in(client)
    month = await get(client, supervisor, "/api/v1/monthly-reports?month=2026-11")
    assert {r["unit"]["code"] for r in month} == set(DEPARTMENTS.values())
    assert {(r["state"], r["dueAt"], r["month"]) for r in month} == {("due", DUE, "2026-11")}
    ids = {code: r["id"] for code, r in by_unit(month).items()}
    # The default month is the one just ended.
    assert await get(client, supervisor, "/api/v1/monthly-reports") == month

    [own] = await get(client, clerk["cg"], "/api/v1/monthly-reports/mine")
    assert (own["id"], own["unit"]["kind"], own["state"]) == (ids["330106-cg"], "department", "due")
    zero = {"placesVisited": 12, "problemsFound": 0, "zeroReport": True}
    filed = await submit(client, clerk["cg"], own["id"], **zero)
    assert (filed["state"], filed["zeroReport"], filed["placesVisited"]) == ("submitted", True, 12)
    assert filed["submittedBy"]["name"] == "clerk-cg"
    assert await submit(client, clerk["cg"], own["id"], **zero) == filed  # a replay
    changed = {**zero, "placesVisited": 13}
    assert (await submit(client, clerk["cg"], own["id"], 409, **changed))["code"] == (
        "oversight.report_filed"
    )
    # Another department's report is not there for a clerk; an overseer is not the unit.
    await submit(client, clerk["sj"], ids["330106-ga"], 404, **zero)
    await get(client, clerk["sj"], f"/api/v1/monthly-reports/{ids['330106-ga']}", 404)
    await submit(client, supervisor, ids["330106-ga"], 403, **zero)

    # Filed in the last second of the due day: on time.
    clock.advance(seconds=(LAST_MOMENT - clock.now()).total_seconds())
    await watch_duties(demo_database, now=clock.now())
    found = {"placesVisited": 30, "problemsFound": 4, "zeroReport": False, "note": "消防通道堵塞"}
    clerk_mz = await login_as(client, "clerk-mz")
    assert (await submit(client, clerk_mz, ids["330106-mz"], **found))["state"] == "submitted"

    clock.advance(seconds=(PAST_DUE - clock.now()).total_seconds())
    await watch_duties(demo_database, now=clock.now())
    supervisor = await login("demo-supervisor")
    missing = await get(client, supervisor, "/api/v1/monthly-reports?month=2026-11&state=missing")
    assert {r["unit"]["code"] for r in missing} == {"330106-sj", "330106-ga"}
    assert {(r["overdue"], r["reminded"], r["supervised"]) for r in missing} == {
        (True, True, False)
    }
    told = await reminders(demo_database, "duty_reminder")
    assert {title.split("：")[0] for _, title in told} == {"西湖区市场监督管理局", "西湖区公安分局"}

    clerk_sj = await login_as(client, "clerk-sj")
    late = await submit(client, clerk_sj, ids["330106-sj"], **zero)
    assert (late["state"], late["overdue"]) == ("late", False)

    clock.advance(hours=settings.duty_supervise_after_hours)
    await watch_duties(demo_database, now=clock.now())
    supervisor = await login("demo-supervisor")
    final = by_unit(await get(client, supervisor, "/api/v1/monthly-reports?month=2026-11"))
    assert {code: r["state"] for code, r in final.items()} == {
        "330106-cg": "submitted",
        "330106-mz": "submitted",
        "330106-sj": "late",
        "330106-ga": "missing",
    }
    assert (final["330106-ga"]["supervised"], final["330106-sj"]["supervised"]) == (True, False)
    supervised = await reminders(demo_database, "duty_supervision")
    assert {title.split("：")[0] for _, title in supervised} == {"西湖区公安分局"}
    timelines = {
        code: [
            (e["action"], e["fromState"], e["toState"])
            for e in (await get(client, supervisor, f"/api/v1/monthly-reports/{ids[code]}"))[
                "events"
            ]
        ]
        for code in ("330106-ga", "330106-sj")
    }
    assert timelines == {
        "330106-ga": [
            ("owe", None, "due"),
            ("remind", "due", "missing"),
            ("supervise", "missing", "missing"),
        ],
        "330106-sj": [
            ("owe", None, "due"),
            ("remind", "due", "missing"),
            ("submit", "missing", "late"),
        ],
    }

    summary = await get(
        client, supervisor, "/api/v1/monthly-reports/summary?from=2026-10&to=2026-11"
    )
    assert {
        u["code"]: (u["kind"], u["owed"], u["onTime"], u["late"], u["missing"]) for u in summary
    } == {
        "330106-cg": ("department", 1, 1, 0, 0),
        "330106-mz": ("department", 1, 1, 0, 0),
        "330106-sj": ("department", 1, 0, 1, 0),
        "330106-ga": ("department", 1, 0, 0, 1),
    }
    assert await on_time(demo_database, "330106-ga") == (0, 1)
    assert await on_time(demo_database, "330106-cg") == (1, 1)


async def on_time(dsn: str, department_code: str) -> tuple[int, int]:
    conn = await connect(dsn)
    try:
        department_id = await conn.fetchval(
            "SELECT id FROM departments WHERE code = $1", department_code
        )
        return await monthly.reports_on_time(
            conn,
            region_path=None,
            department_id=department_id,
            first_day=date(2026, 10, 1),
            last_day=date(2026, 12, 31),
        )
    finally:
        await conn.close()


async def test_bad_filings_are_refused_with_a_reason(
    client: Client,
    login: Login,
    clerks: None,
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
) -> None:
    clock.advance(seconds=(CITY_DEC_1 - clock.now()).total_seconds())
    await owe(demo_database, settings=settings, now=clock.now())
    clerk = await login_as(client, "clerk-cg")
    [own] = await get(client, clerk, "/api/v1/monthly-reports/mine")
    refused = await submit(
        client, clerk, own["id"], 422, placesVisited=3, problemsFound=2, zeroReport=True
    )
    assert (refused["code"], list(refused["fields"])) == (
        "oversight.zero_report_with_problems",
        ["problemsFound"],
    )
    refused = await submit(
        client, clerk, own["id"], 422, placesVisited=3, problemsFound=0, zeroReport=False
    )
    assert refused["code"] == "oversight.zero_report_needed"
    await submit(client, clerk, own["id"], 400, placesVisited=-1, problemsFound=0, zeroReport=True)
    await submit(client, clerk, own["id"], 400, placesVisited=1, zeroReport=True)
    await submit(client, clerk, 999999, 404, placesVisited=1, problemsFound=0, zeroReport=True)
    assert (await get(client, clerk, "/api/v1/monthly-reports/mine"))[0]["state"] == "due"
    # Lists and the summary are for overseers; bad months are refused with a reason.
    await get(client, clerk, "/api/v1/monthly-reports?month=2026-11", 403)
    admin = await login("demo-admin")
    assert (await get(client, admin, "/api/v1/monthly-reports?month=2026-13", 422))["fields"] == {
        "month": "expected YYYY-MM"
    }
    await get(client, admin, "/api/v1/monthly-reports?state=lost", 400)
    await get(client, admin, "/api/v1/monthly-reports/summary?from=2026-11&to=2026-10", 422)
    await get(client, admin, "/api/v1/monthly-reports/summary?from=2020-01&to=2026-10", 422)
    await get(client, admin, "/api/v1/monthly-reports/summary?from=2026-11", 400)


@pytest.fixture
def street_settings(settings: Settings) -> Settings:
    return replace(settings, monthly_reports_from_streets=True)


async def test_streets_report_too_when_set_and_see_only_their_own(
    client: Client,
    login: Login,
    demo_database: str,
    street_settings: Settings,
    settings: Settings,
    clock: ManualClock,
) -> None:
    clock.advance(seconds=(CITY_DEC_1 - clock.now()).total_seconds())
    conn = await connect(demo_database)
    try:
        streets = await conn.fetchval("SELECT count(*) FROM regions WHERE level = 'street'")
    finally:
        await conn.close()
    assert await owe(demo_database, settings=settings, now=clock.now()) == 3
    made = await owe(demo_database, settings=street_settings, now=clock.now())
    assert made == streets  # the departments already owe theirs
    admin = await login("demo-admin")
    home = await staff(client, admin, "street-home", "dispatcher", regionCode="330106002")
    other = await staff(client, admin, "street-other", "supervisor", regionCode="330106001")
    worker = await login("demo-worker")  # a grid of the home street

    [own] = await get(client, home, "/api/v1/monthly-reports/mine")
    assert (own["unit"]["kind"], own["unit"]["code"]) == ("region", "330106002")
    assert (await get(client, worker, "/api/v1/monthly-reports/mine")) == [own]
    body = {"placesVisited": 40, "problemsFound": 0, "zeroReport": True}
    await submit(client, other, own["id"], 404, **body)
    assert (await submit(client, worker, own["id"], **body))["state"] == "submitted"
    # A street's supervisor sees its own street's report, not the district's departments.
    listed = await get(client, other, "/api/v1/monthly-reports?month=2026-11")
    assert [(r["unit"]["kind"], r["unit"]["code"]) for r in listed] == [("region", "330106001")]
    summary = await get(client, other, "/api/v1/monthly-reports/summary?from=2026-11&to=2026-11")
    assert [(u["code"], u["owed"], u["onTime"]) for u in summary] == [("330106001", 1, 0)]
    # For the assessment: the district's streets have one report filed on time and none
    # decided otherwise yet (the others can still be filed on time).
    conn = await connect(demo_database)
    try:
        district = await monthly.reports_on_time(
            conn,
            region_path="/330106/",
            department_id=None,
            first_day=date(2026, 11, 1),
            last_day=date(2026, 11, 30),
        )
    finally:
        await conn.close()
    assert district == (1, 1)


async def test_workers_running_at_once_ask_for_each_report_once(
    demo_database: str, settings: Settings
) -> None:
    made = await asyncio.gather(
        *(owe(demo_database, settings=settings, now=CITY_DEC_1) for _ in range(4))
    )
    assert sum(made) == 3
    conn = await connect(demo_database)
    try:
        owed = await conn.fetchval("SELECT count(*) FROM monthly_reports")
        watched = await conn.fetchval(
            "SELECT count(*) FROM duties WHERE subject_kind = 'monthly_report'"
        )
    finally:
        await conn.close()
    assert (owed, watched) == (3, 3)


async def test_a_worker_first_run_after_the_due_day_asks_for_nothing_of_that_month(
    demo_database: str, settings: Settings
) -> None:
    after = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)  # 6 December in the city
    assert await owe(demo_database, settings=settings, now=after) == 0
    on_the_day = after - timedelta(days=1)
    assert await owe(demo_database, settings=settings, now=on_the_day) == 3


async def test_a_month_with_more_units_than_one_answer_says_so(
    client: Client,
    login: Login,
    clerks: None,
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock.advance(seconds=(CITY_DEC_1 - clock.now()).total_seconds())
    await owe(demo_database, settings=settings, now=clock.now())
    supervisor = await login("demo-supervisor")
    whole = await client.get("/api/v1/monthly-reports?month=2026-11", headers=supervisor)
    assert len(whole.json()) == 4 and "x-truncated" not in whole.headers
    monkeypatch.setattr(monthly, "LIST_LIMIT", 3)
    cut = await client.get("/api/v1/monthly-reports?month=2026-11", headers=supervisor)
    assert cut.status_code == 200, cut.text
    assert len(cut.json()) == 3 and cut.headers["x-truncated"] == "true"
