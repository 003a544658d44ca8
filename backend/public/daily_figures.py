"""The area page's case figures of a region, kept in the process for the day they are of.

They run to the end of the previous city day and so cannot change during the day: one
statistics pass per region per day serves every resident who reads the page.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

from backend.public.rules import CaseFigures


class DailyFigures:
    """The last `size` (region, day) figures asked for, the least recently read dropped first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[int, date], CaseFigures] = OrderedDict()

    def get(self, region_id: int, day: date) -> CaseFigures | None:
        found = self._kept.get((region_id, day))
        if found is not None:
            self._kept.move_to_end((region_id, day))
        return found

    def put(self, region_id: int, day: date, figures: CaseFigures) -> None:
        self._kept[(region_id, day)] = figures
        self._kept.move_to_end((region_id, day))
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)
