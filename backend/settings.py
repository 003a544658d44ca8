"""Every setting gridreport reads, in one typed object built once from the environment.

`load_settings(environ)` is the only place that reads configuration. A bad value stops
start-up with a `SettingsError` that names the variable, so an operator never has to
guess which of twenty variables is wrong. The README's settings table mirrors `FIELDS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from ipaddress import ip_network
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MediaBackend = Literal["filesystem", "s3"]
# Chinese tile sets (AutoNavi, Tencent) are drawn in GCJ-02; OpenStreetMap and phones use WGS-84.
MapCoordinates = Literal["wgs84", "gcj02"]
# The worst hotspot level a flagged region may show and still be lifted by its exit bar.
FlagExitLevel = Literal["none", "blue", "yellow"]
# Photos served only through signed, per-viewer links: those of confidential cases, or all.
SignedPhotos = Literal["confidential", "all"]
# One JSON object per line for log collectors; plain text for a person at a terminal.
LogFormat = Literal["json", "text"]
# Address ranges in CIDR form; "0.0.0.0/0" and "::/0" together mean every address.
LOOPBACK: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
EVERY_ADDRESS: tuple[str, ...] = ("0.0.0.0/0", "::/0")


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    """The whole configuration of one API or worker process."""

    database_url: str | None = None
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    api_workers: int = 1
    db_pool_min: int = 1
    db_pool_max: int = 10
    log_level: str = "info"
    log_format: LogFormat = "json"
    metrics_token: str | None = None
    metrics_allow: tuple[str, ...] = LOOPBACK
    worker_metrics_port: int = 0
    staff_token_hours: float = 12.0
    resident_token_days: float = 180.0
    login_window_minutes: float = 15.0
    login_max_failures_per_user: int = 20
    login_max_failures_per_address: int = 100
    login_free_tries: int = 3
    login_first_wait_seconds: float = 1.0
    login_longest_wait_seconds: float = 900.0
    known_device_days: float = 90.0
    password_checks_at_once: int = 2
    trusted_proxies: tuple[str, ...] = ()
    devices_per_hour_per_address: int = 20
    near_grid_metres: float = 100.0
    region_poll_seconds: float = 30.0
    region_overlap_share: float = 0.01
    live_streams_per_user: int = 5
    demo_password: str | None = None
    timezone: str = "Asia/Shanghai"
    reports_per_hour: int = 20
    reports_per_hour_per_address: int = 100
    uploads_per_hour: int = 200
    uploads_per_hour_per_address: int = 1000
    media_max_megapixels: float = 50.0
    photo_decodes_at_once: int = 2
    media_max_bytes: int = 15 * 1024 * 1024
    json_max_bytes: int = 64 * 1024
    media_unattached_hours: float = 24.0
    duty_supervise_after_hours: float = 24.0
    monthly_report_due_day: int = 5
    monthly_reports_from_streets: bool = False
    hotspot_window_days: int = 30
    hotspot_red_percentile: float = 95.0
    hotspot_yellow_percentile: float = 85.0
    hotspot_blue_percentile: float = 70.0
    hotspot_min_reports: int = 3
    hotspot_rise_percent: float = 100.0
    hotspot_rise_min_reports: int = 5
    flag_exit_satisfied_percent: float = 90.0
    flag_exit_min_rated: int = 1
    flag_exit_worst_level: FlagExitLevel = "yellow"
    area_acceptance_percent: float = 90.0
    area_acceptance_min_answers: int = 10
    area_watch_months: int = 12
    area_recheck_months: tuple[int, ...] = (1, 3, 6, 12)
    area_yellow_patrols_per_week: int = 3
    area_writes_per_hour: int = 120
    area_task_steps_per_hour: int = 240
    area_page_per_hour: int = 120
    assessment_interview_bottom: int = 3
    assessment_writes_per_hour: int = 240
    inspection_writes_per_hour: int = 240
    findings_exports_per_hour: int = 20
    public_reports_per_hour_per_address: int = 600
    vapid_private_key: str | None = None
    vapid_subject: str = "mailto:gridreport@localhost"
    push_concurrency: int = 16
    push_timeout_seconds: float = 10.0
    push_max_attempts: int = 8
    push_lease_seconds: float = 60.0
    push_allow_loopback: bool = False
    media_backend: MediaBackend = "filesystem"
    s3_endpoint_url: str | None = None
    s3_bucket: str = "gridreport"
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_addressing_style: Literal["path", "virtual"] = "path"
    s3_public_base_url: str | None = None
    s3_presign_seconds: int = 3600
    signed_photos: SignedPhotos = "confidential"
    photo_link_secret: str | None = None
    photo_link_seconds: int = 900
    survey_mark_secret: str | None = None
    survey_answers_per_hour: int = 10
    survey_answers_per_hour_per_address: int = 300
    survey_answers_per_address_per_survey: int = 5
    survey_offers_per_hour: int = 60
    survey_offers_per_hour_per_address: int = 3000
    survey_entries_per_day: int = 2000
    survey_target_percent: float = 95.0
    survey_answer_batch: int = 10
    map_tile_url: str | None = None
    map_coordinates: MapCoordinates = "wgs84"
    map_attribution: str = ""
    open311_contact: str = "综治中心 / the city's dispatch centre"
    open311_public_feed: bool = False
    open311_media_timeout_seconds: float = 10.0

    @property
    def embedded_database(self) -> bool:
        """True when no DATABASE_URL is given and `serve` runs its own PostgreSQL."""
        return self.database_url is None

    @property
    def pgdata_dir(self) -> Path:
        return self.data_dir / "postgres"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"


def _text(raw: str) -> str:
    if not raw.strip():
        raise ValueError("must not be empty")
    return raw.strip()


def _int(lo: int, hi: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw)
        if not lo <= value <= hi:
            raise ValueError(f"must be between {lo} and {hi}")
        return value

    return parse


def _float(lo: float, hi: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        value = float(raw)
        if math.isnan(value) or not lo <= value <= hi:
            raise ValueError(f"must be a number between {lo} and {hi}")
        return value

    return parse


def _choice(*options: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return raw

    return parse


def _url(*schemes: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        parts = urlsplit(raw)
        if parts.scheme not in schemes or not (parts.netloc or parts.query):
            raise ValueError(
                f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}"
            )
        return raw.rstrip("/") if parts.scheme.startswith("http") else raw

    return parse


def _zone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone such as Asia/Shanghai") from None
    return raw


def _flag(raw: str) -> bool:
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _vapid_subject(raw: str) -> str:
    if not raw.startswith(("mailto:", "https://")):
        raise ValueError("must start with mailto: or https://")
    return raw


def _tile_template(raw: str) -> str:
    if not raw.startswith("https://") or not all(k in raw for k in ("{z}", "{x}", "{y}")):
        raise ValueError("must be an https:// URL template with {z}, {x} and {y}")
    return raw


def _secret(raw: str) -> str:
    if len(raw) < 16 or any(c.isspace() for c in raw):
        raise ValueError("must be at least 16 characters without spaces")
    return raw


def _networks(raw: str) -> tuple[str, ...]:
    if raw.strip() == "*":
        return EVERY_ADDRESS
    try:
        return tuple(str(ip_network(part.strip())) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ValueError("must be * or addresses/networks separated by commas") from None


def _months(raw: str) -> tuple[int, ...]:
    try:
        months = tuple(int(part) for part in raw.split(","))
    except ValueError:
        raise ValueError("must be whole months separated by commas, e.g. 1,3,6,12") from None
    if any(m < 1 for m in months) or list(months) != sorted(set(months)):
        raise ValueError("must be positive whole months in ascending order, e.g. 1,3,6,12")
    return months


def _path(raw: str) -> Path:
    return Path(_text(raw)).expanduser()


# Environment variable -> (Settings field, parser, meaning). The README table is this table.
FIELDS: dict[str, tuple[str, Callable[[str], object], str]] = {
    "DATABASE_URL": (
        "database_url",
        _url("postgresql", "postgres"),
        "PostgreSQL to use; unset: an embedded server under the data directory",
    ),
    "GRIDREPORT_DATA_DIR": ("data_dir", _path, "where the embedded database, photos and keys live"),
    "GRIDREPORT_HOST": ("host", _text, "address `serve` listens on"),
    "GRIDREPORT_PORT": ("port", _int(1, 65535), "port `serve` listens on"),
    "GRIDREPORT_PUBLIC_URL": (
        "public_url",
        _url("http", "https"),
        "the URL people reach the service at (links in pushes and media)",
    ),
    "GRIDREPORT_API_WORKERS": (
        "api_workers",
        _int(1, 64),
        "API worker processes started by `serve`",
    ),
    "GRIDREPORT_DB_POOL_MIN": (
        "db_pool_min",
        _int(0, 100),
        "database connections kept open per process",
    ),
    "GRIDREPORT_DB_POOL_MAX": (
        "db_pool_max",
        _int(1, 500),
        "database connections at most per process",
    ),
    "GRIDREPORT_LOG_LEVEL": (
        "log_level",
        _choice("debug", "info", "warning", "error"),
        "log verbosity",
    ),
    "GRIDREPORT_LOG_FORMAT": (
        "log_format",
        _choice("json", "text"),
        "json: one object per line with the request id; text: plain lines for a terminal",
    ),
    "GRIDREPORT_METRICS_TOKEN": (
        "metrics_token",
        _secret,
        "when set, /metrics also needs `Authorization: Bearer` with this token",
    ),
    "GRIDREPORT_METRICS_ALLOW": (
        "metrics_allow",
        _networks,
        "networks that may read /metrics directly (not through a proxy); * with a token: any",
    ),
    "GRIDREPORT_WORKER_METRICS_PORT": (
        "worker_metrics_port",
        _int(0, 65535),
        "port where `gridreport worker` serves its /metrics on GRIDREPORT_HOST; 0: none",
    ),
    "GRIDREPORT_STAFF_TOKEN_HOURS": (
        "staff_token_hours",
        _float(0.01, 24 * 30),
        "how long a staff login lasts",
    ),
    "GRIDREPORT_RESIDENT_TOKEN_DAYS": (
        "resident_token_days",
        _float(0.01, 3650),
        "how long a resident device token lasts",
    ),
    "GRIDREPORT_LOGIN_WINDOW_MINUTES": (
        "login_window_minutes",
        _float(0.1, 1440),
        "window over which failed logins are counted; quiet this long, a username's waits end",
    ),
    "GRIDREPORT_LOGIN_MAX_FAILURES_PER_USER": (
        "login_max_failures_per_user",
        _int(1, 1000),
        "failed logins per username in the window before 429, except from a known device",
    ),
    "GRIDREPORT_LOGIN_MAX_FAILURES_PER_ADDRESS": (
        "login_max_failures_per_address",
        _int(1, 100000),
        "failed logins per client address in the window before 429, except from a known device",
    ),
    "GRIDREPORT_LOGIN_FREE_TRIES": (
        "login_free_tries",
        _int(1, 100),
        "login tries of one username from one address (or device) before each next one waits",
    ),
    "GRIDREPORT_LOGIN_FIRST_WAIT_SECONDS": (
        "login_first_wait_seconds",
        _float(0.1, 3600),
        "the first such wait; it doubles with every further try",
    ),
    "GRIDREPORT_LOGIN_LONGEST_WAIT_SECONDS": (
        "login_longest_wait_seconds",
        _float(1, 86400),
        "the longest such wait",
    ),
    "GRIDREPORT_KNOWN_DEVICE_DAYS": (
        "known_device_days",
        _float(0.01, 3650),
        "how long a browser stays known after a staff login (its cookie passes the ceilings)",
    ),
    "GRIDREPORT_PASSWORD_CHECKS_AT_ONCE": (
        "password_checks_at_once",
        _int(1, 64),
        "argon2 checks running at once per process (each takes 64 MiB), off the event loop",
    ),
    "GRIDREPORT_TRUSTED_PROXIES": (
        "trusted_proxies",
        _networks,
        "proxies whose X-Forwarded-For / X-Real-IP name the client (CIDRs); unset: none",
    ),
    "GRIDREPORT_DEVICES_PER_HOUR_PER_ADDRESS": (
        "devices_per_hour_per_address",
        _int(1, 1_000_000),
        "resident device registrations per client address in an hour before 429",
    ),
    "GRIDREPORT_NEAR_GRID_METRES": (
        "near_grid_metres",
        _float(0, 5000),
        "a point this close outside every grid goes to the nearest grid",
    ),
    "GRIDREPORT_REGION_POLL_SECONDS": (
        "region_poll_seconds",
        _float(1, 3600),
        "how often a process double-checks the region version besides LISTEN/NOTIFY",
    ),
    "GRIDREPORT_REGION_OVERLAP_SHARE": (
        "region_overlap_share",
        _float(0, 0.5),
        "share of the smaller of two sibling regions they may overlap by in an import (slivers)",
    ),
    "GRIDREPORT_LIVE_STREAMS_PER_USER": (
        "live_streams_per_user",
        _int(1, 100),
        "live streams (/api/v1/stream) one account may hold open per API process; one more is 429",
    ),
    "GRIDREPORT_DEMO_PASSWORD": (
        "demo_password",
        _text,
        "password of the demo staff (`--demo`); generated and printed when unset",
    ),
    "GRIDREPORT_TIMEZONE": (
        "timezone",
        _zone,
        "local time zone: tracking numbers and daily statistics follow its days",
    ),
    "GRIDREPORT_REPORTS_PER_HOUR": (
        "reports_per_hour",
        _int(1, 10000),
        "reports one device may send in an hour before 429",
    ),
    "GRIDREPORT_REPORTS_PER_HOUR_PER_ADDRESS": (
        "reports_per_hour_per_address",
        _int(1, 1_000_000),
        "reports from one client address in an hour before 429 (Open311 keys have their own)",
    ),
    "GRIDREPORT_UPLOADS_PER_HOUR": (
        "uploads_per_hour",
        _int(1, 100_000),
        "photo uploads one device may send in an hour before 429",
    ),
    "GRIDREPORT_UPLOADS_PER_HOUR_PER_ADDRESS": (
        "uploads_per_hour_per_address",
        _int(1, 10_000_000),
        "photo uploads from one client address in an hour before 429",
    ),
    "GRIDREPORT_MEDIA_MAX_MEGAPIXELS": (
        "media_max_megapixels",
        _float(1, 200),
        "photos with more pixels are refused from their header, before decoding",
    ),
    "GRIDREPORT_PHOTO_DECODES_AT_ONCE": (
        "photo_decodes_at_once",
        _int(1, 64),
        "photos decoded at once per process; more uploads wait their turn (bounds memory)",
    ),
    "GRIDREPORT_MEDIA_MAX_BYTES": (
        "media_max_bytes",
        _int(1024, 100 * 1024 * 1024),
        "largest photo upload, in bytes",
    ),
    "GRIDREPORT_JSON_MAX_BYTES": (
        "json_max_bytes",
        _int(1024, 16 * 1024 * 1024),
        "largest request body of a route that takes no photo, in bytes (region import excepted)",
    ),
    "GRIDREPORT_MEDIA_UNATTACHED_HOURS": (
        "media_unattached_hours",
        _float(0.1, 720),
        "an uploaded photo not attached to a report by then is swept",
    ),
    "GRIDREPORT_DUTY_SUPERVISE_AFTER_HOURS": (
        "duty_supervise_after_hours",
        _float(0, 24 * 90),
        "督办: a task or duty still open this many hours after its due time goes to supervisors",
    ),
    "GRIDREPORT_MONTHLY_REPORT_DUE_DAY": (
        "monthly_report_due_day",
        _int(1, 28),
        "定期访查: a month's report is due by the end of this day of the next month (city time)",
    ),
    "GRIDREPORT_MONTHLY_REPORTS_FROM_STREETS": (
        "monthly_reports_from_streets",
        _flag,
        "定期访查: streets (街道/乡镇) owe a monthly report too, not only departments",
    ),
    "GRIDREPORT_HOTSPOT_WINDOW_DAYS": (
        "hotspot_window_days",
        _int(1, 365),
        "hotspot levels count the valid reports of this many days (and compare the days before)",
    ),
    "GRIDREPORT_HOTSPOT_RED_PERCENTILE": (
        "hotspot_red_percentile",
        _float(0, 100),
        "a grid at or above this percentile of the city's grids is red",
    ),
    "GRIDREPORT_HOTSPOT_YELLOW_PERCENTILE": (
        "hotspot_yellow_percentile",
        _float(0, 100),
        "a grid at or above this percentile of the city's grids is yellow",
    ),
    "GRIDREPORT_HOTSPOT_BLUE_PERCENTILE": (
        "hotspot_blue_percentile",
        _float(0, 100),
        "a grid at or above this percentile of the city's grids is blue",
    ),
    "GRIDREPORT_HOTSPOT_MIN_REPORTS": (
        "hotspot_min_reports",
        _int(1, 1_000_000),
        "a grid with fewer valid reports in the window is never coloured",
    ),
    "GRIDREPORT_HOTSPOT_RISE_PERCENT": (
        "hotspot_rise_percent",
        _float(0, 100_000),
        "a rise of this many percent on the previous window lifts a grid one level",
    ),
    "GRIDREPORT_HOTSPOT_RISE_MIN_REPORTS": (
        "hotspot_rise_min_reports",
        _int(1, 1_000_000),
        "… provided the grid has at least this many valid reports in the window",
    ),
    "GRIDREPORT_FLAG_EXIT_SATISFIED_PERCENT": (
        "flag_exit_satisfied_percent",
        _float(0, 100),
        "摘牌 exit bar: share of cases rated since flagging that were satisfied (3-5 of 5)",
    ),
    "GRIDREPORT_FLAG_EXIT_MIN_RATED": (
        "flag_exit_min_rated",
        _int(1, 100_000),
        "摘牌 exit bar: ratings needed since flagging before satisfaction counts",
    ),
    "GRIDREPORT_FLAG_EXIT_WORST_LEVEL": (
        "flag_exit_worst_level",
        _choice("none", "blue", "yellow"),
        "摘牌 exit bar: the worst hotspot level the flagged region may show",
    ),
    "GRIDREPORT_AREA_ACCEPTANCE_PERCENT": (
        "area_acceptance_percent",
        _float(0, 100),
        "验收: a key area is lifted when at least this percent of the answers are satisfied",
    ),
    "GRIDREPORT_AREA_ACCEPTANCE_MIN_ANSWERS": (
        "area_acceptance_min_answers",
        _int(1, 100_000),
        "验收: answers (survey answers and case ratings together) needed before it is decided",
    ),
    "GRIDREPORT_AREA_WATCH_MONTHS": (
        "area_watch_months",
        _int(1, 120),
        "回头看: months a lifted key area is watched for a recurrence",
    ),
    "GRIDREPORT_AREA_RECHECK_MONTHS": (
        "area_recheck_months",
        _months,
        "回头看: re-check tasks this many months after lifting, ascending, e.g. 1,3,6,12",
    ),
    "GRIDREPORT_AREA_YELLOW_PATROLS_PER_WEEK": (
        "area_yellow_patrols_per_week",
        _int(1, 1000),
        "a yellow key area needs this many patrol reports inside it each week",
    ),
    "GRIDREPORT_AREA_WRITES_PER_HOUR": (
        "area_writes_per_hour",
        _int(1, 100000),
        "key area writes (new areas, case links, steps, plans, meetings) one staff member "
        "may make in an hour before 429",
    ),
    "GRIDREPORT_AREA_TASK_STEPS_PER_HOUR": (
        "area_task_steps_per_hour",
        _int(1, 100000),
        "steps on remediation tasks (签收, progress, done) one staff member may record in an "
        "hour before 429",
    ),
    "GRIDREPORT_AREA_PAGE_PER_HOUR": (
        "area_page_per_hour",
        _int(1, 1_000_000),
        "治安动态 area pages one caller (a resident's device or a staff member) may read in an "
        "hour before 429 (answers from the browser's cache, 304, count too)",
    ),
    "GRIDREPORT_INSPECTION_WRITES_PER_HOUR": (
        "inspection_writes_per_hour",
        _int(1, 100000),
        "inspections filed and moves on findings (签收, 整改反馈, 复查, 销号) one staff member "
        "may make in an hour before 429",
    ),
    "GRIDREPORT_FINDINGS_EXPORTS_PER_HOUR": (
        "findings_exports_per_hour",
        _int(1, 10000),
        "workbooks of the findings ledger (问题台账) one staff member may export in an hour "
        "before 429",
    ),
    "GRIDREPORT_ASSESSMENT_INTERVIEW_BOTTOM": (
        "assessment_interview_bottom",
        _int(1, 1000),
        "考核: 约谈 may be recorded for this many of the lowest ranked units of a result (and "
        "any that share their rank)",
    ),
    "GRIDREPORT_ASSESSMENT_WRITES_PER_HOUR": (
        "assessment_writes_per_hour",
        _int(1, 100000),
        "考核 changes (schemes, computing results, manual items, posting, objections, answers, "
        "约谈, vetoes) one staff member may make in an hour before 429",
    ),
    "GRIDREPORT_PUBLIC_REPORTS_PER_HOUR_PER_ADDRESS": (
        "public_reports_per_hour_per_address",
        _int(1, 10_000_000),
        "reads of published quarterly reports (list, JSON, page, workbook) from one client "
        "address in an hour before 429; no login is needed to read them",
    ),
    "GRIDREPORT_VAPID_PRIVATE_KEY": (
        "vapid_private_key",
        _text,
        "VAPID private key, PEM or base64url; unset: made once, kept in the data directory",
    ),
    "GRIDREPORT_VAPID_SUBJECT": (
        "vapid_subject",
        _vapid_subject,
        "VAPID contact (mailto: or https:) push services may reach",
    ),
    "GRIDREPORT_PUSH_CONCURRENCY": (
        "push_concurrency",
        _int(1, 1000),
        "pushes in flight at once per worker",
    ),
    "GRIDREPORT_PUSH_TIMEOUT_SECONDS": (
        "push_timeout_seconds",
        _float(0.1, 120),
        "how long one push may take before it is retried",
    ),
    "GRIDREPORT_PUSH_MAX_ATTEMPTS": (
        "push_max_attempts",
        _int(1, 100),
        "attempts before a notification is given up as dead",
    ),
    "GRIDREPORT_PUSH_LEASE_SECONDS": (
        "push_lease_seconds",
        _float(1, 3600),
        "how long a worker holds notifications it took; a dead worker's are taken again after it",
    ),
    "GRIDREPORT_PUSH_ALLOW_LOOPBACK": (
        "push_allow_loopback",
        _flag,
        "accept http://127.0.0.1 push endpoints (tests and local emulators only)",
    ),
    "GRIDREPORT_MAP_TILE_URL": (
        "map_tile_url",
        _tile_template,
        "map tiles, e.g. https://{s}.tile.example/{z}/{x}/{y}.png; unset: outlines only",
    ),
    "GRIDREPORT_MAP_COORDINATES": (
        "map_coordinates",
        _choice("wgs84", "gcj02"),
        "the tiles' coordinate system (gcj02 for Chinese tile sets)",
    ),
    "GRIDREPORT_MAP_ATTRIBUTION": ("map_attribution", _text, "credit shown on the map"),
    "GRIDREPORT_OPEN311_CONTACT": (
        "open311_contact",
        _text,
        "who answers questions about the Open311 endpoint (its discovery file's contact)",
    ),
    "GRIDREPORT_OPEN311_PUBLIC_FEED": (
        "open311_public_feed",
        _flag,
        "let anyone read Open311 requests without an api_key (public categories, masked)",
    ),
    "GRIDREPORT_OPEN311_MEDIA_TIMEOUT_SECONDS": (
        "open311_media_timeout_seconds",
        _float(1, 60),
        "how long fetching an Open311 request's media_url may take",
    ),
    "GRIDREPORT_MEDIA_BACKEND": (
        "media_backend",
        _choice("filesystem", "s3"),
        "where photos are stored",
    ),
    "S3_ENDPOINT_URL": (
        "s3_endpoint_url",
        _url("http", "https"),
        "S3-compatible endpoint; unset: AWS's default",
    ),
    "S3_BUCKET": ("s3_bucket", _text, "bucket for photos"),
    "S3_REGION": ("s3_region", _text, "S3 region name"),
    "S3_ACCESS_KEY_ID": ("s3_access_key_id", _text, "S3 access key"),
    "S3_SECRET_ACCESS_KEY": ("s3_secret_access_key", _text, "S3 secret key"),
    "S3_ADDRESSING_STYLE": (
        "s3_addressing_style",
        _choice("path", "virtual"),
        "path-style or virtual-host-style bucket addressing",
    ),
    "S3_PUBLIC_BASE_URL": (
        "s3_public_base_url",
        _url("http", "https"),
        "public base URL of the bucket; unset: presigned GET URLs",
    ),
    "S3_PRESIGN_SECONDS": (
        "s3_presign_seconds",
        _int(60, 7 * 24 * 3600),
        "lifetime of a presigned photo URL",
    ),
    "GRIDREPORT_SIGNED_PHOTOS": (
        "signed_photos",
        _choice("confidential", "all"),
        "photos served only by signed per-viewer links: confidential cases' (default), or all",
    ),
    "GRIDREPORT_PHOTO_LINK_SECRET": (
        "photo_link_secret",
        _secret,
        "key that signs photo links (same in every API process); unset: made once in the data dir",
    ),
    "GRIDREPORT_PHOTO_LINK_SECONDS": (
        "photo_link_seconds",
        _int(60, 24 * 3600),
        "a signed photo link lasts this long at least, and at most twice as long",
    ),
    "GRIDREPORT_SURVEY_MARK_SECRET": (
        "survey_mark_secret",
        _secret,
        "key of the once-per-device survey marks (same in every API process); unset: made once "
        "in the data dir",
    ),
    "GRIDREPORT_SURVEY_ANSWERS_PER_HOUR": (
        "survey_answers_per_hour",
        _int(1, 10000),
        "survey answers one device may send from the app in an hour before 429",
    ),
    "GRIDREPORT_SURVEY_ANSWERS_PER_HOUR_PER_ADDRESS": (
        "survey_answers_per_hour_per_address",
        _int(1, 1_000_000),
        "survey answers from one client address in an hour before 429",
    ),
    "GRIDREPORT_SURVEY_ANSWERS_PER_ADDRESS_PER_SURVEY": (
        "survey_answers_per_address_per_survey",
        _int(1, 1_000_000),
        "answers to one survey from one client address, by devices it reaches only by the "
        "position they send (no report of theirs in its scope), before 429",
    ),
    "GRIDREPORT_SURVEY_OFFERS_PER_HOUR": (
        "survey_offers_per_hour",
        _int(1, 100_000),
        "asks for the surveys offered one device may make in an hour before 429",
    ),
    "GRIDREPORT_SURVEY_OFFERS_PER_HOUR_PER_ADDRESS": (
        "survey_offers_per_hour_per_address",
        _int(1, 10_000_000),
        "asks for the surveys offered from one client address in an hour before 429",
    ),
    "GRIDREPORT_SURVEY_ENTRIES_PER_DAY": (
        "survey_entries_per_day",
        _int(1, 1_000_000),
        "answers one staff member may enter (座谈会, 入户走访, 电话回访) in a day before 429",
    ),
    "GRIDREPORT_SURVEY_TARGET_PERCENT": (
        "survey_target_percent",
        _float(0, 100),
        "target of the 安全感 index and the survey rates (0–100): a region meets it when the "
        "95 % interval lies at or above it",
    ),
    "GRIDREPORT_SURVEY_ANSWER_BATCH": (
        "survey_answer_batch",
        _int(1, 10000),
        "app answers to one survey held apart until this many have come, then re-written "
        "together in a random order (and the rest when the survey closes), so that none can be "
        "told from the others by when it came",
    ),
}


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build Settings from environment variables; raise SettingsError naming a bad one."""
    values: dict[str, object] = {}
    for name, (attr, parse, _meaning) in FIELDS.items():
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[attr] = parse(raw)
        except ValueError as exc:
            raise SettingsError(f"{name}={raw!r} is not valid: {exc}") from None
    settings = Settings(**values)  # type: ignore[arg-type]
    _check_consistency(settings)
    return settings


