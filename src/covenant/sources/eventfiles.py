"""Read event files (CSV, JSONL, Parquet; ``.gz`` welcome) as a stream of Arrow batches.

A file is read in blocks of about ``block_bytes`` (whole records; Parquet in row batches), so
memory stays bounded whatever the file's size. Each block is parsed by pyarrow's
multi-threaded parsers. Line numbers are worked out only when a row is bad, from the block's
bytes and vectorised with numpy: a newline ends a CSV record only outside quotes (even number
of ``"`` before it), and empty lines are skipped as the parser skips them.

Bytes pyarrow must not see are taken out first, each reported as a bad row with its line:
text that is not UTF-8, and JSON lines that are not an object or nest deeper than
``MAX_JSON_DEPTH`` (pyarrow's JSON parser crashes the process on some of these).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from covenant.errors import IngestError

LineMap = Callable[[npt.NDArray[np.int64]], list[str]]
DICTIONARY_COLUMNS = ("sli", "service", "outcome")
EVENT_COLUMNS = (
    "timestamp",
    "sli",
    "service",
    "outcome",
    "status",
    "latency_ms",
    "good",
    "total",
)  # the columns classification reads; others are never parsed (Parquet) or ignored
DEFAULT_BLOCK_BYTES = 1 << 24  # 16 MiB of text per batch: bounded memory, pyarrow still fast
MAX_JSON_DEPTH = 64
_DICT = pa.dictionary(pa.int32(), pa.string())
_MAX_INVALID = 100
_SLOW_LINES = 2048  # a JSON segment this short that pyarrow refuses is read line by line


@dataclass(frozen=True, slots=True, kw_only=True)
class InvalidRow:
    """A row the parser could not turn into a table row (wrong column count, broken JSON)."""

    where: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceTable:
    """One batch of a file's rows as an Arrow table, and how to name a row's place in the file.

    ``invalid`` lists (up to 100) records of this batch that could not become rows;
    ``invalid_count`` counts all of them. ``done`` is the fraction of the file read so far.
    """

    path: Path
    table: pa.Table
    locate: LineMap = field(repr=False)
    invalid: tuple[InvalidRow, ...] = ()
    invalid_count: int = 0
    done: float = 1.0


def file_format(path: Path) -> tuple[str, bool]:
    """``(format, gzipped)`` from the file name: csv, jsonl (also .ndjson, .json) or parquet."""
    name = path.name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    for suffix, kind in (
        (".csv", "csv"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "jsonl"),
        (".parquet", "parquet"),
        (".pq", "parquet"),
    ):
        if name.endswith(suffix):
            if kind == "parquet" and gz:
                break
            return kind, gz
    raise IngestError(
        f"{path.name}: cannot tell the file format from its name",
        hint="name event files *.csv, *.csv.gz, *.jsonl, *.jsonl.gz or *.parquet",
    )


def file_sha256(path: Path) -> str:
    """The sha256 of the file's bytes (as stored, compressed or not), read in 1 MiB pieces."""
    digest = hashlib.sha256()
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    try:
        with path.open("rb") as handle:
            while size := handle.readinto(buffer):
                digest.update(view[:size])
    except OSError as exc:
        raise IngestError(
            f"{path}: cannot read the file ({exc.strerror or exc})",
            hint="check the path and that you may read it",
        ) from exc
    return digest.hexdigest()


