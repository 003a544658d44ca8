"""Storing a result's scores: each unit's items and total, its rank among units of its kind,
and scoring a draft again from the figures it keeps (after a manual item)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import msgspec

from backend.db.types import Connection
from backend.oversight import assessment_queries as queries
from backend.oversight import assessment_step_queries as step_sql
from backend.oversight import scoring
from backend.oversight.assessment_figures import Measured
from backend.oversight.assessment_schemas import ItemOut
from backend.oversight.scoring import Figure, Indicator, Manual, Scored, Standing

UnitKey = tuple[str, int]  # ("region", region id) or ("department", department id)


def _breakdown(indicators: Sequence[Indicator], scored: Scored) -> list[dict[str, Any]]:
    by_key = {i.key: i for i in indicators}
    return [
        msgspec.to_builtins(
            ItemOut(
                key=item.key,
                source=by_key[item.key].source,
                weight=by_key[item.key].weight,
                points=item.points,
                value=item.figure.value,
                numerator=item.figure.numerator,
                denominator=item.figure.denominator,
                no_data=item.no_data,
                reason=item.reason,
            )
        )
        for item in scored.items
    ]


def _ranks(
    scored: Mapping[UnitKey, Scored], measured: Mapping[UnitKey, Measured]
) -> dict[UnitKey, int]:
    """Ranks within each kind: regions among regions, departments among departments."""
    found: dict[UnitKey, int] = {}
    for kind in ("region", "department"):
        standings = [
            Standing(str(unit_id), scored[(k, unit_id)].total, measured[(k, unit_id)].vetoed)
            for k, unit_id in scored
            if k == kind
        ]
        found |= {(kind, int(key)): rank for key, rank in scoring.ranks(standings).items()}
    return found


async def store(
    conn: Connection,
    result: asyncpg.Record,
    indicators: Sequence[Indicator],
    measured: Mapping[UnitKey, Measured],
) -> None:
    """Score every unit (with the result's manual items) and replace the stored scores."""
    manual = await manual_items(conn, result_id=result["id"])
    scored = {
        key: scoring.score(indicators, m.figures, manual.get(key, {}))
        for key, m in measured.items()
    }
    ranked = _ranks(scored, measured)
    rows = [
        (
            result["id"],
            result["region_id"],
            result["region_path"],
            unit_id if kind == "region" else None,
            unit_id if kind == "department" else None,
            scored[(kind, unit_id)].total,
            ranked[(kind, unit_id)],
            _breakdown(indicators, scored[(kind, unit_id)]),
            m.vetoed,
            m.veto_reasons,
            m.eligible,
        )
        for (kind, unit_id), m in measured.items()
    ]
    await queries.delete_scores(conn, result_id=result["id"])
    await queries.insert_scores(conn, rows=rows)


def unit_key(row: asyncpg.Record) -> UnitKey:
    """The unit a row is about, as scores are keyed."""
    if row["unit_region_id"] is not None:
        return ("region", row["unit_region_id"])
    return ("department", row["unit_department_id"])


async def manual_items(conn: Connection, *, result_id: int) -> dict[UnitKey, dict[str, Manual]]:
    """The result's manual items by unit and indicator key."""
    found: dict[UnitKey, dict[str, Manual]] = {}
    for row in await step_sql.manual_scores(conn, result_id=result_id):
        found.setdefault(unit_key(row), {})[row["indicator_key"]] = Manual(
            row["points"], row["reason"]
        )
    return found


async def kept(conn: Connection, *, result_id: int) -> dict[UnitKey, Measured]:
    """The figures, veto and standing each unit was scored with, read back from its scores."""
    found: dict[UnitKey, Measured] = {}
    for row in await queries.scores(conn, result_id=result_id):
        items = msgspec.convert(row["breakdown"], list[ItemOut])
        found[unit_key(row)] = Measured(
            figures={
                i.source: Figure(i.value, i.numerator, i.denominator)
                for i in items
                if i.source != "manual"
            },
            vetoed=row["vetoed"],
            veto_reasons=list(row["veto_reasons"]),
            eligible=row["eligible"],
        )
    return found
