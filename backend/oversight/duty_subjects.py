"""The duties of oversight (a finding to rectify, a monthly report owed) for the watcher."""

from __future__ import annotations

from backend.duties.watcher import Subject

SUBJECTS: dict[str, Subject] = {}