def read_batches(path: Path, *, block_bytes: int = DEFAULT_BLOCK_BYTES) -> Iterator[SourceTable]:
    """The file's rows, batch by batch; ``IngestError`` (with the fix) when it cannot be read.

    At least one batch is yielded (maybe empty) so that the columns can be checked.
    """
    kind, gz = file_format(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file", hint="check the path")
    if block_bytes < 1:
        raise IngestError(f"block size {block_bytes} must be at least 1 byte")
    try:
        if kind == "csv":
            yield from _csv_batches(path, gz, block_bytes)
        elif kind == "jsonl":
            yield from _jsonl_batches(path, gz, block_bytes)
        else:
            yield from _parquet_batches(path, block_bytes)
    except OSError as exc:
        if gz:
            raise IngestError(
                f"{path.name}: cannot decompress it as gzip ({exc})",
                hint="re-compress it with gzip, or drop .gz from the name if it is plain",
            ) from exc
        raise IngestError(
            f"{path}: cannot read the file ({exc.strerror or exc})",
            hint="check the path, that you may read it, and that a .gz file is complete",
        ) from exc
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise IngestError(
            f"{path.name}: cannot parse the file as {kind}: {exc}",
            hint=f"check that it is valid {kind} with a header of column names",
        ) from exc


# --- text blocks -----------------------------------------------------------------------------


def _check_encoding(name: str, head: bytes) -> bytes:
    """Refuse UTF-16/32 text up front; drop a UTF-8 byte-order mark."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4096]:
        raise IngestError(
            f"{name}: the file is UTF-16 (or another encoding with NUL bytes), not UTF-8",
            hint="save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 in.csv > out.csv)",
        )
    return head[3:] if head.startswith(b"\xef\xbb\xbf") else head


def _csv_cut(data: bytes) -> int:
    """Length of the longest prefix of whole CSV records (0: no record ends in ``data``)."""
    if b'"' not in data:
        return data.rfind(b"\n") + 1
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    quotes = np.flatnonzero(buf == 34)
    outside = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    return int(outside[-1]) + 1 if outside.size else 0


def _blocks(
    path: Path, gz: bool, block_bytes: int, cut: Callable[[bytes], int]
) -> Iterator[tuple[bytes, int, float]]:
    """``(block, line number of its first line, fraction done)``; blocks hold whole records.

    A record longer than 8 blocks (a quote never closed) is cut at its last newline instead.
    """
    size = max(path.stat().st_size, 1)
    stream = pa.input_stream(str(path), compression="gzip" if gz else None)
    with stream:
        carry = b""
        line = 1
        first = True
        while True:
            chunk = stream.read(block_bytes)
            if first:
                chunk = _check_encoding(path.name, chunk)
                first = False
            data = carry + chunk if carry else chunk
            done = min(stream.tell() / size, 1.0) if not gz else 0.0
            if not chunk:
                if data:
                    yield data, line, 1.0
                return
            end = cut(data)
            if end == 0 and len(data) > 8 * block_bytes:
                end = data.rfind(b"\n") + 1
            if end == 0:
                carry = data
                continue
            block, carry = data[:end], data[end:]
            yield block, line, done
            line += block.count(b"\n")


def _line_spans(data: bytes) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10).astype(np.int64)
    starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
    ends = np.concatenate((newlines, [buf.size])).astype(np.int64)
    return starts, ends


def _blank(data: bytes, lines: list[int], starts: npt.NDArray[np.int64]) -> bytes:
    """``data`` with the given lines (0-based) emptied, their newlines kept."""
    out = bytearray(data)
    for i in sorted(lines, reverse=True):
        start = int(starts[i])
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        del out[start:end]
    return bytes(out)


def _utf8_problems(data: bytes) -> list[tuple[int, str]]:
    """``(0-based line, message)`` for each line that is not UTF-8 text."""
    if data.isascii():
        return []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return []
    found = []
    for i, raw in enumerate(data.split(b"\n")):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = raw[exc.start]
            found.append(
                (
                    i,
                    f"not UTF-8 text (byte 0x{byte:02x} at column {exc.start + 1}); "
                    "save the file as UTF-8",
                )
            )
    return found


# --- CSV -------------------------------------------------------------------------------------


def csv_records(data: bytes) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Any]:
    """Start, end and line number of every non-empty CSV record (the header first)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    if b'"' in data:
        quotes = np.flatnonzero(buf == 34)
        before = np.searchsorted(quotes, newlines)
        ends = newlines[before % 2 == 0]
    else:
        ends = newlines
    starts = np.concatenate(([0], ends + 1)).astype(np.int64)
    ends = np.concatenate((ends, [buf.size])).astype(np.int64)
    length = ends - starts
    last_byte = buf[np.clip(ends - 1, 0, max(buf.size - 1, 0))] if buf.size else np.zeros(0)
    empty = (length == 0) | ((length == 1) & (last_byte == 13))
    keep = ~empty
    lines = np.searchsorted(newlines, starts[keep]) + 1
    return starts[keep], ends[keep], lines.astype(np.int64)


def _csv_header(name: str, block: bytes) -> tuple[list[str], int]:
    """Column names and the byte length up to the end of the header record (its newline)."""
    first = 0
    while True:  # blank lines before the header are skipped, as the parser skips them
        newline = block.find(b"\n", first)
        line = block[first:] if newline < 0 else block[first:newline]
        if line.strip() or newline < 0:
            break
        first = newline + 1
    if line.count(b'"') % 2 == 0:  # the usual header: one line, no quoted newline
        raw = line
        end = len(block) if newline < 0 else newline + 1
    else:
        starts, ends, _ = csv_records(block)
        if not starts.size:
            raise IngestError(
                f"{name}: the file is empty",
                hint="start the file with a header line: timestamp,sli,status",
            )
        raw = block[int(starts[0]) : int(ends[0])]
        end = min(int(ends[0]) + 1, len(block))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{name}:1: the header is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
            hint="save the file as UTF-8",
        ) from exc
    names = next(csv.reader(io.StringIO(text)), [])
    if not [n for n in names if n.strip()]:
        raise IngestError(
            f"{name}: the file is empty or its first line is blank",
            hint="start the file with a header line: timestamp,sli,status",
        )
    seen: set[str] = set()
    for column in names:
        folded = column.strip().lower()
        if folded in seen:
            raise IngestError(
                f"{name}:1: the header names the column {column!r} twice",
                hint="give every column its own name (names are not case-sensitive: remove "
                "or rename the second one)",
            )
        seen.add(folded)
    return names, end


