"""Classified events counted per ``(series, bucket)``: one batch, and a whole file's batches.

``count_cells`` counts one batch (``bincount`` over dense cells, sort-based ``unique`` past
``_DENSE_LIMIT``). ``EventTotals`` adds a file's batches into dense day chunks, as the store
keeps them, so memory follows the days and series a file covers, not its events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from covenant.errors import InputError, Problem
from covenant.sources.eventrows import I64, MAX_PROBLEMS, Mask

__all__ = [
    "ClassifiedEvents",
    "EventCounts",
    "EventTotals",
    "Pairs",
    "count_cells",
    "weighted_sums",
]

_DENSE_LIMIT = 1 << 24  # (series × buckets) cells counted densely; beyond, sort-based unique


@dataclass(frozen=True, slots=True, kw_only=True)
class EventCounts:
    """Counts per ``(series, bucket)``: entry ``i`` is ``keys[series[i]]`` at its bucket start."""

    keys: tuple[str, ...]
    series: I64
    bucket_starts: I64
    good: I64
    total: I64


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassifiedEvents:
    """What one file gave: counts, and an account of every row read."""

    counts: EventCounts
    rows_read: int
    rows_ingested: int
    rows_rejected: int
    rows_unmatched: int
    unmatched: tuple[tuple[str, int], ...]  # ("sli=foo", rows), most rows first
    problems: tuple[Problem, ...]  # the first MAX_PROBLEMS bad rows, in file order
    events_min: int | None  # epoch seconds of the earliest / latest ingested event
    events_max: int | None
    precounted: bool
    ahead: Ahead | None = None  # the ingested rows dated after the clock (with its skew)


@dataclass(frozen=True, slots=True, kw_only=True)
class Ahead:
    """The ingested rows of a file dated after the wall clock plus a skew (``FUTURE_SKEW_S``):
    how many, where the first is (``file:line``) and the latest timestamp (epoch seconds)."""

    rows: int
    first: str
    latest: int

    @property
    def latest_instant(self) -> datetime:
        return datetime.fromtimestamp(self.latest, tz=UTC)

    def merged(self, later: Ahead | None) -> Ahead:
        """This account and that of a later batch of the same file."""
        if later is None:
            return self
        return Ahead(
            rows=self.rows + later.rows, first=self.first, latest=max(self.latest, later.latest)
        )


_REDUCE_AT = 1 << 22  # pending sparse entries that trigger a merge (bounds memory)
_DENSE_BYTES = 256 << 20  # day chunks accumulated densely up to this size, then sparsely
_DAY = 86400
_LOOKUP_LIMIT = 1 << 22  # series × days a batch may span to be added row by row
_INT32_MAX = int(np.iinfo(np.int32).max)


@dataclass(slots=True, kw_only=True)
class EventTotals:
    """Adds up the ``ClassifiedEvents`` of a file's batches into one.

    Counts are added into dense day chunks (as the store keeps them: one row of buckets per
    series and UTC day), so memory follows the days and series the file covers, not its
    events. A file that scatters few events over very many days (over 256 MiB of chunks)
    switches to merging sparse ``(series, bucket)`` entries instead.
    """

    keys: tuple[str, ...]
    step: int = 60
    batches: int = 0
    rows_read: int = 0
    rows_ingested: int = 0
    rows_rejected: int = 0
    rows_unmatched: int = 0
    unmatched: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    events_min: int | None = None
    events_max: int | None = None
    precounted: bool | None = None
    ahead: Ahead | None = None
    _chunk_row: dict[int, int] = field(default_factory=dict)
    # (capacity, 2, buckets per day): *bad* (total - good), then total. Counting the bad
    # events (a few percent of them) instead of the good ones saves an add per event.
    _dense: npt.NDArray[np.int32 | np.int64] | None = None
    _bound: int = 0  # no cell of _dense exceeds this (the totals added so far)
    _good_first: bool = False  # day_chunks turned the bad counts into good ones
    _parts: list[tuple[I64, I64, I64, I64]] = field(default_factory=list)
    _pending: int = 0
    # _chunk_row as two arrays, keys sorted (rebuilt when a chunk is added): a batch finds its
    # chunks' rows with one searchsorted instead of a dictionary look-up per chunk
    _known: tuple[I64, I64] = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    def add(self, events: ClassifiedEvents) -> None:
        self.batches += 1
        self.rows_read += events.rows_read
        self.rows_ingested += events.rows_ingested
        self.rows_rejected += events.rows_rejected
        self.rows_unmatched += events.rows_unmatched
        for label, rows in events.unmatched:
            self.unmatched[label] = self.unmatched.get(label, 0) + rows
        room = MAX_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(events.problems[:room])
        if events.events_min is not None and events.events_max is not None:
            low, high = self.events_min, self.events_max
            self.events_min = events.events_min if low is None else min(low, events.events_min)
            self.events_max = events.events_max if high is None else max(high, events.events_max)
        if self.precounted is None and events.rows_read:
            self.precounted = events.precounted
        if events.ahead is not None:
            self.ahead = events.ahead if self.ahead is None else self.ahead.merged(events.ahead)
        c = events.counts
        if not c.series.size:
            return
        if c.keys != self.keys:
            raise InputError("batches of one file must be classified with the same rules")
        series = c.series.astype(np.int64, copy=False)
        if self._parts or not self._add_dense(series, c.bucket_starts, c.good, c.total):
            self._parts.append((series, c.bucket_starts, c.good, c.total))
            self._pending += int(series.size)
            if self._pending >= _REDUCE_AT and len(self._parts) > 1:
                self._reduce()

    def add_rows(
        self,
        pairs: list[Pairs],
        ok_rows: Mask,
        seconds: I64,
        weights: tuple[I64, I64] | None,
    ) -> bool:
        """Add every ok ``(row, series)`` pair straight into the day chunks (no per-batch
        counting); False (nothing added) when the chunks would grow too large or merging went
        sparse already, and the caller counts the batch itself.
        """
        if self._parts or not ok_rows.any():
            return not ok_rows.any() and not self._parts
        per_day = _DAY // self.step
        all_ok = bool(ok_rows.all())
        chosen: list[tuple[npt.NDArray[np.integer[Any]], I64, I64 | Mask, I64 | None]] = []
        for pair in pairs:
            if pair.rows is None and all_ok:  # the usual case: every row, no gather
                rows: I64 | None = None
                series = pair.series
                secs = seconds
            else:
                ok = ok_rows if pair.rows is None else ok_rows[pair.rows]
                rows = np.flatnonzero(ok) if pair.rows is None else pair.rows[ok]
                series = pair.series[ok]
                secs = seconds[rows]
            if weights is None:
                assert pair.good is not None
                good: I64 | Mask = pair.good if rows is None else pair.good[ok]
                total: I64 | None = None  # one event per row
            else:
                good = weights[0] if rows is None else weights[0][rows]
                total = weights[1] if rows is None else weights[1][rows]
            chosen.append((series, secs, good, total))
        bucket = np.concatenate([c[1] for c in chosen]) if len(chosen) > 1 else chosen[0][1]
        bucket = bucket // self.step
        day = bucket // per_day
        day0, day1 = int(day.min()), int(day.max())
        n_keys, n_days = len(self.keys), day1 - day0 + 1
        if n_keys * n_days > _LOOKUP_LIMIT:
            return False
        # which (series, day) chunks the batch touches, without sorting its rows
        cell = np.concatenate([c[0] for c in chosen]) if len(chosen) > 1 else chosen[0][0]
        cell = cell.astype(np.int64) * n_days
        day -= day0
        cell += day
        touched = np.flatnonzero(np.bincount(cell, minlength=n_keys * n_days))
        chunk_keys = (touched // n_days) * (1 << 24) + touched % n_days + day0
        rows_of = self._rows_of(chunk_keys, per_day)
        if rows_of is None:
            return False
        lookup = np.zeros(n_keys * n_days, dtype=np.int64)
        lookup[touched] = rows_of
        lookup *= 2 * per_day
        day += day0
        day *= per_day
        bucket -= day  # the bucket within its day
        flat = lookup[cell]
        flat += bucket
        good_all = np.concatenate([c[2] for c in chosen]) if len(chosen) > 1 else chosen[0][2]
        # the added values have the chunks' dtype: add.at is ~300x slower when it must cast
        if weights is None:
            self._room(flat.size)
            view = self._view()
            one = view.dtype.type(1)
            np.add.at(view, flat[~good_all], one)  # bad events
            flat += per_day
            np.add.at(view, flat, one)
        else:
            total_all = np.concatenate([c[3] for c in chosen if c[3] is not None])
            self._room(int(total_all.sum()))
            view = self._view()
            np.add.at(view, flat, (total_all - good_all).astype(view.dtype, copy=False))
            flat += per_day
            np.add.at(view, flat, total_all.astype(view.dtype, copy=False))
        return True

    def _rows_of(self, chunk_keys: I64, per_day: int) -> I64 | None:
        """The dense row of each chunk key (new keys get one); None when the chunks would grow
        too large (merging switched to sparse)."""
        keys, rows = self._known
        at = np.searchsorted(keys, chunk_keys)
        if at.size and (int(at.max()) >= keys.size or not np.array_equal(keys[at], chunk_keys)):
            if not self._admit(chunk_keys.tolist(), per_day):
                return None
            keys = np.fromiter(self._chunk_row, dtype=np.int64, count=len(self._chunk_row))
            rows = np.fromiter(self._chunk_row.values(), dtype=np.int64, count=len(self._chunk_row))
            order = np.argsort(keys)
            keys, rows = keys[order], rows[order]
            self._known = (keys, rows)
            at = np.searchsorted(keys, chunk_keys)
        return rows[at]

    def _view(self) -> npt.NDArray[np.int32 | np.int64]:
        assert self._dense is not None
        return self._dense.reshape(-1)

    def _room(self, added: int) -> None:
        """Widen the chunks to int64 before a cell could pass the int32 range."""
        self._bound += added
        dense = self._dense
        if dense is not None and dense.dtype != np.int64 and self._bound > _INT32_MAX:
            wide = np.zeros(dense.shape, dtype=np.int64)  # fresh pages: only used rows copied
            used = len(self._chunk_row)
            wide[:used] = dense[:used]
            self._dense = wide

    def _admit(self, chunk_keys: list[int], per_day: int) -> bool:
        """Give every new chunk key a dense row; False (switched to sparse) when too large."""
        new = [k for k in chunk_keys if k not in self._chunk_row]
        rows_needed = len(self._chunk_row) + len(new)
        if rows_needed * 2 * per_day * 8 > _DENSE_BYTES:
            self._to_sparse()
            return False
        self._grow(rows_needed, per_day)
        for k in new:
            self._chunk_row[k] = len(self._chunk_row)
        return True

    def _grow(self, rows_needed: int, per_day: int) -> None:
        """Reserve room for every chunk the budget allows, once: ``np.zeros`` of this size is
        fresh zero pages that cost nothing until a row is written (rows are handed out in
        order, so only the rows in use are ever resident), and nothing is copied as a file's
        chunks arrive (doubling copied the chunks and touched twice their memory)."""
        if self._dense is None:
            capacity = max(_DENSE_BYTES // (2 * per_day * 8), rows_needed)
            self._dense = np.zeros((capacity, 2, per_day), dtype=np.int32)

    def _add_dense(self, series: I64, starts: I64, good: I64, total: I64) -> bool:
        """Add into the day chunks; False (nothing added) when they would grow too large."""
        per_day = _DAY // self.step
        day = starts // _DAY
        chunk = series * (1 << 24) + day  # days since 1970 < 2**17
        found, inverse = np.unique(chunk, return_inverse=True)
        if not self._admit(found.tolist(), per_day):
            return False
        rows = np.array([self._chunk_row[k] for k in found.tolist()], dtype=np.int64)
        flat = rows[inverse.reshape(-1)] * (2 * per_day) + (starts - day * _DAY) // self.step
        self._room(int(total.sum()))
        view = self._view()
        view[flat] += total - good  # a batch holds each (series, bucket) once: distinct indices
        view[flat + per_day] += total
        return True

    def _to_sparse(self) -> None:
        """Move the day chunks into sparse entries (from now on every batch goes there)."""
        if self._dense is None or not self._chunk_row:
            return
        keys = np.array(list(self._chunk_row), dtype=np.int64)
        rows = np.array(list(self._chunk_row.values()), dtype=np.int64)
        dense = self._dense[rows]
        r, slot = np.nonzero(dense[:, 1, :])
        total = dense[r, 1, slot].astype(np.int64)
        first = dense[r, 0, slot].astype(np.int64)
        self._parts.append(
            (
                keys[r] // (1 << 24),
                (keys[r] % (1 << 24)) * _DAY + slot * self.step,
                first if self._good_first else total - first,
                total,
            )
        )
        self._pending += int(r.size)
        self._dense = None
        self._chunk_row = {}
        self._known = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    def _reduce(self) -> None:
        series = np.concatenate([p[0] for p in self._parts]).astype(np.int64, copy=False)
        starts = np.concatenate([p[1] for p in self._parts])
        good = np.concatenate([p[2] for p in self._parts])
        total = np.concatenate([p[3] for p in self._parts])
        origin = int(starts.min())
        span = (int(starts.max()) - origin) + 1
        key = series * span + (starts - origin)  # < keys × 2**33: fits int64
        cells, inverse = np.unique(key, return_inverse=True)
        inverse = inverse.astype(np.int64).reshape(-1)
        merged = (
            cells // span,
            cells % span + origin,
            weighted_sums(inverse, good, cells.size),
            weighted_sums(inverse, total, cells.size),
        )
        self._parts = [merged]
        self._pending = int(cells.size)

    def day_chunks(self) -> tuple[I64, I64, npt.NDArray[np.int32 | np.int64]] | None:
        """``(key index, UTC day start, counts (n, 2, buckets per day))`` of every day chunk
        with events, as the store keeps them (good, then total; int32 while every count fits,
        else int64); None once merging went sparse. The chunks are no longer added to after
        it (it turns their bad counts into good ones in place)."""
        if self._parts:
            return None
        if self._dense is None or not self._chunk_row:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros((0, 2, _DAY // self.step), dtype=np.int64)
        keys = np.array(list(self._chunk_row), dtype=np.int64)  # rows 0, 1, 2, … in order
        dense = self._dense[: keys.size]
        if not self._good_first:
            np.subtract(dense[:, 1], dense[:, 0], out=dense[:, 0])  # bad → good
            self._good_first = True
        if self.precounted:  # chunks of pre-counted rows with total 0 only are left out
            keep = dense[:, 1, :].any(axis=1)
            if not keep.all():
                keys, dense = keys[keep], dense[keep]
        return keys >> 24, (keys & ((1 << 24) - 1)) * _DAY, dense

    def result(self, *, counts: bool = True) -> ClassifiedEvents:
        """Everything added; with ``counts=False`` the counts are left empty (see
        ``day_chunks``)."""
        if not counts:
            self._dense, self._chunk_row, self._parts = None, {}, []
        if self._dense is not None:
            self._to_sparse()
        if len(self._parts) > 1:
            self._reduce()
        empty = np.zeros(0, dtype=np.int64)
        series, starts, good, total = self._parts[0] if self._parts else (empty,) * 4
        order = np.lexsort((starts, series))
        return ClassifiedEvents(
            counts=EventCounts(
                keys=self.keys,
                series=series[order],
                bucket_starts=starts[order],
                good=good[order],
                total=total[order],
            ),
            rows_read=self.rows_read,
            rows_ingested=self.rows_ingested,
            rows_rejected=self.rows_rejected,
            rows_unmatched=self.rows_unmatched,
            unmatched=tuple(sorted(self.unmatched.items(), key=lambda item: (-item[1], item[0]))),
            problems=tuple(self.problems),
            events_min=self.events_min,
            events_max=self.events_max,
            precounted=bool(self.precounted),
            ahead=self.ahead,
        )


@dataclass(frozen=True, slots=True)
class Pairs:
    """One fan-out level: rows (None: every row), the series each feeds, good or not."""

    rows: I64 | None
    series: npt.NDArray[np.integer[Any]]
    good: Mask | None


def count_cells(
    keys: tuple[str, ...],
    *,
    pairs: list[Pairs],
    ok_rows: Mask,
    seconds: I64,
    step: int,
    weights: tuple[I64, I64] | None,
) -> EventCounts:
    """Count ``(series, bucket)`` cells with ``bincount`` (dense) or ``unique`` (sparse).

    Unweighted, one pass counts both: cell ``2k`` holds bad events of key ``k``, ``2k+1`` good.
    Rows that are not ok go to a sentinel cell past the end instead of being filtered out.
    """
    empty = np.zeros(0, dtype=np.int64)
    if not pairs or not ok_rows.any():
        return EventCounts(keys=keys, series=empty, bucket_starts=empty, good=empty, total=empty)
    big = np.iinfo(np.int64).max
    s0 = int(seconds.min(initial=big, where=ok_rows))
    s1 = int(seconds.max(initial=-big, where=ok_rows))
    b0 = s0 - s0 % step
    span = (s1 - b0) // step + 1
    index = seconds - b0
    index //= step
    cells = len(keys) * span
    dense = cells <= _DENSE_LIMIT
    parts: list[tuple[I64, Mask | None, I64 | None]] = []  # (key, good, rows) of ok pairs
    totals = np.zeros(cells if dense else 0, dtype=np.int64)
    goods = np.zeros(cells if dense else 0, dtype=np.int64)
    for pair in pairs:
        ok = ok_rows if pair.rows is None else ok_rows[pair.rows]
        key = pair.series.astype(np.int64)
        key *= span
        key += index if pair.rows is None else index[pair.rows]
        all_ok = bool(ok.all())
        if not dense:
            rows = pair.rows if pair.rows is not None else np.arange(ok.size, dtype=np.int64)
            good = pair.good
            if not all_ok:
                key, rows = key[ok], rows[ok]
                good = None if good is None else good[ok]
            parts.append((key, good, rows))
            continue
        if not all_ok:
            key[~ok] = cells  # the sentinel
        if weights is None:
            assert pair.good is not None
            key *= 2
            key += pair.good
            both = np.bincount(key, minlength=2 * cells + 2)[: 2 * cells].reshape(cells, 2)
            goods += both[:, 1]
            totals += both[:, 0] + both[:, 1]
        else:
            good_w, total_w = weights
            if pair.rows is not None:
                good_w, total_w = good_w[pair.rows], total_w[pair.rows]
            if not all_ok:
                good_w = np.where(ok, good_w, 0)
                total_w = np.where(ok, total_w, 0)
            totals += weighted_sums(key, total_w, cells + 1)[:cells]
            goods += weighted_sums(key, good_w, cells + 1)[:cells]
    if dense:
        present = np.flatnonzero(totals).astype(np.int64)
        cell_key, total, good_counts = present, totals[present], goods[present]
    else:
        all_keys = np.concatenate([p[0] for p in parts])
        cell_key, inverse = np.unique(all_keys, return_inverse=True)
        inverse = inverse.astype(np.int64).reshape(-1)
        if weights is None:
            flags = np.concatenate([p[1] for p in parts if p[1] is not None])
            total = np.bincount(inverse, minlength=cell_key.size).astype(np.int64)
            good_counts = np.bincount(inverse[flags], minlength=cell_key.size).astype(np.int64)
        else:
            rows = np.concatenate([p[2] for p in parts if p[2] is not None])
            total = weighted_sums(inverse, weights[1][rows], cell_key.size)
            good_counts = weighted_sums(inverse, weights[0][rows], cell_key.size)
    return EventCounts(
        keys=keys,
        series=cell_key // span,
        bucket_starts=b0 + (cell_key % span) * step,
        good=good_counts,
        total=total,
    )


def weighted_sums(index: I64, weights: I64, size: int) -> I64:
    """Exact integer sums per index (float bincount is exact below 2**53, else add.at)."""
    if weights.size == 0 or int(weights.sum()) < 2**53:
        return np.rint(np.bincount(index, weights=weights, minlength=size)).astype(np.int64)
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, weights)
    return out
