"""The duties of oversight (a finding to rectify, a monthly report owed) for the watcher."""

from __future__ import annotations

from backend.duties.watcher import Subject
from backend.oversight.findings_duty import FINDING_SUBJECT, SUBJECT_KIND
from backend.oversight.monthly_duty import MONTHLY_REPORT_SUBJECT

SUBJECTS: dict[str, Subject] = {
    SUBJECT_KIND: FINDING_SUBJECT,
    "monthly_report": MONTHLY_REPORT_SUBJECT,
}
