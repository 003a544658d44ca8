"""Helpers for tests of inspections and the findings ledger over HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from tests.http.area_followup_helpers import fetch, watch_duties
from tests.http.area_helpers import HOME_STREET
from tests.http.case_helpers import photo
from tests.http.conftest import Client

INSPECTIONS = "/api/v1/inspections"
FINDINGS = "/api/v1/findings"


async def department_id(dsn: str, code: str = "330106-cg") -> int:
    rows = await fetch(dsn, "SELECT id FROM departments WHERE code = $1", code)
    found: int = rows[0]["id"]
    return found


def finding(text: str, deadline: datetime, **unit: Any) -> dict[str, Any]:
    """A finding for the body of an inspection; the unit as keyword arguments."""
    return {"text": text, "deadline": deadline.isoformat(), **unit}


def inspection_body(
    findings: list[dict[str, Any]], *, day: datetime, client_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "clientId": client_id or str(uuid.uuid4()),
        "manner": "covert",
        "plan": "random",
        "focus": "general",
        "team": "区综治办第二督查组",
        "regionCode": HOME_STREET,
        "day": day.date().isoformat(),
        "lat": 30.2741,
        "lng": 120.1551,
        "note": "四不两直暗访",
        "findings": findings,
        **extra,
    }


async def file(
    client: Client, headers: dict[str, str], body: dict[str, Any], *, expect: int = 201
) -> dict[str, Any]:
    response = await client.post(INSPECTIONS, headers=headers, json=body)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def move(
    client: Client,
    headers: dict[str, str],
    finding_id: int,
    action: str,
    *,
    expect: int = 201,
    client_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body = {"clientId": client_id or str(uuid.uuid4()), "action": action, **extra}
    response = await client.post(f"{FINDINGS}/{finding_id}/moves", headers=headers, json=body)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def report(
    client: Client, headers: dict[str, str], finding_id: int, *, seed: int = 3
) -> dict[str, Any]:
    """整改反馈 with an evidence photo and a note."""
    evidence = await photo(client, headers, purpose="evidence", seed=seed)
    return await move(
        client, headers, finding_id, "report", note="已按要求整改完毕", mediaIds=[evidence]
    )


async def finding_of(client: Client, headers: dict[str, str], finding_id: int) -> dict[str, Any]:
    response = await client.get(f"{FINDINGS}/{finding_id}", headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def watch(dsn: str, *, now: datetime) -> int:
    """The duty watcher over every kind of subject, looped until nothing is due."""
    return await watch_duties(dsn, now=now)


def later(now: datetime, **delta: float) -> datetime:
    return now + timedelta(**delta)
