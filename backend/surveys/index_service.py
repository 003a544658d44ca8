"""A survey's indices (安全感 index, 满意度, 知晓率, 支持率) by region, for staff and residents.

Sums come from SQL per answer region; `indices` rolls them up the region tree and gives
each figure its interval, its standing against the target, and suppresses small counts.
Staff read a survey of their subtree; residents read only published 安全感 surveys, with
every figure passed through `indices.publicly`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import asyncpg

from backend.accounts.rules import Principal
from backend.db.types import Connection
from backend.regions.paths import codes_of
from backend.settings import Settings
from backend.surveys import index_queries, indices, queries
from backend.surveys.indices import Items, Moments, Share, Tally
from backend.surveys.questionnaire import POSITIVE
from backend.surveys.schemas import (
    IndicesOut,
    PublishedSurveyOut,
    QuestionIn,
    RegionIndicesOut,
    SurveyIndicesOut,
    SurveyListItemOut,
)
from backend.surveys.service import UNKNOWN_SURVEY, questions_of, subtree_of

LIST_LIMIT = 200
_SHARES = ("satisfaction", "awareness", "support")


def items_of(questions: Sequence[QuestionIn]) -> Items:
    """Which standard items the questionnaire has."""
    standards = {q.standard for q in questions}
    return Items(*(name in standards for name in ("safety", *_SHARES)))


async def tallies_of(
    conn: Connection, *, survey_id: int, questions: Sequence[QuestionIn]
) -> dict[str, Tally]:
    """The sums of a survey's answers per answer region (by region path)."""
    safety = [q for q in questions if q.standard == "safety"]
    shares = [next((q.key for q in questions if q.standard == name), None) for name in _SHARES]
    rows = await index_queries.region_sums(
        conn,
        survey_id=survey_id,
        safety_keys=[q.key for q in safety],
        safety_kinds=[q.kind for q in safety],
        share_keys=shares,
        positives=[POSITIVE[name] for name in _SHARES],
    )
    return {row["path"]: _tally(row) for row in rows}


def _tally(row: asyncpg.Record) -> Tally:
    return Tally(
        answered=row["answered"],
        safety=Moments(row["safety_n"], row["safety_total"], row["safety_squares"]),
        satisfaction=Share(row["satisfaction_answered"], row["satisfaction_positive"]),
        awareness=Share(row["awareness_answered"], row["awareness_positive"]),
        support=Share(row["support_answered"], row["support_positive"]),
    )


async def survey_indices(
    conn: Connection, principal: Principal, *, survey_id: int, settings: Settings
) -> SurveyIndicesOut:
    """A survey of the caller's subtree: its indices per region of its tree, each against
    the previous survey of the same scope."""
    lo, hi = subtree_of(principal)
    row = await queries.survey_in_scope(conn, survey_id=survey_id, lo=lo, hi=hi)
    if row is None:
        raise UNKNOWN_SURVEY
    earlier = await _previous(conn, row)
    target = settings.survey_target_percent
    return SurveyIndicesOut(
        survey_id=row["id"],
        title=row["title"],
        title_en=row["title_en"],
        state=row["state"],
        target=target,
        previous_survey_id=None if earlier is None else earlier["id"],
        previous_title=None if earlier is None else earlier["title"],
        regions=await _by_region(conn, row, earlier, target=target),
    )


async def _by_region(
    conn: Connection, row: asyncpg.Record, earlier: asyncpg.Record | None, *, target: float
) -> list[RegionIndicesOut]:
    """The survey's region, then each region with answers below it, depth-first."""
    questions = questions_of(row)
    root = row["region_path"]
    nodes = indices.roll_up(root, await tallies_of(conn, survey_id=row["id"], questions=questions))
    before: dict[str, Tally] = {}
    earlier_items = None
    if earlier is not None:
        earlier_items = items_of(questions_of(earlier))
        before = await tallies_of(conn, survey_id=earlier["id"], questions=questions_of(earlier))
    found = await index_queries.regions_by_path(conn, paths=[path for path, _ in nodes])
    regions = {region["path"]: region for region in found}
    items = items_of(questions)
    hidden = indices.complementary_suppression(nodes)
    compared = _compared_tree([path for path, _ in nodes], before, earlier_items, target)
    return [
        RegionIndicesOut(
            code=regions[path]["code"],
            name=regions[path]["name"],
            level=regions[path]["level"],
            parent_code=regions[path]["parent_code"],
            depth=len(codes_of(path)) - len(codes_of(root)),
            indices=indices.indices_of(tally, items, target=target, hidden=hidden[path]),
            previous=compared[path],
        )
        for path, tally in nodes
        if path in regions
    ]


