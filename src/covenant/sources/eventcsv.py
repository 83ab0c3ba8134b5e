"""CSV event files, block by block: the header, pyarrow's parser on two threads, bad records.

A newline ends a CSV record only outside quotes (an even number of ``"`` before it), and
empty lines are skipped as the parser skips them; records the parser refuses are found in
the block's bytes to give their line numbers.
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from covenant.errors import IngestError
from covenant.sources.csvdelimiter import name_blank_columns, refuse_other_delimiter
from covenant.sources.eventblocks import (
    DICTIONARY_COLUMNS,
    EARLIEST,
    LATEST,
    MAX_INVALID,
    InvalidRow,
    SourceTable,
    blank_lines,
    has_text,
    line_of,
    line_spans,
    record_straddles,
    text_blocks,
    utf8_problems,
)

_DICT = pa.dictionary(pa.int32(), pa.string())
_ZONED = pa.timestamp("ns", "UTC")
_NS = 1_000_000_000


def _plausible(stamps: pa.ChunkedArray) -> bool:
    """Every timestamp lies in the years the classifier accepts (1970 to 2200)."""
    if stamps.null_count == len(stamps):
        return True
    bounds = pc.min_max(stamps)
    low, high = bounds["min"].value, bounds["max"].value
    return bool(low >= EARLIEST * _NS and high < LATEST * _NS)


def csv_cut(data: bytes) -> int:
    """Length of the longest prefix of whole CSV records (0: no record ends in ``data``)."""
    if b'"' not in data:
        return data.rfind(b"\n") + 1
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    quotes = np.flatnonzero(buf == 34)
    outside = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    return int(outside[-1]) + 1 if outside.size else 0


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


EXPOSITION_STARTS = (b"# HELP ", b"# TYPE ", b"# UNIT ")
"""How a Prometheus text or OpenMetrics exposition begins (a metric family's comments)."""


def exposition_file(name: str) -> IngestError:
    """A Prometheus/OpenMetrics exposition holds counters' samples, which Covenant reads from
    the server they are loaded into, not request events."""
    return IngestError(
        f"{name}: a Prometheus/OpenMetrics exposition of counters' samples, not request events",
        hint="load it into Prometheus (promtool tsdb create-blocks-from openmetrics FILE "
        "DATA_DIR, then restart it) and read the SLIs with covenant ingest prometheus "
        "(docs/prometheus.md); event files hold one request per row (docs/ingest.md)",
    )


def _csv_header(name: str, block: bytes) -> tuple[list[str], int]:
    """Column names and the byte length up to the end of the header record (its newline)."""
    first = 0
    while True:  # blank lines before the header are skipped, as the parser skips them
        newline = block.find(b"\n", first)
        line = block[first:] if newline < 0 else block[first:newline]
        if line.strip() or newline < 0:
            break
        first = newline + 1
    if line.lstrip(b"\xef\xbb\xbf").startswith(EXPOSITION_STARTS):
        raise exposition_file(name)  # renamed *.csv: every line would be a rejected row
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
    refuse_other_delimiter(name, names)
    names = name_blank_columns(names)
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


PARSERS = 2
"""Blocks parsed at once, each on a thread of its own (pyarrow releases the GIL while it
parses). Each block is parsed on that thread alone (``use_threads=False``): pyarrow's own
pool threads, idle or not, still alive when a refused ingest's process ended made it abort
about once in 20 runs under load (exit 134, "terminate called without an active exception";
cf. apache/arrow#34314), and the two cores are kept busy by the two blocks (2 M events read,
loaded machine: best 0.27 s against 0.23 s with pyarrow's threads as well)."""


def csv_batches(path: Path, gz: bool, block_bytes: int) -> Iterator[SourceTable]:
    names: list[str] | None = None
    header_lines = 0
    yielded = False
    pending: deque[Future[SourceTable]] = deque()
    with ThreadPoolExecutor(max_workers=PARSERS, thread_name_prefix="csv") as pool:
        try:
            for block, first_line, done in text_blocks(path, gz, block_bytes, csv_cut):
                body_line = first_line
                body = block
                if names is None:
                    names, end = _csv_header(path.name, block)
                    header_lines = block[:end].count(b"\n")
                    body = block[end:]
                    body_line = first_line + header_lines
                if not has_text(body):
                    continue
                pending.append(pool.submit(_csv_block, path, names, body, body_line, done))
                if len(pending) > PARSERS:  # the oldest, in the file's order
                    yielded = True
                    yield pending.popleft().result()
            while pending:
                yielded = True
                yield pending.popleft().result()
        finally:  # left early or failed: blocks not started are not parsed
            for future in pending:
                future.cancel()
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
    not_utf8 = utf8_problems(body)
    if not_utf8:
        starts, _ = line_spans(body)
        body = blank_lines(body, [i for i, _ in not_utf8], starts)
        n_invalid += len(not_utf8)
        invalid.extend(
            InvalidRow(where=f"{name}:{first_line + i}", message=message)
            for i, message in not_utf8[:MAX_INVALID]
        )
    bad_texts: list[str] = []

    def on_invalid(row: Any) -> str:
        try:
            bad_texts.append(str(row.text))
        except UnicodeDecodeError:  # cannot happen after the UTF-8 check; never fail here
            bad_texts.append("")
        return "skip"

    def parse(timestamps: pa.DataType) -> pa.Table:
        table = parse_sized(timestamps)
        if "status" in names and pa.types.is_floating(table.column("status").type):
            # a status written 2e2 or 200.5 among 200s: read as text, each judged as written
            table = parse_sized(timestamps, status=True)
        return table

    def parse_sized(timestamps: pa.DataType, *, status: bool = False) -> pa.Table:
        try:
            # PARSERS blocks at once (csv_batches), each in 1 MiB pieces on its own thread
            return parse_in(timestamps, 1 << 20, status)
        except pa.ArrowInvalid as exc:
            if not record_straddles(exc):
                raise
        return parse_in(timestamps, min(len(body) + 1, (1 << 31) - 1), status)  # over 2 MiB

    def parse_in(timestamps: pa.DataType, piece: int, status: bool) -> pa.Table:
        types = {"timestamp": timestamps, **dict.fromkeys(DICTIONARY_COLUMNS, _DICT)}
        if status:
            types["status"] = _DICT
        bad_texts.clear()
        return pa_csv.read_csv(
            pa.BufferReader(body),
            read_options=pa_csv.ReadOptions(
                use_threads=False, block_size=piece, column_names=names
            ),
            parse_options=pa_csv.ParseOptions(
                newlines_in_values=b'"' in body, invalid_row_handler=on_invalid
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=types,
                strings_can_be_null=True,
                null_values=[""],  # only an empty cell is empty: "NaN", "NA", "null" are values
            ),
        )

    # Zoned ISO-8601 timestamps are parsed by the CSV reader itself (pyarrow's parser, as the
    # classifier's cast uses); a block with any other timestamp, or one outside the accepted
    # years, is read again with timestamps as text, which the classifier judges row by row.
    table = None
    if "timestamp" in names:
        try:
            table = parse(_ZONED)
        except pa.ArrowInvalid:
            table = None
        if table is not None and not _plausible(table.column("timestamp")):
            table = None
    if table is None:
        table = parse(pa.string())
    cache: dict[str, npt.NDArray[np.int64]] = {}
    placed: list[tuple[int, str]] = []

    def records() -> npt.NDArray[np.int64]:
        if "lines" not in cache:
            starts, ends, lines = csv_records(body)
            skipped = find_records(body, starts, ends, bad_texts)
            mask = np.ones(lines.size, dtype=bool)
            mask[skipped] = False
            cache["lines"] = lines[mask] + (first_line - 1)
            cache["starts"], cache["ends"] = starts[mask], ends[mask]
            placed.extend(
                (
                    int(lines[i]) + first_line - 1,
                    body[starts[i] : ends[i]].decode(errors="replace").rstrip()[:80],
                )
                for i in skipped[:MAX_INVALID].tolist()
            )
        return cache["lines"]

    def locate(rows: npt.NDArray[np.int64]) -> list[str]:
        lines = records()
        return [f"{name}:{int(lines[r])}" if r < lines.size else f"{name}:?" for r in rows]

    def written(rows: npt.NDArray[np.int64]) -> list[dict[str, str] | None]:
        records()
        starts, ends = cache["starts"], cache["ends"]
        return [
            written_cells(names, body[starts[r] : ends[r]]) if r < starts.size else None
            for r in rows.tolist()
        ]

    if bad_texts:
        records()
        n_invalid += len(bad_texts)
        for line, text in placed[: MAX_INVALID - len(invalid)]:
            invalid.append(
                InvalidRow(where=f"{name}:{line}", message=f"wrong number of columns: {text!r}")
            )
        unplaced = len(bad_texts) - len(placed)
        if unplaced > 0 and len(invalid) < MAX_INVALID:
            # A record the line scan cannot find: typically a quote that is never closed, which
            # swallows the following lines into one value; its line is where its text starts.
            example = bad_texts[-1]
            pos = body.find(example.encode()) if example else -1
            found = str(first_line + body.count(b"\n", 0, pos)) if pos >= 0 else "?"
            where = f"{name}:{found}"
            records_word = "record" if unplaced == 1 else "records"
            invalid.append(
                InvalidRow(
                    where=where,
                    message=f"{unplaced} {records_word} with the wrong number of columns, e.g. "
                    f"{example[:80]!r} — look for a quote that is never closed"
                    + (" (the record starts on this line)" if pos >= 0 else ""),
                )
            )
    invalid.sort(key=lambda row: line_of(row.where))
    return SourceTable(
        path=path,
        table=table,
        locate=locate,
        invalid=tuple(invalid),
        invalid_count=n_invalid,
        done=done,
        written=written,
    )


def written_cells(names: list[str], record: bytes) -> dict[str, str] | None:
    """A CSV record's cells as written, by column name (None when it does not split into
    as many cells as there are columns)."""
    try:
        cells = next(csv.reader([record.decode(errors="replace").rstrip("\r\n")]), [])
    except csv.Error:  # a quote opened mid-value swallows the line break: not one record
        return None
    return dict(zip(names, cells, strict=True)) if len(cells) == len(names) else None


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
