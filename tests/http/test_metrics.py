"""/metrics as Prometheus reads it, the request id as a proxy and a log collector see it."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from backend.clock import ManualClock
from backend.observability.logs import JsonFormatter
from backend.push.vapid import load_vapid, public_key_b64
from backend.settings import EVERY_ADDRESS, LOOPBACK, Settings
from backend.worker.main import run_worker
from tests.http.case_helpers import photo, report, resident
from tests.http.conftest import Client, Login
from tests.push.emulator import PushEmulator, Reply
from tests.servers import Server, free_port

TOKEN = "scrape-token-for-tests-0123456789"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}
_SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The test client has no IP address: every address, with the token as the only guard.
    return Settings(
        data_dir=tmp_path,
        metrics_token=TOKEN,
        metrics_allow=EVERY_ADDRESS,
    )


def parse(text: str) -> Samples:
    samples: Samples = {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        match = _SAMPLE.match(line)
        assert match, line
        labels = frozenset(_LABEL.findall(match["labels"] or ""))
        samples[(match["name"], labels)] = float(match["value"])
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(client: Client) -> Samples:
    response = await client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(response.text)


def latency_count(samples: Samples, method: str, route: str, status_class: str) -> float:
    return value(
        samples,
        "gridreport_http_request_duration_seconds_count",
        method=method,
        route=route,
        status_class=status_class,
    )


async def test_latency_is_counted_by_route_template_and_status_class(
    client: Client, login: Login
) -> None:
    reporter = await resident(client)
    made = await report(client, reporter)
    before = await scrape(client)
    for _ in range(2):
        assert (await client.get(f"/api/v1/reports/{made['id']}", headers=reporter)).is_success
    assert (await client.get("/api/v1/reports/999999", headers=reporter)).status_code == 404
    after = await scrape(client)

    def grew(status_class: str) -> float:
        route = "/api/v1/reports/{case_id}"
        return latency_count(after, "GET", route, status_class) - latency_count(
            before, "GET", route, status_class
        )

    assert (grew("2xx"), grew("4xx")) == (2, 1)
    text = (await client.get("/metrics", headers=SCRAPER)).text
    assert f"/api/v1/reports/{made['id']}" not in text  # never the raw path with its id
    assert 'le="+Inf"' in text


async def test_paths_that_match_no_route_are_counted_under_one_label(client: Client) -> None:
    before = await scrape(client)
    for n in range(3):
        assert (await client.get(f"/no/such/page/{n}")).status_code == 404
    after = await scrape(client)
    grew = latency_count(after, "GET", "unmatched", "4xx") - latency_count(
        before, "GET", "unmatched", "4xx"
    )
    assert grew == 3
    assert not any("/no/such" in dict(labels).get("route", "") for _, labels in after)


async def test_a_new_report_bumps_the_counter_and_its_retry_does_not(client: Client) -> None:
    reporter = await resident(client)
    before = value(await scrape(client), "gridreport_reports_accepted_total", channel="app")
    body = {
        "clientId": str(uuid.uuid4()),
        "category": "sanitation",
        "lat": 30.2741,
        "lng": 120.1551,
        "description": "楼道堆放杂物",
        "mediaIds": [await photo(client, reporter)],
    }
    first = await client.post("/api/v1/reports/", json=body, headers=reporter)
    again = await client.post("/api/v1/reports/", json=body, headers=reporter)
    assert (first.status_code, again.status_code) == (201, 200)
    after = value(await scrape(client), "gridreport_reports_accepted_total", channel="app")
    assert after - before == 1


async def test_queue_depth_overdue_and_outbox_lag_come_from_the_database(
    client: Client, clock: ManualClock
) -> None:
    before = await scrape(client)
    assert value(before, "gridreport_database_up") == 1
    assert value(before, "gridreport_cases_open", status="submitted") == 0
    made = await report(client, await resident(client))
    cached = await scrape(client)
    # Read at most every few seconds: a scrape right after shows the same figures.
    assert value(cached, "gridreport_cases_open", status=made["status"]) == value(
        before, "gridreport_cases_open", status=made["status"]
    )
    clock.advance(seconds=6)
    fresh = await scrape(client)
    grown = value(fresh, "gridreport_cases_open", status=made["status"]) - value(
        before, "gridreport_cases_open", status=made["status"]
    )
    assert grown == 1
    assert value(fresh, "gridreport_cases_overdue", status=made["status"]) == 0
    assert value(fresh, "gridreport_outbox_pending") >= 1
    clock.advance(days=30)
    late = await scrape(client)
    assert value(late, "gridreport_cases_overdue", status=made["status"]) == 1
    assert value(late, "gridreport_outbox_oldest_pending_age_seconds") >= 30 * 86400
    assert value(late, "gridreport_outbox_due_lag_seconds") >= 30 * 86400


async def test_pool_usage_and_process_start_are_shown(client: Client, settings: Settings) -> None:
    samples = await scrape(client)
    assert value(samples, "gridreport_db_pool_max_connections") == settings.db_pool_max
    in_use = value(samples, "gridreport_db_pool_connections", state="in_use")
    idle = value(samples, "gridreport_db_pool_connections", state="idle")
    assert in_use + idle >= 1
    assert value(samples, "gridreport_process_start_time_seconds") > 1_700_000_000


async def test_without_the_token_metrics_do_not_exist(client: Client) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}):
        response = await client.get("/metrics", headers=headers)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert response.json()["message"] and response.json()["messageEn"]
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/metrics" not in schema["paths"]


async def test_loopback_only_by_default(tmp_path: Path, demo_database: str) -> None:
    from litestar.testing import AsyncTestClient

    from backend.app import create_app

    app = create_app(Settings(data_dir=tmp_path), dsn=demo_database)
    assert Settings().metrics_allow == LOOPBACK
    async with AsyncTestClient(app=app) as client:
        # The test client's peer is no loopback address, as a scraper from outside would not be.
        assert (await client.get("/metrics")).status_code == 404


async def test_the_request_id_round_trips(client: Client) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "edge-7f3a.b2:c_9"})
    assert response.headers["x-request-id"] == "edge-7f3a.b2:c_9"
    made = await client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    assert made.headers["x-request-id"] != (await client.get("/healthz")).headers["x-request-id"]
    missing = await client.get("/no/such/page")
    assert missing.status_code == 404
    assert re.fullmatch(r"[0-9a-f]{32}", missing.headers["x-request-id"])


@pytest.mark.parametrize(
    "bad",
    ["x" * 65, "has space", 'quote"d', "<script>", "-leading-dash", "中文", "a\tb"],
)
async def test_an_unsafe_request_id_is_replaced(client: Client, bad: str) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": bad.encode()})
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Every log line of the process, as a log collector would receive it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_every_line_written_for_a_request_carries_its_id(
    client: Client, json_log: io.StringIO
) -> None:
    reporter = await resident(client)
    made = await report(client, reporter)
    response = await client.get(
        f"/api/v1/reports/{made['id']}", headers={**reporter, "X-Request-ID": "trace-0042"}
    )
    assert response.headers["x-request-id"] == "trace-0042"
    logged = [line for line in lines(json_log) if line["request_id"] == "trace-0042"]
    access = [line for line in logged if line["logger"] == "gridreport.access"]
    assert len(access) == 1
    assert access[0]["method"] == "GET"
    assert access[0]["route"] == "/api/v1/reports/{case_id}"
    assert access[0]["status"] == 200
    assert isinstance(access[0]["duration_ms"], float)
    assert {"time", "level", "logger", "message"} <= access[0].keys()
    outside = [line for line in lines(json_log) if line["request_id"] is None]
    assert all(line["logger"] != "gridreport.access" for line in outside)


async def test_no_token_or_phone_number_reaches_the_logs(
    client: Client, login: Login, json_log: io.StringIO
) -> None:
    phone = "13812345678"
    reporter = await resident(client, nickname="王阿姨", phone=phone)
    dispatcher = await login("demo-dispatcher")
    made = await report(client, reporter)
    secrets = [h["Authorization"].split()[1] for h in (reporter, dispatcher)]
    await client.get(f"/api/v1/cases/{made['id']}", headers=dispatcher)
    await client.get(f"/api/v1/reports/{made['id']}?token={secrets[0]}", headers=reporter)
    await client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-real-token"})
    await client.post("/api/v1/auth/login", json={"username": "nobody", "password": "pw-secret"})
    text = json_log.getvalue()
    assert text.count("gridreport.access") >= 5
    for secret in [*secrets, phone, "pw-secret", "not-a-real-token", "王阿姨"]:
        assert secret not in text


@pytest.mark.slow
def test_a_served_process_logs_json_lines_and_answers_scrapes_from_loopback_only(
    demo_database: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": demo_database, "GRIDREPORT_LOG_FORMAT": "json"}
    server = Server(tmp_path / "var", free_port(), env, demo=False)
    try:
        server.wait_ready()
        listed = httpx.get(
            f"{server.base}/api/v1/categories/", headers={"X-Request-ID": "served-0001"}
        )
        assert listed.headers["x-request-id"] == "served-0001"
        scraped = httpx.get(f"{server.base}/metrics")
        relayed = httpx.get(f"{server.base}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    finally:
        server.stop(signal.SIGTERM)
    assert scraped.status_code == 200
    samples = parse(scraped.text)
    assert latency_count(samples, "GET", "/api/v1/categories", "2xx") == 1
    assert relayed.status_code == 404
    logged = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    access = [line for line in logged if line["request_id"] == "served-0001"]
    assert [(a["route"], a["status"]) for a in access] == [("/api/v1/categories", 200)]
    assert any(line["logger"] == "_granian" for line in logged)  # the server's own lines too


async def _one_notification_per_device(dsn: str, push: PushEmulator, count: int) -> list[str]:
    """`count` residents with one phone each and one notification each; the phones' ids."""
    conn = await asyncpg.connect(dsn)
    phones = []
    try:
        for _ in range(count):
            user = await conn.fetchval("INSERT INTO users (role) VALUES ('resident') RETURNING id")
            phone = push.subscribe()
            await conn.execute(
                "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at) "
                "VALUES ($1, $2, $3, $4, now())",
                user,
                phone.info["endpoint"],
                phone.info["keys"]["p256dh"],
                phone.info["keys"]["auth"],
            )
            await conn.execute(
                "INSERT INTO outbox (user_id, kind, payload, created_at, next_attempt_at) "
                "VALUES ($1, 'dispatched', '{}'::jsonb, now(), now())",
                user,
            )
            phones.append(phone.id)
    finally:
        await conn.close()
    return phones


