"""The findings ledger (问题台账): one finding, its moves to 销号, and what assessment counts.

A move carries the caller's own `clientId`, so a phone's offline queue may replay it: the
same clientId with the same move (action, note, deadline, photos) again returns the finding as
it stands instead of a second move; another move under it is refused (409).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import asyncpg

from backend.accounts.rules import Principal
from backend.audit import service as audit
from backend.clock import start_of_day
from backend.db.types import Connection
from backend.duties import service as duties
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.media import service as media
from backend.media.links import PhotoLinks
from backend.oversight import (
    finding_rules,
    findings_access,
    findings_news,
    findings_queries,
    findings_views,
    inspections_limits,
)
from backend.oversight.findings_duty import SUBJECT_KIND
from backend.oversight.inspections_schemas import FindingOut, MoveIn
from backend.regions.paths import subtree_bounds
from backend.settings import Settings

NOT_FOUND = NotFound("oversight.finding_not_found", "找不到该问题", "No such finding")
CLIENT_ID_REUSED = Conflict(
    "oversight.client_id_reused",
    "该离线编号已用于另一项操作",
    "This clientId was already used for another move",
    fields={"clientId": "used for another move"},
)
OWN_FINDING = Forbidden(
    "oversight.own_finding",
    "责任单位人员和整改反馈人不能复查、销号或退回自己办理的问题",
    "Whoever answers for a finding or reported on it may not recheck, close or reopen it",
)


async def findings_on_time(
    conn: Connection,
    *,
    region_path: str | None,
    department_id: int | None,
    first_day: date,
    last_day: date,
    timezone: str | None = None,
    now: datetime | None = None,
) -> tuple[int, int]:
    """(closed on time, decided) of the findings a unit answers for (a region with its
    subtree, or a department; neither is the whole city) whose first deadline fell in the
    period, days in `timezone` (default: the configured city zone).

    Decided by `now` (default: the wall clock): closed, or past the first deadline without a
    整改反馈 made by it still awaiting its recheck. On time: closed with the last 整改反馈 by
    the first deadline (FindingOut.closedOnTime)."""
    zone = timezone or Settings().timezone
    lo, hi = subtree_bounds(region_path) if region_path else (None, None)
    row = await findings_queries.on_time(
        conn,
        lo=lo,
        hi=hi,
        department_id=department_id,
        start=start_of_day(zone, first_day),
        end=start_of_day(zone, last_day + timedelta(days=1)),
        now=now or datetime.now(UTC),
    )
    return int(row["on_time"]), int(row["due"])


async def visible_row(
    conn: Connection, principal: Principal, finding_id: int, *, lock: bool = False
) -> asyncpg.Record:
    """A finding the caller sees; 404 otherwise (existence is not revealed)."""
    row = await findings_queries.finding(
        conn,
        finding_id=finding_id,
        viewer=findings_access.viewer_of(principal),
        for_update=lock,
    )
    if row is None:
        raise NOT_FOUND
    return row


async def one(
    conn: Connection,
    principal: Principal,
    finding_id: int,
    *,
    now: datetime,
    links: PhotoLinks | None = None,
) -> FindingOut:
    """One finding with its timeline."""
    row = await visible_row(conn, principal, finding_id)
    return await findings_views.with_events(conn, row, links=links, now=now)


def _check(
    principal: Principal,
    row: asyncpg.Record,
    data: MoveIn,
    *,
    reporter: int | None,
    now: datetime,
) -> str:
    """The state the move leads to, once it is the caller's to take and complete."""
    answers = findings_access.answers(principal, row)
    checks = findings_access.checks(principal, row)
    # A checker must not pass their own rectification: the unit and its reporter are out.
    if (
        checks
        and finding_rules.WHO.get(data.action) == "checker"
        and (answers or reporter == principal.user_id)
    ):
        raise OWN_FINDING
    if not finding_rules.may_move(data.action, answers=answers, checks=checks):
        raise Forbidden(
            "oversight.not_your_move",
            "签收和整改反馈由责任单位办理，复查、销号和退回由督查人员办理",
            "The responsible unit accepts and reports; the inspectors recheck, close and reopen",
        )
    target = finding_rules.next_state(row["state"], data.action)
    if target is None:
        raise Conflict(
            "oversight.finding_state",
            "该问题当前状态不能进行此操作",
            f"A finding that is {row['state']} cannot be moved by {data.action}",
        )
    lacks = finding_rules.missing(
        finding_rules.Move(data.action, data.note, len(data.media_ids), data.deadline), now=now
    )
    if lacks:
        raise Invalid(
            "oversight.move_incomplete",
            "整改反馈须附照片和说明；复查须写明意见；退回须写明原因并给出新的整改期限",
            "A report needs evidence photos and a note; a recheck a note; a reopen a reason and "
            "a later deadline",
            fields=lacks,
        )
    return target


