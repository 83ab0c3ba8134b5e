"""JSONL event files, block by block: pyarrow's parser, halving around the lines it refuses.

Lines that are not a JSON object, or nest deeper than ``MAX_JSON_DEPTH``, are taken out first
(pyarrow's JSON parser crashes the process on some of these) and reported with their line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.json as pa_json

from covenant.errors import IngestError
from covenant.sources.eventblocks import (
    EVENT_COLUMNS,
    MAX_INVALID,
    InvalidRow,
    SourceTable,
    WrittenRows,
    blank_lines,
    has_text,
    line_locator,
    line_of,
    line_spans,
    text_blocks,
    utf8_problems,
)
from covenant.sources.jsonkeys import BlockKeys, repeated_keys
from covenant.sources.rowvalues import Written

MAX_JSON_DEPTH = 64
_SLOW_LINES = 2048  # a JSON segment this short that pyarrow refuses is read line by line


def _json_lines(data: bytes) -> npt.NDArray[np.int64]:
    """Line number (1-based) of every non-blank line."""
    starts, ends = line_spans(data)
    keep = np.zeros(starts.size, dtype=bool)
    nonblank = ends - starts > 0
    keep[nonblank] = True
    # a line of only whitespace counts as blank; such lines are rare, check them one by one
    short = np.flatnonzero(nonblank & (ends - starts <= 4))
    for i in short.tolist():
        if not data[starts[i] : ends[i]].strip():
            keep[i] = False
    lines: npt.NDArray[np.int64] = np.flatnonzero(keep).astype(np.int64) + 1
    return lines


def _json_shape_problems(data: bytes) -> list[tuple[int, str]]:
    """``(0-based line, message)`` for non-blank lines that are not a flat-enough JSON object.

    Vectorised: the first byte of each line, and (only when a block holds more brackets than
    lines) the running bracket depth. Brackets inside strings count too, so a line with many
    may be refused although it would parse; no event needs 64 levels.
    """
    starts, ends = line_spans(data)
    buf = np.frombuffer(data, dtype=np.uint8)
    length = ends - starts
    first = np.full(starts.size, 10, dtype=np.uint8)
    has = length > 0
    first[has] = buf[starts[has]]
    found: dict[int, str] = {}
    odd = np.flatnonzero(has & (first != 123))  # not "{"
    for i in odd.tolist():
        text = data[starts[i] : ends[i]].strip()
        if text.startswith(BOM):
            found[i] = (
                "line starts with a byte-order mark (U+FEFF), as a file another tool saved "
                "does (files joined into one?) — remove it"
            )
        elif text and not text.startswith(b"{"):
            found[i] = "line is not a JSON object"
    opens = data.count(b"{") + data.count(b"[")
    spans = np.flatnonzero(has)
    if spans.size and opens > spans.size:
        is_open = (buf == 123) | (buf == 91)
        per_line = np.add.reduceat(is_open, starts[spans], dtype=np.int64)
        for i in spans[per_line > MAX_JSON_DEPTH].tolist():
            line = buf[starts[i] : ends[i]]
            delta = (line == 123).astype(np.int32) + (line == 91)
            delta -= (line == 125).astype(np.int32) + (line == 93)
            if int(np.cumsum(delta).max()) > MAX_JSON_DEPTH:
                found.setdefault(i, f"line nests more than {MAX_JSON_DEPTH} levels deep")
    return sorted(found.items())


BOM = b"\xef\xbb\xbf"


def _json_array(name: str) -> IngestError:
    """The error for an events file that is one JSON array, not JSON Lines: read as lines, only
    the elements that happen to stand alone on a line (the last) were counted."""
    return IngestError(
        f"{name}:1: the file is one JSON array ('[' … ']'), and events are JSON Lines: one "
        "object per line, nothing around them; nothing of the file was stored",
        hint=f"write each event on a line of its own (jq -c '.[]' {name} > events.jsonl), "
        "then ingest that file",
    )


def jsonl_batches(path: Path, gz: bool, block_bytes: int) -> Iterator[SourceTable]:
    name = path.name
    seen: dict[str, None] = {}
    yielded = False
    for block, first_line, done in text_blocks(path, gz, block_bytes, lambda d: d.rfind(b"\n") + 1):
        if first_line == 1 and block[:65536].removeprefix(BOM).lstrip()[:1] == b"[":
            raise _json_array(name)
        problems = utf8_problems(block)
        bad = {i for i, _ in problems}
        problems += [(i, m) for i, m in _json_shape_problems(block) if i not in bad]
        data = block
        if problems:
            starts, _ = line_spans(block)
            data = blank_lines(block, [i for i, _ in problems], starts)
            problems.sort()
        invalid = [
            InvalidRow(where=f"{name}:{first_line + i}", message=m)
            for i, m in problems[:MAX_INVALID]
        ]
        n_invalid = len(problems)
        keys = BlockKeys(data)
        for segment, at_lines, slow_invalid, slow_count in _json_segments(name, data, first_line):
            parsed, lines, repeated = _without_repeated_keys(
                name, keys, segment, at_lines, first_line
            )
            seen.update(dict.fromkeys(parsed.column_names))
            rows = sorted([*invalid, *slow_invalid, *repeated], key=lambda r: line_of(r.where))
            yield SourceTable(
                path=path,
                table=_pad(parsed, seen),
                locate=line_locator(name, lines),
                invalid=tuple(rows[:MAX_INVALID]),
                invalid_count=n_invalid + slow_count + len(repeated),
                done=done,
                written=_written_lines(data, first_line, lines),
            )
            yielded = True
            invalid, n_invalid = [], 0
        if n_invalid:  # the block had only bad lines
            empty = _pad(pa.table({"timestamp": pa.array([], pa.string())}), seen)
            yield SourceTable(
                path=path,
                table=empty,
                locate=line_locator(name, np.zeros(0, dtype=np.int64)),
                invalid=tuple(invalid),
                invalid_count=n_invalid,
                done=done,
            )
            yielded = True
    if not yielded:  # not one line with anything on it: no columns to check, no events
        raise IngestError(
            f"{name}: the file holds no events (it is empty or holds only blank lines)",
            hint='write one JSON object per line ({"timestamp": "2026-10-01T00:00:00Z", '
            '"sli": "checkout-availability", "status": 200}), or leave the file out',
        )


def _written_lines(data: bytes, first_line: int, lines: npt.NDArray[np.int64]) -> WrittenRows:
    """The given rows' values as written (numbers as their text), from the block's lines."""

    def written(rows: npt.NDArray[np.int64]) -> list[dict[str, str] | None]:
        starts, ends = line_spans(data)
        found: list[dict[str, str] | None] = []
        for row in rows.tolist():
            index = int(lines[row]) - first_line if row < lines.size else -1
            try:
                text = data[starts[index] : ends[index]] if 0 <= index < starts.size else b""
                # numbers as Written: shown bare, as the file wrote them (good=5, not '5')
                record = json.loads(text, parse_int=Written, parse_float=Written)
            except ValueError:
                record = None
            found.append(
                {str(k): v for k, v in record.items() if isinstance(v, str)}
                if isinstance(record, dict)
                else None
            )
        return found

    return written


def _without_repeated_keys(
    name: str, keys: BlockKeys, table: pa.Table, lines: npt.NDArray[np.int64], first_line: int
) -> tuple[pa.Table, npt.NDArray[np.int64], list[InvalidRow]]:
    """``table`` without the rows whose line names a key twice, and those rows as bad rows."""
    found = repeated_keys(keys, table, lines - first_line)
    if not found:
        return table, lines, []
    keep = np.ones(table.num_rows, dtype=bool)
    keep[[row for row, _ in found]] = False
    bad = [
        InvalidRow(
            where=f"{name}:{int(lines[row])}",
            message=f"key {key!r} is written more than once on the line (the JSON reader "
            "would keep only the last) — write each key once",
        )
        for row, key in found
    ]
    return table.filter(pa.array(keep)), lines[keep], bad


def _pad(table: pa.Table, seen: dict[str, None]) -> pa.Table:
    """Add the event columns seen earlier in the file but absent here, as nulls."""
    for column in seen:
        if column in EVENT_COLUMNS and column not in table.column_names:
            table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
    return table


_JSON_ATTEMPTS = (
    pa_json.ParseOptions(
        explicit_schema=pa.schema([("timestamp", pa.string())]),
        unexpected_field_behavior="infer",
    ),
    None,
)


def _parse_json(data: bytes) -> pa.Table | None:
    """pyarrow's parse of whole lines, or None when it refuses them (or drops UTC offsets)."""
    for i, options in enumerate(_JSON_ATTEMPTS):
        try:
            table = pa_json.read_json(
                pa.BufferReader(data),
                read_options=pa_json.ReadOptions(use_threads=False, block_size=1 << 22),
                parse_options=options,
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            continue
        names = table.column_names
        if i == 1 and "timestamp" in names and pa.types.is_timestamp(table["timestamp"].type):
            continue  # pyarrow's inference drops UTC offsets: never trust it
        return table
    return None


def _fractional_status(table: pa.Table) -> bool:
    """pyarrow read the status as floats: some line wrote one as no whole number of digits."""
    return "status" in table.column_names and pa.types.is_floating(table["status"].type)


def _json_segments(
    name: str, data: bytes, first_line: int
) -> Iterator[tuple[pa.Table, npt.NDArray[np.int64], list[InvalidRow], int]]:
    """Tables for the lines of ``data``: pyarrow on the whole, halving around refused lines.

    A bad line costs a few re-parses of ever smaller halves (about twice the block in all);
    only a short segment around it is read line by line.
    """
    if not has_text(data):
        return
    table = _parse_json(data)
    if table is not None and not _fractional_status(table):
        yield table, _json_lines(data) + (first_line - 1), [], 0
        return
    if table is not None:  # a status written 2e2 or 200.5 among 200s: each as written
        yield _read_jsonl_slowly(name, data, first_line)
        return
    newlines = data.count(b"\n")
    if newlines <= _SLOW_LINES:
        yield _read_jsonl_slowly(name, data, first_line)
        return
    middle = data.find(b"\n", len(data) // 2) + 1 or len(data)
    head, tail = data[:middle], data[middle:]
    yield from _json_segments(name, head, first_line)
    yield from _json_segments(name, tail, first_line + head.count(b"\n"))


def _read_jsonl_slowly(
    name: str, data: bytes, first_line: int
) -> tuple[pa.Table, npt.NDArray[np.int64], list[InvalidRow], int]:
    """Line by line, for lines pyarrow refuses (broken lines, a column of mixed types).

    Values keep their text; the classifier parses them as it parses CSV text.
    """
    invalid: list[InvalidRow] = []
    n_invalid = 0
    lines: list[int] = []
    records: list[dict[str, Any]] = []
    for number, raw in enumerate(data.split(b"\n"), start=first_line):
        if not raw.strip():
            continue
        try:
            # numbers as their text: 1e400 is no float infinity (written back "Infinity")
            value = json.loads(raw, parse_int=str, parse_float=str)
        except (ValueError, RecursionError) as exc:
            value = exc
        if not isinstance(value, dict):
            what = "not valid JSON" if isinstance(value, Exception) else "not a JSON object"
            message = f"line is {what}"
        else:
            nested = [k for k in ("sli", "service") if isinstance(value.get(k), dict | list)]
            message = f"{nested[0]} is an object or a list, not a name" if nested else ""
        if message:
            n_invalid += 1
            if len(invalid) < MAX_INVALID:
                invalid.append(InvalidRow(where=f"{name}:{number}", message=message))
            continue
        assert isinstance(value, dict)
        lines.append(number)
        records.append(value)
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    columns = {
        column: pa.array([_text(record.get(column)) for record in records], type=pa.string())
        for column in names
    }
    table = pa.table(columns) if columns else pa.table({"timestamp": pa.array([], pa.string())})
    return table, np.asarray(lines, dtype=np.int64), invalid, n_invalid


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value)
