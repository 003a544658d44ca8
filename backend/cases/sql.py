"""Building the WHERE clause of case lists: the caller's scope first, then the filters given.

Statements are assembled from fixed fragments with numbered parameters: only the filters a
request uses appear, so PostgreSQL plans each shape with the indexes it can use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend.cases.rules import Scope
from backend.regions.paths import subtree_bounds


@dataclass
class Where:
    """Conditions joined by AND, and their parameters in order."""

    parts: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    def add(self, template: str, *values: Any) -> None:
        """`template` names its values {0}, {1} …; they become $n placeholders."""
        numbers = [f"${len(self.args) + i + 1}" for i in range(len(values))]
        self.parts.append(template.format(*numbers))
        self.args.extend(values)

    def sql(self) -> str:
        return " AND ".join(self.parts) or "TRUE"


def scoped(scope: Scope) -> Where:
    """The caller's scope, in SQL: nothing outside it is ever selected."""
    where = Where()
    if scope.department_id is not None:
        where.add("c.department_id = {0}", scope.department_id)
    elif not scope.everything:
        if scope.path is None:
            where.add("FALSE")
        else:
            lo, hi = subtree_bounds(scope.path)
            where.add(
                "((c.region_path >= {0} AND c.region_path < {1}) "
                "OR (c.assigned_path >= {0} AND c.assigned_path < {1}))",
                lo,
                hi,
            )
    if not scope.confidential:
        where.add("NOT c.confidential")
    return where
