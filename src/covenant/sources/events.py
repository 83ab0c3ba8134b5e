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

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from covenant.core.model import Comparison, EventRule, Operator
from covenant.errors import IngestError, InputError, Problem
from covenant.sources.eventfiles import SourceTable, read_source

__all__ = [
    "ClassifiedEvents",
    "EventCounts",
    "classify_events",
    "read_events",
    "read_source",
]

MAX_PROBLEMS = 100
_DENSE_LIMIT = 1 << 24  # (series × buckets) cells counted densely; beyond, sort-based unique

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

_OUTCOMES = {
    "good": 1, "ok": 1, "success": 1, "true": 1, "1": 1, "pass": 1,
    "bad": 0, "error": 0, "failure": 0, "false": 0, "0": 0, "fail": 0,
}  # fmt: skip
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_INTEGER = r"^[+-]?\d+$"
_ISO_ZONED = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"
_ISO_NAIVE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}([.,]\d+)?)?)?)?$"
_MS_THRESHOLD = 100_000_000_000  # epoch numbers at or above this are milliseconds (year 5138+ in s)

# reasons a row is rejected, in the order they are checked (the first one is reported)
_R_OK, _R_NO_ID, _R_TS_MISSING, _R_TS_NAIVE, _R_TS_BAD = 0, 1, 2, 3, 4
_R_STATUS_BAD, _R_LATENCY_BAD, _R_OUTCOME_BAD, _R_COUNTS_BAD, _R_GOOD_GT_TOTAL = 5, 6, 7, 8, 9
_R_NEED_STATUS, _R_NEED_LATENCY, _R_NEED_OUTCOME, _R_TS_RANGE = 10, 11, 12, 13
EARLIEST = 0  # 1970-01-01T00:00:00Z
LATEST = 7_258_118_400  # 2200-01-01T00:00:00Z: later instants are typos, not data


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


def read_events(path: Path, *, rules: Sequence[EventRule], step: int = 60) -> ClassifiedEvents:
    """Read and classify one file (see ``classify_events``)."""
    return classify_events(read_source(path), rules=rules, step=step)


# --- columns ---------------------------------------------------------------------------------


def _column(table: pa.Table, name: str) -> pa.ChunkedArray | None:
    return table.column(name) if name in table.column_names else None


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if pa.types.is_dictionary(kind):
        return column.cast(kind.value_type).cast(pa.string())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return column.cast(pa.string())
    return column.cast(pa.string())


def _codes(column: pa.ChunkedArray | None, n: int) -> tuple[npt.NDArray[np.int32], list[str]]:
    """Per-row dictionary code (-1 for null or empty) and the distinct values."""
    if column is None:
        return np.full(n, -1, dtype=np.int32), []
    if not pa.types.is_dictionary(column.type):
        column = _as_text(column).dictionary_encode()
    column = column.unify_dictionaries() if column.num_chunks > 1 else column
    if column.num_chunks == 0:
        return np.full(n, -1, dtype=np.int32), []
    values = [str(v) for v in column.chunk(0).dictionary.cast(pa.string()).to_pylist()]
    parts = [
        chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
        for chunk in column.chunks
    ]
    codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    blank = [i for i, v in enumerate(values) if not v.strip()]
    if blank:
        codes[np.isin(codes, blank)] = -1
    return codes, values


def _text_mask(text: pa.ChunkedArray, pattern: str) -> Mask:
    return np.asarray(
        pc.match_substring_regex(text, pattern).fill_null(False).to_numpy(zero_copy_only=False),
        dtype=bool,
    )


def _numbers(column: pa.ChunkedArray | None, n: int) -> tuple[F64, Mask, Mask]:
    """``(values, present, invalid)``: float values, which rows hold one, which hold junk."""
    if column is None:
        return np.zeros(n), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        present = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        values = column.cast(pa.float64()).fill_null(0).to_numpy(zero_copy_only=False)
        values = np.asarray(values, dtype=np.float64)
        invalid = present & ~np.isfinite(values)
        return np.where(invalid, 0.0, values), present & ~invalid, invalid
    text = pc.utf8_trim_whitespace(_as_text(column))
    nonempty = np.asarray(
        pc.greater(pc.utf8_length(text), 0).fill_null(False).to_numpy(zero_copy_only=False),
        dtype=bool,
    )
    try:
        values = np.asarray(
            pc.cast(pc.if_else(pc.greater(pc.utf8_length(text), 0), text, None), pa.float64())
            .fill_null(0)
            .to_numpy(zero_copy_only=False),
            dtype=np.float64,
        )
        good = nonempty.copy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        good = _text_mask(text, _NUMBER)
        values = np.asarray(
            pc.cast(pc.if_else(pa.chunked_array([pa.array(good)]), text, None), pa.float64())
            .fill_null(0)
            .to_numpy(zero_copy_only=False),
            dtype=np.float64,
        )
    invalid = nonempty & ~good
    finite = np.isfinite(values)
    invalid |= good & ~finite
    good &= finite
    return np.where(good, values, 0.0), good, invalid


