"""The queue's filters: the queue and its CSV export read the same query the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from litestar.params import QueryParameter

from backend.cases.rules import STATUSES
from backend.cases.views import CaseFilter
from backend.db.types import Connection
from backend.errors import Invalid
from backend.regions import service as regions
from backend.structs import CATEGORY_CODE, REGION_CODE

# The queue's query parameters, shared by the queue and its CSV export. They stay on the
# handlers themselves: a query string that fails to parse must fail before the handler's
# database connection is taken, which a dependency holding them would not guarantee.
Statuses = Annotated[list[str] | None, QueryParameter(description="one or more statuses")]
# Litestar checks a query parameter's own pattern, not the msgspec constraint of its type.
Category = Annotated[str | None, QueryParameter(pattern=CATEGORY_CODE.pattern)]
Region = Annotated[
    str | None, QueryParameter(pattern=REGION_CODE.pattern, description="region subtree")
]
Assignee = Annotated[int | None, QueryParameter()]
Overdue = Annotated[bool | None, QueryParameter()]
Text = Annotated[str | None, QueryParameter(max_length=100, description="text or tracking no")]
CreatedFrom = Annotated[datetime | None, QueryParameter(name="createdFrom")]
CreatedTo = Annotated[datetime | None, QueryParameter(name="createdTo")]


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """What a queue request asked for, before its region is looked up."""

    statuses: list[str] | None = None
    category: str | None = None
    region: str | None = None
    assignee: int | None = None
    overdue: bool | None = None
    text: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


async def case_filter(conn: Connection, query: QueueQuery) -> CaseFilter:
    """The filter the query names; 422 for an unknown status or a region that does not exist."""
    if query.statuses and not set(query.statuses) <= set(STATUSES):
        raise Invalid(
            "cases.bad_status", "状态无效", "Unknown status", fields={"status": "unknown"}
        )
    region_path = None
    if query.region is not None:
        region_path = await regions.region_path_by_code(conn, code=query.region)
        if region_path is None:
            raise Invalid(
                "cases.unknown_region",
                "没有这个区域",
                "No such region",
                fields={"region": "unknown"},
            )
    return CaseFilter(
        statuses=query.statuses,
        category=query.category,
        region_path=region_path,
        assignee_id=query.assignee,
        overdue=query.overdue,
        text=query.text,
        created_from=query.created_from,
        created_to=query.created_to,
    )