def _csv_batches(path: Path, gz: bool, block_bytes: int) -> Iterator[SourceTable]:
    names: list[str] | None = None
    header_lines = 0
    yielded = False
    for block, first_line, done in _blocks(path, gz, block_bytes, _csv_cut):
        body_line = first_line
        body = block
        if names is None:
            names, end = _csv_header(path.name, block)
            header_lines = block[:end].count(b"\n")
            body = block[end:]
            body_line = first_line + header_lines
        if not body.strip():
            continue
        batch = _csv_block(path, names, body, body_line, done)
        yielded = True
        yield batch
    if names is None:
        raise IngestError(
            f"{path.name}: the file is empty",
            hint="start the file with a header line: timestamp,sli,status",
        )
    if not yielded:
        table = pa.table({n: pa.array([], pa.string()) for n in names})
        yield SourceTable(path=path, table=table, locate=lambda rows: [], done=1.0)


def _csv_block(
    path: Path, names: list[str], body: bytes, first_line: int, done: float
) -> SourceTable:
    name = path.name
    invalid: list[InvalidRow] = []
    n_invalid = 0
    not_utf8 = _utf8_problems(body)
    if not_utf8:
        starts, _ = _line_spans(body)
        body = _blank(body, [i for i, _ in not_utf8], starts)
        n_invalid += len(not_utf8)
        invalid.extend(
            InvalidRow(where=f"{name}:{first_line + i}", message=message)
            for i, message in not_utf8[:_MAX_INVALID]
        )
    bad_texts: list[str] = []

    def on_invalid(row: Any) -> str:
        try:
            bad_texts.append(str(row.text))
        except UnicodeDecodeError:  # cannot happen after the UTF-8 check; never fail here
            bad_texts.append("")
        return "skip"

    table = pa_csv.read_csv(
        pa.BufferReader(body),
        read_options=pa_csv.ReadOptions(use_threads=True, block_size=1 << 22, column_names=names),
        parse_options=pa_csv.ParseOptions(
            newlines_in_values=b'"' in body, invalid_row_handler=on_invalid
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={"timestamp": pa.string(), **dict.fromkeys(DICTIONARY_COLUMNS, _DICT)},
            strings_can_be_null=True,
        ),
    )
    cache: dict[str, npt.NDArray[np.int64]] = {}
    placed: list[tuple[int, str]] = []

    def records() -> npt.NDArray[np.int64]:
        if "lines" not in cache:
            starts, ends, lines = csv_records(body)
            skipped = find_records(body, starts, ends, bad_texts)
            mask = np.ones(lines.size, dtype=bool)
            mask[skipped] = False
            cache["lines"] = lines[mask] + (first_line - 1)
            placed.extend(
                (
                    int(lines[i]) + first_line - 1,
                    body[starts[i] : ends[i]].decode(errors="replace").rstrip()[:80],
                )
                for i in skipped[:_MAX_INVALID].tolist()
            )
        return cache["lines"]

    def locate(rows: npt.NDArray[np.int64]) -> list[str]:
        lines = records()
        return [f"{name}:{int(lines[r])}" if r < lines.size else f"{name}:?" for r in rows]

    if bad_texts:
        records()
        n_invalid += len(bad_texts)
        for line, text in placed[: _MAX_INVALID - len(invalid)]:
            invalid.append(
                InvalidRow(where=f"{name}:{line}", message=f"wrong number of columns: {text!r}")
            )
        unplaced = len(bad_texts) - len(placed)
        if unplaced > 0 and len(invalid) < _MAX_INVALID:
            # A record the line scan cannot find: typically a quote that is never closed, which
            # swallows the following lines into one value.
            invalid.append(
                InvalidRow(
                    where=f"{name}:?",
                    message=f"{unplaced} record(s) with the wrong number of columns, e.g. "
                    f"{bad_texts[-1][:80]!r} — look for a quote that is never closed",
                )
            )
    invalid.sort(key=lambda row: _line_of(row.where))
    return SourceTable(
        path=path,
        table=table,
        locate=locate,
        invalid=tuple(invalid),
        invalid_count=n_invalid,
        done=done,
    )


