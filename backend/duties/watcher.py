"""The one watcher of duties: 催办 to the owner at the due time, 督办 to the supervisors later.

A batch of due duties is taken with FOR UPDATE SKIP LOCKED inside one transaction: any number
of watchers share the work and never take the same duty, and a watcher that dies mid-batch
leaves nothing half done (its transaction rolls back and the duties are due again).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final, Literal, Protocol

import asyncpg

from backend.cases import service as cases
from backend.db.types import Connection
from backend.duties import queries, rules
from backend.push import service as push

log = logging.getLogger(__name__)

BATCH: Final = 200
# A subject that fails while being looked at is looked at again this much later, so that it
# neither holds up the duties behind it nor makes a watcher's loop spin.
RETRY_AFTER: Final = timedelta(minutes=5)
# A subject someone is changing right now (its owner's record in flight) is not waited for:
# the watcher holds the duty, which that change is about to end, so waiting could deadlock.
# Subjects lock with NOWAIT and the duty is looked at again this much later.
BUSY_RETRY: Final = timedelta(minutes=1)

Stage = Literal["remind", "supervise"]
KIND_OF_STAGE: Final[dict[Stage, str]] = {
    "remind": "duty_reminder",
    "supervise": "duty_supervision",
}


class Subject(Protocol):
    """What the domain behind a kind of duty tells the watcher.

    The watcher already holds the duty: a subject locks its own rows with NOWAIT, since the
    change holding them may be about to end that very duty; LockNotAvailableError from
    either method puts the duty off for BUSY_RETRY."""

    async def settle(self, conn: Connection, duty: asyncpg.Record, *, now: datetime) -> bool:
        """True when the thing owed is in fact done: the duty is completed, not reminded."""
        ...

    async def on_stage(
        self, conn: Connection, duty: asyncpg.Record, *, stage: Stage, now: datetime
    ) -> None:
        """Write the 催办/督办 event on the subject's own timeline."""
        ...


async def run_due(conn: Connection, *, now: datetime, subjects: Mapping[str, Subject]) -> int:
    """Handle one batch of duties whose due or supervision time has come; how many it took."""
    async with conn.transaction():
        due = await queries.due_for_check(conn, now=now, limit=BATCH)
        for duty in due:
            await _check_apart(conn, duty, now=now, subject=subjects.get(duty["subject_kind"]))
    return len(due)


async def _check_apart(
    conn: Connection, duty: asyncpg.Record, *, now: datetime, subject: Subject | None
) -> None:
    try:
        async with conn.transaction():  # a savepoint: one failing subject spoils no other duty
            await _check(conn, duty, now=now, subject=subject)
    except (OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError):
        raise  # the connection is gone: the whole batch is due again, for any watcher
    except asyncpg.LockNotAvailableError:
        await queries.look_again_at(conn, duty_id=duty["id"], check_at=now + BUSY_RETRY)
    except Exception:  # any fault in a subject's own domain must not stop the watcher
        log.exception("duty %s (%s) could not be watched", duty["id"], duty["subject_kind"])
        await queries.look_again_at(conn, duty_id=duty["id"], check_at=now + RETRY_AFTER)


async def _check(
    conn: Connection, duty: asyncpg.Record, *, now: datetime, subject: Subject | None
) -> None:
    watched = rules.Watched(
        state=duty["state"],
        due_at=duty["due_at"],
        supervise_at=duty["supervise_at"],
        reminded_at=duty["reminded_at"],
        supervised_at=duty["supervised_at"],
    )
    outcome = rules.outcome(watched, now=now)
    if (outcome.remind or outcome.supervise) and await _settled(conn, duty, subject, now):
        return
    if subject is None:
        log.warning("duty %s: no subject of kind %s", duty["id"], duty["subject_kind"])
    if outcome.remind:
        await _stage(conn, duty, "remind", await _owners(conn, duty), subject, now)
    if outcome.supervise:
        await _stage(conn, duty, "supervise", await _supervisors(conn, duty), subject, now)
    await queries.set_watch_state(
        conn,
        duty_id=duty["id"],
        reminded_at=now if outcome.remind else duty["reminded_at"],
        supervised_at=now if outcome.supervise else duty["supervised_at"],
        check_at=outcome.check_at,
    )


async def _settled(
    conn: Connection, duty: asyncpg.Record, subject: Subject | None, now: datetime
) -> bool:
    """Done in fact though nobody said so (enough patrols were reported): completed, not told."""
    if subject is None or not await subject.settle(conn, duty, now=now):
        return False
    return await queries.end_duty(
        conn,
        subject_kind=duty["subject_kind"],
        subject_id=duty["subject_id"],
        state="done",
        done_at=now,
    )


async def _stage(
    conn: Connection,
    duty: asyncpg.Record,
    stage: Stage,
    recipients: list[int],
    subject: Subject | None,
    now: datetime,
) -> None:
    payload = {
        "dutyId": duty["id"],
        "subjectKind": duty["subject_kind"],
        "subjectId": duty["subject_id"],
        "title": duty["title"],
        "dueAt": duty["due_at"].isoformat(),
    }
    await push.notify(
        conn,
        user_ids=recipients,
        kind=KIND_OF_STAGE[stage],
        region_id=duty["region_id"],
        payload=payload,
        now=now,
    )
    if subject is not None:
        await subject.on_stage(conn, duty, stage=stage, now=now)


async def _owners(conn: Connection, duty: asyncpg.Record) -> list[int]:
    """催办 goes to the owner; a unit that owns it is reached through the people who handle
    its cases: the users of a department, the workers of a region."""
    if duty["owner_user_id"] is not None:
        return [duty["owner_user_id"]]
    if duty["owner_department_id"] is None and duty["owner_region_path"] is None:
        return []
    news = await cases.handler_news(
        conn,
        assigned_path=duty["owner_region_path"],
        department_id=duty["owner_department_id"],
        kind=KIND_OF_STAGE["remind"],
    )
    return [user_id for user_id, _ in news]


async def _supervisors(conn: Connection, duty: asyncpg.Record) -> list[int]:
    """督办 goes to the supervisors of the duty's region and to whoever it names besides."""
    found = await cases.supervisors(conn, region_path=duty["region_path"])
    return list(dict.fromkeys([*found, *duty["escalate_to"]]))
