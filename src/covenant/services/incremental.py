"""Cumulative counts at window edges, kept between ticks: the worker's incremental read.

An event-based evaluation needs nothing but each series' cumulative ``(good, total)`` counts at
its window edges (``core.series.EdgeCounts``). A minute later every rolling edge has moved by a
minute, so :class:`EdgeCache` moves each cached edge to the new one nearest it and reads only
the buckets in between (``store.range_sums``): a bucket or two per series and edge, however
long the windows are. An edge in a past UTC day reads the next ``AHEAD_BUCKETS`` buckets with
it and takes them from memory in the next ticks (dropped whenever a series is read in full).
The engine then evaluates the same ``EdgeCounts`` a full read gives, so
the results are the full evaluation's (tests/services/test_worker_incremental.py checks it at
many instants, with late data).

A series is read in full again (``read_edge_counts``, from the per-day sums) when:
- it is new to the cache, or its stored series appeared since the last tick;
- the bucket write journal (``store.bucket_journal``) shows a write that starts before the
  newest edge already summed: late data, a re-read of a metrics source, a back-fill;
- an edge would move further than ``max_move_s`` (a tick after a long pause, a new window):
  then every series is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from covenant.core.series import EdgeCounts, unique_sorted
from covenant.store.bucket_journal import read_journal
from covenant.store.chunk_reads import read_edge_counts, series_rows
from covenant.store.range_sums import read_range_buckets, read_range_sums

Int64Array = npt.NDArray[np.int64]

DAY = 86400

AHEAD_BUCKETS = 30
"""Buckets read ahead of a window edge in a past UTC day: the edge needs them one per tick for
the next half hour, and reading a day chunk's row costs the same for one bucket as for 30."""

MAX_MOVE_S = 6 * 3600
"""An edge further than this from every cached edge is not moved to: the series are read again."""


