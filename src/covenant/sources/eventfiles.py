"""Read event files (CSV, JSONL, Parquet; ``.gz`` welcome) into Arrow tables with line numbers.

Reading is pyarrow's multi-threaded parsers. Line numbers are worked out only when a row is
bad, from the raw bytes and vectorised with numpy: a newline ends a CSV record only outside
quotes (even number of ``"`` before it), and empty lines are skipped as the parser skips them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mmap
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
_DICT = pa.dictionary(pa.int32(), pa.string())


@dataclass(frozen=True, slots=True, kw_only=True)
class InvalidRow:
    """A row the parser could not turn into a table row (wrong column count, broken JSON)."""

    where: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceTable:
    """A file's rows as an Arrow table, its sha256, and how to name a row's place in the file."""

    path: Path
    sha256: str
    table: pa.Table
    locate: LineMap = field(repr=False)
    invalid: tuple[InvalidRow, ...] = ()
    invalid_count: int = 0


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    with path.open("rb") as handle:
        while size := handle.readinto(buffer):
            digest.update(view[:size])
    return digest.hexdigest()


def _raw_bytes(path: Path, gz: bool) -> bytes:
    """The file's (decompressed) bytes; only needed to work out line numbers of bad rows."""
    data = path.read_bytes()
    return gzip.decompress(data) if gz else data


def _has_quotes(path: Path) -> bool:
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return mapped.find(b'"') >= 0


def read_source(path: Path) -> SourceTable:
    """Read ``path`` whole; raise ``IngestError`` (with the fix) when it cannot be read at all.

    The file is memory-mapped (or streamed through gzip) straight into pyarrow's parser while
    another thread hashes it; its bytes are loaded into Python only to number bad rows.
    """
    kind, gz = file_format(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file", hint="check the path")
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(_sha256, path)
        try:
            if kind == "csv":
                table, locate, invalid, n_invalid = _read_csv(path, gz)
            elif kind == "jsonl":
                table, locate, invalid, n_invalid = _read_jsonl(path, gz)
            else:
                table, locate, invalid, n_invalid = _read_parquet(path)
            if kind == "jsonl":
                table.validate(full=True)  # pyarrow's JSON reader lets invalid UTF-8 through
            _distinct_columns(path, table)
            sha = digest.result()
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
        except UnicodeDecodeError as exc:
            raise IngestError(
                f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start} of a "
                "column name or value)",
                hint="export the file as UTF-8",
            ) from None
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            raise IngestError(
                f"{path.name}: cannot parse the file as {kind}: {exc}",
                hint=f"check that it is valid {kind} with a header of column names",
            ) from exc
    return SourceTable(
        path=path,
        sha256=sha,
        table=table,
        locate=locate,
        invalid=tuple(invalid),
        invalid_count=n_invalid,
    )


_READ_COLUMNS = frozenset(
    {"timestamp", "sli", "service", "status", "latency_ms", "outcome", "good", "total"}
)


def _distinct_columns(path: Path, table: pa.Table) -> None:
    """Column names are distinct, and the columns read hold plain values (not nested)."""
    names = [str(name).strip().lower() for name in table.column_names]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise IngestError(
            f"{path.name}: column(s) {', '.join(repeated)} appear more than once",
            hint="give every column a distinct name (names are not case-sensitive)",
        )
    for name, kind in zip(names, table.schema.types, strict=True):
        if name in _READ_COLUMNS and pa.types.is_nested(kind):
            raise IngestError(
                f"{path.name}: column {name!r} holds nested values ({kind})",
                hint=f"write {name} as a plain string or number in every row",
            )


def _open(path: Path, gz: bool) -> Any:
    if gz:
        return pa.input_stream(str(path), compression="gzip")
    return pa.memory_map(str(path))


# --- CSV -------------------------------------------------------------------------------------

_MAX_INVALID = 100


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