def _integers(column: pa.ChunkedArray | None, n: int) -> tuple[I64, Mask, Mask]:
    """Like ``_numbers`` but integral values only, as exact int64."""
    if column is None:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if pa.types.is_integer(column.type):
        present = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        values = column.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        return np.asarray(values, dtype=np.int64), present, np.zeros(n, dtype=bool)
    floats, present, invalid = _numbers(column, n)
    integral = present & (floats == np.floor(floats)) & (np.abs(floats) < 2.0**53)
    invalid = invalid | (present & ~integral)
    return np.where(integral, floats, 0).astype(np.int64), integral, invalid


def _cast_timestamps(text: pa.ChunkedArray | pa.Array) -> tuple[I64, Mask]:
    """Parse zoned ISO-8601 text to epoch ns; ``ok`` marks rows that parsed."""
    parsed = pc.cast(text, pa.timestamp("ns", "UTC"))
    ok = np.asarray(parsed.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    ns = np.asarray(parsed.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False))
    return ns.astype(np.int64, copy=False), ok


def _parallel_cast(text: pa.ChunkedArray) -> tuple[I64, Mask]:
    """The fast path (every value parses): chunks cast on two threads (pyarrow frees the GIL)."""
    chunks = text.chunks or [pa.array([], pa.string())]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_cast_timestamps, chunks))
    return (
        np.concatenate([r[0] for r in results]),
        np.concatenate([r[1] for r in results]),
    )


