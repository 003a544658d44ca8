"""Which key areas a caller governs: the one scope rule of the register, its pages and steps."""

from __future__ import annotations

from backend.accounts.rules import Principal
from backend.cases.service import scope_for
from backend.errors import Forbidden

STAFF_ONLY = Forbidden(
    "areas.staff_only",
    "部门人员不管辖重点地区，请在“任务”中办理分派给您的整治任务",
    "Department staff govern no key areas: work your assigned tasks under Tasks",
)


def scope_path(principal: Principal) -> str | None:
    """The region subtree whose areas the caller governs (None: the whole city).

    Staff without a region (a department) govern no areas; they reach their tasks through
    /tasks, so the register and the area pages refuse them alike (403)."""
    scope = scope_for(principal)
    if scope.everything:
        return None
    if scope.path is None:
        raise STAFF_ONLY
    return scope.path
