"""季度公开报告: staff preview and publish a region's quarter; anyone reads what is published.

The figures are frozen at publishing (the sections staff chose, nothing else), so a report
reads the same however its cases move later. Publishing a quarter again adds a version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
import msgspec

from backend.accounts.rules import Principal
from backend.audit import service as audit
from backend.clock import city_today
from backend.db.types import Connection
from backend.errors import Invalid, NotFound
from backend.public import queries, rules, snapshot
from backend.public.schemas import (
    SECTIONS,
    PublicReportIn,
    PublicReportOut,
    PublicReportRefOut,
    PublishedFiguresOut,
    Section,
)
from backend.public.service import (
    UNKNOWN_REGION,
    gather,
    parent_ref,
    quarter_period,
    region_row,
    report_ref,
)
from backend.regions.paths import subtree_bounds
from backend.settings import Settings
from backend.surveys import index_service
from backend.surveys.schemas import PublishedSurveyOut
from backend.throttle import service as throttle

UNKNOWN_REPORT = NotFound("public_reports.not_found", "找不到该公开报告", "No such public report")
LIST_LIMIT = 200


def asked(
    region: str, year: int, quarter: int, sections: str, survey_id: int | None
) -> PublicReportIn:
    """A preview's query read as the body publishing would take; sections comma-separated."""
    named = [part.strip() for part in sections.split(",") if part.strip()]
    unknown = [part for part in named if part not in SECTIONS]
    if unknown or not named:
        raise Invalid(
            "public_reports.bad_sections",
            "请选择要公布的内容：reports、areas、survey",
            "Choose what to publish: reports, areas, survey",
            fields={"sections": "reports, areas or survey"},
        )
    return PublicReportIn(
        region_code=region,
        year=year,
        quarter=quarter,
        sections=[section for section in SECTIONS if section in named],
        survey_id=survey_id,
    )


def _bad_survey(zh: str, en: str) -> Invalid:
    return Invalid("public_reports.bad_survey", zh, en, fields={"surveyId": en})


def _bounds(principal: Principal) -> tuple[str | None, str | None]:
    if principal.region_path is None:
        return None, None
    return subtree_bounds(principal.region_path)


async def _region_for(conn: Connection, principal: Principal, code: str) -> asyncpg.Record:
    lo, hi = _bounds(principal)
    row = await queries.region_in_scope(conn, code=code, lo=lo, hi=hi)
    if row is None:
        raise UNKNOWN_REGION
    return row


def check_survey_chosen(sections: Sequence[Section], survey_id: int | None) -> None:
    """A survey is named only for a report that shows the survey (422 otherwise)."""
    if survey_id is not None and "survey" not in sections:
        raise Invalid(
            "public_reports.survey_not_shown",
            "选择了调查但未勾选“安全感调查”部分；请勾选该部分或不选调查",
            "A survey was chosen but the survey section was not; choose the section or no survey",
            fields={"surveyId": "only with the survey section"},
        )


async def _survey(
    conn: Connection,
    principal: Principal,
    *,
    survey_id: int | None,
    region_path: str,
    settings: Settings,
) -> PublishedSurveyOut:
    """The survey the report shows: the one chosen, which must be a published 安全感 survey
    of the caller's subtree over the region; else the latest published one over the region.
    None of them → 422: the section was asked for and would be empty."""
    if survey_id is None:
        latest = await index_service.latest_published(
            conn, region_path=region_path, settings=settings
        )
        if latest is None:
            raise Invalid(
                "public_reports.no_survey",
                "此区域尚无已公布的安全感调查；请取消“安全感调查”部分",
                "No published safety survey covers this region; leave out the survey section",
                fields={"sections": "no published survey covers this region"},
            )
        return latest
    lo, hi = _bounds(principal)
    facts = await queries.survey_facts(conn, survey_id=survey_id, lo=lo, hi=hi)
    if facts is None or facts["purpose"] != "safety" or facts["place_id"] is not None:
        raise _bad_survey("请选择一项安全感调查", "Choose a 安全感 (safety) survey")
    if facts["state"] != "published":
        raise _bad_survey("该调查尚未公布", "That survey has not been published")
    if not region_path.startswith(facts["region_path"]):
        raise _bad_survey("该调查不覆盖此区域", "That survey does not cover this region")
    chosen = await index_service.latest_published(
        conn, region_path=region_path, settings=settings, survey_id=survey_id
    )
    if chosen is None:
        raise _bad_survey("该调查不覆盖此区域", "That survey does not cover this region")
    return chosen