def _check_consistency(settings: Settings) -> None:
    if settings.db_pool_min > settings.db_pool_max:
        raise SettingsError("GRIDREPORT_DB_POOL_MIN must not exceed GRIDREPORT_DB_POOL_MAX")
    if not (
        settings.hotspot_blue_percentile
        <= settings.hotspot_yellow_percentile
        <= settings.hotspot_red_percentile
    ):
        raise SettingsError(
            "GRIDREPORT_HOTSPOT_BLUE_PERCENTILE <= GRIDREPORT_HOTSPOT_YELLOW_PERCENTILE <= "
            "GRIDREPORT_HOTSPOT_RED_PERCENTILE must hold"
        )
    if settings.area_recheck_months[-1] > settings.area_watch_months:
        raise SettingsError(
            "GRIDREPORT_AREA_RECHECK_MONTHS must all fall within GRIDREPORT_AREA_WATCH_MONTHS"
        )
    if set(EVERY_ADDRESS) & set(settings.metrics_allow) and not settings.metrics_token:
        raise SettingsError("GRIDREPORT_METRICS_ALLOW=* needs GRIDREPORT_METRICS_TOKEN")
    if settings.media_backend == "s3" and not (
        settings.s3_access_key_id and settings.s3_secret_access_key
    ):
        raise SettingsError(
            "GRIDREPORT_MEDIA_BACKEND=s3 needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY"
        )