def _line_of(where: str) -> int:
    tail = where.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 1 << 62


def find_records(
    data: bytes,
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    texts: list[str],
) -> npt.NDArray[np.intp]:
    """Indices of the records whose bytes are one of ``texts`` (rows the parser skipped)."""
    if not texts:
        return np.zeros(0, dtype=np.intp)
    found: set[int] = set()
    for text in set(texts):
        needle = text.encode()
        pos = data.find(needle)
        while pos >= 0:
            i = int(np.searchsorted(starts, pos))
            if i < starts.size and starts[i] == pos:
                end = int(ends[i])
                tail = data[pos + len(needle) : end]
                if tail in (b"", b"\r"):
                    found.add(i)
            pos = data.find(needle, pos + 1)
    return np.asarray(sorted(found), dtype=np.intp)


# --- JSONL -----------------------------------------------------------------------------------


def _json_lines(data: bytes) -> npt.NDArray[np.int64]:
    """Line number (1-based) of every non-blank line."""
    starts, ends = _line_spans(data)
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
    starts, ends = _line_spans(data)
    buf = np.frombuffer(data, dtype=np.uint8)
    length = ends - starts
    first = np.full(starts.size, 10, dtype=np.uint8)
    has = length > 0
    first[has] = buf[starts[has]]
    found: dict[int, str] = {}
    odd = np.flatnonzero(has & (first != 123))  # not "{"
    for i in odd.tolist():
        text = data[starts[i] : ends[i]].strip()
        if text and not text.startswith(b"{"):
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


def _jsonl_batches(path: Path, gz: bool, block_bytes: int) -> Iterator[SourceTable]:
    name = path.name
    seen: dict[str, None] = {}
    yielded = False
    for block, first_line, done in _blocks(path, gz, block_bytes, lambda d: d.rfind(b"\n") + 1):
        problems = _utf8_problems(block)
        bad = {i for i, _ in problems}
        problems += [(i, m) for i, m in _json_shape_problems(block) if i not in bad]
        data = block
        if problems:
            starts, _ = _line_spans(block)
            data = _blank(block, [i for i, _ in problems], starts)
            problems.sort()
        invalid = [
            InvalidRow(where=f"{name}:{first_line + i}", message=m)
            for i, m in problems[:_MAX_INVALID]
        ]
        n_invalid = len(problems)
        for parsed, lines, slow_invalid, slow_count in _json_segments(name, data, first_line):
            seen.update(dict.fromkeys(parsed.column_names))
            yield SourceTable(
                path=path,
                table=_pad(parsed, seen),
                locate=_line_locator(name, lines),
                invalid=tuple(sorted([*invalid, *slow_invalid], key=lambda r: _line_of(r.where))),
                invalid_count=n_invalid + slow_count,
                done=done,
            )
            yielded = True
            invalid, n_invalid = [], 0
        if n_invalid:  # the block had only bad lines
            empty = _pad(pa.table({"timestamp": pa.array([], pa.string())}), seen)
            yield SourceTable(
                path=path,
                table=empty,
                locate=_line_locator(name, np.zeros(0, dtype=np.int64)),
                invalid=tuple(invalid),
                invalid_count=n_invalid,
                done=done,
            )
            yielded = True
    if not yielded:
        yield SourceTable(
            path=path,
            table=pa.table({"timestamp": pa.array([], pa.string())}),
            locate=_line_locator(name, np.zeros(0, dtype=np.int64)),
        )