async def _compose(
    conn: Connection,
    principal: Principal,
    *,
    data: PublicReportIn,
    settings: Settings,
    now: datetime,
) -> tuple[asyncpg.Record, list[Section], PublishedFiguresOut]:
    rules.check_quarter_publishable(
        data.year, data.quarter, today=city_today(settings.timezone, now)
    )
    sections = rules.chosen_sections(data.sections)
    check_survey_chosen(sections, data.survey_id)
    row = await _region_for(conn, principal, data.region_code)
    region = region_row(row)
    survey = None
    if "survey" in sections:
        survey = await _survey(
            conn, principal, survey_id=data.survey_id, region_path=region.path, settings=settings
        )
    figures = await gather(
        conn,
        region=region,
        period=quarter_period(data.year, data.quarter, settings=settings),
        settings=settings,
        now=now,
        parent=parent_ref(row),
    )
    figures = msgspec.structs.replace(figures, survey=survey)
    return row, sections, rules.published_figures(figures, sections)


def _out(
    row: asyncpg.Record,
    figures: PublishedFiguresOut,
    sections: Sequence[Section],
    *,
    report: asyncpg.Record | None,
    year: int,
    quarter: int,
) -> PublicReportOut:
    return PublicReportOut(
        id=None if report is None else report["id"],
        region_code=row["code"] if report is None else report["region_code"],
        region_name=row["name"] if report is None else report["region_name"],
        year=year,
        quarter=quarter,
        version=None if report is None else report["version"],
        sections=list(sections),
        survey_id=None if figures.survey is None else figures.survey.survey_id,
        published_at=None if report is None else report["published_at"],
        figures=figures,
    )


async def preview(
    conn: Connection,
    principal: Principal,
    *,
    data: PublicReportIn,
    settings: Settings,
    now: datetime,
) -> PublicReportOut:
    """What publishing would freeze now; nothing is stored."""
    row, sections, figures = await _compose(conn, principal, data=data, settings=settings, now=now)
    return _out(row, figures, sections, report=None, year=data.year, quarter=data.quarter)


async def publish(
    conn: Connection,
    principal: Principal,
    *,
    data: PublicReportIn,
    settings: Settings,
    now: datetime,
) -> PublicReportOut:
    """发布: freeze the quarter's chosen sections as the next version, audited."""
    async with conn.transaction():
        row, sections, figures = await _compose(
            conn, principal, data=data, settings=settings, now=now
        )
        await queries.lock_quarter(conn, region_id=row["id"], year=data.year, quarter=data.quarter)
        survey_id = None if figures.survey is None else figures.survey.survey_id
        report_id = await queries.insert_report(
            conn,
            values={
                "region_id": row["id"],
                "region_path": row["path"],
                "year": data.year,
                "quarter": data.quarter,
                "sections": list(sections),
                "survey_id": survey_id,
                "figures": snapshot.stored(figures),
                "published_by": principal.user_id,
                "published_at": now,
            },
        )
        report = await queries.report_by_id(conn, report_id=report_id)
        assert report is not None  # written just above
        await audit.record(
            conn,
            actor_id=principal.user_id,
            action="public_reports.publish",
            subject=("public_report", str(report_id)),
            region_id=row["id"],
            detail={
                "year": data.year,
                "quarter": data.quarter,
                "version": report["version"],
                "sections": list(sections),
                "surveyId": survey_id,
            },
        )
    return _out(row, figures, sections, report=report, year=data.year, quarter=data.quarter)


async def take_read(conn: Connection, *, address: str, settings: Settings, now: datetime) -> None:
    """Count one read of published reports from a client address, or raise 429."""
    await throttle.within_hourly(
        conn,
        scope="public.reports.address",
        key=address,
        limit=settings.public_reports_per_hour_per_address,
        now=now,
        refusal=(
            "public_reports.rate_limited",
            "此网络查看公开报告过于频繁，请稍后再试",
            "Too many reads of public reports from this network; try again later",
        ),
    )


async def listing(conn: Connection, *, region_code: str | None) -> list[PublicReportRefOut]:
    """Published reports of a region (of every region when none is named), newest first."""
    region_id = None
    if region_code is not None:
        region = await queries.region_by_code(conn, code=region_code)
        if region is None:
            raise UNKNOWN_REGION
        region_id = region["id"]
    rows = await queries.reports_of(conn, region_id=region_id, limit=LIST_LIMIT)
    return [report_ref(row) for row in rows]


async def one(conn: Connection, *, report_id: int, settings: Settings) -> PublicReportOut:
    """One published report with its frozen figures (read in whatever shape they were
    frozen)."""
    report = await queries.report_by_id(conn, report_id=report_id)
    if report is None:
        raise UNKNOWN_REPORT
    figures = snapshot.read(
        report["figures"],
        region={
            "code": report["region_code"],
            "name": report["region_name"],
            "level": report["region_level"],
        },
        period=quarter_period(report["year"], report["quarter"], settings=settings),
        published_at=report["published_at"],
    )
    return PublicReportOut(
        id=report["id"],
        region_code=report["region_code"],
        region_name=report["region_name"],
        year=report["year"],
        quarter=report["quarter"],
        version=report["version"],
        sections=list(report["sections"]),
        survey_id=report["survey_id"],
        published_at=report["published_at"],
        figures=figures,
    )
