"""Response bodies of the deadline engine."""

from __future__ import annotations

from datetime import datetime

from backend.structs import Model


class DutyOut(Model):
    """One open duty of the caller: what is owed, by when, whether 催办/督办 have gone out."""

    id: int
    subject_kind: str
    subject_id: int
    title: str
    due_at: datetime
    overdue: bool
    reminded_at: datetime | None = None
    supervised_at: datetime | None = None
