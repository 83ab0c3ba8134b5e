"""Reading ticket and incident files (CSV, JSONL, a JSON array; .gz) with line numbers."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from covenant.errors import IngestError
from covenant.filekinds import not_text
from covenant.sources.eventblocks import record_straddles
from covenant.sources.eventfiles import (
    InvalidRow,
    csv_records,
    file_sha256,
    find_records,
    missing_file,
)
from covenant.sources.eventrows import MAX_PROBLEMS
from covenant.sources.recordtext import read_record_text

__all__ = ["RecordSource", "read_record_source", "record_format", "require_columns"]

MAX_DEPTH = 64
"""How deeply a record's JSON may nest (a ticket's history is 3 levels deep); deeper is refused
before anything recurses over it."""
_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"


def _depth_ok(value: object) -> bool:
    """True when ``value`` nests at most MAX_DEPTH containers deep (checked without recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def _loads(raw: str) -> tuple[object, str]:
    """A JSONL line's value and what is wrong with it ("" when it is a usable object)."""
    try:
        value = json.loads(raw)
    except ValueError:
        return None, "not valid JSON"
    except RecursionError:
        return None, _TOO_DEEP
    if not isinstance(value, dict):
        return None, "not a JSON object"
    if not _depth_ok(value):
        return None, _TOO_DEEP
    return value, ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordSource:
    """A record file's rows (one dict per record, keys lower-cased) with their line numbers."""

    path: Path
    sha256: str
    columns: tuple[str, ...]  # every column (CSV header) or key (JSON) seen
    rows: tuple[dict[str, Any], ...]
    lines: tuple[int, ...]  # the line each row starts on (CSV header = line 1)
    invalid: tuple[InvalidRow, ...] = ()  # rows that are not records at all (first 100)
    invalid_count: int = 0

    def where(self, row: int) -> str:
        return f"{self.path.name}:{self.lines[row]}"


def record_format(path: Path) -> tuple[str, bool]:
    """``(format, gzipped)`` from the name: csv, jsonl (also .ndjson) or json (an array)."""
    name = path.name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    for suffix, kind in ((".csv", "csv"), (".jsonl", "jsonl"), (".ndjson", "jsonl")):
        if name.endswith(suffix):
            return kind, gz
    if name.endswith(".json"):
        return "json", gz
    raise IngestError(
        f"{path.name}: cannot tell the file format from its name",
        hint="name record files *.csv, *.jsonl or *.json (a JSON array), optionally .gz",
    )


def read_record_source(path: Path) -> RecordSource:
    """Read a ticket or incident file whole; ``IngestError`` (with the fix) if it cannot be."""
    kind, gz = record_format(path)
    if not path.is_file():
        raise missing_file(path)
    data = read_record_text(path, gz=gz, kind=kind)  # stops at a line no record file has
    sha256 = file_sha256(path) if gz else hashlib.sha256(data).hexdigest()
    if kind == "csv":
        return _read_csv(path, sha256, data)
    text = _decode(path, data)
    if kind == "jsonl" or text.lstrip(" \t\r\n").startswith("{"):
        return _read_jsonl(path, sha256, text)  # a .json file of one object per line too
    return _read_json_array(path, sha256, text)


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        kind = not_text(data[:4096], name=path.name, text="CSV or JSON", tabular=True, gzip_ok=True)
        if kind is not None:
            raise IngestError(kind.sentence(path.name, instead="text"), hint=kind.fix) from None
        raise IngestError(
            f"{path.name}: not UTF-8 text (byte {exc.start})",
            hint="export the file as UTF-8",
        ) from exc


def _normalise_columns(path: Path, names: Sequence[str]) -> list[str]:
    columns = [name.strip().lower() for name in names]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise IngestError(
            f"{path.name}: column(s) {', '.join(repeated)} appear more than once",
            hint="give every column a distinct name (names are not case-sensitive)",
        )
    return columns


def _read_csv(path: Path, sha256: str, data: bytes) -> RecordSource:
    body = data.removeprefix(b"\xef\xbb\xbf")
    _decode(path, body)  # UTF-8 or a clear error (UTF-16 and Latin-1 exports are common)
    lines = body.split(b"\n", 1)[0].decode("utf-8").splitlines()
    try:
        header = next(csv.reader(lines[:1]), [])
    except csv.Error as exc:
        raise IngestError(
            f"{path.name}:1: cannot read the CSV header ({exc})",
            hint="the first line must be the column names, separated by commas",
        ) from None
    bad_texts: list[str] = []

    def on_invalid(row: Any) -> str:
        bad_texts.append(str(row.text))
        return "skip"

    def parse(piece: int) -> pa.Table:
        bad_texts.clear()
        return pa_csv.read_csv(
            pa.BufferReader(body),
            read_options=pa_csv.ReadOptions(block_size=piece),
            parse_options=pa_csv.ParseOptions(
                newlines_in_values=b'"' in body, invalid_row_handler=on_invalid
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=True,
                null_values=[""],  # only an empty cell is empty: "NaN", "NA", "null" are values
            ),
        )

    try:
        try:
            table = parse(1 << 20)
        except pa.ArrowInvalid as exc:
            if not record_straddles(exc):
                raise
            table = parse(min(len(body) + 1, (1 << 31) - 1))  # a record over 2 MiB: one piece
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise IngestError(
            f"{path.name}: cannot parse the file as CSV: {exc}",
            hint="check that it is valid CSV (UTF-8) with a header of column names",
        ) from exc
    columns = _normalise_columns(path, table.column_names)
    table = table.rename_columns(columns)
    # the line of every record: the header is record 0; rows the parser skipped are removed
    starts, ends, lines = csv_records(body)
    skipped = find_records(body, starts, ends, bad_texts)
    keep = np.ones(lines.size, dtype=bool)
    keep[:1] = False
    keep[skipped] = False
    record_lines = lines[keep].tolist()
    invalid = tuple(
        InvalidRow(
            where=f"{path.name}:{int(lines[i])}",
            message="wrong number of columns: "
            + repr(body[starts[i] : ends[i]].decode(errors="replace").rstrip()[:80]),
        )
        for i in skipped[:MAX_PROBLEMS].tolist()
    )
    rows = tuple(table.to_pylist())
    if len(record_lines) != len(rows):  # pragma: no cover - a parser/scan disagreement
        record_lines = [0] * len(rows)
    return RecordSource(
        path=path,
        sha256=sha256,
        columns=tuple(columns),
        rows=rows,
        lines=tuple(int(line) for line in record_lines),
        invalid=invalid,
        invalid_count=len(bad_texts),
    )


def _read_jsonl(path: Path, sha256: str, text: str) -> RecordSource:
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    invalid: list[InvalidRow] = []
    n_invalid = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        value, what = _loads(raw)
        if not isinstance(value, dict):
            n_invalid += 1
            if len(invalid) < MAX_PROBLEMS:
                invalid.append(InvalidRow(where=f"{path.name}:{number}", message=f"line is {what}"))
            continue
        rows.append(_lower_keys(value))
        lines.append(number)
    return _json_source(
        path, sha256=sha256, rows=rows, lines=lines, invalid=invalid, n_invalid=n_invalid
    )


def _read_json_array(path: Path, sha256: str, text: str) -> RecordSource:
    """A top-level array of objects; each object's line is where it starts."""
    decoder = json.JSONDecoder()
    newlines = np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype="<u4") == 10)

    def line_of(offset: int) -> int:
        return int(np.searchsorted(newlines, offset)) + 1

    def broken(offset: int, what: str) -> IngestError:
        return IngestError(
            f"{path.name}:{line_of(offset)}: {what}",
            hint="a .json record file must be one JSON array of objects: [{...}, {...}]"
            " (use .jsonl for one object per line)",
        )

    position = _skip_space(text, 0)
    if position >= len(text) or text[position] != "[":
        raise broken(position, "the file does not start with a JSON array '['")
    position = _skip_space(text, position + 1)
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    invalid: list[InvalidRow] = []
    n_invalid = 0
    if position < len(text) and text[position] == "]":
        position += 1
    else:
        while True:
            try:
                value, end = decoder.raw_decode(text, position)
            except json.JSONDecodeError as exc:
                raise broken(exc.pos, f"invalid JSON: {exc.msg}") from exc
            except RecursionError:
                raise broken(position, f"an array element is {_TOO_DEEP}") from None
            if isinstance(value, dict) and not _depth_ok(value):
                n_invalid += 1
                if len(invalid) < MAX_PROBLEMS:
                    invalid.append(
                        InvalidRow(
                            where=f"{path.name}:{line_of(position)}",
                            message=f"array element is {_TOO_DEEP}",
                        )
                    )
            elif isinstance(value, dict):
                rows.append(_lower_keys(value))
                lines.append(line_of(position))
            else:
                n_invalid += 1
                if len(invalid) < MAX_PROBLEMS:
                    invalid.append(
                        InvalidRow(
                            where=f"{path.name}:{line_of(position)}",
                            message="array element is not a JSON object",
                        )
                    )
            position = _skip_space(text, end)
            if position < len(text) and text[position] == ",":
                position = _skip_space(text, position + 1)
                continue
            if position < len(text) and text[position] == "]":
                position += 1
                break
            raise broken(position, "expected ',' or ']' after an array element")
    if _skip_space(text, position) != len(text):
        raise broken(position, "text after the closing ']'")
    return _json_source(
        path, sha256=sha256, rows=rows, lines=lines, invalid=invalid, n_invalid=n_invalid
    )


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _lower_keys(value: dict[str, Any]) -> dict[str, Any]:
    return {str(key).strip().lower(): item for key, item in value.items()}


def _json_source(
    path: Path,
    *,
    sha256: str,
    rows: list[dict[str, Any]],
    lines: list[int],
    invalid: list[InvalidRow],
    n_invalid: int,
) -> RecordSource:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return RecordSource(
        path=path,
        sha256=sha256,
        columns=tuple(columns),
        rows=tuple(rows),
        lines=tuple(lines),
        invalid=tuple(invalid),
        invalid_count=n_invalid,
    )


def require_columns(source: RecordSource, required: Sequence[str], what: str) -> None:
    if not source.rows:
        return  # an empty export is fine
    missing = [name for name in required if name not in source.columns]
    if missing:
        found = ", ".join(source.columns) or "none"
        raise IngestError(
            f"{source.path.name}: no {', '.join(repr(m) for m in missing)} column for {what}"
            f" (found: {found})",
            hint=f"{what} files need the columns {', '.join(required)}; "
            f"`covenant ingest {what}s --help` describes every column",
        )
