"""The duties of the dispute ledger (a dispute to settle or follow up, a sweep owed) for the
watcher."""

from __future__ import annotations

from backend.duties.watcher import Subject

SUBJECTS: dict[str, Subject] = {}
