"""A survey's indices, as pure arithmetic: 安全感 index, 满意度, 知晓率, 支持率 by region.

No I/O here. Each region's answers come in as a `Tally` of sums, so a parent's figures are
exactly the pooled figures of every answer below it (weights by answers). The 安全感 index
is a mean of 0–100 scores with a Student-t interval; the rates are shares with a Wilson
score interval. A figure from fewer than `MIN_ANSWERS` answers is not shown: a handful of
answers says little, and in a small region it might name who gave them. Nor is one that,
taken from a shown parent's, would give such a handful's away (complementary_suppression).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from backend.surveys.schemas import FigureOut, IndicesOut, Standing

MIN_ANSWERS: Final = 5
# The figures of a region, each suppressed on its own: the answer sets, then each index.
FIGURES: Final = ("answered", "safety", "satisfaction", "awareness", "support")
_Z: Final = 1.959963984540054  # the normal distribution's 97.5 % point
# t(0.975, df) for df 1..30; beyond, the Cornish-Fisher series around _Z (error < 1e-4).
_T_TABLE: Final = (
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
    2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
    2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Moments:
    """n, Σx and Σx² of the answer sets' safety scores: enough to pool and to give a mean
    with its interval."""

    n: int = 0
    total: float = 0.0
    squares: float = 0.0

    def __add__(self, other: Moments) -> Moments:
        return Moments(self.n + other.n, self.total + other.total, self.squares + other.squares)


@dataclass(frozen=True, slots=True)
class Share:
    """How many answered a proportion item, and how many of them chose a positive option."""

    answered: int = 0
    positive: int = 0

    def __add__(self, other: Share) -> Share:
        return Share(self.answered + other.answered, self.positive + other.positive)


@dataclass(frozen=True, slots=True)
class Tally:
    """The sums of one region's answer sets (or of every answer set below a region)."""

    answered: int = 0
    safety: Moments = Moments()
    satisfaction: Share = Share()
    awareness: Share = Share()
    support: Share = Share()

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.answered + other.answered,
            self.safety + other.safety,
            self.satisfaction + other.satisfaction,
            self.awareness + other.awareness,
            self.support + other.support,
        )


@dataclass(frozen=True, slots=True)
class Items:
    """Which standard items a questionnaire has: a figure exists only for those."""

    safety: bool = True
    satisfaction: bool = True
    awareness: bool = True
    support: bool = True


