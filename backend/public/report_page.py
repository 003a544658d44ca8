"""The printable page of a public report: plain HTML, Chinese first with English beneath.

Every text is escaped (area names are typed by staff), the page carries no script, and its
stylesheet prints on A4 without the screen's margins.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from zoneinfo import ZoneInfo

from backend.public import report_labels as words
from backend.public.schemas import PublicReportOut, PublishedFiguresOut
from backend.surveys.schemas import PublishedSurveyOut

_STYLE = """
body{font-family:"Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;
max-width:48rem;padding:0 1rem;color:#111;line-height:1.5}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:1.75rem;
border-bottom:1px solid #999}.en{color:#555;font-size:.9em;display:block}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #bbb;
padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#eef3f8}
.meta{color:#333;margin:.25rem 0}
@media print{body{margin:0;max-width:none}@page{size:A4;margin:15mm}h2{break-after:avoid}
table,tr{break-inside:avoid}th{background:none}}
"""
# No script at all, styles only from the page itself, never framed.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def _both(zh: str, en: str) -> str:
    return f'{escape(zh)}<span class="en" lang="en">{escape(en)}</span>'


def _meta(zh: str, en: str) -> str:
    return f'<p class="meta">{_both(zh, en)}</p>'


def _heading(pair: tuple[str, str]) -> str:
    return f"<h2>{_both(*pair)}</h2>"


Cell = str | tuple[str, str]


def _cell(cell: Cell) -> str:
    return f"<td>{escape(cell) if isinstance(cell, str) else _both(*cell)}</td>"


def _table(headers: Iterable[tuple[str, str]], rows: Iterable[Iterable[Cell]]) -> str:
    head = "".join(f"<th>{_both(zh, en)}</th>" for zh, en in headers)
    body = "".join("<tr>" + "".join(_cell(cell) for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _reports(figures: PublishedFiguresOut) -> str:
    if figures.reports is None:
        return ""
    r = figures.reports
    valid = words.SUPPRESSED[0] if r.valid is None else str(r.valid)
    rows: list[list[Cell]] = [[words.VALID, valid]]
    rows += [[(zh, en), words.percent(getattr(r, name))] for name, zh, en in words.RATES]
    parts = [_heading(words.REPORTS), _table([("项目", "Figure"), ("数值", "Value")], rows)]
    if figures.categories:
        parts.append(f"<h3>{_both(*words.CATEGORIES)}</h3>")
        parts.append(
            _table(
                [("类别", "Kind"), ("件数", "Reports")],
                ([(c.name, c.name_en), str(c.count)] for c in figures.categories),
            )
        )
    return "".join(parts)


def _areas(figures: PublishedFiguresOut) -> str:
    if figures.flagged is None or figures.lifted is None:
        return ""
    flagged = _table(
        [("名称", "Name"), ("状态", "State"), ("整治期限", "Deadline"), ("任务进度", "Tasks done")],
        (
            [
                a.name,
                words.AREA_STATES.get(a.state, (a.state, "")),
                "" if a.deadline is None else a.deadline.isoformat(),
                f"{a.progress.done}/{a.progress.tasks}",
            ]
            for a in figures.flagged
        ),
    )
    lifted = _table(
        [("名称", "Name"), ("所属区域", "Region"), ("摘牌日期", "Lifted on")],
        ([a.name, a.region_name, a.lifted_on.isoformat()] for a in figures.lifted),
    )
    return (
        _heading(words.as_of_publishing(words.FLAGGED))
        + flagged
        + _heading(words.as_of_publishing(words.LIFTED))
        + lifted
    )


def _survey(survey: PublishedSurveyOut | None) -> str:
    if survey is None:
        return ""
    rows: list[list[Cell]] = [
        [
            (zh, en),
            words.figure_text(figure),
            ("", "")
            if figure is None or figure.standing is None
            else words.STANDINGS[figure.standing],
        ]
        for zh, en, figure in words.indices_rows(survey.indices)
    ]
    meta = _meta(survey.title, survey.title_en) + (
        f'<p class="meta">{escape(survey.region_name)} · {survey.opens_on.isoformat()} – '
        f"{survey.closes_on.isoformat()} · 目标 Target {survey.target:.0f}</p>"
    )
    table = _table([("指标", "Index"), ("数值", "Value"), ("对照目标", "Against the target")], rows)
    return _heading(words.SURVEY) + meta + table


def render(report: PublicReportOut, *, zone: str) -> str:
    """The whole page as text."""
    zh, en = words.title(report)
    figures = report.figures
    published = (
        ""
        if report.published_at is None
        else f"{report.published_at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"
    )
    first, last = figures.first_day.isoformat(), figures.last_day.isoformat()
    meta = _meta(f"统计期间 {first} 至 {last}", f"Period {first} to {last}") + _meta(
        f"第 {report.version} 版 · 发布于 {published}",
        f"Version {report.version}, published {published}",
    )
    body = _reports(figures) + _areas(figures) + _survey(figures.survey)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(zh)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_both(zh, en)}</h1>{meta}{body}</body></html>"
    )
