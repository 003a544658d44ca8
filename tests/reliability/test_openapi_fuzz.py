"""schemathesis against the OpenAPI the server publishes: whatever is sent, within the schema
or outside it, no answer is a 5xx and none breaks the schema the API declares for it.

Operations are run one by one through schemathesis's Python API (a Hypothesis strategy per
operation) against a live `gridreport serve`, with a staff token, a few examples each.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import BaseSchema, Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.core.failures import FailureGroup

from tests.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 5}
# Never asked: signing out, deactivating an account or resetting its password would revoke
# the tokens every later call carries, and the live stream never ends by itself.
LEFT_OUT = ["logout", "deactivateStaff", "resetStaffPassword", "streamCaseChanges"]
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
NEGATIVE_CHECKS = [not_a_server_error, content_type_conformance, negative_data_rejection]
# Open311's bodies are the GeoReport v2 spec's, in JSON or XML as the path's suffix says, and
# its errors are the spec's too; tests/http/test_open311.py checks both formats. Here it must
# only never fail.
SPEC_OWN_FORMAT = "/open311/"


def _login(base: str, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def staff(api: str) -> dict[str, dict[str, str]]:
    """A dispatcher's and an admin's Authorization headers."""
    return {"dispatcher": _login(api, "demo-dispatcher"), "admin": _login(api, "demo-admin")}


@pytest.fixture
def served_schema(api: str) -> BaseSchema:
    schema = schemathesis.openapi.from_url(f"{api}/schema/openapi.json")
    return schema.exclude(operation_id=LEFT_OUT)


def _explore(operation: Any, mode: GenerationMode, staff: dict[str, dict[str, str]]) -> None:
    checks = CHECKS if mode is GenerationMode.POSITIVE else NEGATIVE_CHECKS
    if operation.path.startswith(SPEC_OWN_FORMAT):
        checks = [not_a_server_error]
    role = "admin" if "/admin/" in operation.path else "dispatcher"

    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def explore(case: Case) -> None:
        headers = {**(case.headers or {}), **staff[role]}
        case.call_and_validate(headers=headers, checks=checks, timeout=30)

    explore()


def test_the_api_keeps_to_its_schema(
    served_schema: BaseSchema, staff: dict[str, dict[str, str]]
) -> None:
    failures: dict[str, str] = {}
    operations = [result.ok() for result in served_schema.get_all_operations()]
    assert len(operations) > 50
    for operation in operations:
        for mode in EXAMPLES:
            try:
                _explore(operation, mode, staff)
            except Unsatisfiable:
                continue  # nothing to send outside the schema: the operation takes no input
            except (Exception, FailureGroup) as failure:  # explore all, report all
                failures[f"{operation.label} ({mode})"] = str(failure)[:2000]
    assert not failures, "\n\n".join(f"{label}: {text}" for label, text in failures.items())


# Values a schema cannot forbid but PostgreSQL refuses: one past the largest bigint id, and
# a NUL byte, which PostgreSQL text cannot hold.
REFUSED_BY_THE_DATABASE = [
    "/api/v1/cases/9223372036854775808",
    "/api/v1/reports/99999999999999999999999",
    "/api/v1/flags/99999999999999999999",
    "/api/v1/regions/a%00b",
    "/api/v1/cases?q=a%00b",
    "/api/v1/stats/summary?region=a%00b",
]


def test_values_the_database_cannot_take_are_the_clients_error(
    api: str, staff: dict[str, dict[str, str]]
) -> None:
    for path in REFUSED_BY_THE_DATABASE:
        response = httpx.get(f"{api}{path}", headers=staff["dispatcher"])
        assert response.status_code == 400, (path, response.text)
        assert response.json()["code"] == "request.bad_value", path
        assert response.json()["message"] and response.json()["messageEn"]
