"""Columns of an event table → typed numpy arrays, and the words for rejected rows.

Parsing is columnar (pyarrow.compute and numpy); a row-by-row path runs only to explain rows
already known to be bad. Each rejected row gets one reason code (the first that applies) and,
from it, a ``Problem`` with the file line, the column, the message and the fix.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from covenant.errors import IngestError, Problem
from covenant.sources.epoch import EPOCH_FIX, EPOCH_WORDS, epoch_seconds_of
from covenant.sources.eventfiles import SourceTable
from covenant.sources.rowvalues import Written, shown, spreadsheet_words

MAX_PROBLEMS = 100

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

OUTCOMES = {
    "good": 1, "ok": 1, "success": 1, "true": 1, "1": 1, "pass": 1,
    "bad": 0, "error": 0, "failure": 0, "false": 0, "0": 0, "fail": 0,
}  # fmt: skip
NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
INTEGER = r"^[+-]?\d+$"
DIGITS = r"^\d+(\.0+)?$"  # 200, or 200.0 as pandas writes integers with a missing value
ISO_ZONED = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"
ISO_NAIVE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}([.,]\d+)?)?)?)?$"
MAX_COUNT = 10**12  # good/total of one pre-counted row: sums of a batch stay far below 2**63

# reasons a row is rejected, in the order they are checked (the first one is reported)
R_OK, R_NO_ID, R_TS_MISSING, R_TS_NAIVE, R_TS_BAD = 0, 1, 2, 3, 4
R_STATUS_BAD, R_LATENCY_BAD, R_OUTCOME_BAD, R_COUNTS_BAD, R_GOOD_GT_TOTAL = 5, 6, 7, 8, 9
R_NEED_STATUS, R_NEED_LATENCY, R_NEED_OUTCOME, R_TS_RANGE = 10, 11, 12, 13
R_SLI_NESTED, R_SERVICE_NESTED, R_TS_UNIT = 14, 15, 16


def column(table: pa.Table, name: str) -> pa.ChunkedArray | None:
    """The column as a type the classifier reads: scalars as they are, anything else as text.

    A nested value (a JSON object or list, a Parquet struct/list/map) becomes its JSON text,
    bytes become UTF-8 text (undecodable bytes replaced), other types their string form; the
    classifier then rejects such rows with the column's usual problem.
    """
    if name not in table.column_names:
        return None
    found = table.column(name)
    kind = found.type
    if pa.types.is_dictionary(kind) and not pa.types.is_string(kind.value_type):
        found = found.cast(kind.value_type)
        kind = found.type
    if (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_timestamp(kind)
        or pa.types.is_null(kind)
        or pa.types.is_dictionary(kind)
    ):
        return found
    try:
        if pa.types.is_nested(kind):
            raise pa.ArrowNotImplementedError("nested")
        return found.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return pa.chunked_array(
            [pa.array([_value_text(v) for v in found.to_pylist()], type=pa.string())],
            type=pa.string(),
        )


def _value_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    try:
        return json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return str(value)


def as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if pa.types.is_dictionary(kind):
        return column.cast(kind.value_type).cast(pa.string())
    return column.cast(pa.string())


def nested_rows(table: pa.Table, name: str) -> Mask | None:
    """Rows holding an object or a list in the column (None when it holds none)."""
    if name not in table.column_names or not pa.types.is_nested(table.column(name).type):
        return None
    valid = table.column(name).is_valid().to_numpy(zero_copy_only=False)
    return np.asarray(valid, dtype=bool)


def dictionary_codes(
    column: pa.ChunkedArray | None, n: int
) -> tuple[npt.NDArray[np.int32], list[str]]:
    """Per-row dictionary code (-1 for null or empty) and the distinct values."""
    if column is None:
        return np.full(n, -1, dtype=np.int32), []
    if not pa.types.is_dictionary(column.type):
        column = as_text(column).dictionary_encode()
    column = column.unify_dictionaries() if column.num_chunks > 1 else column
    if column.num_chunks == 0:
        return np.full(n, -1, dtype=np.int32), []
    values = [str(v) for v in column.chunk(0).dictionary.cast(pa.string()).to_pylist()]
    parts = [
        (chunk.indices.fill_null(-1) if chunk.null_count else chunk.indices)
        .to_numpy(zero_copy_only=False)
        .astype(np.int32, copy=False)
        for chunk in column.chunks
    ]
    codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    blank = [i for i, v in enumerate(values) if not v.strip()]
    if blank:
        codes[np.isin(codes, blank)] = -1
    return codes, values


def text_mask(text: pa.ChunkedArray, pattern: str) -> Mask:
    return np.asarray(
        pc.match_substring_regex(text, pattern).fill_null(False).to_numpy(zero_copy_only=False),
        dtype=bool,
    )


def numbers(column: pa.ChunkedArray | None, n: int) -> tuple[F64, Mask, Mask]:
    """``(values, present, invalid)``: float values, which rows hold one, which hold junk."""
    if column is None:
        return np.zeros(n), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        if not column.null_count:  # the usual column: no masks to build, no nulls to fill
            values = np.asarray(
                pc.cast(column, pa.float64(), safe=False).to_numpy(zero_copy_only=False),
                dtype=np.float64,
            )
            if pa.types.is_floating(kind):
                finite = np.isfinite(values)
                if not finite.all():
                    return np.where(finite, values, 0.0), finite, ~finite
            return values, np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
        present = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        # unsafe: a uint64 of 2**64-1 becomes its nearest float, and the range checks reject it
        values = pc.cast(column, pa.float64(), safe=False).fill_null(0)
        values = np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
        invalid = present & ~np.isfinite(values)
        return np.where(invalid, 0.0, values), present & ~invalid, invalid
    text = pc.utf8_trim_whitespace(as_text(column))
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
        good = text_mask(text, NUMBER)
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


def not_digits(column: pa.ChunkedArray | None, n: int) -> Mask:
    """Rows whose value is not a whole number written as digits (an HTTP status; ``200.0``
    too, as pandas writes one): text such as ``2e2`` or ``200.5``, a boolean. A typed float
    column (Parquet) holds no text: a fraction there is refused by the status check."""
    if column is None or pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        return np.zeros(n, dtype=bool)
    present = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    if pa.types.is_boolean(column.type):
        return present
    text = pc.utf8_trim_whitespace(as_text(column))
    empty = np.asarray(
        pc.equal(text, "").fill_null(True).to_numpy(zero_copy_only=False), dtype=bool
    )
    digits: Mask = text_mask(text, DIGITS)
    return np.asarray(present & ~empty & ~digits, dtype=bool)


def integers(column: pa.ChunkedArray | None, n: int) -> tuple[I64, Mask, Mask]:
    """Like ``numbers`` but integral values only, as exact int64."""
    if column is None:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if pa.types.is_integer(column.type):
        present = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        values = np.asarray(
            pc.cast(column, pa.int64(), safe=False).fill_null(0).to_numpy(zero_copy_only=False),
            dtype=np.int64,
        )
        # a uint64 above 2**63 - 1 wrapped to a negative number in the unsafe cast
        invalid = present & ((values < 0) | (values > MAX_COUNT))
        return np.where(invalid, 0, values), present & ~invalid, invalid
    floats, present, invalid = numbers(column, n)
    integral = present & (floats == np.floor(floats)) & (np.abs(floats) <= MAX_COUNT)
    invalid = invalid | (present & ~integral)
    return np.where(integral, floats, 0).astype(np.int64), integral, invalid


def cast_timestamps(text: pa.ChunkedArray | pa.Array) -> tuple[I64, Mask]:
    """Parse zoned ISO-8601 text to epoch ns; ``ok`` marks rows that parsed."""
    parsed = pc.cast(text, pa.timestamp("ns", "UTC"))
    ok = np.asarray(parsed.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    ns = np.asarray(parsed.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False))
    return ns.astype(np.int64, copy=False), ok


def parallel_cast(text: pa.ChunkedArray) -> tuple[I64, Mask]:
    """The fast path (every value parses): chunks cast on two threads (pyarrow frees the GIL)."""
    chunks = text.chunks or [pa.array([], pa.string())]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(cast_timestamps, chunks))
    return (
        np.concatenate([r[0] for r in results]),
        np.concatenate([r[1] for r in results]),
    )


def timestamps(
    column: pa.ChunkedArray, n: int, *, name: str = "the file"
) -> tuple[I64, npt.NDArray[np.int8]]:
    """Epoch seconds (floored) and a reason code per row (0 when the timestamp is good);
    ``name`` (the file's) starts a whole-file error."""
    reason = np.zeros(n, dtype=np.int8)
    kind = column.type
    if pa.types.is_timestamp(kind):
        if kind.tz is None:
            raise IngestError(
                f"{name}: the timestamp column holds timestamps without a time zone",
                hint="write them as UTC (a timestamp type with tz=UTC) or as ISO-8601 text with Z",
            )
        unit = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[kind.unit]
        raw = column.cast(pa.int64())
        if column.null_count:
            present = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
            reason[~present] = R_TS_MISSING
            raw = raw.fill_null(0)
        seconds = np.asarray(raw.to_numpy(zero_copy_only=False), dtype=np.int64)
        if unit > 1:
            seconds = seconds // unit
        return seconds, reason
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        _, present, invalid = numbers(column, n)
        seconds, unclear = epoch_seconds_of(column)
        reason[present & unclear] = R_TS_UNIT
        reason[~present] = R_TS_MISSING
        reason[invalid] = R_TS_BAD
        return seconds, reason
    text = as_text(column)
    try:
        ns, present = parallel_cast(text)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # RFC 3339 lets "T" and "Z" be written lower case (2026-10-01t09:00:00z)
        text = pc.utf8_upper(pc.utf8_trim_whitespace(text))
        present = np.asarray(
            pc.greater(pc.utf8_length(text), 0).fill_null(False).to_numpy(zero_copy_only=False),
            dtype=bool,
        )
        given = pc.if_else(present, text, None)
        try:
            pc.cast(given, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return timestamps_slowly(text, present, reason)
        seconds, unclear = epoch_seconds_of(given)
        reason[present & unclear] = R_TS_UNIT
        reason[~present] = R_TS_MISSING
        return seconds, reason
    reason[~present] = R_TS_MISSING
    ns //= 1_000_000_000
    return ns, reason


def timestamps_slowly(
    text: pa.ChunkedArray, present: Mask, reason: npt.NDArray[np.int8]
) -> tuple[I64, npt.NDArray[np.int8]]:
    """Mixed or partly broken timestamps: classify each row's shape, then parse by shape."""
    n = present.size
    seconds = np.zeros(n, dtype=np.int64)
    numeric = text_mask(text, NUMBER)
    zoned = text_mask(text, ISO_ZONED)
    naive = text_mask(text, ISO_NAIVE)
    if numeric.any():
        found, unclear = epoch_seconds_of(text.take(pa.array(np.flatnonzero(numeric))))
        seconds[numeric] = found
        reason[np.flatnonzero(numeric)[unclear]] = R_TS_UNIT
    parsed = np.zeros(n, dtype=bool)
    if zoned.any():
        rows = np.flatnonzero(zoned)
        subset = pc.take(text, pa.array(rows))
        block = 1 << 16
        for b0 in range(0, rows.size, block):
            part = subset.slice(b0, block)
            try:
                ns, ok = cast_timestamps(part)
                seconds[rows[b0 : b0 + block]] = ns // 1_000_000_000
                parsed[rows[b0 : b0 + block]] = ok
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                # a block with an impossible date (month 13): parse its values one by one
                for j, value in enumerate(part.to_pylist()):
                    epoch = parse_iso(str(value))
                    if epoch is not None:
                        seconds[rows[b0 + j]] = epoch
                        parsed[rows[b0 + j]] = True
    reason[~present] = R_TS_MISSING
    reason[present & naive & ~numeric] = R_TS_NAIVE
    reason[present & ~numeric & ~naive & ~parsed] = R_TS_BAD
    return seconds, reason


def parse_iso(value: str) -> int | None:
    try:
        moment = datetime.fromisoformat(value.replace(",", "."))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return delta.days * 86400 + delta.seconds


def outcomes(column: pa.ChunkedArray | None, n: int) -> tuple[npt.NDArray[np.int8], Mask]:
    """Per row 1 good, 0 bad, -1 absent; and which rows hold an unrecognised value."""
    if column is None:
        return np.full(n, -1, dtype=np.int8), np.zeros(n, dtype=bool)
    if pa.types.is_boolean(column.type) or pa.types.is_integer(column.type):
        present = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        raw = np.asarray(
            pc.cast(column, pa.int64(), safe=False).fill_null(-1).to_numpy(zero_copy_only=False),
            dtype=np.int64,
        )
        valid = present & ((raw == 0) | (raw == 1))

        return np.where(valid, raw, -1).astype(np.int8), present & ~valid
    codes, values = dictionary_codes(column, n)
    lookup = np.array([OUTCOMES.get(v.strip().lower(), -2) for v in values] + [-1], dtype=np.int8)
    mapped = lookup[codes]  # code -1 picks the trailing "absent"
    invalid = mapped == -2
    return np.where(invalid, -1, mapped).astype(np.int8), invalid


MESSAGES: dict[int, tuple[str, str, str, str]] = {
    # reason: (code, column, message with {value}, fix)
    R_NO_ID: ("missing-value", "sli", "no sli or service", "fill in the sli (or service)"),
    R_TS_MISSING: ("missing-value", "timestamp", "no timestamp", "give every row a timestamp"),
    R_TS_NAIVE: (
        "naive-timestamp",
        "timestamp",
        "{value!r}: no UTC offset; add Z",
        "write UTC times with Z (2026-01-01T12:00:00Z) or an offset (+02:00)",
    ),
    R_TS_BAD: (
        "bad-value",
        "timestamp",
        "{value!r} is not a timestamp",
        f"use ISO-8601 with Z or an offset, or {EPOCH_WORDS}",
    ),
    R_TS_UNIT: (
        "bad-value",
        "timestamp",
        "{value!r} is an epoch number whose digits tell no unit",
        EPOCH_FIX,
    ),
    R_STATUS_BAD: (
        "bad-value",
        "status",
        "{value!r} is not an HTTP status code",
        "use a code from 100 to 599, written as digits (200, not 2e2)",
    ),
    R_LATENCY_BAD: (
        "bad-value",
        "latency_ms",
        "{value!r} is not a number of milliseconds",
        "use a number >= 0",
    ),
    R_SLI_NESTED: (
        "bad-value",
        "sli",
        "{value} is an object or a list, not an SLI name",
        "write the SLI's name as text",
    ),
    R_SERVICE_NESTED: (
        "bad-value",
        "service",
        "{value} is an object or a list, not a service name",
        "write the service's name as text",
    ),
    R_TS_RANGE: (
        "bad-value",
        "timestamp",
        "{value!r} lies outside 1970-01-01 to 2200-01-01",
        "check the timestamp's unit and year",
    ),
    R_OUTCOME_BAD: (
        "bad-value",
        "outcome",
        "{value!r} is not an outcome",
        "use good/bad, ok/error, success/failure, true/false or 1/0",
    ),
    R_COUNTS_BAD: (
        "bad-value",
        "good",
        "good={good!r} total={total!r} are not both whole numbers from 0 to 10^12",
        "write both counts as whole numbers on every row (a file with good and total columns "
        "is read as pre-counted rows)",
    ),
    R_GOOD_GT_TOTAL: (
        "bad-value",
        "good",
        "good={good!r} is more than total={total!r}",
        "good counts the successful requests among total: check the two columns",
    ),
    R_NEED_STATUS: (
        "missing-value",
        "status",
        "no status, needed by its SLI",
        "fill in the HTTP status code",
    ),
    R_NEED_LATENCY: (
        "missing-value",
        "latency_ms",
        "no latency_ms, needed by its SLI",
        "fill in the latency in milliseconds",
    ),
    R_NEED_OUTCOME: (
        "missing-value",
        "outcome",
        "no outcome or status to tell good from bad",
        "fill in outcome (good/bad) or status",
    ),
}


def problems(
    source: SourceTable, table: pa.Table, rows: I64, reason: npt.NDArray[np.int8]
) -> list[Problem]:
    """Word the problems of the given bad rows (few: a loop per bad row is fine here)."""
    if rows.size == 0:
        return []
    places = source.locate(rows)
    taken = table.take(pa.array(rows)).to_pylist()
    texts = source.written(rows) if source.written is not None else [None] * len(taken)
    problems = []
    for place, record, text, code in zip(places, taken, texts, reason[rows].tolist(), strict=True):
        kind, column, message, fix = MESSAGES[code]
        values: dict[str, Any] = {
            key: shown(record.get(name), (text or {}).get(name))
            for key, name in (("value", column), ("good", "good"), ("total", "total"))
        }
        status = values["value"]
        if column == "status" and isinstance(status, str) and re.match(NUMBER, status.strip()):
            values["value"] = Written(status.strip())  # read as text (2e2): a number, bare
        said, fix = spreadsheet_words(column, values, message.format(**values), fix)
        problems.append(Problem(code=kind, message=said, where=place, field=column, fix=fix))
    return problems


def merge_invalid(source: SourceTable, problems: list[Problem]) -> tuple[Problem, ...]:
    extra = [
        Problem(code="bad-row", message=row.message, where=row.where, fix="")
        for row in source.invalid
    ]
    if not extra:
        return tuple(problems)
    merged = sorted([*problems, *extra], key=lambda p: line_key(p.where))
    return tuple(merged[:MAX_PROBLEMS])


def line_key(where: str) -> int:
    tail = where.rsplit(":", 1)[-1].rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0
