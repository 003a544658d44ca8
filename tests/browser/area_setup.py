"""A key area on the demo worker's grid with a plan of tasks the worker owns, made over the API
as the district's supervisor: the ground the desk's and the phone's area tests start from."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import httpx

from tests.conftest import DEMO_PASSWORD

AREA_NAME = "文三路夜市周边"
AREA_GOALS = "夜市规范经营，通道畅通"


async def sign_in(client: httpx.AsyncClient, username: str) -> tuple[dict[str, str], int]:
    """The demo account's bearer headers and its user id."""
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return {"Authorization": f"Bearer {body['token']}"}, int(body["user"]["id"])


@dataclass(frozen=True, slots=True)
class PlannedArea:
    area_id: int
    # In the order the tasks were given.
    task_ids: tuple[int, ...]
    supervisor: dict[str, str]
    worker: dict[str, str]


async def area_with_a_plan(
    client: httpx.AsyncClient,
    grid: str,
    *,
    problems: str,
    tasks: Sequence[tuple[str, datetime]],
    deadline: date,
    name: str = AREA_NAME,
) -> PlannedArea:
    """A candidate area covering `grid` and its plan: the supervisor is 第一 and 直接责任人,
    the grid leads, and each (measure, due) is a task of the demo worker on that grid."""
    supervisor, supervisor_id = await sign_in(client, "demo-supervisor")
    worker, worker_id = await sign_in(client, "demo-worker")
    created = await client.post(
        "/api/v1/areas",
        headers=supervisor,
        json={
            "name": name,
            "areaType": "back_street",
            "regionCode": grid,
            "place": {"regionCode": grid},
            "problems": problems,
        },
    )
    assert created.status_code == 201, created.text
    area_id = int(created.json()["id"])
    plan = await client.put(
        f"/api/v1/areas/{area_id}/plan",
        headers=supervisor,
        json={
            "firstResponsibleId": supervisor_id,
            "directResponsibleId": supervisor_id,
            "lead": {"regionCode": grid},
            "goals": AREA_GOALS,
            "deadline": deadline.isoformat(),
            "tasks": [
                {
                    "ownerId": worker_id,
                    "unit": {"regionCode": grid},
                    "measure": measure,
                    "dueAt": due.isoformat(),
                }
                for measure, due in tasks
            ],
        },
    )
    assert plan.status_code == 200, plan.text
    by_measure = {t["measure"]: int(t["id"]) for t in plan.json()["tasks"]}
    return PlannedArea(
        area_id=area_id,
        task_ids=tuple(by_measure[measure] for measure, _ in tasks),
        supervisor=supervisor,
        worker=worker,
    )


async def task_steps(
    client: httpx.AsyncClient,
    worker: dict[str, str],
    task_id: int,
    note: str,
    kinds: Sequence[str] = ("accept", "done"),
) -> None:
    """The task's owner takes these steps over the API (a done step with a note only)."""
    for kind in kinds:
        step = await client.post(
            f"/api/v1/tasks/{task_id}/updates",
            headers=worker,
            json={"clientId": str(uuid.uuid4()), "kind": kind, "note": note},
        )
        assert step.status_code == 201, step.text