def t_975(df: int) -> float:
    """Student's t at 97.5 % with `df` degrees of freedom (df ≥ 1)."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df <= len(_T_TABLE):
        return _T_TABLE[df - 1]
    z = _Z
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


def mean_interval(moments: Moments) -> tuple[float, float, float] | None:
    """(mean, low, high): the mean score and its 95 % interval, clipped to 0–100; None with
    fewer than two scores (no spread to measure)."""
    n = moments.n
    if n < 2:
        return None
    mean = moments.total / n
    variance = max(0.0, (moments.squares - moments.total * mean) / (n - 1))
    half = t_975(n - 1) * math.sqrt(variance / n)
    return mean, max(0.0, mean - half), min(100.0, mean + half)


def wilson_interval(share: Share) -> tuple[float, float, float] | None:
    """(rate, low, high) in percent: the positive share and its Wilson score interval."""
    n = share.answered
    if n < 1:
        return None
    p = share.positive / n
    z2 = _Z * _Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return 100.0 * p, max(0.0, 100.0 * (centre - half)), min(100.0, 100.0 * (centre + half))


def standing(low: float, high: float, target: float) -> Standing:
    """Meets the target when the whole interval is at or above it, below when wholly under."""
    if low >= target:
        return "meets"
    if high < target:
        return "below"
    return "uncertain"


def figure(
    n: int, interval: tuple[float, float, float] | None, target: float, *, hidden: bool = False
) -> FigureOut:
    """One figure as staff see it: nothing but n when fewer than MIN_ANSWERS gave it, or when
    it is `hidden` lest it give away a smaller group (see `complementary_suppression`).

    The standing is decided on the interval as computed, then rounded for display: a low
    bound of 94.996 is not at a target of 95, though it shows as 95.0."""
    if hidden or n < MIN_ANSWERS or interval is None:
        return FigureOut(n=n, value=None, low=None, high=None, standing=None)
    value, low, high = interval
    return FigureOut(
        n=n,
        value=round(value, 2),
        low=round(low, 2),
        high=round(high, 2),
        standing=standing(low, high, target),
    )


def indices_of(
    tally: Tally, items: Items, *, target: float, hidden: frozenset[str] = frozenset()
) -> IndicesOut:
    """The indices of one region's tally as staff see them (n always shown); the figures
    named in `hidden` (see FIGURES) show only their n."""
    return IndicesOut(
        answered=tally.answered,
        safety=(
            figure(
                tally.safety.n,
                mean_interval(tally.safety),
                target,
                hidden="safety" in hidden,
            )
            if items.safety
            else None
        ),
        satisfaction=_rate(
            tally.satisfaction, items.satisfaction, target, "satisfaction" in hidden
        ),
        awareness=_rate(tally.awareness, items.awareness, target, "awareness" in hidden),
        support=_rate(tally.support, items.support, target, "support" in hidden),
    )


def _rate(share: Share, present: bool, target: float, hidden: bool) -> FigureOut | None:
    return (
        figure(share.answered, wilson_interval(share), target, hidden=hidden) if present else None
    )


def count_of(tally: Tally, name: str) -> int:
    """How many answers one figure (one of FIGURES) of a tally rests on."""
    if name == "answered":
        return tally.answered
    if name == "safety":
        return tally.safety.n
    share: Share = getattr(tally, name)
    return share.answered


def complementary_suppression(nodes: Sequence[tuple[str, Tally]]) -> dict[str, frozenset[str]]:
    """The figures (of FIGURES) to hide at each node of a rolled-up tree (path → names),
    beyond those with fewer than MIN_ANSWERS answers.

    A shown region's count and figure less those of the nearest shown regions below it give
    the rest exactly (answers entered for the region itself, and those below hidden ones):
    were the rest 1 to 4 answers, their figure could be worked out. So, per figure, while a
    shown region leaves such a rest, the smallest of the nearest shown regions below it (by
    count, then code) is hidden too, until none does. The nearest shown regions, not only
    the children: a hidden child's figure is its parent's less its shown siblings', so a
    region shown below it would give its rest away just the same.
    """
    paths = [path for path, _ in nodes]
    hidden: dict[str, set[str]] = {path: set() for path in paths}
    for name in FIGURES:
        counts = {path: count_of(tally, name) for path, tally in nodes}
        shown = {path for path in paths if counts[path] >= MIN_ANSWERS}
        while (exposed := _exposing(shown, counts)) is not None:
            shown.discard(exposed)
            hidden[exposed].add(name)
    return {path: frozenset(names) for path, names in hidden.items()}


def _exposing(shown: set[str], counts: Mapping[str, int]) -> str | None:
    """A shown node to hide lest a shown parent less its shown descendants give away a group
    of 1 to 4 answers; None when no such parent is left."""
    for parent in sorted(shown):
        below = _nearest_shown_below(parent, shown)
        residual = counts[parent] - sum(counts[path] for path in below)
        if 0 < residual < MIN_ANSWERS:
            return min(below, key=lambda path: (counts[path], _code(path)))
    return None


def _nearest_shown_below(parent: str, shown: set[str]) -> list[str]:
    """The shown nodes strictly below `parent` with no shown node between them and it."""
    below = [path for path in shown if path != parent and path.startswith(parent)]
    return [
        path
        for path in below
        if not any(other != path and path.startswith(other) for other in below)
    ]


def _code(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def publicly(indices: IndicesOut, *, count_hidden: bool = False) -> IndicesOut:
    """The indices as anyone may read them: no count below MIN_ANSWERS either, nor the
    answer count when `count_hidden` (see complementary_suppression)."""
    answered = None if count_hidden else indices.answered
    return IndicesOut(
        answered=answered if answered is not None and answered >= MIN_ANSWERS else None,
        safety=_public_figure(indices.safety),
        satisfaction=_public_figure(indices.satisfaction),
        awareness=_public_figure(indices.awareness),
        support=_public_figure(indices.support),
    )


def _public_figure(figure_out: FigureOut | None) -> FigureOut | None:
    if figure_out is None or figure_out.value is not None:
        return figure_out
    return FigureOut(n=None, value=None, low=None, high=None, standing=None)


def roll_up(root: str, tallies: Mapping[str, Tally]) -> list[tuple[str, Tally]]:
    """Each node of the tree under `root` (a region path) with the pooled tally of every
    answer region at or below it: `root` first, then every region between it and the answer
    regions that has answers below it, depth-first by path. Regions outside `root` are left
    out."""
    pooled: dict[str, Tally] = {root: Tally()}
    for path, tally in tallies.items():
        if not path.startswith(root):
            continue
        for node in _nodes_between(root, path):
            pooled[node] = pooled.get(node, Tally()) + tally
    # "/" sorts before every character of a code, so path order is depth-first order.
    return sorted(pooled.items())


def _nodes_between(root: str, path: str) -> list[str]:
    """`root`, `path` and every region path between them."""
    codes = path[len(root) :].strip("/").split("/") if path != root else []
    nodes = [root]
    for code in codes:
        nodes.append(f"{nodes[-1]}{code}/")
    return nodes


def ancestor_paths(path: str) -> list[str]:
    """The paths of every region above the region path `path`, top-down, and `path` itself."""
    codes = [code for code in path.split("/") if code]
    return ["/" + "".join(f"{code}/" for code in codes[:n]) for n in range(1, len(codes) + 1)]


def pooled_below(node: str, tallies: Mapping[str, Tally]) -> Tally:
    """The pooled tally of every answer region at or below the region path `node`."""
    total = Tally()
    for path, tally in tallies.items():
        if path.startswith(node):
            total = total + tally
    return total
