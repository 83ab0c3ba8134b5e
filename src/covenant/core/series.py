"""Bucketed SLI data: ``(good, total)`` integer counts per fixed bucket, many series at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from covenant.errors import InputError

Counts = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class BucketMatrix:
    """Dense counts for ``keys`` over ``[start, start + n × step)`` (epoch seconds, UTC).

    Row ``i`` of ``good`` and ``total`` is the series ``keys[i]``; column ``j`` is the bucket
    starting at ``start + j × step``. A bucket with ``total == 0`` has no events.
    """

    keys: tuple[str, ...]
    start: int
    step: int
    good: Counts
    total: Counts

    def __post_init__(self) -> None:
        if self.step <= 0 or self.start % self.step:
            raise InputError(f"bucket start {self.start} is not aligned to the step {self.step}s")
        shape = (len(self.keys), self.good.shape[-1] if self.good.ndim == 2 else 0)
        if self.good.shape != shape or self.total.shape != shape:
            raise InputError(f"good/total must both have shape {shape}")
        if self.good.dtype != np.int64 or self.total.dtype != np.int64:
            raise InputError("bucket counts must be int64")

    @property
    def end(self) -> int:
        return self.start + int(self.good.shape[1]) * self.step

    def row(self, key: str) -> int:
        return int(self.keys.index(key))

    @classmethod
    def empty(cls, keys: tuple[str, ...], *, start: int, end: int, step: int) -> BucketMatrix:
        n = (end - start) // step
        zeros = np.zeros((len(keys), n), dtype=np.int64)
        return cls(keys=keys, start=start, step=step, good=zeros, total=zeros.copy())


@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeCounts:
    """Cumulative ``(good, total)`` counts of many series at a few chosen instants.

    ``good[i, j]`` counts the good events of ``keys[i]`` in the buckets that start before
    ``edges[j]`` (and at or after an origin that every column shares), so the events of any
    window ``[edges[a], edges[b])`` are ``good[i, b] − good[i, a]``. ``edges`` are sorted,
    distinct and aligned to ``step``. This is all an event-based (Occurrences) evaluation needs:
    the store can answer it from its per-day sums without decoding most buckets.
    """

    keys: tuple[str, ...]
    step: int
    edges: Counts
    good: Counts
    total: Counts

    def __post_init__(self) -> None:
        shape = (len(self.keys), int(self.edges.size))
        if self.good.shape != shape or self.total.shape != shape:
            raise InputError(f"good/total must both have shape {shape}")
        if self.edges.size and (np.any(self.edges % self.step) or np.any(np.diff(self.edges) <= 0)):
            raise InputError(f"edges must be distinct, sorted and aligned to {self.step}s")

    def columns(self, instants: Counts) -> Counts:
        """The column of each instant (each must be one of ``edges``)."""
        cols = np.searchsorted(self.edges, instants)
        if np.any(cols >= self.edges.size) or np.any(
            self.edges[np.minimum(cols, self.edges.size - 1)] != instants
        ):
            raise InputError("a window edge the evaluation needs was not loaded")
        return cols.astype(np.int64)

    @classmethod
    def from_matrix(cls, data: BucketMatrix, edges: Counts) -> EdgeCounts:
        """Cumulative counts of ``data`` at ``edges`` (buckets outside the data count zero)."""
        edges = np.unique(np.asarray(edges, dtype=np.int64))
        n = int(data.good.shape[1])
        cols = np.clip((edges - data.start) // data.step, 0, n)
        inner = np.unique(cols[(cols > 0) & (cols < n)])
        rows = len(data.keys)
        # Sums between consecutive inner columns, then a running total: no full prefix array.
        bounds = np.concatenate(([0], inner)).astype(np.intp)
        at = np.concatenate((inner, [n]))  # the column each running total reaches
        out = []
        for counts in (data.good, data.total):
            cum = np.zeros((rows, at.size + 1), dtype=np.int64)
            if n and rows:
                np.cumsum(np.add.reduceat(counts, bounds, axis=1), axis=1, out=cum[:, 1:])
            position = np.searchsorted(np.concatenate(([0], at)), cols)
            out.append(np.ascontiguousarray(cum[:, position]))
        return cls(keys=data.keys, step=data.step, edges=edges, good=out[0], total=out[1])


def unique_sorted(values: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """The distinct values, ascending, as int64: ``np.unique`` without its masked-array check,
    which imports ``numpy.ma`` (a noticeable part of a short command's start-up)."""
    ordered = np.sort(np.asarray(values, dtype=np.int64), axis=None)
    keep = np.empty(ordered.size, dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]
