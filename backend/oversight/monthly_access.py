"""Who reads a monthly report and who files it: overseers by scope, the owing unit itself."""

from __future__ import annotations

import asyncpg

from backend.accounts.rules import Principal
from backend.cases.service import scope_for
from backend.regions.paths import subtree_bounds

REGION_STAFF = frozenset({"worker", "dispatcher", "supervisor"})


def scope_bounds(principal: Principal) -> tuple[str | None, str | None]:
    """The caller's region subtree as a range; (None, None) for the whole city."""
    scope = scope_for(principal)
    if scope.everything:
        return None, None
    if scope.path is None:  # a department has no region subtree: an empty range
        return "", ""
    return subtree_bounds(scope.path)


def reader(principal: Principal) -> tuple[str | None, str | None, int | None, str | None]:
    """The caller as the reports' SQL scope needs it: their region range (None: the whole
    city), and the unit they may file for (their department, or their own region's path)."""
    lo, hi = scope_bounds(principal)
    department_id = principal.department_id if principal.role == "department" else None
    own = principal.region_path if principal.role in REGION_STAFF else None
    return lo, hi, department_id, own


def owes(principal: Principal, row: asyncpg.Record) -> bool:
    """The unit itself: a user of the department, or staff of the street or below it."""
    if principal.role == "department":
        return bool(row["owner_department_id"] == principal.department_id)
    own = principal.region_path
    return (
        principal.role in REGION_STAFF
        and row["owner_region_id"] is not None
        and own is not None
        and own.startswith(row["region_path"])
    )
