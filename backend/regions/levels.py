"""Region levels, shallowest first: 区县 district, 街道乡镇 street, 社区村 community, 网格 grid,
微网格 microgrid."""

from __future__ import annotations

from typing import Final, Literal, TypeGuard

Level = Literal["district", "street", "community", "grid", "microgrid"]

LEVELS: Final[tuple[Level, ...]] = ("district", "street", "community", "grid", "microgrid")

# Grids and micro-grids are where people work a case; the shallower levels only enclose them.
LEAF_LEVELS: Final[frozenset[Level]] = frozenset({"grid", "microgrid"})

_DEPTH: Final[dict[Level, int]] = {level: index for index, level in enumerate(LEVELS)}


def depth(level: Level) -> int:
    """How far below a district the level sits: district 0 … microgrid 4."""
    return _DEPTH[level]


def is_level(value: object) -> TypeGuard[Level]:
    """Whether `value` names one of the region levels."""
    return isinstance(value, str) and value in _DEPTH
