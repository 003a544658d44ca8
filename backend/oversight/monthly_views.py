"""Monthly reports as their readers see them."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from backend.oversight import monthly_rules as rules
from backend.oversight.monthly_schemas import (
    MonthlyReportEventOut,
    MonthlyReportOut,
    PersonOut,
    UnitOut,
)


def report_out(row: asyncpg.Record, *, now: datetime) -> MonthlyReportOut:
    submitter = None
    if row["submitted_by"] is not None:
        name = row["submitter_name"] or row["submitter_username"] or ""
        submitter = PersonOut(id=row["submitted_by"], name=name)
    return MonthlyReportOut(
        id=row["id"],
        month=rules.month_label(row["month"]),
        unit=unit_out(row),
        state=row["state"],
        due_at=row["due_at"],
        overdue=rules.overdue(row["state"], due_at=row["due_at"], now=now),
        reminded=row["reminded_at"] is not None,
        supervised=row["supervised_at"] is not None,
        places_visited=row["places_visited"],
        problems_found=row["problems_found"],
        zero_report=row["zero_report"],
        note=row["note"],
        submitted_by=submitter,
        submitted_at=row["submitted_at"],
    )


def unit_out(row: asyncpg.Record) -> UnitOut:
    if row["owner_department_id"] is not None:
        return UnitOut(
            kind="department",
            id=row["owner_department_id"],
            code=row["unit_code"],
            name=row["unit_name"],
        )
    return UnitOut(
        kind="region", id=row["owner_region_id"], code=row["unit_code"], name=row["unit_name"]
    )


def event_out(event: asyncpg.Record) -> MonthlyReportEventOut:
    return MonthlyReportEventOut(
        id=event["id"],
        at=event["at"],
        action=event["action"],
        to_state=event["to_state"],
        from_state=event["from_state"],
        actor_id=event["actor_id"],
    )
