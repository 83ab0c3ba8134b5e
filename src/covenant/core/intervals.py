"""Sets of half-open time intervals ``[start, end)`` in epoch seconds, kept sorted and merged."""

from __future__ import annotations

from collections.abc import Iterable

Span = tuple[int, int]


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted, non-overlapping, non-touching spans covering the same instants."""
    out: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def clip(spans: Iterable[Span], lo: int, hi: int) -> list[Span]:
    return merge((max(s, lo), min(e, hi)) for s, e in spans)


def subtract(spans: Iterable[Span], removed: Iterable[Span]) -> list[Span]:
    """``spans`` minus ``removed``."""
    cuts = merge(removed)
    out: list[Span] = []
    for start, end in merge(spans):
        cursor = start
        for cut_start, cut_end in cuts:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                out.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def intersect(a: Iterable[Span], b: Iterable[Span]) -> list[Span]:
    left, right = merge(a), merge(b)
    out: list[Span] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            out.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return out


def total(spans: Iterable[Span]) -> int:
    return sum(end - start for start, end in merge(spans))
