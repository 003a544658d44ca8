"""Helpers for tests of the key-area register, plans, tasks and meetings over HTTP."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from tests.http.case_helpers import staff
from tests.http.conftest import Client

HOME_GRID, HOME_STREET, DISTRICT = "330106002003010", "330106002", "330106"
OTHER_STREET = "330106001"
AREAS = "/api/v1/areas"


def square(lat: float, lng: float, half: float = 0.0015) -> dict[str, Any]:
    """A drawn outline: a square about 300 m across around a point."""
    ring = [
        [lng - half, lat - half],
        [lng + half, lat - half],
        [lng + half, lat + half],
        [lng - half, lat + half],
        [lng - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


async def create_area(
    client: Client,
    headers: dict[str, str],
    *,
    name: str = "嘉绿苑背街小巷",
    region_code: str = HOME_STREET,
    grid: str | None = HOME_GRID,
    geometry: dict[str, Any] | None = None,
    expect: int = 201,
    **extra: Any,
) -> dict[str, Any]:
    place = {"geometry": geometry} if geometry is not None else {"regionCode": grid}
    body = {
        "name": name,
        "areaType": "back_street",
        "regionCode": region_code,
        "place": place,
        "problems": "夜间噪声、占道经营",
        **extra,
    }
    response = await client.post(AREAS, headers=headers, json=body)
    assert response.status_code == expect, response.text
    created: dict[str, Any] = response.json()
    return created


async def move(
    client: Client,
    headers: dict[str, str],
    area_id: int,
    action: str,
    *,
    expect: int = 200,
    **extra: Any,
) -> dict[str, Any]:
    body = {"action": action, "reason": f"{action} 研判意见", **extra}
    response = await client.post(f"{AREAS}/{area_id}/transitions", headers=headers, json=body)
    assert response.status_code == expect, response.text
    moved: dict[str, Any] = response.json()
    return moved


async def me(client: Client, headers: dict[str, str]) -> int:
    user_id: int = (await client.get("/api/v1/me", headers=headers)).json()["id"]
    return user_id


def plan_body(
    *,
    first: int,
    direct: int,
    owners: list[int],
    due: datetime,
    lead: dict[str, str] | None = None,
    deadline: date | None = None,
) -> dict[str, Any]:
    """A plan led by the home street, one task per owner due at `due`."""
    return {
        "firstResponsibleId": first,
        "directResponsibleId": direct,
        "lead": lead or {"regionCode": HOME_STREET},
        "cooperating": [{"departmentCode": "330106-cg"}],
        "goals": "三个月内消除占道经营",
        "deadline": (deadline or (due + timedelta(days=30)).date()).isoformat(),
        "tasks": [
            {
                "ownerId": owner,
                "unit": {"regionCode": HOME_GRID},
                "measure": f"清理占道摊点 {i + 1}",
                "dueAt": due.isoformat(),
            }
            for i, owner in enumerate(owners)
        ],
    }


async def street_staff(
    client: Client, admin: dict[str, str], username: str, role: str, street: str = HOME_STREET
) -> dict[str, str]:
    return await staff(client, admin, username, role, regionCode=street, displayName=username)
