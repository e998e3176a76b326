"""Sets of character spans that answer "does this span overlap / lie inside one of them" by bisection,
so that stages de-duplicating thousands of mentions in a long article stay n log n."""

from __future__ import annotations

import bisect
from typing import Generic, TypeVar

T = TypeVar("T")


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


class DisjointSpans(Generic[T]):
    """Spans that do not overlap one another, each with the thing it belongs to: which span holds a
    given one, and which things lie within a given span."""

    def __init__(self, spans: list[tuple[int, int]], items: list[T] | None = None) -> None:
        order = sorted(range(len(spans)), key=lambda i: spans[i])
        self.starts = [spans[i][0] for i in order]
        self.ends = [spans[i][1] for i in order]
        self.items = [items[i] for i in order] if items is not None else []

    def holds(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and end <= self.ends[i]

    def within(self, start: int, end: int) -> list[T]:
        """The things whose spans lie inside [start, end), in order."""
        return self.items[bisect.bisect_left(self.starts, start) : bisect.bisect_right(self.ends, end)]


class CoveringSpans:
    """Spans added one by one within [origin, limit]: whether one of them covers a given span. A
    Fenwick tree holds the largest end among the spans starting at or before each offset."""

    def __init__(self, origin: int, limit: int) -> None:
        self.origin = origin
        self.tree = [-1] * (limit - origin + 2)

    def add(self, start: int, end: int) -> None:
        i = start - self.origin + 1
        while i < len(self.tree):
            self.tree[i] = max(self.tree[i], end)
            i += i & -i

    def covers(self, start: int, end: int) -> bool:
        i, best = start - self.origin + 1, -1
        while i > 0:
            best = max(best, self.tree[i])
            i -= i & -i
        return best >= end
