"""The routing index of one API process, kept current while regions change.

Each process holds its own index (microsecond look-ups, no database round trip). An import
bumps `region_revision` and NOTIFYs `regions_changed`; every process rebuilds on the
notification, and also checks the revision every few seconds, because a notification sent
while a listening connection was down is never delivered again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import asyncpg
from shapely.geometry import shape

from backend.db.types import Connection
from backend.regions import queries
from backend.regions.routing import IndexedPlace, IndexedRegion, RoutingIndex

log = logging.getLogger(__name__)
CHANNEL = "regions_changed"


def index_from_rows(rows: Sequence[asyncpg.Record], near_metres: float) -> RoutingIndex:
    """Build a routing index from `queries.list_all` rows (CPU work: run it off the loop)."""
    regions = [
        IndexedRegion(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            level=row["level"],
            parent_id=row["parent_id"],
            geometry=shape(row["geometry"]),
        )
        for row in rows
    ]
    return RoutingIndex.build(regions, near_metres=near_metres)


def places_from_rows(rows: Sequence[asyncpg.Record]) -> list[IndexedPlace]:
    """The active places of `queries.list_routed_places` rows, as routing sees them."""
    return [
        IndexedPlace(
            id=row["id"],
            geometry=None if row["geometry"] is None else shape(row["geometry"]),
            covers_path=row["covers_path"],
        )
        for row in rows
    ]


class LiveRoutingIndex:
    """The current routing index and the revision it was built from."""

    def __init__(self, near_metres: float) -> None:
        self.near_metres = near_metres
        self.index = RoutingIndex.build([], near_metres=near_metres)
        self.revision = -1
        # Places change far more often than regions; a rebuild for a new place keeps the
        # region layers when the tree itself is unchanged.
        self._regions_stamp: tuple[int, object] | None = None
        self._changed = asyncio.Condition()
        self._lock = asyncio.Lock()

    async def refresh(self, conn: Connection) -> bool:
        """Rebuild when the stored revision differs from ours; True when it did."""
        async with self._lock:
            revision = await queries.current_revision(conn)
            if revision == self.revision:
                return False
            stamp = await queries.regions_stamp(conn)
            places = places_from_rows(await queries.list_routed_places(conn))
            if stamp != self._regions_stamp:
                rows = await queries.list_all(conn)
                index = await asyncio.to_thread(index_from_rows, rows, self.near_metres)
                self._regions_stamp = stamp
            else:
                index = self.index
            self.index = await asyncio.to_thread(index.with_places, places)
            self.revision = revision
        log.info(
            "routing index rebuilt: revision %s, %s regions, %s places",
            revision,
            self.index.region_count,
            len(places),
        )
        async with self._changed:
            self._changed.notify_all()
        return True

    async def wait_for_revision(self, revision: int, within: float) -> bool:
        """Wait until the index is at `revision` or later; False when the time ran out."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.revision >= revision), within
                )
            except TimeoutError:
                return False
        return True

    async def follow(self, pool: asyncpg.Pool, dsn: str, poll_seconds: float) -> None:
        """Run until cancelled: rebuild on NOTIFY, and on a revision found changed by polling."""
        wake = asyncio.Event()
        while True:
            listener = await _listen(dsn, wake)
            try:
                await self._watch(pool, wake, listener, poll_seconds)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("region listener lost (%s); reconnecting", type(exc).__name__)
            finally:
                if listener is not None:
                    with contextlib.suppress(Exception):
                        await listener.close()
            await asyncio.sleep(poll_seconds)

    async def _watch(
        self,
        pool: asyncpg.Pool,
        wake: asyncio.Event,
        listener: Connection | None,
        poll_seconds: float,
    ) -> None:
        while listener is None or not listener.is_closed():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), poll_seconds)
            wake.clear()
            async with pool.acquire() as conn:
                await self.refresh(conn)
            if listener is None:
                return


async def _listen(dsn: str, wake: asyncio.Event) -> Connection | None:
    try:
        conn: Connection = await asyncpg.connect(dsn)
        await conn.add_listener(CHANNEL, lambda *_: wake.set())
    except (OSError, asyncpg.PostgresError) as exc:
        log.warning("cannot LISTEN for region changes (%s); polling only", type(exc).__name__)
        return None
    return conn
