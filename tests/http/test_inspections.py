"""督导检查 to 销号: an inspection's three findings, one reopened, one overdue, one on time."""

from __future__ import annotations

from datetime import date

from backend.clock import ManualClock
from backend.db.pool import connect
from backend.oversight.findings import findings_on_time
from tests.http.area_followup_helpers import area_outbox, fetch
from tests.http.area_helpers import HOME_GRID, HOME_STREET, me
from tests.http.case_helpers import photo
from tests.http.conftest import Client, Login
from tests.http.inspection_helpers import (
    FINDINGS,
    INSPECTIONS,
    department_id,
    file,
    finding,
    finding_of,
    inspection_body,
    later,
    move,
    report,
    watch,
)
from tests.http.test_stats_report import read_xlsx


async def test_three_findings_through_to_closing(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    supervisor, worker = await login("demo-supervisor"), await login("demo-worker")
    department = await login("demo-department")
    worker_id, dept = await me(client, worker), await department_id(demo_database)
    department_user = await me(client, department)
    t0 = clock.now()
    scene = await photo(client, supervisor, purpose="evidence", seed=1)
    spot = await photo(client, supervisor, purpose="evidence", seed=2)
    body = inspection_body(
        [
            finding(
                "楼道堆放杂物未清理",
                later(t0, hours=48),
                responsibleRegionCode=HOME_GRID,
                responsibleUserId=worker_id,
                mediaIds=[spot],
            ),
            finding("占道经营屡禁不止", later(t0, hours=2), responsibleDepartmentId=dept),
            finding("消防通道被占用", later(t0, hours=72), responsibleRegionCode=HOME_STREET),
        ],
        day=t0,
        mediaIds=[scene],
    )
    filed = await file(client, supervisor, body)
    supervisor_id = await me(client, supervisor)
    told = [(u, k, p["subjectId"]) for u, k, p in await area_outbox(demo_database)]
    first_id = filed["findings"][0]["id"]
    assert (worker_id, "finding", first_id) in told
    assert (department_user, "finding", first_id + 1) in told
    again = await file(client, supervisor, body, expect=200)
    assert again["id"] == filed["id"] and again["findings"] == filed["findings"]
    assert len(await fetch(demo_database, "SELECT id FROM inspections")) == 1
    assert filed["regionCode"] == HOME_STREET and filed["manner"] == "covert"
    assert len(filed["photos"]) == 1
    reopened, late, on_time = (f["id"] for f in filed["findings"])
    assert [f["state"] for f in filed["findings"]] == ["open"] * 3
    assert filed["findings"][0]["responsibleUser"]["id"] == worker_id
    assert len(filed["findings"][0]["photos"]) == 1
    assert filed["findings"][1]["responsible"] == {
        "kind": "department",
        "id": dept,
        "code": "330106-cg",
        "name": "西湖区城市管理局",
    }

    # One reopened at the 复查, then rectified and closed by its new deadline.
    await move(client, worker, reopened, "accept")
    await report(client, worker, reopened)
    await move(client, supervisor, reopened, "recheck", note="现场仍有杂物")
    back = await move(
        client,
        supervisor,
        reopened,
        "reopen",
        note="未整改到位",
        deadline=later(t0, days=5).isoformat(),
    )
    assert back["state"] == "reopened" and back["reopened"] == 1
    await move(client, worker, reopened, "accept")
    await report(client, worker, reopened, seed=4)
    await move(client, supervisor, reopened, "recheck", note="已清理")
    closed = await move(client, supervisor, reopened, "close")
    asked = [(u, k) for u, k, p in await area_outbox(demo_database) if p["subjectId"] == reopened]
    assert asked.count((supervisor_id, "finding_reported")) == 2
    assert asked.count((worker_id, "finding")) == 2
    assert closed["state"] == "closed" and closed["closedOnTime"] is True
    assert len(closed["evidence"]) == 2

    # One closed on time by the street it names: the grid's worker answers for it.
    await move(client, worker, on_time, "accept")
    await report(client, worker, on_time)
    await move(client, supervisor, on_time, "recheck", note="通道已畅通")
    assert (await move(client, supervisor, on_time, "close"))["closedOnTime"] is True

    # One overdue: 催办 at its deadline, 督办 a day later, then reported late.
    pushes = len(await area_outbox(demo_database))
    clock.advance(hours=3)
    await watch(demo_database, now=clock.now())
    overdue = await finding_of(client, supervisor, late)
    assert overdue["overdue"] is True
    clock.advance(hours=24)
    await watch(demo_database, now=clock.now())
    staged = [
        (u, k) for u, k, p in (await area_outbox(demo_database))[pushes:] if p["subjectId"] == late
    ]
    assert (department_user, "duty_reminder") in staged
    assert (supervisor_id, "duty_supervision") in staged
    # A day later the sessions of the morning have run out: log in again.
    supervisor, department = await login("demo-supervisor"), await login("demo-department")
    stages = [e["action"] for e in (await finding_of(client, supervisor, late))["events"]]
    assert stages == ["file", "remind", "supervise"]
    listed = (await client.get(FINDINGS, params={"overdue": "true"}, headers=supervisor)).json()
    assert [f["id"] for f in listed["items"]] == [late]

    await move(client, department, late, "accept")
    await report(client, department, late)
    await move(client, supervisor, late, "recheck", note="已整改")
    done = await move(client, supervisor, late, "close")
    assert done["state"] == "closed" and done["closedOnTime"] is False and done["overdue"] is False

    timeline = (await finding_of(client, supervisor, reopened))["events"]
    assert [e["action"] for e in timeline] == [
        "file",
        "accept",
        "report",
        "recheck",
        "reopen",
        "accept",
        "report",
        "recheck",
        "close",
    ]
    assert timeline[2]["photos"] and timeline[4]["note"] == "未整改到位"
    audited = await fetch(
        demo_database, "SELECT action FROM audit_log WHERE subject_type = 'finding'"
    )
    assert len(audited) == 8 + 4 + 4

    units = (await client.get(f"{FINDINGS}/units", headers=supervisor)).json()
    counts = {
        (u["kind"], u["code"]): (u["open"], u["overdue"], u["closed"], u["closedOnTime"])
        for u in units
    }
    assert counts == {
        ("region", HOME_STREET): (0, 0, 1, 1),
        ("region", HOME_GRID): (0, 0, 1, 1),
        ("department", "330106-cg"): (0, 0, 1, 0),
    }
    closed_list = await client.get(FINDINGS, params={"state": "closed"}, headers=supervisor)
    on_time_listed = [f["id"] for f in closed_list.json()["items"] if f["closedOnTime"]]
    assert sorted(on_time_listed) == sorted([reopened, on_time])

    # What assessment counts: closed on time among the findings due in the month, per unit.
    street = await fetch(demo_database, "SELECT path FROM regions WHERE code = $1", HOME_STREET)
    november = {"first_day": date(2026, 11, 1), "last_day": date(2026, 11, 30)}
    conn = await connect(demo_database)
    try:
        by_department = await findings_on_time(
            conn, region_path=None, department_id=dept, **november
        )
        by_street = await findings_on_time(
            conn, region_path=street[0]["path"], department_id=None, **november
        )
        december = await findings_on_time(
            conn,
            region_path=None,
            department_id=None,
            first_day=date(2026, 12, 1),
            last_day=date(2026, 12, 31),
        )
    finally:
        await conn.close()
    assert (by_department, by_street, december) == ((0, 1), (2, 2), (0, 0))

    exported = await client.get(f"{FINDINGS}/export", headers=supervisor)
    assert exported.status_code == 200, exported.text
    assert "attachment" in exported.headers["content-disposition"]
    sheets, _ = read_xlsx(exported.content)
    rows = sheets["问题台账"]
    assert sorted(int(r[0]) for r in rows[1:]) == sorted([reopened, late, on_time])
    shown = {int(r[0]): r for r in rows[1:]}
    assert shown[late][4] == "占道经营屡禁不止" and shown[late][13] == "否 No"
    assert shown[reopened][14] == 1

    one = (await client.get(f"{INSPECTIONS}/{filed['id']}", headers=supervisor)).json()
    assert [f["state"] for f in one["findings"]] == ["closed"] * 3


async def test_on_time_is_measured_against_the_first_deadline_and_only_once_decided(
    client: Client, login: Login, clock: ManualClock, demo_database: str
) -> None:
    supervisor, worker = await login("demo-supervisor"), await login("demo-worker")
    t0 = clock.now()
    body = inspection_body(
        [
            finding("垃圾清运不及时", later(t0, hours=1), responsibleRegionCode=HOME_GRID),
            finding("路灯不亮", later(t0, days=2), responsibleRegionCode=HOME_GRID),
            finding("井盖破损", later(t0, days=3), responsibleRegionCode=HOME_GRID),
            finding("绿化带毁损", later(t0, hours=1), responsibleRegionCode=HOME_GRID),
        ],
        day=t0,
    )
    reopened, still_open, awaiting, overdue = (
        f["id"] for f in (await file(client, supervisor, body))["findings"]
    )
    await move(client, worker, reopened, "accept")
    await report(client, worker, reopened)
    await move(client, supervisor, reopened, "recheck", note="未整改到位")
    generous = later(t0, days=5)
    await move(client, supervisor, reopened, "reopen", note="返工", deadline=generous.isoformat())
    await move(client, worker, awaiting, "accept")
    await report(client, worker, awaiting, seed=4)

    clock.advance(hours=2)  # past the first deadline, long before the reopen's
    supervisor, worker = await login("demo-supervisor"), await login("demo-worker")
    await move(client, worker, reopened, "accept")
    await report(client, worker, reopened, seed=5)
    await move(client, supervisor, reopened, "recheck", note="已整改")
    closed = await move(client, supervisor, reopened, "close")
    assert closed["closedOnTime"] is False
    assert closed["firstDeadline"] == later(t0, hours=1).isoformat().replace("+00:00", "Z")
    assert closed["deadline"] == generous.isoformat().replace("+00:00", "Z")
    units = (await client.get(f"{FINDINGS}/units", headers=supervisor)).json()
    assert [(u["code"], u["closed"], u["closedOnTime"]) for u in units] == [(HOME_GRID, 1, 0)]

    # Decided: the late closed one and the one overdue; not the one open before its deadline
    # nor the one reported in time awaiting its recheck.
    conn = await connect(demo_database)
    try:
        counted = await findings_on_time(
            conn,
            region_path=None,
            department_id=None,
            first_day=date(2026, 11, 1),
            last_day=date(2026, 11, 30),
            now=clock.now(),
        )
    finally:
        await conn.close()
    assert counted == (0, 2)
    assert (await finding_of(client, supervisor, overdue))["overdue"] is True
    assert (await finding_of(client, supervisor, still_open))["overdue"] is False
