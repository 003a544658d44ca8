"""Pure facts about categories: owner kinds and classes."""

from __future__ import annotations

from typing import Final

# "grid" keeps a case with the grid it happened in; the others route it to a department.
OWNER_KINDS: Final = {
    "grid": ("网格", "Grid"),
    "chengguan": ("城管", "City management"),
    "market": ("市场监管", "Market regulation"),
    "police": ("公安", "Police"),
}

CLASSES: Final = {
    "safety": ("平安建设", "Public safety"),
    "city": ("城市管理", "City management"),
    "facility": ("公共设施", "Public facilities"),
    "environment": ("生态环境", "Environment"),
    "mediation": ("矛盾调解", "Mediation"),
    "clue": ("线索举报", "Leads"),
    "market": ("市场监管", "Market"),
    "other": ("其他", "Other"),
}
# Disputes name neighbours; leads name suspects and those who tip them off: not for the public.
PRIVATE_CLASSES: Final = frozenset({"mediation", "clue"})


def public_by_default(class_: str, *, confidential: bool) -> bool:
    """Whether a new category's requests are published on Open311 unless an admin says."""
    return not confidential and class_ not in PRIVATE_CLASSES
