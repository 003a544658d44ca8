"""Who sees a finding, who answers for it (签收, 整改反馈) and who checks it (复查, 销号)."""

from __future__ import annotations

import asyncpg

from backend.accounts.rules import Principal
from backend.cases.service import scope_for
from backend.oversight.findings_queries import Viewer
from backend.regions.paths import subtree_bounds

CHECKER_ROLES = frozenset({"supervisor", "admin"})
UNIT_REGION_ROLES = frozenset({"worker", "dispatcher"})


def viewer_of(principal: Principal) -> Viewer:
    """The ledger as this caller may read it."""
    scope = scope_for(principal)
    lo, hi = subtree_bounds(scope.path) if scope.path else (None, None)
    return Viewer(
        everything=scope.everything,
        lo=lo,
        hi=hi,
        department_id=principal.department_id if principal.role == "department" else None,
        user_id=principal.user_id,
        own_path=principal.region_path if principal.role in UNIT_REGION_ROLES else None,
    )


def in_scope(principal: Principal, region_path: str) -> bool:
    """Whether a region lies in the caller's region subtree (or the caller sees the city)."""
    scope = scope_for(principal)
    if scope.everything:
        return True
    return scope.path is not None and region_path.startswith(scope.path)


def answers(principal: Principal, finding: asyncpg.Record) -> bool:
    """The responsible unit: its named person, a user of its department, or a worker or
    dispatcher of its region subtree."""
    if finding["responsible_user_id"] == principal.user_id:
        return True
    if principal.role == "department":
        return bool(finding["responsible_department_id"] == principal.department_id)
    unit_path = finding["responsible_path"]
    own = principal.region_path
    return (
        principal.role in UNIT_REGION_ROLES
        and unit_path is not None
        and own is not None
        and own.startswith(unit_path)
    )


def checks(principal: Principal, finding: asyncpg.Record) -> bool:
    """The checkers: supervisors and admins whose scope holds it, and the inspection's author."""
    if finding["inspection_author"] == principal.user_id:
        return True
    return principal.role in CHECKER_ROLES and in_scope(principal, finding["region_path"])