def _pad(table: pa.Table, seen: dict[str, None]) -> pa.Table:
    """Add the event columns seen earlier in the file but absent here, as nulls."""
    for column in seen:
        if column in EVENT_COLUMNS and column not in table.column_names:
            table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
    return table


def _line_locator(name: str, lines: npt.NDArray[np.int64]) -> LineMap:
    def locate(rows: npt.NDArray[np.int64]) -> list[str]:
        return [f"{name}:{int(lines[r])}" if r < lines.size else f"{name}:?" for r in rows]

    return locate


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
                read_options=pa_json.ReadOptions(use_threads=True, block_size=1 << 22),
                parse_options=options,
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            continue
        names = table.column_names
        if i == 1 and "timestamp" in names and pa.types.is_timestamp(table["timestamp"].type):
            continue  # pyarrow's inference drops UTC offsets: never trust it
        return table
    return None


def _json_segments(
    name: str, data: bytes, first_line: int
) -> Iterator[tuple[pa.Table, npt.NDArray[np.int64], list[InvalidRow], int]]:
    """Tables for the lines of ``data``: pyarrow on the whole, halving around refused lines.

    A bad line costs a few re-parses of ever smaller halves (about twice the block in all);
    only a short segment around it is read line by line.
    """
    if not data.strip():
        return
    table = _parse_json(data)
    if table is not None:
        yield table, _json_lines(data) + (first_line - 1), [], 0
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
            value = json.loads(raw)
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
            if len(invalid) < _MAX_INVALID:
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


# --- Parquet ---------------------------------------------------------------------------------


def _parquet_batches(path: Path, block_bytes: int) -> Iterator[SourceTable]:
    name = path.name
    try:
        schema = pq.read_schema(path)
        names = schema.names
        for column in EVENT_COLUMNS:
            if names.count(column) > 1:
                raise IngestError(
                    f"{name}: the Parquet schema names the column {column!r} twice",
                    hint="write the file with one column of each name",
                )
        wanted = [
            c for c in DICTIONARY_COLUMNS if c in names and pa.types.is_string(schema.field(c).type)
        ]
        columns = [c for c in EVENT_COLUMNS if c in names]
        parquet = pq.ParquetFile(path, read_dictionary=wanted or None)
    except (OSError, pa.ArrowException) as exc:
        raise IngestError(
            f"{name}: cannot read it as Parquet: {exc}",
            hint="check that the file is a complete Parquet file",
        ) from exc

    def locator(offset: int) -> LineMap:
        def locate(rows: npt.NDArray[np.int64]) -> list[str]:
            return [f"{name} row {int(r) + offset + 1}" for r in rows]

        return locate

    total = max(parquet.metadata.num_rows, 1)
    if not columns:  # nothing to read: an empty table with the file's names for the checks
        table = pa.table({n: pa.array([], pa.string()) for n in dict.fromkeys(names)})
        yield SourceTable(path=path, table=table, locate=locator(0))
        return
    rows = max(block_bytes // 64, 16)  # about 64 bytes of Arrow data per event row
    offset = 0
    yielded = False
    try:
        for batch in parquet.iter_batches(batch_size=rows, columns=columns):
            table = pa.Table.from_batches([batch])
            yield SourceTable(
                path=path,
                table=table,
                locate=locator(offset),
                done=min((offset + table.num_rows) / total, 1.0),
            )
            offset += table.num_rows
            yielded = True
    except (OSError, pa.ArrowException) as exc:
        raise IngestError(
            f"{name}: cannot read it as Parquet (row {offset + 1} on): {exc}",
            hint="check that the file is a complete Parquet file",
        ) from exc
    if not yielded:
        empty = pa.table({c: pa.array([], schema.field(c).type) for c in columns})
        yield SourceTable(path=path, table=empty, locate=locator(0))
