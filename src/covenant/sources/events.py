"""Raw request events → ``(good, total)`` counts per series and bucket, vectorised.

An event file has a ``timestamp`` column (ISO-8601 with ``Z`` or an offset, or an epoch
number in the unit its digits tell: ``sources.epoch``), ``sli`` and/or ``service``, and an
outcome: ``outcome`` (good/bad, ok/error, success/failure, true/false, 1/0), ``status``
(HTTP code) or ``latency_ms``. *Pre-counted* files carry ``timestamp, sli, good, total`` instead.

Each ``EventRule`` picks events by ``sli`` (or ``service``) and says when one is good; one
event can feed several series (availability and a latency threshold). Pre-counted rows go to
the rule whose ``series`` equals the row's ``sli``, else to the rules of that ``sli``.

Everything on the happy path is columnar (pyarrow.compute and numpy: dictionary codes mapped
to rule indices, ``bincount`` over ``(series, bucket)`` keys). Python loops run per rule, per
distinct ``sli``/``service`` value, and per *bad* row (to word its message) only.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from covenant.core.model import Comparison, EventRule, Operator
from covenant.errors import IngestError, InputError
from covenant.sources import eventrows as er
from covenant.sources.eventblocks import EARLIEST, LATEST
from covenant.sources.eventcounts import (
    Ahead,
    ClassifiedEvents,
    EventCounts,
    EventTotals,
    Pairs,
    count_cells,
)
from covenant.sources.eventfiles import DEFAULT_BLOCK_BYTES, SourceTable, read_batches
from covenant.sources.eventkinds import FileKind, refuse_raw_rows
from covenant.sources.eventrows import F64, I64, MAX_PROBLEMS, Mask
from covenant.sources.prefetch import prefetched

__all__ = [
    "ClassifiedEvents",
    "EventCounts",
    "EventTotals",
    "classify_events",
    "iter_classified",
    "read_events",
]


def iter_classified(
    path: Path,
    *,
    rules: Sequence[EventRule],
    step: int = 60,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    into: EventTotals | None = None,
    ahead_from: int | None = None,
) -> Generator[tuple[ClassifiedEvents, float]]:
    """Each batch of the file classified, with the fraction of the file read so far.
    ``ahead_from``: see :func:`classify_events`.

    With ``into``, each batch's events are added straight into its day chunks (the yielded
    counts are then empty; add the yielded batches to ``into`` for the rest of the account).
    The next batch is read on a helper thread while this one is classified.
    """
    kind = FileKind()  # raw events or pre-counted rows: decided once for the whole file
    for batch in prefetched(read_batches(path, block_bytes=block_bytes)):
        events = classify_events(batch, rules=rules, step=step, into=into, ahead_from=ahead_from)
        kind.check(batch, precounted=events.precounted)
        yield events, batch.done


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
    ahead_from: int | None = None,
) -> ClassifiedEvents:
    """Classify a file's rows with ``rules`` and count them per ``(series, bucket)``.

    Bad rows are counted and described (``Problem`` with ``file:line``), the rest counted;
    a file that lacks a needed column raises ``IngestError``. With ``ahead_from`` (epoch
    seconds: the wall clock plus a skew) the counted rows dated after it are accounted
    for in ``ahead`` (how many, the first one's place, the latest timestamp): the caller
    warns of them or refuses the file.
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
            hint=_renames(columns)
            or "add a timestamp column: ISO-8601 with Z or an offset, or epoch seconds",
        )
    if not columns & {"sli", "service"}:
        raise IngestError(
            f"{name}: no 'sli' or 'service' column to tell which series an event feeds",
            hint=_renames(columns)
            or "add an sli (or service) column whose values match your SLI definitions",
        )
    precounted = {"good", "total"} <= columns
    if not precounted and not columns & {"outcome", "status", "latency_ms"}:
        raise IngestError(
            f"{name}: no outcome column: need 'outcome', 'status' or 'latency_ms' "
            "(or 'good' and 'total' for pre-counted rows)",
            hint=_renames(columns) or "add the column that says whether each request succeeded",
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
    seconds, ts_reason = er.timestamps(ts_column, n, name=name)
    if n and (int(seconds.min()) < EARLIEST or int(seconds.max()) >= LATEST):
        ts_reason[(ts_reason == 0) & ((seconds < EARLIEST) | (seconds >= LATEST))] = er.R_TS_RANGE
    if ts_reason.any():
        _first(reason, matched & (ts_reason != 0), ts_reason)

    if precounted:
        good_n, good_ok, good_bad = er.integers(er.column(table, "good"), n)
        total_n, total_ok, total_bad = er.integers(er.column(table, "total"), n)
        refuse_raw_rows(source, counted=good_ok | good_bad | total_ok | total_bad)
        counts_bad = ~good_ok | ~total_ok | good_bad | total_bad | (good_n < 0) | (total_n < 0)
        _first(reason, matched & counts_bad, er.R_COUNTS_BAD)
        _first(reason, matched & (good_n > total_n), er.R_GOOD_GT_TOTAL)
    else:
        status_column = er.column(table, "status")
        status, has_status, status_bad = er.numbers(status_column, n)
        status_bad |= _bad_status(status, has_status) | er.not_digits(status_column, n)
        latency, has_latency, latency_bad = er.numbers(er.column(table, "latency_ms"), n)
        latency_bad |= has_latency & ~(latency >= 0)
        outcome, outcome_bad = er.outcomes(er.column(table, "outcome"), n)
        _first(reason, matched & status_bad, er.R_STATUS_BAD)
        _first(reason, matched & latency_bad, er.R_LATENCY_BAD)
        _first(reason, matched & outcome_bad, er.R_OUTCOME_BAD)

    # fan out: every (row, matching rule) pair; decide good per pair, collect bad rows
    pairs: list[Pairs] = []
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
            pairs.append(Pairs(rows=None, series=series_of, good=good))
        else:
            rows = np.flatnonzero(active)
            pairs.append(
                Pairs(
                    rows=rows,
                    series=compiled.series[rule[rows]],
                    good=None if good is None else good[rows],
                )
            )

    ok_rows = matched & (reason == er.R_OK)
    ahead = None if ahead_from is None else _ahead(source, ok_rows, seconds, ahead_from)
    weights = (good_n, total_n) if precounted else None
    if into is not None and into.add_rows(pairs, ok_rows, seconds, weights):
        empty = np.zeros(0, dtype=np.int64)
        counts = EventCounts(
            keys=compiled.keys, series=empty, bucket_starts=empty, good=empty, total=empty
        )
    else:
        counts = count_cells(
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
    unmatched = _unmatched(cell[unmatched_rows], sli_values, svc_values, rules)
    ingested = int(np.count_nonzero(ok_rows))
    big = np.iinfo(np.int64).max
    return ClassifiedEvents(
        counts=counts,
        rows_read=n + source.invalid_count,
        rows_ingested=ingested,
        rows_rejected=int(rejected_rows.size) + source.invalid_count,
        rows_unmatched=int(np.count_nonzero(unmatched_rows)),
        unmatched=unmatched,
        problems=problems,
        events_min=int(seconds.min(initial=big, where=ok_rows)) if ingested else None,
        events_max=int(seconds.max(initial=-big, where=ok_rows)) if ingested else None,
        precounted=precounted,
        ahead=ahead,
    )


def _ahead(source: SourceTable, ok_rows: Mask, seconds: I64, ahead_from: int) -> Ahead | None:
    """The account of the counted rows dated after ``ahead_from`` (None: none)."""
    rows = np.flatnonzero(ok_rows & (seconds > ahead_from))
    if not rows.size:
        return None
    (first,) = source.locate(rows[:1])
    return Ahead(rows=int(rows.size), first=first, latest=int(seconds[rows].max()))


EVENT_COLUMNS = frozenset(
    {"timestamp", "sli", "service", "outcome", "status", "latency_ms", "good", "total"}
)


def _renames(columns: set[str]) -> str:
    """The fix for a header that names the event columns in another case or with spaces
    (`Timestamp`, `SLI`, as a spreadsheet writes them), or "" when it does not."""
    renames = [
        f"{c!r} to {c.strip().lower()!r}"
        for c in sorted(columns)
        if c != c.strip().lower() and c.strip().lower() in EVENT_COLUMNS
    ]
    if not renames:
        return ""
    return "event column names are lower case: rename " + ", ".join(renames)


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


def _bad_status(status: F64, has_status: Mask) -> Mask:
    """Rows whose status is not a whole number from 100 to 599 (the range checked first: in
    the usual file every status is in it, and one comparison per row is left)."""
    if status.size and has_status.all() and status.min() >= 100 and status.max() <= 599:
        return np.asarray(status != np.floor(status), dtype=bool)
    return np.asarray(
        has_status & ((status != np.floor(status)) | (status < 100) | (status > 599)), dtype=bool
    )


def _first(reason: npt.NDArray[np.int8], where: Mask, code: int | npt.NDArray[np.int8]) -> None:
    """Set ``reason`` where it is still 0 (the first problem found is the one reported)."""
    if not where.any():
        return
    target = where & (reason == er.R_OK)
    if isinstance(code, np.ndarray):
        reason[target] = code[target]
    else:
        reason[target] = code


def _unmatched(
    cells: npt.NDArray[np.integer[Any]],
    sli_values: list[str],
    svc_values: list[str],
    rules: Sequence[EventRule],
) -> tuple[tuple[str, int], ...]:
    if cells.size == 0:
        return ()
    width = len(svc_values) + 1
    known = {
        "sli": sorted({rule.sli for rule in rules}),
        "service": sorted({rule.service for rule in rules if rule.service is not None}),
    }
    found, counts = np.unique(cells, return_counts=True)
    labels: dict[str, int] = {}
    for c, k in zip(found.tolist(), counts.tolist(), strict=True):
        sli_code, svc_code = c // width - 1, c % width - 1
        parts = []
        if sli_code >= 0:
            parts.append(unmatched_label("sli", sli_values[sli_code], known["sli"]))
        if svc_code >= 0:
            parts.append(unmatched_label("service", svc_values[svc_code], known["service"]))
        label = " ".join(parts)
        labels[label] = labels.get(label, 0) + int(k)
    return tuple(sorted(labels.items(), key=lambda item: (-item[1], item[0])))


def unmatched_label(column: str, value: str, known: Sequence[str]) -> str:
    """``sli=value`` for a value no rule names: quoted (as Python writes a string) when a plain
    view would hide what it holds — spaces around it, nothing, a control character — and
    with the name it nearly is when it differs from one only by those spaces or by case
    (matching is exact, docs/ingest.md: the file is to be fixed, not the value guessed)."""
    plain = value != "" and value == value.strip() and value.isprintable()
    shown = f"{column}={value if plain else repr(value)}"
    folded = value.strip().casefold()
    near = [name for name in known if name != value and name.strip().casefold() == folded]
    if len(near) == 1:
        return f"{shown} (did you mean {column}={near[0]}?)"
    return shown