async def _write(
    conn: Connection,
    principal: Principal,
    row: asyncpg.Record,
    data: MoveIn,
    target: str,
    *,
    settings: Settings,
    now: datetime,
) -> None:
    event_id = await findings_queries.insert_event(
        conn,
        values={
            "finding_id": row["id"],
            "region_id": row["region_id"],
            "at": now,
            "actor_id": principal.user_id,
            "actor_role": principal.role,
            "action": data.action,
            "from_state": row["state"],
            "to_state": target,
            "note": data.note.strip(),
            "deadline": data.deadline if data.action == "reopen" else None,
            "client_id": data.client_id,
            "detail": {"photos": len(data.media_ids)},
        },
    )
    if event_id is None:  # under the finding's lock only a move on another finding can hold it
        raise CLIENT_ID_REUSED
    await inspections_limits.take(conn, principal, settings=settings, now=now)
    await _attach(conn, principal, data, event_id=event_id, region_id=row["region_id"], now=now)
    await findings_queries.set_state(
        conn,
        finding_id=row["id"],
        state=target,
        now=now,
        reported=data.action == "report",
        closed=data.action == "close",
        deadline=data.deadline if data.action == "reopen" else None,
    )
    await _duty(conn, row, data, settings=settings, now=now)
    await audit.record(
        conn,
        actor_id=principal.user_id,
        action=f"oversight.finding_{data.action}",
        subject=("finding", str(row["id"])),
        region_id=row["region_id"],
        detail={"eventId": event_id, "from": row["state"], "to": target},
    )


async def _attach(
    conn: Connection,
    principal: Principal,
    data: MoveIn,
    *,
    event_id: int,
    region_id: int,
    now: datetime,
) -> None:
    if not await media.attach_to_subject(
        conn,
        media_ids=list(data.media_ids),
        uploader_id=principal.user_id,
        subject_kind=findings_views.EVENT_PHOTOS,
        subject_id=event_id,
        region_id=region_id,
        now=now,
    ):
        raise BAD_PHOTOS


def _same_move(replay: asyncpg.Record, finding_id: int, data: MoveIn) -> bool:
    """Whether a move already taken under this clientId is the one asked again."""
    deadline = data.deadline if data.action == "reopen" else None
    return bool(
        replay["finding_id"] == finding_id
        and replay["action"] == data.action
        and replay["note"] == data.note.strip()
        and replay["deadline"] == deadline
        and sorted(replay["media_ids"]) == sorted(data.media_ids)
    )


BAD_PHOTOS = Invalid(
    "oversight.bad_photos",
    "照片无效：不存在、不是您上传的证据照片或已被使用",
    "A photo is unknown, not your evidence upload, or already used",
    fields={"mediaIds": "invalid"},
)


async def _duty(
    conn: Connection, row: asyncpg.Record, data: MoveIn, *, settings: Settings, now: datetime
) -> None:
    """整改反馈 ends what the unit owes and asks the author to recheck; a reopen owes it again
    by the new deadline and tells the unit."""
    if data.action == "report":
        await duties.complete(conn, subject_kind=SUBJECT_KIND, subject_id=row["id"], now=now)
        await findings_news.tell_checker(
            conn,
            finding_id=row["id"],
            text=row["text"],
            region_id=row["region_id"],
            author_id=row["inspection_author"],
            now=now,
        )
    elif data.action == "reopen" and data.deadline is not None:
        await duties.owe_again(
            conn,
            subject_kind=SUBJECT_KIND,
            subject_id=row["id"],
            due_at=data.deadline,
            settings=settings,
        )
        await findings_news.tell_unit(
            conn,
            finding_id=row["id"],
            text=row["text"],
            region_id=row["region_id"],
            unit_path=row["responsible_path"],
            department_id=row["responsible_department_id"],
            user_id=row["responsible_user_id"],
            now=now,
        )


async def move(
    conn: Connection,
    principal: Principal,
    finding_id: int,
    data: MoveIn,
    *,
    settings: Settings,
    now: datetime,
    links: PhotoLinks | None = None,
) -> tuple[FindingOut, bool]:
    """A move on a finding; (finding, False) when it was a replay of one already taken."""
    async with conn.transaction():
        replay = await findings_queries.event_by_client(
            conn, actor_id=principal.user_id, client_id=data.client_id
        )
        if replay is None:
            row = await visible_row(conn, principal, finding_id, lock=True)
            # The same move may have landed while we waited for the lock: a replay.
            replay = await findings_queries.event_by_client(
                conn, actor_id=principal.user_id, client_id=data.client_id
            )
            if replay is None:
                reporter = await findings_queries.last_reporter(conn, finding_id=finding_id)
                target = _check(principal, row, data, reporter=reporter, now=now)
                await _write(conn, principal, row, data, target, settings=settings, now=now)
    if replay is not None and not _same_move(replay, finding_id, data):
        raise CLIENT_ID_REUSED
    return await one(conn, principal, finding_id, now=now, links=links), replay is None
