"""Raw request events → ``(good, total)`` counts per series and bucket, vectorised.

An event file has a ``timestamp`` column (ISO-8601 with ``Z`` or an offset, or epoch seconds
or milliseconds as numbers), ``sli`` and/or ``service``, and an outcome: ``outcome``
(good/bad, ok/error, success/failure, true/false, 1/0), ``status`` (HTTP code) or
``latency_ms``. *Pre-counted* files carry ``timestamp, sli, good, total`` instead.

Each ``EventRule`` picks events by ``sli`` (or ``service``) and says when one is good; one
event can feed several series (availability and a latency threshold). Pre-counted rows go to
the rule whose ``series`` equals the row's ``sli``, else to the rules of that ``sli``.

Everything on the happy path is columnar (pyarrow.compute and numpy: dictionary codes mapped
to rule indices, ``bincount`` over ``(series, bucket)`` keys). Python loops run per rule, per
distinct ``sli``/``service`` value, and per *bad* row (to word its message) only.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from covenant.core.model import Comparison, EventRule, Operator
from covenant.errors import IngestError, InputError, Problem
from covenant.sources import eventrows as er
from covenant.sources.eventfiles import DEFAULT_BLOCK_BYTES, SourceTable, read_batches
from covenant.sources.eventrows import F64, I64, MAX_PROBLEMS, Mask

__all__ = [
    "ClassifiedEvents",
    "EventCounts",
    "EventTotals",
    "classify_events",
    "iter_classified",
    "read_events",
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


def iter_classified(
    path: Path,
    *,
    rules: Sequence[EventRule],
    step: int = 60,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    into: EventTotals | None = None,
) -> Generator[tuple[ClassifiedEvents, float]]:
    """Each batch of the file classified, with the fraction of the file read so far.

    With ``into``, each batch's events are added straight into its day chunks (the yielded
    counts are then empty; add the yielded batches to ``into`` for the rest of the account).
    """
    for batch in read_batches(path, block_bytes=block_bytes):
        yield classify_events(batch, rules=rules, step=step, into=into), batch.done


def read_events(
    path: Path,
    *,
    rules: Sequence[EventRule],
    step: int = 60,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    on_batch: Callable[[float], None] | None = None,
) -> ClassifiedEvents:
    """Read and classify one file batch by batch (bounded memory); counts of all batches.

    ``on_batch(fraction_done)`` is called after each batch.
    """
    totals = EventTotals(keys=tuple(dict.fromkeys(rule.series for rule in rules)), step=step)
    batches = iter_classified(path, rules=rules, step=step, block_bytes=block_bytes, into=totals)
    for events, done in batches:
        totals.add(events)
        if on_batch is not None:
            on_batch(done)
    return totals.result()


_REDUCE_AT = 1 << 22  # pending sparse entries that trigger a merge (bounds memory)
_DENSE_BYTES = 256 << 20  # day chunks accumulated densely up to this size, then sparsely
_DAY = 86400
_LOOKUP_LIMIT = 1 << 22  # series × days a batch may span to be added row by row


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
    _chunk_row: dict[int, int] = field(default_factory=dict)
    _dense: I64 | None = None  # (capacity, 2, buckets per day): good, total
    _parts: list[tuple[I64, I64, I64, I64]] = field(default_factory=list)
    _pending: int = 0

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
        pairs: list[_Pairs],
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
        chosen: list[tuple[I64, I64, I64, I64]] = []
        for pair in pairs:
            ok = ok_rows if pair.rows is None else ok_rows[pair.rows]
            rows = np.flatnonzero(ok) if pair.rows is None else pair.rows[ok]
            series = np.asarray(pair.series, dtype=np.int64)[ok]
            if weights is None:
                assert pair.good is not None
                good = pair.good[ok].astype(np.int64)
                total = np.ones(rows.size, dtype=np.int64)
            else:
                good, total = weights[0][rows], weights[1][rows]
            chosen.append((series, seconds[rows], good, total))
        series = np.concatenate([c[0] for c in chosen])
        secs = np.concatenate([c[1] for c in chosen])
        day = secs // _DAY
        day0, day1 = int(day.min()), int(day.max())
        n_keys = len(self.keys)
        if n_keys * (day1 - day0 + 1) > _LOOKUP_LIMIT:
            return False
        # which (series, day) chunks the batch touches, without sorting its rows
        touched = np.zeros((n_keys, day1 - day0 + 1), dtype=bool)
        touched[series, day - day0] = True
        pairs_at = np.argwhere(touched)
        new = [
            k
            for k in (pairs_at[:, 0] * (1 << 24) + pairs_at[:, 1] + day0).tolist()
            if k not in self._chunk_row
        ]
        rows_needed = len(self._chunk_row) + len(new)
        if rows_needed * 2 * per_day * 8 > _DENSE_BYTES:
            self._to_sparse()
            return False
        self._grow(rows_needed, per_day)
        for k in new:
            self._chunk_row[k] = len(self._chunk_row)
        lookup = np.full(touched.shape, -1, dtype=np.int64)
        for k in (pairs_at[:, 0] * (1 << 24) + pairs_at[:, 1] + day0).tolist():
            lookup[k >> 24, (k & ((1 << 24) - 1)) - day0] = self._chunk_row[k]
        flat = lookup[series, day - day0] * (2 * per_day) + (secs - day * _DAY) // self.step
        assert self._dense is not None
        view = self._dense.reshape(-1)
        np.add.at(view, flat, np.concatenate([c[2] for c in chosen]))
        np.add.at(view, flat + per_day, np.concatenate([c[3] for c in chosen]))
        return True

    def _grow(self, rows_needed: int, per_day: int) -> None:
        capacity = 0 if self._dense is None else self._dense.shape[0]
        if rows_needed > capacity:
            grown = np.zeros((max(rows_needed, 2 * capacity, 16), 2, per_day), dtype=np.int64)
            if self._dense is not None:
                grown[:capacity] = self._dense
            self._dense = grown

    def _add_dense(self, series: I64, starts: I64, good: I64, total: I64) -> bool:
        """Add into the day chunks; False (nothing added) when they would grow too large."""
        per_day = _DAY // self.step
        day = starts // _DAY
        chunk = series * (1 << 24) + day  # days since 1970 < 2**17
        found, inverse = np.unique(chunk, return_inverse=True)
        new = [k for k in found.tolist() if k not in self._chunk_row]
        rows_needed = len(self._chunk_row) + len(new)
        if rows_needed * 2 * per_day * 8 > _DENSE_BYTES:
            self._to_sparse()
            return False
        self._grow(rows_needed, per_day)
        for k in new:
            self._chunk_row[k] = len(self._chunk_row)
        assert self._dense is not None
        rows = np.array([self._chunk_row[k] for k in found.tolist()], dtype=np.int64)
        flat = rows[inverse.reshape(-1)] * (2 * per_day) + (starts - day * _DAY) // self.step
        view = self._dense.reshape(-1)
        view[flat] += good  # a batch holds each (series, bucket) once: indices are distinct
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
        self._parts.append(
            (
                keys[r] // (1 << 24),
                (keys[r] % (1 << 24)) * _DAY + slot * self.step,
                dense[r, 0, slot],
                dense[r, 1, slot],
            )
        )
        self._pending += int(r.size)
        self._dense = None
        self._chunk_row = {}

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
            _weighted(inverse, good, cells.size),
            _weighted(inverse, total, cells.size),
        )
        self._parts = [merged]
        self._pending = int(cells.size)

    def day_chunks(self) -> tuple[I64, I64, I64] | None:
        """``(key index, UTC day start, counts (n, 2, buckets per day))`` of every day chunk
        with events, as the store keeps them; None once merging went sparse."""
        if self._parts:
            return None
        if self._dense is None or not self._chunk_row:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros((0, 2, _DAY // self.step), dtype=np.int64)
        keys = np.array(list(self._chunk_row), dtype=np.int64)  # rows 0, 1, 2, … in order
        dense = self._dense[: keys.size]
        keep = dense[:, 1, :].any(axis=1)
        if not keep.all():  # chunks of pre-counted rows with total 0 only
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
        )


# --- rules -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Compiled:
    """Rules as arrays, indexed by rule number."""

    keys: tuple[str, ...]
    series: I64  # rule → index into keys
    has_status: Mask
    has_latency: Mask
    status: tuple[F64, Mask, Mask]  # threshold, use <=, negate
    latency: tuple[F64, Mask, Mask]


def _comparison_arrays(comparisons: Sequence[Comparison | None]) -> tuple[F64, Mask, Mask]:
    """``value <op> threshold`` as ``(v <= f) or (v < f)``, maybe negated (``>`` is not ``<=``).

    Values arrive as text or floats, so both sides are compared as the nearest float: a
    value written ``0.1`` meets a threshold ``<= 0.1`` (comparing the float 0.1 with the
    Fraction 1/10 exactly would say it does not). Integer thresholds are exact either way.
    """
    thresholds = np.zeros(len(comparisons))
    use_le = np.zeros(len(comparisons), dtype=bool)
    negate = np.zeros(len(comparisons), dtype=bool)
    for i, comparison in enumerate(comparisons):
        if comparison is None:
            continue
        thresholds[i] = float(Fraction(comparison.threshold))
        use_le[i] = comparison.op in (Operator.LTE, Operator.GT)
        negate[i] = comparison.op in (Operator.GT, Operator.GTE)
    return thresholds, use_le, negate


def _compile(rules: Sequence[EventRule]) -> _Compiled:
    keys = tuple(dict.fromkeys(rule.series for rule in rules))
    index = {key: i for i, key in enumerate(keys)}
    return _Compiled(
        keys=keys,
        series=np.array([index[rule.series] for rule in rules], dtype=np.int64),
        has_status=np.array([rule.status is not None for rule in rules], dtype=bool),
        has_latency=np.array([rule.latency_ms is not None for rule in rules], dtype=bool),
        status=_comparison_arrays([rule.status for rule in rules]),
        latency=_comparison_arrays([rule.latency_ms for rule in rules]),
    )


def _holds(values: F64, rule: npt.NDArray[np.integer[Any]], arrays: tuple[F64, Mask, Mask]) -> Mask:
    thresholds, use_le, negate = arrays
    f = thresholds[rule]
    result = np.where(use_le[rule], values <= f, values < f)
    return np.asarray(result ^ negate[rule], dtype=bool)


def _fan_out(
    rules: Sequence[EventRule],
    sli_values: list[str],
    svc_values: list[str],
    *,
    precounted: bool,
) -> list[npt.NDArray[np.int32]]:
    """For each fan-out level, rule index per identity cell (−1: none).

    A cell is ``(sli code + 1) × (services + 1) + (service code + 1)``.
    """
    by_sli: dict[str, list[int]] = {}
    by_series: dict[str, list[int]] = {}
    by_service: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        by_sli.setdefault(rule.sli, []).append(i)
        by_series.setdefault(rule.series, []).append(i)
        if rule.service:
            by_service.setdefault(rule.service, []).append(i)
    width = len(svc_values) + 1
    cells: list[list[int]] = []
    for sli in [None, *sli_values]:
        if sli is None:
            from_sli: list[int] = []
        elif precounted and sli in by_series:
            from_sli = by_series[sli]
        else:
            from_sli = by_sli.get(sli, [])
        for svc in [None, *svc_values]:
            from_svc = by_service.get(svc, []) if svc is not None else []
            cells.append(sorted(set(from_sli) | set(from_svc)))
    depth = max((len(c) for c in cells), default=0)
    levels = [np.full(len(cells), -1, dtype=np.int32) for _ in range(depth)]
    for cell, matched in enumerate(cells):
        for level, rule_index in enumerate(matched):
            levels[level][cell] = rule_index
    assert len(cells) == (len(sli_values) + 1) * width
    return levels


# --- classification --------------------------------------------------------------------------


def classify_events(
    source: SourceTable,
    *,
    rules: Sequence[EventRule],
    step: int = 60,
    into: EventTotals | None = None,
) -> ClassifiedEvents:
    """Classify a file's rows with ``rules`` and count them per ``(series, bucket)``.

    Bad rows are counted and described (``Problem`` with ``file:line``), the rest counted;
    a file that lacks a needed column raises ``IngestError``.
    """
    if step <= 0 or 86400 % step:
        raise InputError(f"bucket step {step}s does not divide a day")
    table = source.table
    name = source.path.name
    n = table.num_rows
    columns = set(table.column_names)
    if n == 0 and source.invalid_count:  # a batch of bad lines only: no columns to check
        return _only_invalid(source, rules)
    if "timestamp" not in columns:
        raise IngestError(
            f"{name}: no 'timestamp' column (found: {', '.join(sorted(columns)) or 'none'})",
            hint="add a timestamp column: ISO-8601 with Z or an offset, or epoch seconds",
        )
    if not columns & {"sli", "service"}:
        raise IngestError(
            f"{name}: no 'sli' or 'service' column to tell which series an event feeds",
            hint="add an sli (or service) column whose values match your SLI definitions",
        )
    precounted = {"good", "total"} <= columns
    if not precounted and not columns & {"outcome", "status", "latency_ms"}:
        raise IngestError(
            f"{name}: no outcome column: need 'outcome', 'status' or 'latency_ms' "
            "(or 'good' and 'total' for pre-counted rows)",
            hint="add the column that says whether each request succeeded",
        )
    compiled = _compile(rules)
    reason = np.zeros(n, dtype=np.int8)

    sli_codes, sli_values = er.dictionary_codes(er.column(table, "sli"), n)
    svc_codes, svc_values = er.dictionary_codes(er.column(table, "service"), n)
    width = len(svc_values) + 1
    if (len(sli_values) + 1) * width >= 2**31:
        raise IngestError(
            f"{name}: too many distinct sli × service values to classify",
            hint="split the file, or give only the sli column",
        )
    cell = sli_codes + 1
    if width > 1:
        cell *= width
        cell += svc_codes + 1
    levels = _fan_out(rules, sli_values, svc_values, precounted=precounted)
    no_identity = (sli_codes < 0) & (svc_codes < 0)
    matched = levels[0][cell] >= 0 if levels else np.zeros(n, dtype=bool)
    unmatched_rows = ~matched & ~no_identity
    reason[no_identity] = er.R_NO_ID
    for nested_column, code in (("sli", er.R_SLI_NESTED), ("service", er.R_SERVICE_NESTED)):
        nested = er.nested_rows(table, nested_column)
        if nested is not None:
            _first(reason, nested, code)
            matched &= ~nested
            unmatched_rows &= ~nested

    ts_column = er.column(table, "timestamp")
    assert ts_column is not None  # checked above
    seconds, ts_reason = er.timestamps(ts_column, n)
    ts_reason[(ts_reason == 0) & ((seconds < er.EARLIEST) | (seconds >= er.LATEST))] = er.R_TS_RANGE
    _first(reason, matched & (ts_reason != 0), ts_reason)

    if precounted:
        good_n, good_ok, good_bad = er.integers(er.column(table, "good"), n)
        total_n, total_ok, total_bad = er.integers(er.column(table, "total"), n)
        counts_bad = ~good_ok | ~total_ok | good_bad | total_bad | (good_n < 0) | (total_n < 0)
        _first(reason, matched & counts_bad, er.R_COUNTS_BAD)
        _first(reason, matched & (good_n > total_n), er.R_GOOD_GT_TOTAL)
    else:
        status, has_status, status_bad = er.numbers(er.column(table, "status"), n)
        status_bad |= has_status & ((status != np.floor(status)) | (status < 100) | (status > 599))
        latency, has_latency, latency_bad = er.numbers(er.column(table, "latency_ms"), n)
        latency_bad |= has_latency & ~(latency >= 0)
        outcome, outcome_bad = er.outcomes(er.column(table, "outcome"), n)
        _first(reason, matched & status_bad, er.R_STATUS_BAD)
        _first(reason, matched & latency_bad, er.R_LATENCY_BAD)
        _first(reason, matched & outcome_bad, er.R_OUTCOME_BAD)

    # fan out: every (row, matching rule) pair; decide good per pair, collect bad rows
    pairs: list[_Pairs] = []
    any_status = bool(compiled.has_status.any())
    any_latency = bool(compiled.has_latency.any())
    default_good: Mask | None = None
    missing_outcome: Mask | None = None
    if not precounted:
        known = outcome >= 0
        if "outcome" not in columns:
            default_good = status < 500
        elif "status" not in columns:
            default_good = outcome == 1
        else:
            default_good = np.where(known, outcome == 1, status < 500)
        missing_outcome = ~known & ~has_status & ~status_bad & ~outcome_bad
        if not missing_outcome.any():
            missing_outcome = None
    identity = bool(np.array_equal(compiled.series, np.arange(len(rules))))
    for level_index, level in enumerate(levels):
        rule = level[cell]
        active = matched if level_index == 0 else rule >= 0
        rule = np.maximum(rule, 0)
        good: Mask | None = None
        if default_good is not None:
            good = default_good
            default: Mask | None = None
            if any_status or any_latency:
                need_s = compiled.has_status[rule]
                need_l = compiled.has_latency[rule]
                default = ~need_s & ~need_l
                crit = np.ones(n, dtype=bool)
                if any_status:
                    crit &= ~need_s | _holds(status, rule, compiled.status)
                    _first(reason, active & need_s & ~has_status & ~status_bad, er.R_NEED_STATUS)
                if any_latency:
                    crit &= ~need_l | _holds(latency, rule, compiled.latency)
                    _first(reason, active & need_l & ~has_latency & ~latency_bad, er.R_NEED_LATENCY)
                good = np.where(default, default_good, crit)
            if missing_outcome is not None:
                where = active & missing_outcome
                _first(reason, where if default is None else where & default, er.R_NEED_OUTCOME)
        if len(levels) == 1:
            series_of = rule if identity else compiled.series[rule]
            pairs.append(_Pairs(rows=None, series=series_of, good=good))
        else:
            rows = np.flatnonzero(active)
            pairs.append(
                _Pairs(
                    rows=rows,
                    series=compiled.series[rule[rows]],
                    good=None if good is None else good[rows],
                )
            )

    ok_rows = matched & (reason == er.R_OK)
    weights = (good_n, total_n) if precounted else None
    if into is not None and into.add_rows(pairs, ok_rows, seconds, weights):
        empty = np.zeros(0, dtype=np.int64)
        counts = EventCounts(
            keys=compiled.keys, series=empty, bucket_starts=empty, good=empty, total=empty
        )
    else:
        counts = _count(
            compiled.keys,
            pairs=pairs,
            ok_rows=ok_rows,
            seconds=seconds,
            step=step,
            weights=weights,
        )
    rejected_rows = np.flatnonzero(reason != er.R_OK)
    problems = er.merge_invalid(
        source, er.problems(source, table, rejected_rows[:MAX_PROBLEMS], reason)
    )
    unmatched = _unmatched(cell[unmatched_rows], sli_values, svc_values)
    ingested = int(np.count_nonzero(ok_rows))
    ok_seconds = seconds[ok_rows]
    return ClassifiedEvents(
        counts=counts,
        rows_read=n + source.invalid_count,
        rows_ingested=ingested,
        rows_rejected=int(rejected_rows.size) + source.invalid_count,
        rows_unmatched=int(np.count_nonzero(unmatched_rows)),
        unmatched=unmatched,
        problems=problems,
        events_min=int(ok_seconds.min()) if ingested else None,
        events_max=int(ok_seconds.max()) if ingested else None,
        precounted=precounted,
    )


def _only_invalid(source: SourceTable, rules: Sequence[EventRule]) -> ClassifiedEvents:
    empty = np.zeros(0, dtype=np.int64)
    keys = tuple(dict.fromkeys(rule.series for rule in rules))
    return ClassifiedEvents(
        counts=EventCounts(keys=keys, series=empty, bucket_starts=empty, good=empty, total=empty),
        rows_read=source.invalid_count,
        rows_ingested=0,
        rows_rejected=source.invalid_count,
        rows_unmatched=0,
        unmatched=(),
        problems=er.merge_invalid(source, []),
        events_min=None,
        events_max=None,
        precounted=False,
    )


def _first(reason: npt.NDArray[np.int8], where: Mask, code: int | npt.NDArray[np.int8]) -> None:
    """Set ``reason`` where it is still 0 (the first problem found is the one reported)."""
    target = where & (reason == er.R_OK)
    if isinstance(code, np.ndarray):
        reason[target] = code[target]
    else:
        reason[target] = code


@dataclass(frozen=True, slots=True)
class _Pairs:
    """One fan-out level: rows (None: every row), the series each feeds, good or not."""

    rows: I64 | None
    series: npt.NDArray[np.integer[Any]]
    good: Mask | None


def _count(
    keys: tuple[str, ...],
    *,
    pairs: list[_Pairs],
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
            totals += _weighted(key, total_w, cells + 1)[:cells]
            goods += _weighted(key, good_w, cells + 1)[:cells]
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
            total = _weighted(inverse, weights[1][rows], cell_key.size)
            good_counts = _weighted(inverse, weights[0][rows], cell_key.size)
    return EventCounts(
        keys=keys,
        series=cell_key // span,
        bucket_starts=b0 + (cell_key % span) * step,
        good=good_counts,
        total=total,
    )


def _weighted(index: I64, weights: I64, size: int) -> I64:
    """Exact integer sums per index (float bincount is exact below 2**53, else add.at)."""
    if weights.size == 0 or int(weights.sum()) < 2**53:
        return np.rint(np.bincount(index, weights=weights, minlength=size)).astype(np.int64)
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, weights)
    return out


def _unmatched(
    cells: npt.NDArray[np.integer[Any]], sli_values: list[str], svc_values: list[str]
) -> tuple[tuple[str, int], ...]:
    if cells.size == 0:
        return ()
    width = len(svc_values) + 1
    found, counts = np.unique(cells, return_counts=True)
    labels: dict[str, int] = {}
    for c, k in zip(found.tolist(), counts.tolist(), strict=True):
        sli_code, svc_code = c // width - 1, c % width - 1
        parts = []
        if sli_code >= 0:
            parts.append(f"sli={sli_values[sli_code]}")
        if svc_code >= 0:
            parts.append(f"service={svc_values[svc_code]}")
        label = " ".join(parts)
        labels[label] = labels.get(label, 0) + int(k)
    return tuple(sorted(labels.items(), key=lambda item: (-item[1], item[0])))
