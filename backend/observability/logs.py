"""Log configuration for the API and the worker: JSON lines or plain text, with the request id.

A JSON line holds time, level, logger, message and request_id, and for an access line also
method, route, status and duration_ms. Messages pass through `scrub` on the way out, a last
guard against a token or a phone number reaching the logs by some message's wording.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import IO, Any, Final

import msgspec

from backend.observability import request_id
from backend.settings import Settings

ACCESS_FIELDS: Final = ("method", "route", "status", "duration_ms")
_SECRETS: Final = re.compile(
    r"(?P<key>\bbearer\s+|\b(?:token|api_key|access_token|password|secret)[\"']?\s*[=:]\s*[\"']?)"
    r"(?P<value>[^\s&\"',;]+)",
    re.IGNORECASE,
)
# A mainland mobile number, alone or after +86: never written to a log.
_PHONE: Final = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")


def scrub(text: str) -> str:
    """The text with token-like values and phone numbers blanked out."""
    text = _SECRETS.sub(lambda m: f"{m['key']}[redacted]", text)
    return _PHONE.sub("[phone]", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": request_id.current.get(),
        }
        entry |= {key: getattr(record, key) for key in ACCESS_FIELDS if hasattr(record, key)}
        if record.exc_info and record.exc_info[0] is not None:
            # The type and the frames, not the exception's text: that may quote a value.
            entry["error"] = record.exc_info[0].__name__
            entry["stack"] = "".join(traceback.format_tb(record.exc_info[2]))
        return msgspec.json.encode(entry).decode()


class TextFormatter(logging.Formatter):
    """Plain lines for a terminal: time, level, logger, [request id], message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        rid = request_id.current.get()
        line = super().formatMessage(record)
        if hasattr(record, "duration_ms"):
            line += f" {record.duration_ms}ms"
        return f"{line} [{rid}]" if rid else line

    def formatException(self, ei: Any) -> str:
        frames = "".join(traceback.format_tb(ei[2]))
        return f"{frames}{ei[0].__name__}"

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


_FORMATTERS: Final = {"json": JsonFormatter, "text": TextFormatter}


def formatter(settings: Settings) -> logging.Formatter:
    made: logging.Formatter = _FORMATTERS[settings.log_format]()
    return made


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> None:
    """Send every log record of this process to stderr (or `stream`) in the chosen format."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(settings))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())


def granian_log_config(settings: Settings) -> dict[str, Any]:
    """The logging dict for granian: its own loggers in the same format, on stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        # Named by dotted path, so that the dict can also be written out for granian's
        # --log-config when granian is started by its own command line.
        "formatters": {
            "gridreport": {"()": f"{__name__}.{_FORMATTERS[settings.log_format].__name__}"}
        },
        "handlers": {
            "console": {
                "formatter": "gridreport",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "granian.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