@dataclass(slots=True, kw_only=True)
class ReadStats:
    """What one ``EdgeCache.counts`` read: for the worker's report and the benchmark."""

    series: int = 0
    full: int = 0  # series read in full
    moved: int = 0  # series moved edge to edge
    ranges: int = 0  # ranges read for the moved series
    journal: int = 0  # journal rows seen
    late: int = 0  # series with a write behind the newest summed edge
    ahead_reads: int = 0  # ranges of a past day read with the buckets after them
    ahead_hits: int = 0  # ranges of a past day answered from buckets read ahead before
    seqs: list[int] = field(default_factory=list)  # journal rows to forget after the tick
    # day-sum days whose minutes an edge needed, per series id (``store.day_sums``): left out,
    # the series' SLOs show "no data (stale)" and the series is read in full next tick
    unread: dict[int, set[int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False)
class _Ahead:
    """Every bucket of ``[lo, hi)`` (a past day) per cached series, read ahead of an edge."""

    lo: int
    hi: int
    good: npt.NDArray[Any]
    total: npt.NDArray[Any]


class EdgeCache:
    """The cumulative counts of many series at the edges of the last evaluation.

    Not thread-safe; one worker owns one cache. Every row has its own origin (counts are
    cumulative from wherever its last full read started), which is all differences need.
    """

    def __init__(
        self, *, step: int = 60, max_move_s: int = MAX_MOVE_S, ahead_buckets: int = AHEAD_BUCKETS
    ) -> None:
        self.step = step
        self.max_move_s = max_move_s
        self.ahead_buckets = ahead_buckets
        self.blocks: list[_Ahead] = []  # buckets read ahead, rows as ``keys``
        self.keys: tuple[str, ...] = ()
        self.ids: dict[str, int] = {}  # stored series id of each key that has one
        self.edges: Int64Array = np.zeros(0, dtype=np.int64)
        self.good: Int64Array = np.zeros((0, 0), dtype=np.int64)
        self.total: Int64Array = np.zeros((0, 0), dtype=np.int64)
        self.unread: set[str] = set()  # keys whose last read left out a day-sum day

    def reset(self) -> None:
        self.__init__(  # type: ignore[misc]
            step=self.step, max_move_s=self.max_move_s, ahead_buckets=self.ahead_buckets
        )

    def counts(
        self, conn: Any, *, keys: Sequence[str], edges: Sequence[int]
    ) -> tuple[EdgeCounts, ReadStats]:
        """``EdgeCounts`` of ``keys`` at ``edges``, as ``read_edge_counts`` would return them.

        ``conn`` should hold one snapshot (a transaction) for the journal and the buckets to
        agree; the journal rows read are in ``ReadStats.seqs`` for the caller to forget.
        """
        names = tuple(dict.fromkeys(keys))
        at = unique_sorted(list(edges))
        stats = ReadStats(series=len(names))
        seqs, written, lows = read_journal(conn)
        stats.journal = int(seqs.size)
        stats.seqs = seqs.tolist()
        head = int(self.edges[-1]) if self.edges.size else None
        missing = [k for k in names if k not in self.ids]
        appeared = series_rows(conn, missing) if missing else {}
        ids = {k: self.ids[k] for k in names if k in self.ids}
        ids.update({k: v[0] for k, v in appeared.items()})
        old_row = {k: i for i, k in enumerate(self.keys)}
        late: set[int] = set()
        if head is not None:  # a write before the newest edge summed changed a summed count
            late = set(written[lows < head].tolist())
        stats.late = len(late)
        source = self._sources(at)
        redo = [
            k
            for k in names
            if source is None
            or k not in old_row
            or k in appeared
            or ids.get(k) in late
            or k in self.unread
        ]
        moved = [k for k in redo if ids.get(k) in late]  # its key may name another series now
        if moved:  # (a changed query set its series aside: store.source_queries)
            ids.update({k: v[0] for k, v in series_rows(conn, moved).items()})
        good = np.zeros((len(names), at.size), dtype=np.int64)
        total = np.zeros((len(names), at.size), dtype=np.int64)
        if redo or names != self.keys:  # buckets read ahead may be stale, or rows moved
            self.blocks = []
        again = set(redo)
        kept = [i for i, k in enumerate(names) if k not in again]
        if kept and source is not None:
            self._move(conn, names, kept, ids, at, source, good, total, stats)
        if redo:
            fresh = read_edge_counts(
                conn, keys=redo, edges=at.tolist(), step=self.step, unread=stats.unread
            )
            row_of = {k: i for i, k in enumerate(names)}
            where = np.asarray([row_of[k] for k in redo], dtype=np.intp)
            good[where] = fresh.good
            total[where] = fresh.total
        stats.full = len(redo)
        key_of = {v: k for k, v in ids.items()}
        self.unread = {key_of[i] for i in stats.unread if i in key_of}
        self.keys, self.ids, self.edges = names, ids, at
        self.good, self.total = good, total
        counts = EdgeCounts(keys=names, step=self.step, edges=at, good=good, total=total)
        return counts, stats

    def _sources(self, at: Int64Array) -> Int64Array | None:
        """For each new edge, the cached edge nearest it; None when one is too far."""
        if not self.edges.size or not at.size:
            return None
        right = np.clip(np.searchsorted(self.edges, at), 0, self.edges.size - 1)
        left = np.clip(right - 1, 0, self.edges.size - 1)
        pick = np.where(
            np.abs(self.edges[left] - at) <= np.abs(self.edges[right] - at), left, right
        )
        if np.any(np.abs(self.edges[pick] - at) > self.max_move_s):
            return None
        return pick.astype(np.int64)

    def _move(
        self,
        conn: Any,
        names: tuple[str, ...],
        kept: list[int],
        ids: dict[str, int],
        at: Int64Array,
        source: Int64Array,
        good: Int64Array,
        total: Int64Array,
        stats: ReadStats,
    ) -> None:
        old_row = {k: i for i, k in enumerate(self.keys)}
        rows = np.asarray([old_row[names[i]] for i in kept], dtype=np.intp)
        out = np.asarray(kept, dtype=np.intp)
        good[out] = self.good[rows][:, source]
        total[out] = self.total[rows][:, source]
        was = self.edges[source]
        moving = np.flatnonzero(was != at)
        if not moving.size:
            stats.moved = len(kept)
            return
        ranges = [(int(min(was[j], at[j])), int(max(was[j], at[j]))) for j in moving.tolist()]
        sign = np.where(at[moving] > was[moving], 1, -1).astype(np.int64)
        position = {ids[names[i]]: n for n, i in enumerate(kept) if names[i] in ids}
        # Ranges in a past UTC day are answered from buckets read ahead when every row is kept
        # (the rows then are the cache's own, in its order); the others are read now.
        today = int(at[-1]) - int(at[-1]) % DAY
        ahead = len(kept) == len(names) and self.ahead_buckets > 0
        past = [n for n, (_, hi) in enumerate(ranges) if ahead and hi <= today]
        now = [n for n in range(len(ranges)) if n not in set(past)]
        g = np.zeros((len(kept), len(ranges)), dtype=np.int64)
        t = np.zeros((len(kept), len(ranges)), dtype=np.int64)
        if now:
            g[:, now], t[:, now] = read_range_sums(
                conn,
                ids=position,
                ranges=[ranges[n] for n in now],
                rows=len(kept),
                step=self.step,
                unread=stats.unread,
            )
        used: list[_Ahead] = []
        wanted: dict[tuple[int, int], int] = {}  # a new block per range no block covers
        needed: list[int] = []  # per new block, the end of the buckets its ranges need
        cover: list[_Ahead | int] = []  # per past range: its block, or its new block's index
        for n in past:
            lo, hi = ranges[n]
            found = next((b for b in self.blocks if b.lo <= lo and hi <= b.hi), None)
            if found is None:
                end = min(max(hi, lo + self.ahead_buckets * self.step), today)
                index = wanted.setdefault((lo, end), len(wanted))
                if index == len(needed):
                    needed.append(hi)
                needed[index] = max(needed[index], hi)
                cover.append(index)
            else:
                cover.append(found)
                stats.ahead_hits += 1
        # the buckets read ahead stop where some row's real minutes do (an hour stored as its
        # sums, ``store.hour_pieces``): only the ranges' own buckets must be minutes
        until: list[int] = []
        fresh = read_range_buckets(
            conn,
            ids=position,
            ranges=list(wanted),
            rows=len(kept),
            step=self.step,
            unread=stats.unread,
            need=needed,
            until=until,
        )
        made = [
            _Ahead(lo=lo, hi=stop, good=g_b, total=t_b)
            for (lo, _), (g_b, t_b), stop in zip(wanted, fresh, until, strict=True)
        ]
        stats.ahead_reads += len(made)
        for n, which in zip(past, cover, strict=True):
            lo, hi = ranges[n]
            block = made[which] if isinstance(which, int) else which
            if block not in used:
                used.append(block)
            a, b = (lo - block.lo) // self.step, (hi - block.lo) // self.step
            g[:, n] = block.good[:, a:b].sum(axis=1, dtype=np.int64)
            t[:, n] = block.total[:, a:b].sum(axis=1, dtype=np.int64)
        self.blocks = used
        good[np.ix_(out, moving)] += g * sign
        total[np.ix_(out, moving)] += t * sign
        stats.moved = len(kept)
        stats.ranges = len(ranges)
