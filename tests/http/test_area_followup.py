"""The follow-up of a key area over HTTP: acceptance failing, extension refused, level duties
planned once and met by a record or by the count of patrol reports, before/after figures."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from backend.areas import acceptance
from backend.areas.lifecycle import load_for_update
from backend.clock import ManualClock
from backend.db.pool import connect
from backend.settings import Settings
from tests.http.area_followup_helpers import (
    HOME_STREET,
    area_outbox,
    fetch,
    governed_area,
    plan_duties,
    tend,
    user_named,
    watch_duties,
)
from tests.http.case_helpers import report, resident
from tests.http.conftest import Client, Login

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def supervisor(login: Login) -> dict[str, str]:
    return await login("demo-supervisor")


async def begin_acceptance(
    dsn: str, area_id: int, *, settings: Settings, clock: ManualClock
) -> None:
    """What happens when the last task of the plan is done."""
    conn = await connect(dsn)
    try:
        async with conn.transaction():
            area = await load_for_update(conn, area_id=area_id, scope_path=None)
            await acceptance.begin(conn, area, settings=settings, now=clock.now())
    finally:
        await conn.close()


async def area_page(client: Client, login: Login, area_id: int) -> dict[str, Any]:
    """The area's page as the district supervisor sees it (logged in afresh: the clock moves)."""
    response = await client.get(f"/api/v1/areas/{area_id}", headers=await login("demo-supervisor"))
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def post(
    client: Client, headers: dict[str, str], url: str, body: dict[str, Any], expect: int
) -> dict[str, Any]:
    response = await client.post(url, headers=headers, json=body)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_an_extension_is_asked_after_a_failed_acceptance_and_refused_back_to_the_list(
    client: Client,
    login: Login,
    supervisor: dict[str, str],
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
) -> None:
    area_id = await governed_area(
        demo_database, now=clock.now(), state="listed", level="blue", tier="street"
    )
    dispatcher = await login("demo-dispatcher")
    base = f"/api/v1/areas/{area_id}"
    ask = {"reason": "整改工程量大，需延期", "newDeadline": "2027-01-31"}
    early = await post(client, dispatcher, f"{base}/extensions", ask, 409)
    assert early["code"] == "areas.extension_needs_failure"

    await begin_acceptance(demo_database, area_id, settings=settings, clock=clock)
    round_ = (await client.get(f"{base}/acceptance", headers=dispatcher)).json()
    assert round_["surveyId"] is not None and round_["outcome"] is None
    assert round_["areaState"] == "accepting"
    # Too few answers yet: no verdict, the survey stays open for more.
    early_call = await post(
        client, supervisor, f"{base}/acceptance/decision", {"note": "验收"}, 409
    )
    assert early_call["code"] == "areas.acceptance_too_few" and early_call["message"]
    still = (await client.get(f"{base}/acceptance", headers=dispatcher)).json()
    assert (still["surveyId"], still["outcome"]) == (round_["surveyId"], None)
    assert any("fewer than" in s["en"] and s["zh"] for s in still["shortfall"])
    entries = [{"answers": {"satisfaction": "satisfied", "safety": 4}}] * 8
    entries += [{"answers": {"satisfaction": "dissatisfied", "safety": 2}}] * 2
    await post(
        client,
        await login("demo-admin"),
        f"/api/v1/surveys/{round_['surveyId']}/entries",
        {"channel": "visit", "entries": entries},
        201,
    )
    failed = await post(client, supervisor, f"{base}/acceptance/decision", {"note": "验收"}, 200)
    assert failed["outcome"] == "failed" and failed["areaState"] == "accepting"
    assert [s["en"] for s in failed["shortfall"]] == ["Satisfaction 80.0 %, below the bar of 90 %"]

    past = await post(
        client, dispatcher, f"{base}/extensions", {**ask, "newDeadline": "2026-01-01"}, 422
    )
    assert past["fields"] == {"newDeadline": "The deadline cannot be in the past"}
    asked = await post(client, dispatcher, f"{base}/extensions", ask, 201)
    assert asked["state"] == "pending"
    again = await post(client, dispatcher, f"{base}/extensions", ask, 409)
    assert again["code"] == "areas.extension_pending"
    decision = {"approve": False, "note": "理由不充分"}
    not_theirs = await post(
        client, dispatcher, f"{base}/extensions/{asked['id']}/decision", decision, 403
    )
    assert not_theirs["code"] == "auth.forbidden" and not_theirs["message"]
    refused = await post(
        client, supervisor, f"{base}/extensions/{asked['id']}/decision", decision, 200
    )
    assert (refused["state"], refused["areaState"]) == ("refused", "listed")
    twice = await post(
        client, supervisor, f"{base}/extensions/{asked['id']}/decision", decision, 409
    )
    assert twice["code"] == "areas.extension_decided"
    events = await fetch(
        demo_database,
        "SELECT action, to_state FROM key_area_events WHERE area_id = $1 ORDER BY id",
        area_id,
    )
    steps = [(e["action"], e["to_state"]) for e in events]
    assert steps[-3:] == [
        ("acceptance_failed", "accepting"),
        ("extension_requested", "accepting"),
        ("refuse_extension", "listed"),
    ]
    audited = await fetch(
        demo_database,
        "SELECT action FROM audit_log WHERE subject_type = 'key_area' AND subject_id = $1",
        str(area_id),
    )
    assert {"areas.extension_requested", "areas.extension_refused"} <= {
        a["action"] for a in audited
    }


