"""Page cursors of the key-area lists: the last row's time and id, opaque to the client."""

from __future__ import annotations

import base64
from datetime import datetime

import msgspec

from backend.errors import Invalid


def encode(at: datetime, row_id: int) -> str:
    """The cursor after the row stamped `at` with this id."""
    raw = msgspec.json.encode([at.isoformat(), row_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    """The (time, id) a cursor stands for; Invalid when it was not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=tuple[datetime, int])
    except (ValueError, msgspec.DecodeError, msgspec.ValidationError):
        raise Invalid(
            "areas.bad_cursor", "分页参数无效", "Invalid cursor", fields={"cursor": "invalid"}
        ) from None
