"""App answers re-written in batches, so that none can be tied to the device that gave it.

An app answer and its device's mark are written by one transaction: until they are written
anew they share that transaction's id, and the answers' ids and the marks' order on disk
follow the order they came in. So both are written `pending`; once a survey holds
`survey_answer_batch` pending app answers, and when it closes, they are deleted and written
anew: the answers in a random order, dated the day of the re-writing, in one transaction,
the marks in order of mark in another. Within a batch, no answer can then be told from
another by its transaction, its id or its day, even by whoever holds the mark key. Readers
count pending answers like any other, so the tallies are never behind.
"""

from __future__ import annotations

import random
from datetime import datetime

from backend.clock import city_today
from backend.db.types import Connection
from backend.settings import Settings
from backend.surveys import queries

_SHUFFLE = random.SystemRandom()


async def flush_if_full(
    conn: Connection, *, survey_id: int, settings: Settings, now: datetime
) -> bool:
    """Re-write a survey's pending app answers once they make a whole batch; whether it did.

    Called after an answer's transaction has committed, never inside it."""
    batch = settings.survey_answer_batch
    if await queries.pending_answer_count(conn, survey_id=survey_id) < batch:
        return False
    return await flush(
        conn, survey_id=survey_id, timezone=settings.timezone, now=now, at_least=batch
    )


async def flush(
    conn: Connection, *, survey_id: int, timezone: str, now: datetime, at_least: int = 0
) -> bool:
    """Re-write a survey's pending answers and marks when at least `at_least` answers are
    pending (all of them, whatever their number, when a survey closes); whether it did.

    The survey's row is locked, so two callers do not re-write one batch twice; the count is
    taken again under the lock, as another may have re-written it meanwhile.
    """
    async with conn.transaction():
        await queries.survey_in_scope(conn, survey_id=survey_id, lo=None, hi=None, lock=True)
        pending = await queries.pending_answer_count(conn, survey_id=survey_id)
        if pending < at_least:
            return False
        if pending:
            shuffled = list(await queries.take_pending_answers(conn, survey_id=survey_id))
            _SHUFFLE.shuffle(shuffled)
            await queries.reinsert_answers(
                conn, survey_id=survey_id, rows=shuffled, day=city_today(timezone, now)
            )
    # The marks in a transaction apart: no answer then shares its transaction with any mark.
    async with conn.transaction():
        await queries.survey_in_scope(conn, survey_id=survey_id, lo=None, hi=None, lock=True)
        marks = await queries.take_pending_marks(conn, survey_id=survey_id)
        if marks:
            await queries.insert_marks(conn, survey_id=survey_id, marks=marks)
    return True