async def test_level_duties_are_planned_once_per_period_and_met_by_a_record(
    client: Client,
    login: Login,
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
) -> None:
    # Monday 23 November 2026, 16:00 in the city: the week runs to Sunday the 29th.
    area_id = await governed_area(demo_database, now=clock.now(), level="red")
    assert await plan_duties(demo_database, settings=settings, now=clock.now()) == 1
    assert await plan_duties(demo_database, settings=settings, now=clock.now()) == 0
    clock.advance(hours=30)
    assert await plan_duties(demo_database, settings=settings, now=clock.now()) == 0

    dispatcher = await login("demo-dispatcher")
    listed = (await client.get(f"/api/v1/areas/{area_id}/duties", headers=dispatcher)).json()
    assert [(d["kind"], d["periodStart"], d["periodEnd"], d["target"]) for d in listed] == [
        ("joint_sweep", "2026-11-23", "2026-11-29", 1)
    ]
    (sweep,) = listed
    assert sweep["dueAt"].startswith("2026-11-29T15:59:59")  # 23:59:59 in the city
    assert (sweep["dutyState"], sweep["doneAt"]) == ("open", None)
    recorded = await post(
        client,
        dispatcher,
        f"/api/v1/areas/{area_id}/duties/{sweep['id']}/record",
        {"units": "街道、派出所、城管", "findings": "清理杂物三处"},
        200,
    )
    assert recorded["dutyState"] == "done" and recorded["doneAt"] is not None
    assert recorded["units"] == "街道、派出所、城管"

    # Next Monday a new week's sweep is owed.
    clock.advance(days=6)
    assert await plan_duties(demo_database, settings=settings, now=clock.now()) == 1
    dispatcher = await login("demo-dispatcher")  # a staff session lasts less than a week
    listed = (await client.get(f"/api/v1/areas/{area_id}/duties", headers=dispatcher)).json()
    assert [d["periodStart"] for d in listed] == ["2026-11-30", "2026-11-23"]


