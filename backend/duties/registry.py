"""Every kind of subject the watcher knows, by kind."""

from __future__ import annotations

from collections.abc import Mapping

from backend.duties.watcher import Subject


def subjects() -> Mapping[str, Subject]:
    """The subjects by kind; their domains import the engine, so they are found late."""
    from backend.areas.duty_subjects import SUBJECTS as AREA_SUBJECTS
    from backend.disputes.duty_subjects import SUBJECTS as DISPUTE_SUBJECTS
    from backend.oversight.duty_subjects import SUBJECTS as OVERSIGHT_SUBJECTS

    return {**AREA_SUBJECTS, **OVERSIGHT_SUBJECTS, **DISPUTE_SUBJECTS}
