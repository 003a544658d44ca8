"""Where a resident's answer is counted: the community around them, never a finer region.

The answer itself keeps only a region; this picks it from the resident's latest report in
the survey's scope, or else from the position they sent. A place survey (a key area's)
counts every answer in its own region.
"""

from __future__ import annotations

import asyncpg

from backend.db.types import Connection
from backend.regions.paths import subtree_bounds
from backend.surveys import index_queries, indices, rules


async def of_app_answer(
    conn: Connection, *, survey: asyncpg.Record, reporter_id: int, point_path: str | None
) -> int:
    """The region id an app answer to `survey` is counted in (see rules.answer_region)."""
    region_id: int = survey["region_id"]
    if survey["place_id"] is not None:
        return region_id
    lo, hi = subtree_bounds(survey["region_path"])
    path = await index_queries.latest_report_path(conn, reporter_id=reporter_id, lo=lo, hi=hi)
    if path is None:
        path = point_path
    if path is None or not path.startswith(survey["region_path"]):
        return region_id
    chain = await index_queries.region_chain(conn, paths=indices.ancestor_paths(path))
    return rules.answer_region(
        [(row["id"], row["path"], row["level"]) for row in chain],
        survey_region_id=region_id,
        survey_path=survey["region_path"],
    )
