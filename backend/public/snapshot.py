"""The figures frozen in a public report, as stored and as read back later.

A report keeps its figures in the shape they had when it was published, while the shapes
of the page, the survey and the key areas move on. So a stored report is read leniently:
keys no field knows are ignored, a missing field takes its default (null, an empty list),
a list item that cannot be read is left out and an optional section that cannot be read is
null. The heading (region, period, as-of) comes from the report's own row when missing.
"""

from __future__ import annotations

import types
from contextlib import suppress
from datetime import datetime
from typing import Annotated, Any, Final, Union, get_args, get_origin

import msgspec

from backend.public.schemas import PublishedFiguresOut
from backend.stats.rules import Period

# The shape of the stored figures; stored with them so that a reader can tell shapes apart.
FIGURES_VERSION: Final = 2


class _Unreadable(Exception):
    """A stored value that cannot be read as the field it is for."""


def stored(figures: PublishedFiguresOut) -> dict[str, Any]:
    """The figures as they are kept with the report (camelCase JSON, with their version)."""
    data: dict[str, Any] = msgspec.to_builtins(figures)
    return {"figuresVersion": FIGURES_VERSION, **data}


def read(
    raw: Any,
    *,
    region: dict[str, str],
    period: Period,
    published_at: datetime,
) -> PublishedFiguresOut:
    """The stored figures read with today's fields; `region`, `period` and `published_at`
    (the report's row) stand in for a heading the snapshot lacks."""
    heading = {
        "region": region,
        "periodLabel": period.label,
        "firstDay": period.first_day.isoformat(),
        "lastDay": period.last_day.isoformat(),
        "asOf": published_at.isoformat(),
    }
    data = raw if isinstance(raw, dict) else {}
    # The stored heading first, the row's when that cannot be read, the row's alone last.
    for attempt in ({**heading, **data}, {**data, **heading}):
        try:
            figures: PublishedFiguresOut = _read(PublishedFiguresOut, attempt)
            return figures
        except _Unreadable:
            continue
    bare: PublishedFiguresOut = _read(PublishedFiguresOut, heading)
    return bare


def _nullable(kind: Any) -> bool:
    return _is_union(kind) and type(None) in get_args(kind)


def _is_union(kind: Any) -> bool:
    return get_origin(kind) in (Union, types.UnionType)


def _is_list(kind: Any) -> bool:
    return get_origin(kind) is list or (
        get_origin(kind) is Annotated and _is_list(get_args(kind)[0])
    )


def _read(kind: Any, raw: Any) -> Any:
    if get_origin(kind) is Annotated and _is_list(kind):
        return _read(get_args(kind)[0], raw)
    if _is_union(kind):
        if raw is None and _nullable(kind):
            return None
        others = [k for k in get_args(kind) if k is not type(None)]
        if len(others) == 1:
            try:
                return _read(others[0], raw)
            except _Unreadable:
                if _nullable(kind):
                    return None
                raise
    elif get_origin(kind) is list:
        if not isinstance(raw, list):
            raise _Unreadable
        (item,) = get_args(kind)
        items = []
        for value in raw:
            try:
                items.append(_read(item, value))
            except _Unreadable:
                continue
        return items
    elif isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return _struct(kind, raw)
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError:
        raise _Unreadable from None


def _struct(kind: type[msgspec.Struct], raw: Any) -> msgspec.Struct:
    if not isinstance(raw, dict):
        raise _Unreadable
    values: dict[str, Any] = {}
    for field in msgspec.structs.fields(kind):
        if field.encode_name in raw:
            # A value that cannot be read is treated as missing: defaulted below, or refused.
            with suppress(_Unreadable):
                values[field.name] = _read(field.type, raw[field.encode_name])
                continue
        if not field.required:
            continue
        if _nullable(field.type):
            values[field.name] = None
        elif _is_list(field.type):
            values[field.name] = []
        else:
            raise _Unreadable
    return kind(**values)