async def _until_settled(dsn: str) -> None:
    """Until every notification was tried once and its answer written (lease released)."""
    conn = await asyncpg.connect(dsn)
    try:
        for _ in range(1200):
            waiting = await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE attempts = 0 OR leased_until IS NOT NULL"
            )
            if waiting == 0:
                return
            await asyncio.sleep(0.05)
        pytest.fail("the worker did not settle its notifications")
    finally:
        await conn.close()


async def test_the_worker_serves_push_outcomes_on_its_own_port(
    demo_database: str, tmp_path: Path
) -> None:
    port = free_port()
    settings = Settings(data_dir=tmp_path, push_allow_loopback=True, worker_metrics_port=port)
    key = public_key_b64(load_vapid(settings))
    async with PushEmulator(expected_vapid_key=key) as push:
        phones = await _one_notification_per_device(demo_database, push, 4)
        push.respond(phones[1], Reply(410))
        push.respond(phones[2], Reply(400))
        push.respond(phones[3], Reply(503, retry_after="3600"))  # not again during the test
        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(settings, demo_database, stop=stop))
        url = f"http://127.0.0.1:{settings.worker_metrics_port}/metrics"
        try:
            await _until_settled(demo_database)
            async with httpx.AsyncClient() as scraper:
                scraped = await scraper.get(url)
                relayed = await scraper.get(url, headers={"X-Forwarded-For": "203.0.113.9"})
                elsewhere = await scraper.get(url.replace("/metrics", "/other"))
        finally:
            stop.set()
            await worker
    assert scraped.status_code == 200
    samples = parse(scraped.text)
    outcomes = {
        outcome: value(samples, "gridreport_push_sends_total", outcome=outcome)
        for outcome in ("delivered", "gone", "failed", "retry")
    }
    assert outcomes == {"delivered": 1, "gone": 1, "failed": 1, "retry": 1}
    assert (
        value(samples, "gridreport_worker_job_runs_total", job="send notifications", outcome="ok")
        >= 1
    )
    assert value(samples, "gridreport_worker_job_items_total", job="send notifications") >= 4
    assert value(samples, "gridreport_db_pool_max_connections") == settings.db_pool_max
    assert (relayed.status_code, elsewhere.status_code) == (404, 404)