def _read_csv(path: Path, gz: bool) -> tuple[pa.Table, LineMap, list[InvalidRow], int]:
    bad_texts: list[str] = []

    def on_invalid(row: Any) -> str:
        try:
            bad_texts.append(str(row.text))
        except UnicodeDecodeError:  # not UTF-8: the whole read fails clearly just after
            bad_texts.append("")
        return "skip"

    name = path.name
    has_quotes = True if gz else _has_quotes(path)
    table = pa_csv.read_csv(
        _open(path, gz),
        read_options=pa_csv.ReadOptions(use_threads=True, block_size=1 << 24),
        parse_options=pa_csv.ParseOptions(
            newlines_in_values=has_quotes, invalid_row_handler=on_invalid
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={"timestamp": pa.string(), **dict.fromkeys(DICTIONARY_COLUMNS, _DICT)},
            strings_can_be_null=True,
        ),
    )
    cache: dict[str, Any] = {}
    texts: list[tuple[int, str]] = []
    cache["invalid_text"] = texts

    def records() -> npt.NDArray[np.int64]:
        if "lines" not in cache:
            data = _raw_bytes(path, gz)
            starts, ends, lines = csv_records(data)
            invalid_records = find_records(data, starts, ends, bad_texts)
            mask = np.ones(lines.size, dtype=bool)
            mask[0] = False  # the header
            mask[invalid_records] = False
            cache["lines"] = lines[mask]
            texts.extend(
                (int(lines[i]), data[starts[i] : ends[i]].decode(errors="replace").rstrip()[:80])
                for i in invalid_records[:_MAX_INVALID].tolist()
            )
        found: npt.NDArray[np.int64] = cache["lines"]
        return found

    def locate(rows: npt.NDArray[np.int64]) -> list[str]:
        lines = records()
        return [f"{name}:{int(lines[r])}" if r < lines.size else f"{name}:?" for r in rows]

    invalid: list[InvalidRow] = []
    if bad_texts:
        records()
        for line, text in cache["invalid_text"][:_MAX_INVALID]:
            invalid.append(
                InvalidRow(where=f"{name}:{line}", message=f"wrong number of columns: {text!r}")
            )
        unplaced = len(bad_texts) - len(cache["invalid_text"])
        if unplaced > 0 and len(invalid) < _MAX_INVALID:
            # A record the line scan cannot find: typically a quote that is never closed, which
            # swallows the following lines into one value.
            sample = bad_texts[-1][:80]
            invalid.append(
                InvalidRow(
                    where=f"{name}:?",
                    message=f"{unplaced} record(s) with the wrong number of columns, e.g. "
                    f"{sample!r} — look for a quote that is never closed",
                )
            )
    return table, locate, invalid, len(bad_texts)


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
    """Line number of every non-blank line."""
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
    ends = np.concatenate((newlines, [buf.size])).astype(np.int64)
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


def _read_jsonl(path: Path, gz: bool) -> tuple[pa.Table, LineMap, list[InvalidRow], int]:
    name = path.name
    cache: dict[str, npt.NDArray[np.int64]] = {}

    def locate(rows: npt.NDArray[np.int64]) -> list[str]:
        if "lines" not in cache:
            cache["lines"] = _json_lines(_raw_bytes(path, gz))
        lines = cache["lines"]
        return [f"{name}:{int(lines[r])}" if r < lines.size else f"{name}:?" for r in rows]

    attempts = (
        pa_json.ParseOptions(
            explicit_schema=pa.schema([("timestamp", pa.string())]),
            unexpected_field_behavior="infer",
        ),
        None,
    )
    for i, options in enumerate(attempts):
        try:
            table = pa_json.read_json(
                _open(path, gz),
                read_options=pa_json.ReadOptions(use_threads=True, block_size=1 << 24),
                parse_options=options,
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            continue
        if "timestamp" in table.column_names:
            kind = table.schema.field("timestamp").type
            if i == 1 and pa.types.is_timestamp(kind):
                continue  # pyarrow's inference drops UTC offsets: never trust it
        return table, locate, [], 0
    return _read_jsonl_slowly(name, _raw_bytes(path, gz))


def _read_jsonl_slowly(name: str, data: bytes) -> tuple[pa.Table, LineMap, list[InvalidRow], int]:
    """Line by line, for files pyarrow refuses (broken lines, a column of mixed types).

    Values keep their text; the classifier parses them as it parses CSV text.
    """
    invalid: list[InvalidRow] = []
    n_invalid = 0
    lines: list[int] = []
    records: list[dict[str, Any]] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested past the parser
            value = exc
        if not isinstance(value, dict):
            n_invalid += 1
            if len(invalid) < _MAX_INVALID:
                what = "not valid JSON" if isinstance(value, Exception) else "not a JSON object"
                invalid.append(InvalidRow(where=f"{name}:{number}", message=f"line is {what}"))
            continue
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
    line_array = np.asarray(lines, dtype=np.int64)

    def locate(rows: npt.NDArray[np.int64]) -> list[str]:
        return [f"{name}:{int(line_array[r])}" for r in rows]

    return table, locate, invalid, n_invalid


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value)


# --- Parquet ---------------------------------------------------------------------------------


def _read_parquet(path: Path) -> tuple[pa.Table, LineMap, list[InvalidRow], int]:
    try:
        schema = pq.read_schema(path)
        wanted = [
            c
            for c in DICTIONARY_COLUMNS
            if c in schema.names and pa.types.is_string(schema.field(c).type)
        ]
        table = pq.read_table(path, read_dictionary=wanted or None)
    except (OSError, pa.ArrowException) as exc:
        raise IngestError(
            f"{path.name}: cannot read it as Parquet: {exc}",
            hint="check that the file is a complete Parquet file",
        ) from exc

    def locate(rows: npt.NDArray[np.int64]) -> list[str]:
        return [f"{path.name} row {int(r) + 1}" for r in rows]

    return table, locate, [], 0
