"""Reading ticket and incident files (CSV, JSONL, a JSON array; .gz) batch by batch, with lines.

CSV and JSON Lines are read in blocks of whole records by the event files' reader
(``eventblocks.text_blocks``: bounded memory, a line longer than 32 MiB refused as it is
read); a ``.json`` array element by element (``recordarray``). Each block becomes
``RecordSource`` batches of at most ``recordrows.BLOCK_ROWS`` rows (a block of tiny rows is
hundreds of thousands), so a file of any size is read in the memory of a block or two.
``read_record_source`` joins the batches of a (small) file into one.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from covenant.errors import IngestError
from covenant.filekinds import by_content
from covenant.sources.csvdelimiter import name_blank_columns, refuse_other_delimiter
from covenant.sources.eventblocks import check_text_head, record_straddles, text_blocks
from covenant.sources.eventcsv import csv_cut
from covenant.sources.eventfiles import (
    InvalidRow,
    csv_records,
    find_records,
    first_bytes,
    missing_file,
)
from covenant.sources.eventrows import MAX_PROBLEMS
from covenant.sources.record_paths import Repeated, distinct_columns
from covenant.sources.recordarray import json_array_batches
from covenant.sources.recordrows import (
    BLOCK_ROWS,
    MAX_DEPTH,
    JsonRows,
    RecordSource,
    check_utf8,
    json_columns,
    loads,
)
from covenant.sources.recordtext import first_byte, one_object_document, unreadable

__all__ = [
    "MAX_DEPTH",
    "RECORD_BLOCK_BYTES",
    "RecordSource",
    "read_record_source",
    "record_batches",
    "record_format",
    "refuse_empty",
]

RECORD_BLOCK_BYTES = 1 << 20
"""Text per batch: a MiB of tickets is some 10,000 rows, a few dozen MB as Python objects."""


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
    said = by_content(first_bytes(path), name=path.name, text="CSV or JSON", json=".json")
    if said is not None:
        raise IngestError(said[0], hint=said[1])
    raise IngestError(
        f"{path.name}: cannot tell the file format from its name",
        hint="name record files *.csv, *.jsonl or *.json (a JSON array), optionally .gz",
    )


def record_batches(path: Path, *, block_bytes: int = RECORD_BLOCK_BYTES) -> Iterator[RecordSource]:
    """The file's rows, batch by batch (at least one batch); ``IngestError`` (with the fix)
    when the file cannot be read, at the place where that is found."""
    kind, gz = record_format(path)
    if not path.is_file():
        raise missing_file(path)
    if block_bytes < 1:
        raise IngestError(f"block size {block_bytes} must be at least 1 byte")
    try:
        refuse_empty(path)
        if kind == "csv":
            yield from _csv_batches(path, gz=gz, block_bytes=block_bytes)
        elif kind == "jsonl" or first_byte(path, gz=gz) == b"{":  # a .json file of lines too
            if kind == "json":
                one_object_document(path, gz=gz)  # an API's answer holding the array: refused
            yield from _jsonl_batches(path, gz=gz, block_bytes=block_bytes)
        else:
            yield from json_array_batches(path, gz=gz, block_bytes=block_bytes)
    except OSError as exc:
        raise unreadable(path, exc, gz=gz) from exc


_EXAMPLE_HEADERS = "id,customer,priority,created for tickets, id,services,start for incidents"


def _csv_header_hint(header: Sequence[str]) -> str:
    example = ",".join(header) if header else _EXAMPLE_HEADERS
    return f"start the file with a header line of the export's column names, e.g. {example}"


_EMPTY_HINTS = {
    "csv": "; an export without records is that line alone (docs/records.md)",
    "jsonl": "write one JSON object per line, or leave the file out; an export without "
    "records is a .json file holding [] (docs/records.md)",
    "json": "write the records as one JSON array of objects; an export without records "
    "is [] (docs/records.md)",
}


def refuse_empty(path: Path, *, header: Sequence[str] = ()) -> None:
    """Refuse a record file without any text (0 bytes, or nothing but white space; a .gz one
    once decompressed), whatever its format, as event files are refused: nothing in it says
    "no records" (a header alone or ``[]`` does), and a failed export often leaves such a
    file. Checked before the file's hash is looked up: such a file is never recorded.
    ``header``: the kind's required columns, named in a CSV's hint (both kinds' without)."""
    kind, gz = record_format(path)
    try:
        if path.stat().st_size and first_byte(path, gz=gz):
            return
    except OSError as exc:
        raise unreadable(path, exc, gz=gz) from exc
    what = "0 bytes" if not path.stat().st_size else "nothing but white space"
    hint = _EMPTY_HINTS[kind]
    if kind == "csv":
        hint = _csv_header_hint(header) + hint
    raise IngestError(f"{path.name}: the file is empty ({what})", hint=hint)


def read_record_source(path: Path) -> RecordSource:
    """The whole file as one batch (memory grows with the file: for small files and tests;
    ingestion goes batch by batch)."""
    batches = list(record_batches(path))
    rows = tuple(row for batch in batches for row in batch.rows)
    invalid = tuple(row for batch in batches for row in batch.invalid)
    return RecordSource(
        path=path,
        columns=batches[0].columns if batches[0].header else json_columns(rows),
        rows=rows,
        lines=tuple(line for batch in batches for line in batch.lines),
        invalid=invalid[:MAX_PROBLEMS],
        invalid_count=sum(batch.invalid_count for batch in batches),
        header=batches[0].header,
        repeated=batches[0].repeated,
    )


def _record_head(name: str, head: bytes, gz: bool) -> bytes:
    """A record file's first bytes without a byte-order mark; a binary file, UTF-16/32 text
    (whose NUL bytes are ASCII: it would be read as text) and NUL bytes are refused here, and
    other bytes that are not UTF-8 when they are decoded (``recordrows.not_utf8``)."""
    return check_text_head(name, head, gz=gz, text="CSV or JSON", parquet_ok=False)


# --- CSV -------------------------------------------------------------------------------------


def _normalise_columns(names: Sequence[str]) -> tuple[list[str], Repeated]:
    """The header lower-cased, a repeated name once per place (``record_paths``)."""
    return distinct_columns([name.strip().lower() for name in name_blank_columns(names)])


_HEADER_FIRST = _csv_header_hint(()) + " (docs/records.md)"


def _csv_batches(path: Path, *, gz: bool, block_bytes: int) -> Iterator[RecordSource]:
    names: list[str] | None = None  # the header as the parser read it from the first block
    columns: tuple[str, ...] = ()
    repeated: Repeated = ()
    head = b""
    offset = 0  # of the block in the text after a byte-order mark
    for block, first_line, done in text_blocks(path, gz, block_bytes, csv_cut, _record_head):
        if names is None:
            head = block[:4096]
        check_utf8(path.name, block, offset=offset, head=head, first_line=first_line)
        offset += len(block)
        table, skipped_texts = _parse_csv(path, block, names)
        header = names is None  # the block starts with the header
        if names is None:
            names = table.column_names
            named, repeated = _normalise_columns(names)
            columns = tuple(named)
        batches = _csv_block(path, block, first_line, table, skipped_texts, columns, done, header)
        batches = (replace(batch, repeated=repeated) for batch in batches) if repeated else batches
        for batch in batches:
            yield batch
            del batch
        del table, block, batches  # not held while the next block is read and parsed
    if names is None:  # no text at all
        raise IngestError(f"{path.name}: the file is empty", hint=_HEADER_FIRST)


def _parse_csv(path: Path, body: bytes, names: list[str] | None) -> tuple[pa.Table, list[str]]:
    """The block's records, every cell as text; ``names``: the header read from the first
    block (None: this is the first block, which starts with the header)."""
    if names is None:
        lines = body.split(b"\n", 1)[0].decode("utf-8").splitlines()
        try:
            header = next(csv.reader(lines[:1]), [])
        except csv.Error as exc:
            raise IngestError(
                f"{path.name}:1: cannot read the CSV header ({exc})",
                hint="the first line must be the column names, separated by commas",
            ) from None
        if not [name for name in header if name.strip()]:
            raise IngestError(
                f"{path.name}: the file is empty or its first line is blank", hint=_HEADER_FIRST
            )
        refuse_other_delimiter(path.name, header)
    else:
        header = names
    bad_texts: list[str] = []

    def on_invalid(row: Any) -> str:
        bad_texts.append(str(row.text))
        return "skip"

    def parse(piece: int) -> pa.Table:
        bad_texts.clear()
        return pa_csv.read_csv(
            pa.BufferReader(body),
            # on this thread: no pyarrow thread is to outlive a refused file (eventcsv.PARSERS)
            read_options=pa_csv.ReadOptions(
                use_threads=False, block_size=piece, column_names=names
            ),
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
    return table, bad_texts


def _csv_block(
    path: Path,
    body: bytes,
    first_line: int,
    table: pa.Table,
    bad_texts: list[str],
    columns: tuple[str, ...],
    done: float,
    header: bool,
) -> Iterator[RecordSource]:
    """The block's rows with the line each starts on, ``BLOCK_ROWS`` records and bad rows a
    batch at most (the table's cells are built as Python objects a batch at a time); rows the
    parser skipped are bad rows, each in the batch its line falls in."""
    table = table.rename_columns(columns)
    starts, ends, lines = csv_records(body)
    lines += first_line - 1
    skipped = find_records(body, starts, ends, bad_texts)
    keep = np.ones(lines.size, dtype=bool)
    if header:
        keep[:1] = False
    keep[skipped] = False
    record_lines = lines[keep]
    if record_lines.size != table.num_rows:  # pragma: no cover - a parser/scan disagreement
        record_lines = np.zeros(table.num_rows, dtype=np.int64)
    # records and bad rows in line order, cut every BLOCK_ROWS: (table row, skipped) bounds
    is_record = np.concatenate((np.ones(record_lines.size, bool), np.zeros(skipped.size, bool)))
    order = np.argsort(np.concatenate((record_lines, lines[skipped])), kind="stable")
    taken = np.concatenate(([0], np.cumsum(is_record[order])))
    cuts = [*range(0, order.size, BLOCK_ROWS), order.size] if order.size else [0, 0]
    for k, (low, high) in enumerate(itertools.pairwise(cuts)):
        rows, bad = slice(taken[low], taken[high]), slice(low - taken[low], high - taken[high])
        invalid = tuple(
            InvalidRow(
                where=f"{path.name}:{int(lines[i])}",
                message="wrong number of columns: "
                + repr(body[starts[i] : ends[i]].decode(errors="replace").rstrip()[:80]),
            )
            for i in skipped[bad][:MAX_PROBLEMS].tolist()
        )
        last = k == len(cuts) - 2  # skipped texts not found in the block are counted here
        yield RecordSource(
            path=path,
            columns=columns,
            rows=tuple(table.slice(rows.start, rows.stop - rows.start).to_pylist()),
            lines=tuple(record_lines[rows].tolist()),
            invalid=invalid,
            invalid_count=skipped[bad].size + (len(bad_texts) - skipped.size if last else 0),
            header=True,
            done=done,
        )


# --- JSON Lines ------------------------------------------------------------------------------


def _jsonl_batches(path: Path, *, gz: bool, block_bytes: int) -> Iterator[RecordSource]:
    head = b""
    offset = 0
    yielded = False
    blocks = text_blocks(path, gz, block_bytes, lambda d: d.rfind(b"\n") + 1, _record_head)
    for block, first_line, done in blocks:
        if not offset:
            head = block[:4096]
        check_utf8(path.name, block, offset=offset, head=head, first_line=first_line)
        offset += len(block)
        text = block.decode("utf-8")
        del block
        for batch in _jsonl_block(path, text, first_line, done):
            yield batch
            del batch
            yielded = True
        del text  # not held while the next block is read
    if not yielded:
        yield RecordSource(path=path, columns=(), rows=(), lines=())


def _jsonl_block(path: Path, text: str, first_line: int, done: float) -> Iterator[RecordSource]:
    """The block's lines in batches of at most ``BLOCK_ROWS`` rows (``JsonRows.full``); at
    least one batch."""
    found = JsonRows(path)
    cut = False
    for number, raw in enumerate(text.split("\n"), start=first_line):
        if not raw.strip():
            continue
        value, what = loads(raw)
        if isinstance(value, dict):
            found.add(value, number)
        else:
            found.bad(number, f"line is {what}")
        if found.full:
            yield found.source(done)
            found, cut = JsonRows(path), True
    if found.rows or found.invalid_count or not cut:
        yield found.source(done)
