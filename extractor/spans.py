"""Sets of character spans that answer "does this span overlap / lie inside one of them" by bisection,
so that stages de-duplicating thousands of mentions in a long article stay n log n."""

from __future__ import annotations

import bisect


class SpanUnion:
    """The union of added spans, kept as sorted disjoint intervals: a span overlaps one of the added
    spans exactly when it overlaps their union."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start)
        if i and self.ends[i - 1] > start:
            return True
        return i < len(self.starts) and self.starts[i] < end

    def add(self, start: int, end: int) -> None:
        lo, hi = bisect.bisect_left(self.ends, start), bisect.bisect_right(self.starts, end)
        if lo < hi:  # merge with the intervals it touches
            start, end = min(start, self.starts[lo]), max(end, self.ends[hi - 1])
        self.starts[lo:hi] = [start]
        self.ends[lo:hi] = [end]


class DisjointSpans:
    """Spans that do not overlap one another, sorted: which one holds a given span."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.ends = [e for _, e in ordered]

    def holds(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and end <= self.ends[i]
