"""一票否决 set by a supervisor on a region for a year, with the reason; it keeps the
region's score but ranks it below every unvetoed unit of the results computed after it."""

from __future__ import annotations

from datetime import datetime

from backend.accounts.rules import Principal
from backend.audit import service as audit
from backend.db.types import Connection
from backend.errors import Invalid
from backend.oversight import assessment_queries as queries
from backend.oversight import assessment_step_queries as step_sql
from backend.oversight.assessment import NO_REGION
from backend.oversight.assessment_schemas import VetoIn, VetoOut
from backend.oversight.assessment_views import scope_path

_MIN_REASON = 2


async def veto(conn: Connection, principal: Principal, *, data: VetoIn, now: datetime) -> VetoOut:
    """一票否决 on a region in the caller's scope for a year, with the reason (stripped of
    surrounding blanks; 422 when little or nothing is left)."""
    reason = data.reason.strip()
    if len(reason) < _MIN_REASON:
        raise Invalid(
            "assessment.veto_reason",
            "一票否决须写明理由",
            "Give a reason for the veto",
            fields={"reason": "required"},
        )
    region = await queries.region_in_scope(
        conn, code=data.region_code, scope_path=scope_path(principal)
    )
    if region is None:
        raise NO_REGION
    async with conn.transaction():
        veto_id = await step_sql.insert_veto(
            conn,
            region_id=region["id"],
            year=data.year,
            reason=reason,
            user_id=principal.user_id,
            at=now,
        )
        await audit.record(
            conn,
            actor_id=principal.user_id,
            action="assessment.veto",
            subject=("region_veto", str(veto_id)),
            region_id=region["id"],
            detail={"year": data.year},
        )
    return VetoOut(
        id=veto_id,
        region_code=region["code"],
        region_name=region["name"],
        year=data.year,
        reason=reason,
        set_by=principal.user_id,
        at=now,
    )