def _timestamps(column: pa.ChunkedArray, n: int) -> tuple[I64, npt.NDArray[np.int8]]:
    """Epoch seconds (floored) and a reason code per row (0 when the timestamp is good)."""
    reason = np.zeros(n, dtype=np.int8)
    kind = column.type
    if pa.types.is_timestamp(kind):
        if kind.tz is None:
            raise IngestError(
                "the timestamp column holds timestamps without a time zone",
                hint="write them as UTC (a timestamp type with tz=UTC) or as ISO-8601 text with Z",
            )
        unit = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[kind.unit]
        present = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        raw = np.asarray(
            column.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64
        )
        reason[~present] = _R_TS_MISSING
        return raw // unit, reason
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        values, present, invalid = _numbers(column, n)
        reason[~present] = _R_TS_MISSING
        reason[invalid] = _R_TS_BAD
        return _epoch_seconds(values), reason
    text = _as_text(column)
    try:
        ns, present = _parallel_cast(text)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        text = pc.utf8_trim_whitespace(text)
        present = np.asarray(
            pc.greater(pc.utf8_length(text), 0).fill_null(False).to_numpy(zero_copy_only=False),
            dtype=bool,
        )
        try:
            values = pc.cast(pc.if_else(present, text, None), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return _timestamps_slowly(text, present, reason)
        reason[~present] = _R_TS_MISSING
        floats = np.asarray(values.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.float64)
        return _epoch_seconds(floats), reason
    reason[~present] = _R_TS_MISSING
    ns //= 1_000_000_000
    return ns, reason


def _epoch_seconds(values: F64) -> I64:
    ms = np.abs(values) >= _MS_THRESHOLD
    seconds = np.where(ms, values / 1000.0, values)
    # Far out of range (or NaN) becomes LATEST, which the range check rejects as a bad row.
    sane = np.isfinite(seconds) & (np.abs(seconds) < 2.0**62)
    return np.floor(np.where(sane, seconds, LATEST)).astype(np.int64)


def _timestamps_slowly(
    text: pa.ChunkedArray, present: Mask, reason: npt.NDArray[np.int8]
) -> tuple[I64, npt.NDArray[np.int8]]:
    """Mixed or partly broken timestamps: classify each row's shape, then parse by shape."""
    n = present.size
    seconds = np.zeros(n, dtype=np.int64)
    numeric = _text_mask(text, _NUMBER)
    zoned = _text_mask(text, _ISO_ZONED)
    naive = _text_mask(text, _ISO_NAIVE)
    if numeric.any():
        floats = np.asarray(
            pc.cast(pc.if_else(pa.chunked_array([pa.array(numeric)]), text, None), pa.float64())
            .fill_null(0)
            .to_numpy(zero_copy_only=False),
            dtype=np.float64,
        )
        seconds[numeric] = _epoch_seconds(floats[numeric])
    parsed = np.zeros(n, dtype=bool)
    if zoned.any():
        rows = np.flatnonzero(zoned)
        subset = pc.take(text, pa.array(rows))
        block = 1 << 16
        for b0 in range(0, rows.size, block):
            part = subset.slice(b0, block)
            try:
                ns, ok = _cast_timestamps(part)
                seconds[rows[b0 : b0 + block]] = ns // 1_000_000_000
                parsed[rows[b0 : b0 + block]] = ok
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                # a block with an impossible date (month 13): parse its values one by one
                for j, value in enumerate(part.to_pylist()):
                    epoch = _parse_iso(str(value))
                    if epoch is not None:
                        seconds[rows[b0 + j]] = epoch
                        parsed[rows[b0 + j]] = True
    reason[~present] = _R_TS_MISSING
    reason[present & naive & ~numeric] = _R_TS_NAIVE
    reason[present & ~numeric & ~naive & ~parsed] = _R_TS_BAD
    return seconds, reason


def _parse_iso(value: str) -> int | None:
    try:
        moment = datetime.fromisoformat(value.replace(",", "."))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return delta.days * 86400 + delta.seconds


def _outcomes(column: pa.ChunkedArray | None, n: int) -> tuple[npt.NDArray[np.int8], Mask]:
    """Per row 1 good, 0 bad, -1 absent; and which rows hold an unrecognised value."""
    if column is None:
        return np.full(n, -1, dtype=np.int8), np.zeros(n, dtype=bool)
    if pa.types.is_boolean(column.type) or pa.types.is_integer(column.type):
        present = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        raw = np.asarray(
            column.cast(pa.int64()).fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64
        )
        valid = present & ((raw == 0) | (raw == 1))
        return np.where(valid, raw, -1).astype(np.int8), present & ~valid
    codes, values = _codes(column, n)
    lookup = np.array([_OUTCOMES.get(v.strip().lower(), -2) for v in values] + [-1], dtype=np.int8)
    mapped = lookup[codes]  # code -1 picks the trailing "absent"
    invalid = mapped == -2
    return np.where(invalid, -1, mapped).astype(np.int8), invalid


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
    source: SourceTable, *, rules: Sequence[EventRule], step: int = 60
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

    sli_codes, sli_values = _codes(_column(table, "sli"), n)
    svc_codes, svc_values = _codes(_column(table, "service"), n)
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
    reason[no_identity] = _R_NO_ID

    seconds, ts_reason = _timestamps(table.column("timestamp"), n)
    ts_reason[(ts_reason == 0) & ((seconds < EARLIEST) | (seconds >= LATEST))] = _R_TS_RANGE
    _first(reason, matched & (ts_reason != 0), ts_reason)

    if precounted:
        good_n, good_ok, good_bad = _integers(_column(table, "good"), n)
        total_n, total_ok, total_bad = _integers(_column(table, "total"), n)
        counts_bad = ~good_ok | ~total_ok | good_bad | total_bad | (good_n < 0) | (total_n < 0)
        _first(reason, matched & counts_bad, _R_COUNTS_BAD)
        _first(reason, matched & (good_n > total_n), _R_GOOD_GT_TOTAL)
    else:
        status, has_status, status_bad = _numbers(_column(table, "status"), n)
        status_bad |= has_status & ((status != np.floor(status)) | (status < 100) | (status > 599))
        latency, has_latency, latency_bad = _numbers(_column(table, "latency_ms"), n)
        latency_bad |= has_latency & ~(latency >= 0)
        outcome, outcome_bad = _outcomes(_column(table, "outcome"), n)
        _first(reason, matched & status_bad, _R_STATUS_BAD)
        _first(reason, matched & latency_bad, _R_LATENCY_BAD)
        _first(reason, matched & outcome_bad, _R_OUTCOME_BAD)

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
                    _first(reason, active & need_s & ~has_status & ~status_bad, _R_NEED_STATUS)
                if any_latency:
                    crit &= ~need_l | _holds(latency, rule, compiled.latency)
                    _first(reason, active & need_l & ~has_latency & ~latency_bad, _R_NEED_LATENCY)
                good = np.where(default, default_good, crit)
            if missing_outcome is not None:
                where = active & missing_outcome
                _first(reason, where if default is None else where & default, _R_NEED_OUTCOME)
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

    ok_rows = matched & (reason == _R_OK)
    counts = _count(
        compiled.keys,
        pairs=pairs,
        ok_rows=ok_rows,
        seconds=seconds,
        step=step,
        weights=(good_n, total_n) if precounted else None,
    )
    rejected_rows = np.flatnonzero(reason != _R_OK)
    problems = _merge_invalid(
        source, _problems(source, table, rejected_rows[:MAX_PROBLEMS], reason)
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


def _first(reason: npt.NDArray[np.int8], where: Mask, code: int | npt.NDArray[np.int8]) -> None:
    """Set ``reason`` where it is still 0 (the first problem found is the one reported)."""
    target = where & (reason == _R_OK)
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


_MESSAGES: dict[int, tuple[str, str, str, str]] = {
    # reason: (code, column, message with {value}, fix)
    _R_NO_ID: ("missing-value", "sli", "no sli or service", "fill in the sli (or service)"),
    _R_TS_MISSING: ("missing-value", "timestamp", "no timestamp", "give every row a timestamp"),
    _R_TS_NAIVE: (
        "naive-timestamp",
        "timestamp",
        "{value!r}: no UTC offset; add Z",
        "write UTC times with Z (2026-01-01T12:00:00Z) or an offset (+02:00)",
    ),
    _R_TS_BAD: (
        "bad-value",
        "timestamp",
        "{value!r} is not a timestamp",
        "use ISO-8601 with Z or an offset, or epoch seconds / milliseconds",
    ),
    _R_STATUS_BAD: (
        "bad-value",
        "status",
        "{value!r} is not an HTTP status code",
        "use a code from 100 to 599",
    ),
    _R_LATENCY_BAD: (
        "bad-value",
        "latency_ms",
        "{value!r} is not a number of milliseconds",
        "use a number >= 0",
    ),
    _R_TS_RANGE: (
        "bad-value",
        "timestamp",
        "{value!r} lies outside 1970-01-01 to 2200-01-01",
        "check the timestamp's unit and year",
    ),
    _R_OUTCOME_BAD: (
        "bad-value",
        "outcome",
        "{value!r} is not an outcome",
        "use good/bad, ok/error, success/failure, true/false or 1/0",
    ),
    _R_COUNTS_BAD: (
        "bad-value",
        "good",
        "good={good!r} total={total!r} are not both whole numbers >= 0",
        "",
    ),
    _R_GOOD_GT_TOTAL: ("bad-value", "good", "good={good!r} is more than total={total!r}", ""),
    _R_NEED_STATUS: ("missing-value", "status", "no status, needed by its SLI", ""),
    _R_NEED_LATENCY: ("missing-value", "latency_ms", "no latency_ms, needed by its SLI", ""),
    _R_NEED_OUTCOME: (
        "missing-value",
        "outcome",
        "no outcome or status to tell good from bad",
        "fill in outcome (good/bad) or status",
    ),
}


def _problems(
    source: SourceTable, table: pa.Table, rows: I64, reason: npt.NDArray[np.int8]
) -> list[Problem]:
    """Word the problems of the given bad rows (few: a loop per bad row is fine here)."""
    if rows.size == 0:
        return []
    places = source.locate(rows)
    taken = table.take(pa.array(rows)).to_pylist()
    problems = []
    for place, record, code in zip(places, taken, reason[rows].tolist(), strict=True):
        kind, column, message, fix = _MESSAGES[code]
        values: dict[str, Any] = {
            "value": record.get(column),
            "good": record.get("good"),
            "total": record.get("total"),
        }
        problems.append(
            Problem(code=kind, message=message.format(**values), where=place, field=column, fix=fix)
        )
    return problems


def _merge_invalid(source: SourceTable, problems: list[Problem]) -> tuple[Problem, ...]:
    extra = [
        Problem(code="bad-row", message=row.message, where=row.where, fix="")
        for row in source.invalid
    ]
    if not extra:
        return tuple(problems)
    merged = sorted([*problems, *extra], key=lambda p: _line_key(p.where))
    return tuple(merged[:MAX_PROBLEMS])


def _line_key(where: str) -> int:
    tail = where.rsplit(":", 1)[-1].rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0
