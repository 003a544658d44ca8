"""Counters, histograms and gauges of one process, written out in Prometheus text format.

Every process keeps its own numbers (nothing is shared between API processes); Prometheus
scrapes each process and sums them. One event loop updates them, so no lock is needed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

Labels = tuple[str, ...]
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Sample:
    suffix: str
    labels: tuple[tuple[str, str], ...]
    value: float


@dataclass(slots=True)
class Family:
    """One metric with a fixed set of label names; `kind` is counter, gauge or histogram."""

    name: str
    help: str
    kind: str
    label_names: Labels = ()
    values: dict[Labels, float] = field(default_factory=dict)

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        self.values[labels] = self.values.get(labels, 0.0) + amount

    def set(self, *labels: str, value: float) -> None:
        self.values[labels] = value

    def samples(self) -> Iterator[Sample]:
        for labels, value in sorted(self.values.items()):
            yield Sample("", tuple(zip(self.label_names, labels, strict=True)), value)


def counter(name: str, help: str, *label_names: str) -> Family:
    return Family(name, help, "counter", label_names)


def gauge(name: str, help: str, *label_names: str) -> Family:
    return Family(name, help, "gauge", label_names)


@dataclass(slots=True)
class Histogram:
    """Cumulative buckets, sum and count per label set."""

    name: str
    help: str
    label_names: Labels
    buckets: Sequence[float]
    kind: str = "histogram"
    counts: dict[Labels, list[int]] = field(default_factory=dict)
    sums: dict[Labels, float] = field(default_factory=dict)

    def observe(self, value: float, *labels: str) -> None:
        counts = self.counts.setdefault(labels, [0] * (len(self.buckets) + 1))
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                counts[i] += 1
        counts[-1] += 1
        self.sums[labels] = self.sums.get(labels, 0.0) + value

    def samples(self) -> Iterator[Sample]:
        for labels, counts in sorted(self.counts.items()):
            named = tuple(zip(self.label_names, labels, strict=True))
            for bound, count in zip([*self.buckets, math.inf], counts, strict=True):
                yield Sample("_bucket", (*named, ("le", _number(bound))), count)
            yield Sample("_sum", named, self.sums[labels])
            yield Sample("_count", named, counts[-1])


Metric = Family | Histogram


def render(metrics: Iterable[Metric]) -> str:
    """The text exposition format, version 0.0.4."""
    lines: list[str] = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {_escape_help(metric.help)}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        lines.extend(
            f"{metric.name}{s.suffix}{_labels(s.labels)} {_number(s.value)}"
            for s in metric.samples()
        )
    return "\n".join(lines) + "\n"


def _labels(pairs: tuple[tuple[str, str], ...]) -> str:
    if not pairs:
        return ""
    inner = ",".join(f'{k}="{_escape_value(v)}"' for k, v in pairs)
    return "{" + inner + "}"


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_value(text: str) -> str:
    return _escape_help(text).replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return repr(float(value)) if value != int(value) else str(int(value))
