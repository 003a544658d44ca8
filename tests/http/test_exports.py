"""CSV export of the case list: complete, scoped in SQL, and personal data only when revealed."""

from __future__ import annotations

import csv
import io
from typing import Any

import asyncpg
import pytest

from tests.http.case_helpers import report, resident, staff
from tests.http.conftest import Client, Login

EXPORT = "/api/v1/cases/export.csv"
HOME_STREET = "330106002"


@pytest.fixture
async def admin(login: Login) -> dict[str, str]:
    return await login("demo-admin")


def parse(response: Any) -> list[list[str]]:
    """The rows a spreadsheet would show, header first; the file must open as UTF-8 with BOM."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def tracking_numbers(rows: list[list[str]]) -> list[str]:
    return [row[0] for row in rows[1:]]


async def export(client: Client, headers: dict[str, str], **params: Any) -> list[list[str]]:
    return parse(await client.get(EXPORT, headers=headers, params=params))


async def clone(
    dsn: str, case_id: int, copies: int, *, prefix: str, grid: str | None = None
) -> None:
    """Copies of a case (optionally placed in another grid), numbered prefix-000001 …"""
    conn = await asyncpg.connect(dsn)
    try:
        names = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'cases' "
            "AND column_name NOT IN ('id', 'tracking_no', 'client_id', 'public_id') "
            "ORDER BY ordinal_position"
        )
        columns = [row["column_name"] for row in names]
        place = {}
        if grid is not None:
            region = await conn.fetchrow("SELECT id, path FROM regions WHERE code = $1", grid)
            place = {
                "region_id": str(region["id"]),
                "assigned_region_id": str(region["id"]),
                "region_path": f"'{region['path']}'",
                "assigned_path": f"'{region['path']}'",
            }
        values = [place.get(name, f"c.{name}") for name in columns]
        await conn.execute(
            f"INSERT INTO cases (tracking_no, client_id, {', '.join(columns)}) "
            f"SELECT $2 || lpad(g::text, 6, '0'), gen_random_uuid(), {', '.join(values)} "
            "FROM cases c, generate_series(1, $3) g WHERE c.id = $1",
            case_id,
            prefix,
            copies,
        )
    finally:
        await conn.close()


async def region_of_street(dsn: str, *, other_than: str) -> tuple[str, str]:
    """Another street of the district, and one of its grids."""
    conn = await asyncpg.connect(dsn)
    try:
        street = await conn.fetchrow(
            "SELECT code, path FROM regions WHERE level = 'street' AND code <> $1 "
            "ORDER BY code LIMIT 1",
            other_than,
        )
        grid = await conn.fetchval(
            "SELECT code FROM regions WHERE level = 'grid' AND path LIKE $1 || '%' "
            "ORDER BY code LIMIT 1",
            street["path"],
        )
    finally:
        await conn.close()
    return street["code"], grid


async def test_thousands_of_rows_stream_complete_in_order(
    client: Client, login: Login, demo_database: str
) -> None:
    made = await report(client, await resident(client))
    await clone(demo_database, made["id"], 5_300, prefix="20261123-9")
    response = await client.get(EXPORT, headers=await login("demo-dispatcher"))
    assert "content-length" not in response.headers  # sent as it is read, not built first
    assert response.headers["content-disposition"].startswith('attachment; filename="cases-')
    rows = parse(response)
    assert rows[0][:3] == ["编号 Tracking no", "类别 Category", "状态 Status"]
    numbers = tracking_numbers(rows)
    assert len(numbers) == 5_301
    assert numbers[0] == made["trackingNo"]
    assert numbers[1:] == [f"20261123-9{n:06d}" for n in range(1, 5_301)]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["类别 Category"] == "环境卫生"
    assert first["状态 Status"] == "已派遣"
    assert first["来源 Source"] == "群众上报"
    assert first["上报时间 Created"] == "2026-11-23 16:00"  # the manual clock's 08:00 UTC, local
    assert first["区域 Region"]
    assert all(len(row) == len(rows[0]) for row in rows)


async def test_the_queue_filters_apply(client: Client, login: Login) -> None:
    reporter = await resident(client)
    litter = await report(client, reporter)
    light = await report(client, reporter, category="streetlight", description="路灯不亮")
    dispatcher = await login("demo-dispatcher")
    only_light = await export(client, dispatcher, category="streetlight")
    assert tracking_numbers(only_light) == [light["trackingNo"]]
    by_text = await export(client, dispatcher, q=litter["trackingNo"])
    assert tracking_numbers(by_text) == [litter["trackingNo"]]
    assert tracking_numbers(await export(client, dispatcher, status=["closed", "rated"])) == []
    both = await export(client, dispatcher, status=["dispatched", "submitted"], region=HOME_STREET)
    queue = await client.get("/api/v1/cases/", headers=dispatcher, params={"region": HOME_STREET})
    assert sorted(tracking_numbers(both)) == sorted(i["trackingNo"] for i in queue.json()["items"])
    assert len(tracking_numbers(both)) == 2


async def test_scope_holds_whatever_the_filter_says(
    client: Client, login: Login, admin: dict[str, str], demo_database: str
) -> None:
    reporter = await resident(client)
    home = await report(client, reporter)
    clue = await report(client, reporter, category="vice_clue", description="可疑聚赌")
    other_street, other_grid = await region_of_street(demo_database, other_than=HOME_STREET)
    await clone(demo_database, home["id"], 3, prefix="20261123-7", grid=other_grid)
    theirs = [f"20261123-7{n:06d}" for n in range(1, 4)]

    street = await staff(client, admin, "street-d", "dispatcher", regionCode=other_street)
    assert tracking_numbers(await export(client, street)) == theirs
    # Naming a region outside one's scope narrows nothing into view: it selects nothing.
    assert tracking_numbers(await export(client, street, region=HOME_STREET)) == []

    district = await export(client, await login("demo-dispatcher"))
    assert clue["trackingNo"] not in tracking_numbers(district)  # 不公开: not for dispatchers
    assert set(tracking_numbers(district)) == {home["trackingNo"], *theirs}
    supervisor = await export(client, await login("demo-supervisor"))
    assert clue["trackingNo"] in tracking_numbers(supervisor)

    worker = await export(client, await login("demo-worker"))
    assert tracking_numbers(worker) == [home["trackingNo"]]
    department = await export(client, await login("demo-department"))
    assert tracking_numbers(department) == []  # nothing routed to 城管 here


async def test_no_personal_columns_unless_revealed(
    client: Client, login: Login, demo_database: str
) -> None:
    named = await resident(client, nickname="张三", phone="13812345678")
    made = await report(client, named)
    dispatcher = await login("demo-dispatcher")
    response = await client.get(EXPORT, headers=dispatcher)
    rows = parse(response)
    assert "举报人 Reporter" not in rows[0]
    assert "联系电话 Phone" not in rows[0]
    assert "13812345678" not in response.text
    assert "张三" not in response.text
    assert "张三" not in (await client.get(EXPORT, headers=await login("demo-supervisor"))).text

    refused = await client.get(
        EXPORT, headers=dispatcher, params={"reveal": "true", "reason": "回访核实现场处置情况"}
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "exports.reveal_forbidden"
    assert refused.json()["message"] and refused.json()["messageEn"]
    assert await reveal_audits(demo_database, made["id"]) == []


async def reveal_audits(dsn: str, case_id: int) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT actor_id, detail::text AS detail FROM audit_log "
            "WHERE action = 'reporter.reveal' AND subject_type = 'case' AND subject_id = $1",
            str(case_id),
        )
    finally:
        await conn.close()
    return [dict(row) for row in rows]


async def test_a_permitted_reveal_shows_contacts_and_is_audited_per_case(
    client: Client, login: Login, demo_database: str
) -> None:
    named = await resident(client, nickname="张三", phone="13812345678")
    shown = await report(client, named)
    hidden = await report(client, named, anonymous=True, description="匿名上报")
    supervisor = await login("demo-supervisor")

    missing = await client.get(EXPORT, headers=supervisor, params={"reveal": "true"})
    assert missing.status_code == 422
    assert missing.json()["fields"] == {"reason": "required"}

    rows = await export(client, supervisor, reveal="true", reason="回访核实现场处置情况")
    assert rows[0][-2:] == ["举报人 Reporter", "联系电话 Phone"]
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number[shown["trackingNo"]][-2:] == ["张三", "13812345678"]
    assert by_number[hidden["trackingNo"]][-2:] == ["匿名 anonymous", ""]
    for made in (shown, hidden):
        audits = await reveal_audits(demo_database, made["id"])
        assert len(audits) == 1
        assert "回访核实现场处置情况" in audits[0]["detail"]
        assert '"via": "export"' in audits[0]["detail"]


async def test_a_typed_formula_stays_text(client: Client, login: Login) -> None:
    await report(client, await resident(client), description='=HYPERLINK("http://x","点我")')
    rows = await export(client, await login("demo-dispatcher"))
    assert rows[1][rows[0].index("描述 Description")] == '\'=HYPERLINK("http://x","点我")'


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"status": "done"}, 422, "cases.bad_status"),
        ({"region": "999999"}, 422, "cases.unknown_region"),
        ({"createdFrom": "yesterday"}, 400, "request.invalid"),
        ({"category": "DROP TABLE"}, 400, "request.invalid"),
        ({"reveal": "maybe"}, 400, "request.invalid"),
    ],
)
async def test_bad_filters_are_refused_in_both_languages(
    client: Client, login: Login, params: dict[str, str], status: int, code: str
) -> None:
    response = await client.get(EXPORT, headers=await login("demo-dispatcher"), params=params)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert response.json()["message"] and response.json()["messageEn"]


async def test_residents_and_strangers_get_nothing(client: Client) -> None:
    assert (await client.get(EXPORT)).status_code == 401
    refused = await client.get(EXPORT, headers=await resident(client))
    assert refused.status_code == 403