def _compared_tree(
    paths: list[str], before: dict[str, Tally], items: Items | None, target: float
) -> dict[str, IndicesOut | None]:
    """The previous survey's indices over each of these regions (None where it had no answer
    there), suppressed over the tree as the survey's own are."""
    if items is None:
        return dict.fromkeys(paths)
    pooled = [(path, indices.pooled_below(path, before)) for path in paths]
    hidden = indices.complementary_suppression(pooled)
    return {
        path: (
            indices.indices_of(tally, items, target=target, hidden=hidden[path])
            if tally.answered
            else None
        )
        for path, tally in pooled
    }


async def _previous(
    conn: Connection, row: asyncpg.Record, *, published_only: bool = False
) -> asyncpg.Record | None:
    """The previous survey of the same scope: closed or published (only published ones for
    what residents read, as staff decide what is published)."""
    return await index_queries.previous_survey(
        conn,
        survey_id=row["id"],
        purpose=row["purpose"],
        region_id=row["region_id"],
        place_id=row["place_id"],
        opens_on=row["opens_on"],
        states=("published",) if published_only else ("closed", "published"),
    )


async def latest_published(
    conn: Connection,
    *,
    region_path: str,
    settings: Settings,
    survey_id: int | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> PublishedSurveyOut | None:
    """The newest published 安全感 survey over `region_path` (of it or an ancestor), as
    residents read it: the figures of the nearest region at or above `region_path` whose
    answer count may be shown (at least 5 answered below it, and it gives away no smaller
    group: see indices.complementary_suppression), else of the survey's whole scope; against
    the previous published survey of the same scope. With `survey_id`, that survey (an
    earlier quarter's report shows its own survey), or None when it is not a published
    安全感 survey over the region. With `first_day`/`last_day`, only a survey open at some
    time within those days."""
    row = await index_queries.latest_published_over(
        conn,
        paths=indices.ancestor_paths(region_path),
        survey_id=survey_id,
        first_day=first_day,
        last_day=last_day,
    )
    if row is None:
        return None
    target = settings.survey_target_percent
    questions = questions_of(row)
    tallies = await tallies_of(conn, survey_id=row["id"], questions=questions)
    root = row["region_path"]
    nodes = indices.roll_up(root, tallies)
    hidden = indices.complementary_suppression(nodes)
    pooled = dict(nodes)
    node, code, name = root, row["region_code"], row["region_name"]
    publishable = [
        path
        for path in indices.ancestor_paths(region_path)
        if path in pooled
        and path != root
        and pooled[path].answered >= indices.MIN_ANSWERS
        and "answered" not in hidden[path]
    ]
    if publishable:
        found = await index_queries.regions_by_path(conn, paths=[publishable[-1]])
        if found:
            node, code, name = publishable[-1], found[0]["code"], found[0]["name"]
    figures = indices.indices_of(
        pooled[node], items_of(questions), target=target, hidden=hidden[node]
    )
    previous = await _previous_at(
        conn, row, nodes=[path for path, _ in nodes], node=node, target=target
    )
    return PublishedSurveyOut(
        survey_id=row["id"],
        title=row["title"],
        title_en=row["title_en"],
        published_at=row["published_at"],
        opens_on=row["opens_on"],
        closes_on=row["closes_on"],
        region_code=code,
        region_name=name,
        target=target,
        indices=indices.publicly(figures),
        previous=previous,
    )


async def _previous_at(
    conn: Connection, row: asyncpg.Record, *, nodes: list[str], node: str, target: float
) -> IndicesOut | None:
    """The previous published survey of the same scope over region path `node`, as anyone
    may read it, suppressed over the tree `nodes` as the survey's own figures are."""
    earlier = await _previous(conn, row, published_only=True)
    if earlier is None:
        return None
    before = await tallies_of(conn, survey_id=earlier["id"], questions=questions_of(earlier))
    pooled = [(path, indices.pooled_below(path, before)) for path in nodes]
    hidden = indices.complementary_suppression(pooled)[node]
    tally = dict(pooled)[node]
    if not tally.answered:
        return None
    figures = indices.indices_of(
        tally, items_of(questions_of(earlier)), target=target, hidden=hidden
    )
    return indices.publicly(figures, count_hidden="answered" in hidden)


async def listing(
    conn: Connection, principal: Principal, *, state: str | None, purpose: str | None
) -> list[SurveyListItemOut]:
    """Surveys of the caller's subtree, newest first (at most LIST_LIMIT)."""
    lo, hi = subtree_of(principal)
    rows = await index_queries.surveys_in_range(
        conn, lo=lo, hi=hi, state=state, purpose=purpose, limit=LIST_LIMIT
    )
    return [
        SurveyListItemOut(
            id=row["id"],
            purpose=row["purpose"],
            state=row["state"],
            title=row["title"],
            title_en=row["title_en"],
            region_code=row["region_code"],
            region_name=row["region_name"],
            place_id=row["place_id"],
            opens_on=row["opens_on"],
            closes_on=row["closes_on"],
            answered=row["answered"],
        )
        for row in rows
    ]
