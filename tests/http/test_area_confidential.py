"""Confidential leads (黄赌毒, 涉黑涉恶) inside a key area count only for those who see clues:
the area's figures, the register's 30-day count, its evidence, the 建议书 and the 整治工作报告
follow the reader's scope exactly as the case lists and the statistics do."""

from __future__ import annotations

from datetime import date
from typing import Any

from backend.clock import ManualClock
from tests.http.area_followup_helpers import governed_area
from tests.http.area_helpers import AREAS, DISTRICT, create_area, square
from tests.http.case_helpers import HOME, report, resident
from tests.http.conftest import Client, Login
from tests.http.test_stats_report import read_xlsx

CLUE = "vice_clue"
MEETINGS = "/api/v1/area-meetings"


async def get(client: Client, headers: dict[str, str], url: str) -> Any:
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def report_both(client: Client, reporter: dict[str, str]) -> list[int]:
    """A littering report and a vice lead at the same spot, inside the area."""
    plain = await report(client, reporter)
    clue = await report(client, reporter, category=CLUE, mediaIds=[])
    return [plain["id"], clue["id"]]


def texts_of(content: bytes) -> set[str]:
    pages, _ = read_xlsx(content)
    return {str(cell) for rows in pages.values() for row in rows for cell in row if cell}


async def test_a_clue_in_an_area_counts_for_a_supervisor_and_not_for_a_dispatcher(
    client: Client, login: Login, demo_database: str, clock: ManualClock
) -> None:
    reporter = await resident(client)
    earlier = await report_both(client, reporter)
    clock.advance(hours=3)
    area_id = await governed_area(demo_database, now=clock.now(), level="red")
    clock.advance(hours=1)
    later = await report_both(client, reporter)
    clock.advance(hours=3)  # the windows: four hours either side of the flag
    dispatcher = await login("demo-dispatcher")
    supervisor = await login("demo-supervisor")

    seen = await get(client, dispatcher, f"{AREAS}/{area_id}/figures")
    for window in ("before", "after"):
        assert seen[window]["byCategory"] == {"sanitation": 1}, window
        assert seen[window]["total"] == 1
        assert sum(seen[window]["byHour"]) == sum(seen[window]["byWeekday"]) == 1
    assert (await get(client, dispatcher, f"{AREAS}/{area_id}"))["reports30D"] == 2
    page = await get(client, dispatcher, AREAS)
    assert [a["reports30D"] for a in page["items"] if a["id"] == area_id] == [2]
    evidence = await get(client, dispatcher, f"{AREAS}/{area_id}/cases")
    assert {c["id"] for c in evidence["items"]} == {earlier[0], later[0]}

    full = await get(client, supervisor, f"{AREAS}/{area_id}/figures")
    for window in ("before", "after"):
        assert full[window]["byCategory"] == {"sanitation": 1, CLUE: 1}, window
        assert full[window]["total"] == 2
    evidence = await get(client, supervisor, f"{AREAS}/{area_id}/cases")
    assert {c["id"] for c in evidence["items"]} == {*earlier, *later}

    # The 整治工作报告 shows each reader their own figures.
    url = f"{AREAS}/{area_id}/acceptance-report.xlsx"
    by_dispatcher = await client.get(url, headers=dispatcher)
    by_supervisor = await client.get(url, headers=supervisor)
    assert by_dispatcher.status_code == by_supervisor.status_code == 200
    assert CLUE not in texts_of(by_dispatcher.content)
    assert CLUE in texts_of(by_supervisor.content)


def proposal_row(content: bytes, name: str) -> list[Any]:
    pages, _ = read_xlsx(content)
    rows = [row for sheet in pages.values() for row in sheet if row and row[0] == name]
    assert len(rows) == 1, rows
    return rows[0]


async def test_the_proposal_counts_a_clue_only_for_a_reader_who_sees_clues(
    client: Client, login: Login, clock: ManualClock
) -> None:
    reporter = await resident(client)
    await report_both(client, reporter)
    clock.advance(minutes=5)
    dispatcher = await login("demo-dispatcher")
    supervisor = await login("demo-supervisor")
    area = await create_area(
        client, dispatcher, name="嘉绿苑", grid=None, geometry=square(HOME["lat"], HOME["lng"])
    )
    held = await client.post(
        MEETINGS,
        headers=supervisor,
        json={
            "kind": "judgement",
            "regionCode": DISTRICT,
            "heldOn": date(2026, 11, 20).isoformat(),
            "units": ["区综治中心"],
            "notes": "半月研判",
            "decisions": [{"areaId": area["id"], "decision": "defer", "reason": "继续观察"}],
        },
    )
    assert held.status_code == 201, held.text
    url = f"{MEETINGS}/{held.json()['id']}/proposal.xlsx"

    read = {}
    for who, headers in (("dispatcher", dispatcher), ("supervisor", supervisor)):
        sheet = await client.get(url, headers=headers)
        assert sheet.status_code == 200, sheet.text
        read[who] = proposal_row(sheet.content, "嘉绿苑")

    # Columns: reports in the window, in the window before, cases linked, top categories.
    assert (read["dispatcher"][5], read["dispatcher"][7]) == (1, 1)
    assert (read["supervisor"][5], read["supervisor"][7]) == (2, 2)
    assert "黄赌毒线索" not in read["dispatcher"][8]
    assert "黄赌毒线索 1" in read["supervisor"][8]
