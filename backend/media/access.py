"""Who may still open a signed photo link: its viewer, while active and allowed to see the case.

An <img> sends no bearer token, so the link itself is what opens the photo. Its signature
proves the API made it for one viewer; this check makes it stop working as soon as that
viewer is deactivated or loses sight of the case (a transfer, a category turned confidential),
by the same scope rule as the case itself. Evidence photos of a subject (a task, a sweep
record) are seen by the staff whose region holds the subject's region.
"""

from __future__ import annotations

from backend.accounts import service as accounts
from backend.cases.rules import OPEN
from backend.cases.service import scope_for
from backend.cases.sql import Where, scoped
from backend.db.types import Connection
from backend.media import queries
from backend.media.links import SignedLink
from backend.regions.paths import subtree_bounds

_OPEN = sorted(OPEN)


async def viewer_still_sees(conn: Connection, link: SignedLink) -> bool:
    """Whether the viewer a link was made for is active and may still see its photo."""
    viewer = await accounts.active_principal(conn, user_id=link.viewer)
    if viewer is None:
        return False
    scope = scope_for(viewer) if viewer.is_staff else None
    staff_scope = scoped(scope) if scope is not None else Where(["FALSE"])
    # Evidence of a task or a sweep is the region's business, not a department's.
    evidence = subtree_bounds(scope.path) if scope is not None and scope.path else None
    return await queries.shown_to(
        conn,
        media_id=link.media_id,
        viewer=viewer.user_id,
        rendition=link.rendition,
        staff_scope=staff_scope,
        open_statuses=_OPEN,
        evidence_scope=evidence,
        all_evidence=scope is not None and scope.everything,
    )