async def test_a_yellow_area_s_patrols_are_met_by_the_count_of_patrol_reports(
    client: Client,
    login: Login,
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
) -> None:
    met = await governed_area(demo_database, now=clock.now(), level="yellow", name="达标小区")
    assert await plan_duties(demo_database, settings=settings, now=clock.now()) == 1
    worker = await login("demo-worker")
    for _ in range(settings.area_yellow_patrols_per_week):
        clock.advance(hours=1)
        await report(client, worker)
    await report(client, await resident(client))  # a resident's report is no patrol
    dispatcher = await login("demo-dispatcher")
    (patrols,) = (await client.get(f"/api/v1/areas/{met}/duties", headers=dispatcher)).json()
    assert patrols["kind"] == "patrols" and patrols["doneAt"] is None
    recorded = await client.post(
        f"/api/v1/areas/{met}/duties/{patrols['id']}/record",
        headers=dispatcher,
        json={"units": "网格员"},
    )
    assert recorded.status_code == 409, recorded.text

    marker = (await fetch(demo_database, "SELECT coalesce(max(id), 0) AS m FROM outbox"))[0]["m"]
    clock.advance(days=7)  # past Sunday's end: the watcher looks at the week's duty
    await watch_duties(demo_database, now=clock.now())
    dispatcher = await login("demo-dispatcher")
    (patrols,) = (await client.get(f"/api/v1/areas/{met}/duties", headers=dispatcher)).json()
    assert patrols["dutyState"] == "done" and patrols["doneAt"] is not None
    assert not patrols["reminded"]
    assert [k for _, k, _ in await area_outbox(demo_database, since_id=marker)] == []


async def test_patrols_short_of_the_target_are_reminded_then_supervised(
    client: Client,
    login: Login,
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
) -> None:
    area_id = await governed_area(demo_database, now=clock.now(), level="yellow")
    assert await plan_duties(demo_database, settings=settings, now=clock.now()) == 1
    worker = await login("demo-worker")
    await report(client, worker)  # one patrol of the three owed
    marker = (await fetch(demo_database, "SELECT coalesce(max(id), 0) AS m FROM outbox"))[0]["m"]
    clock.advance(days=7)
    await watch_duties(demo_database, now=clock.now())
    clock.advance(hours=settings.duty_supervise_after_hours)
    await watch_duties(demo_database, now=clock.now())
    dispatcher = await login("demo-dispatcher")
    (patrols,) = (await client.get(f"/api/v1/areas/{area_id}/duties", headers=dispatcher)).json()
    assert (patrols["dutyState"], patrols["reminded"], patrols["supervised"]) == (
        "open",
        True,
        True,
    )
    kinds = [k for _, k, _ in await area_outbox(demo_database, since_id=marker)]
    assert kinds[0] == "duty_reminder" and "duty_supervision" in kinds
    events = await fetch(
        demo_database,
        "SELECT action FROM key_area_events WHERE area_id = $1 ORDER BY id",
        area_id,
    )
    assert [e["action"] for e in events] == ["remind", "supervise"]


async def test_before_and_after_figures_count_the_area_s_reports_either_side_of_the_flag(
    client: Client,
    login: Login,
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
) -> None:
    made: list[tuple[Any, str]] = []
    reporter = await resident(client)
    for hours, category in [(0, "sanitation"), (25, "sanitation"), (5, "streetlight")]:
        clock.advance(hours=hours)
        await report(client, reporter, category=category)
        made.append((clock.now(), category))
    clock.advance(hours=3)
    flagged_at = clock.now()
    area_id = await governed_area(demo_database, now=flagged_at, level="red")
    for hours, category in [(2, "streetlight"), (13, "sanitation")]:
        clock.advance(hours=hours)
        await report(client, reporter, category=category)
        made.append((clock.now(), category))
    clock.advance(hours=2)
    now = clock.now()

    supervisor = await login("demo-supervisor")
    figures = (await client.get(f"/api/v1/areas/{area_id}/figures", headers=supervisor)).json()
    length = now - flagged_at
    windows = {
        "before": (flagged_at - length, flagged_at),
        "after": (flagged_at, now),
    }
    for name, (start, end) in windows.items():
        inside = [(at, c) for at, c in made if start <= at < end]
        hours = [0] * 24
        weekdays = [0] * 7
        for at, _ in inside:
            hours[at.astimezone(ZONE).hour] += 1
            weekdays[at.astimezone(ZONE).weekday()] += 1
        got = figures[name]
        assert got["total"] == len(inside), name
        assert got["byCategory"] == dict(Counter(c for _, c in inside)), name
        assert (got["byHour"], got["byWeekday"]) == (hours, weekdays), name
    assert figures["before"]["total"] == 2  # the first report is older than the window
    assert figures["after"]["total"] == 2

    other = await login("demo-admin")
    summary = (
        await client.get(
            "/api/v1/area-figures",
            headers=other,
            params={"from": "2026-11-01", "to": "2026-11-30"},
        )
    ).json()
    assert summary["byState"] == {"flagged": 1}
    assert summary["improvement"] == {"numerator": 0, "denominator": 1, "rate": 0.0}
    assert summary["recurrence"] == {"numerator": 0, "denominator": 0, "rate": None}


