"""Who may read /metrics, how figures are written out, and what a log line may contain."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from datetime import UTC, datetime

import asyncpg
import pytest

from backend.observability import request_id, rules
from backend.observability.api_metrics import ApiMetrics
from backend.observability.logs import JsonFormatter, TextFormatter, configure_logging, scrub
from backend.observability.registry import Histogram, counter, render
from backend.settings import EVERY_ADDRESS, LOOPBACK, Settings, SettingsError, load_settings
from tests.servers import free_port

TOKEN = "a-scrape-token-0123456789"


def may(
    peer: str | None, token: str | None = None, allow: tuple[str, ...] = LOOPBACK, **headers: str
) -> bool:
    return rules.may_scrape(peer=peer, headers=headers, allow=allow, token=token)


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_peers_may_scrape_by_default(peer: str) -> None:
    assert may(peer)


@pytest.mark.parametrize("peer", ["10.0.0.5", "192.168.1.2", "2001:db8::1", "testclient", None])
def test_other_peers_may_not(peer: str | None) -> None:
    assert not may(peer)


@pytest.mark.parametrize("header", ["x_forwarded_for", "forwarded", "x_real_ip"])
def test_a_request_relayed_by_a_proxy_is_refused_even_from_loopback(header: str) -> None:
    # The proxy runs on the same machine: its connection is loopback, its client is not.
    headers = {header.replace("_", "-"): "203.0.113.9"}
    assert not rules.may_scrape(peer="127.0.0.1", headers=headers, allow=LOOPBACK, token=None)


def test_an_allow_list_admits_its_networks() -> None:
    assert may("10.1.2.3", allow=("10.0.0.0/8",))
    assert not may("11.1.2.3", allow=("10.0.0.0/8",))


def test_a_token_is_needed_when_set() -> None:
    assert not may("127.0.0.1", token=TOKEN)
    assert not may("127.0.0.1", token=TOKEN, authorization=f"Bearer {TOKEN}x")
    assert not may("127.0.0.1", token=TOKEN, authorization=f"Basic {TOKEN}")
    assert may("127.0.0.1", token=TOKEN, authorization=f"Bearer {TOKEN}")
    assert not may("10.0.0.1", token=TOKEN, authorization=f"Bearer {TOKEN}")


def test_every_address_with_a_token_admits_anyone_holding_it() -> None:
    held = {"authorization": f"bearer {TOKEN}", "x-forwarded-for": "203.0.113.9"}
    assert rules.may_scrape(peer="testclient", headers=held, allow=EVERY_ADDRESS, token=TOKEN)
    assert not rules.may_scrape(peer="10.0.0.1", headers={}, allow=EVERY_ADDRESS, token=TOKEN)


def test_metrics_settings_are_checked() -> None:
    assert load_settings({}).metrics_allow == LOOPBACK
    assert load_settings({"GRIDREPORT_METRICS_ALLOW": "10.0.0.0/8, ::1"}).metrics_allow == (
        "10.0.0.0/8",
        "::1/128",
    )
    with pytest.raises(SettingsError, match="GRIDREPORT_METRICS_ALLOW"):
        load_settings({"GRIDREPORT_METRICS_ALLOW": "*"})
    with pytest.raises(SettingsError, match="GRIDREPORT_METRICS_ALLOW"):
        load_settings({"GRIDREPORT_METRICS_ALLOW": "the office"})
    with pytest.raises(SettingsError, match="GRIDREPORT_METRICS_TOKEN"):
        load_settings({"GRIDREPORT_METRICS_TOKEN": "short"})
    with pytest.raises(SettingsError, match="GRIDREPORT_LOG_FORMAT"):
        load_settings({"GRIDREPORT_LOG_FORMAT": "xml"})
    opened = load_settings({"GRIDREPORT_METRICS_ALLOW": "*", "GRIDREPORT_METRICS_TOKEN": TOKEN})
    assert opened.metrics_allow == EVERY_ADDRESS


def test_labels_are_bounded() -> None:
    assert rules.method_label("BREW") == "other"
    assert rules.route_label(None) == "unmatched"
    assert rules.status_class(503) == "5xx"
    assert rules.status_class(None) == "aborted"
    assert rules.intake_channel("POST", "/api/v1/reports", 201) == "app"
    assert rules.intake_channel("POST", "/api/v1/reports", 200) is None
    assert rules.intake_channel("POST", "/open311/v2/requests.json", 201) == "open311"


def test_the_exposition_format() -> None:
    latency = Histogram("demo_seconds", "Demo latency", ("route",), (0.1, 1.0))
    for seconds in (0.05, 0.5, 3.0):
        latency.observe(seconds, "/api/v1/cases/{case_id}")
    said = counter("demo_total", 'Said "hello"\nand more', "who")
    said.inc('a "quoted"\\ name\n', amount=2)
    text = render([latency, said])
    assert text.splitlines() == [
        "# HELP demo_seconds Demo latency",
        "# TYPE demo_seconds histogram",
        'demo_seconds_bucket{route="/api/v1/cases/{case_id}",le="0.1"} 1',
        'demo_seconds_bucket{route="/api/v1/cases/{case_id}",le="1"} 2',
        'demo_seconds_bucket{route="/api/v1/cases/{case_id}",le="+Inf"} 3',
        'demo_seconds_sum{route="/api/v1/cases/{case_id}"} 3.55',
        'demo_seconds_count{route="/api/v1/cases/{case_id}"} 3',
        '# HELP demo_total Said "hello"\\nand more',
        "# TYPE demo_total counter",
        'demo_total{who="a \\"quoted\\"\\\\ name\\n"} 2',
    ]


@pytest.mark.parametrize("good", ["a", "0f3c9e2a-77aa-4bd0-9d1e-3f0c2d8e9b10", "edge.1:2_3-4"])
def test_a_safe_request_id_is_kept(good: str) -> None:
    assert request_id.accept_or_make(good) == good


@pytest.mark.parametrize("bad", [None, "", "x" * 65, "a b", "a\r\nX-Evil: 1", "{json}", "-x"])
def test_an_unsafe_request_id_is_replaced(bad: str | None) -> None:
    made = request_id.accept_or_make(bad)
    assert re.fullmatch(r"[0-9a-f]{32}", made)


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("gridreport.test", logging.INFO, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_a_json_line_has_the_fields_and_the_request_id() -> None:
    token = request_id.current.set("req-1")
    try:
        line = JsonFormatter().format(
            record("%s %s", "GET", "/x", method="GET", route="/x", status=200, duration_ms=1.5)
        )
    finally:
        request_id.current.reset(token)
    entry = json.loads(line)
    assert entry["request_id"] == "req-1"
    assert entry["level"] == "info"
    assert entry["logger"] == "gridreport.test"
    assert entry["message"] == "GET /x"
    assert (entry["method"], entry["route"], entry["status"], entry["duration_ms"]) == (
        "GET",
        "/x",
        200,
        1.5,
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"])
    assert json.loads(JsonFormatter().format(record("outside")))["request_id"] is None


def test_an_exception_is_logged_by_type_and_frames_without_its_text() -> None:
    who = "".join(["W", "ang"])  # data, as a request would bring it: not in the source line
    try:
        raise ValueError(f"phone 13812345678 of user {who}")
    except ValueError:
        failed = record("it failed")
        failed.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(failed))
    assert entry["error"] == "ValueError"
    assert "test_observability.py" in entry["stack"]
    assert "Wang" not in json.dumps(entry)
    text = TextFormatter().format(failed)
    assert "ValueError" in text
    assert "Wang" not in text


@pytest.mark.parametrize(
    ("said", "kept_out"),
    [
        ("Authorization: Bearer abcdef0123456789", "abcdef0123456789"),
        ("GET /api/v1/live?token=tok3n-value&x=1", "tok3n-value"),
        ('{"password": "hunter2"}', "hunter2"),
        ("api_key=k-123456", "k-123456"),
        ("call 13812345678 or +86 139-0000-1111", "13812345678"),
    ],
)
def test_scrub_blanks_tokens_and_phone_numbers(said: str, kept_out: str) -> None:
    assert kept_out not in scrub(said)
    assert kept_out not in JsonFormatter().format(record(said.replace("%", "%%")))


def test_configure_logging_writes_the_chosen_format() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    out = io.StringIO()
    try:
        configure_logging(Settings(log_format="text", log_level="warning"), out)
        logging.getLogger("gridreport.test").info("quiet")
        logging.getLogger("gridreport.test").warning("heard %s", "this")
        configure_logging(Settings(log_format="json"), out)
        logging.getLogger("gridreport.test").info("as json")
    finally:
        root.handlers[:], root.level = saved
    first, second = out.getvalue().splitlines()
    assert first.endswith("WARNING gridreport.test heard this")
    assert json.loads(second)["message"] == "as json"


async def test_metrics_are_still_served_while_the_database_is_down() -> None:
    nowhere = f"postgresql://nobody@127.0.0.1:{free_port()}/none"
    pool = await asyncpg.create_pool(nowhere, min_size=0, max_size=2)
    try:
        metrics = ApiMetrics()
        metrics.answered(method="POST", route="/api/v1/reports", status=201, seconds=0.2)
        text = await metrics.exposition(pool, now=datetime.now(UTC))
    finally:
        await pool.close()
    assert "gridreport_database_up 0" in text
    assert 'gridreport_reports_accepted_total{channel="app"} 1' in text
    assert "gridreport_cases_open" not in text
