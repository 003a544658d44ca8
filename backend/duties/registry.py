"""Every kind of subject the watcher knows, by kind."""

from __future__ import annotations

from collections.abc import Mapping

from backend.duties.watcher import Subject


def subjects() -> Mapping[str, Subject]:
    """The subjects by kind; their domains import the engine, so they are found late."""
    from backend.areas.duty_subjects import SUBJECTS

    return SUBJECTS