async def test_a_street_listed_area_past_its_deadline_is_proposed_to_the_district(
    client: Client,
    login: Login,
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
) -> None:
    area_id = await governed_area(
        demo_database,
        now=clock.now(),
        state="listed",
        level="blue",
        tier="street",
        deadline=date(2026, 11, 24),
    )
    await tend(demo_database, settings=settings, now=clock.now())
    clock.advance(days=1)  # the deadline's own day: not yet
    await tend(demo_database, settings=settings, now=clock.now())
    area = (
        await client.get(f"/api/v1/areas/{area_id}", headers=await login("demo-supervisor"))
    ).json()
    assert (area["state"], area["tier"]) == ("listed", "street")

    marker = (await fetch(demo_database, "SELECT coalesce(max(id), 0) AS m FROM outbox"))[0]["m"]
    clock.advance(days=1)
    await tend(demo_database, settings=settings, now=clock.now())
    await tend(demo_database, settings=settings, now=clock.now())
    conn = await connect(demo_database)
    try:
        district_supervisor = await user_named(conn, "demo-supervisor")
    finally:
        await conn.close()
    area = (
        await client.get(f"/api/v1/areas/{area_id}", headers=await login("demo-supervisor"))
    ).json()
    assert (area["state"], area["tier"]) == ("proposed", "district")
    assert [e["action"] for e in area["events"]].count("escalate") == 1
    told = [
        user
        for user, kind, payload in await area_outbox(demo_database, since_id=marker)
        if kind == "area_decision" and payload["action"] == "escalate"
    ]
    assert district_supervisor in told


async def test_a_quiet_watch_is_closed_and_flags_decide_the_standing(
    client: Client,
    login: Login,
    demo_database: str,
    settings: Settings,
    clock: ManualClock,
) -> None:
    watched = await governed_area(demo_database, now=clock.now(), state="watching")
    await fetch(
        demo_database,
        "UPDATE key_areas SET lifted_at = $2, watch_until = $3, baseline = $4 WHERE id = $1",
        watched,
        clock.now(),
        clock.now() + timedelta(days=1),
        {"reports": 5, "days": 30},
    )
    standing = f"/api/v1/regions/{HOME_STREET}/standing"
    quiet = (await client.get(standing, headers=await login("demo-supervisor"))).json()
    assert (quiet["eligible"], quiet["vetoed"], quiet["year"]) == (True, False, 2026)

    await tend(demo_database, settings=settings, now=clock.now())
    area = (
        await client.get(f"/api/v1/areas/{watched}", headers=await login("demo-supervisor"))
    ).json()
    assert area["state"] == "watching"
    clock.advance(days=1)
    await tend(demo_database, settings=settings, now=clock.now())
    area = (
        await client.get(f"/api/v1/areas/{watched}", headers=await login("demo-supervisor"))
    ).json()
    assert area["state"] == "closed"

    await governed_area(demo_database, now=clock.now(), state="flagged", name="另一处")
    flagged = (await client.get(standing, headers=await login("demo-supervisor"))).json()
    assert (flagged["eligible"], flagged["vetoed"]) == (False, False)
    assert [a["state"] for a in flagged["flaggedAreas"]] == ["flagged"]
