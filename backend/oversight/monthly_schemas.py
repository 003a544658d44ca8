"""Request and response bodies of monthly reports (定期访查, 零报告), camelCase on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from backend.structs import Model

Count = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Note = Annotated[str, msgspec.Meta(max_length=2000)]
UnitKind = Literal["region", "department"]


class MonthlyReportIn(Model):
    """What a unit files for its month.

    placesVisited 走访/检查点位数; problemsFound 发现问题数; zeroReport 零报告: nothing was
    found (then problemsFound is 0, and a report that found nothing is a zero report).
    """

    places_visited: Count
    problems_found: Count
    zero_report: bool
    note: Note = ""


class UnitOut(Model):
    """The unit that owes: a region (a street) or a department, by id and code."""

    kind: UnitKind
    id: int
    code: str
    name: str


class PersonOut(Model):
    id: int
    name: str


class MonthlyReportEventOut(Model):
    """One step on a report's timeline: owe (asked for), submit, remind 催办 (which marks an
    unfiled report missing), supervise 督办."""

    id: int
    at: datetime
    action: str
    to_state: str
    from_state: str | None = None
    actor_id: int | None = None


class MonthlyReportOut(Model):
    """One unit's report of one month.

    month: "2026-11"; dueAt: the first moment a filing is late, 00:00 (city time) of the day
    after the due day; state: due (owed, not yet filed), submitted (filed before dueAt), late
    (filed at or after dueAt), missing (dueAt passed unfiled: 催办 went out); overdue: not
    filed and dueAt reached; reminded 催办 / supervised 督办: whether they went out; events: the
    timeline, only when one report is read.
    """

    id: int
    month: str
    unit: UnitOut
    state: str
    due_at: datetime
    overdue: bool
    reminded: bool = False
    supervised: bool = False
    places_visited: int | None = None
    problems_found: int | None = None
    zero_report: bool | None = None
    note: str | None = None
    submitted_by: PersonOut | None = None
    submitted_at: datetime | None = None
    events: list[MonthlyReportEventOut] = msgspec.field(default_factory=list)


class UnitSummaryOut(Model):
    """One unit over a run of months.

    owed: reports it owed; onTime: filed by their due time; late: filed after it; missing:
    past their due time and still not filed. Reports still open before their due time are
    counted in owed only.
    """

    kind: UnitKind
    id: int
    code: str
    name: str
    owed: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
