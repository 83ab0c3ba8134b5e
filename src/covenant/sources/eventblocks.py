"""What every event-file reader shares: the batch type, bad rows, and whole-record text blocks.

A text file is read in blocks of about ``block_bytes`` holding whole records. Line numbers
are worked out only when a row is bad, from the block's bytes and vectorised with numpy.
Bytes pyarrow must not see are taken out first (text that is not UTF-8), each reported as a
bad row with its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from covenant.errors import IngestError
from covenant.filekinds import EVENT_TEXT, not_text

LineMap = Callable[[npt.NDArray[np.int64]], list[str]]
WrittenRows = Callable[[npt.NDArray[np.int64]], list[dict[str, str] | None]]
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
DEFAULT_BLOCK_BYTES = 1 << 22  # 4 MiB of text per batch: a batch's arrays stay in the cache


MAX_INVALID = 100
EARLIEST = 0  # 1970-01-01T00:00:00Z: timestamps before are rejected
LATEST = 7_258_118_400  # 2200-01-01T00:00:00Z: later instants are typos, not data


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
    # the given rows' cells as the file wrote them (a number past a float's precision is
    # quoted from here), by column name; None: not kept for this format
    written: WrittenRows | None = field(default=None, repr=False)


def _check_encoding(name: str, head: bytes) -> bytes:
    """Refuse a binary file (gzip without .gz, a workbook) and UTF-16/32 text up front; drop a
    UTF-8 byte-order mark."""
    kind = not_text(head, name=name, text=EVENT_TEXT, tabular=True, gzip_ok=True, parquet_ok=True)
    if kind is not None:
        raise IngestError(kind.sentence(name, instead="text"), hint=kind.fix)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4096]:
        raise IngestError(
            f"{name}: the file is UTF-16 (or another encoding with NUL bytes), not UTF-8",
            hint="save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 in.csv > out.csv)",
        )
    return head[3:] if head.startswith(b"\xef\xbb\xbf") else head


def text_blocks(
    path: Path, gz: bool, block_bytes: int, cut: Callable[[bytes], int]
) -> Iterator[tuple[bytes, int, float]]:
    """``(block, line number of its first line, fraction done)``; blocks hold whole records.

    A record longer than 8 blocks (a quote never closed) is cut at its last newline instead.
    A plain file is read from where the last block ended (the part record after a block's
    last record is read again, not copied in front of the next read: one copy of the file's
    bytes fewer); a gzipped one, whose stream cannot seek, carries that part over.
    """
    size = max(path.stat().st_size, 1)
    stream = pa.input_stream(str(path), compression="gzip") if gz else pa.OSFile(str(path))
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
            if end == len(data):
                block, carry = data, b""
            elif gz:
                block, carry = data[:end], data[end:]
            else:
                stream.seek(stream.tell() - (len(data) - end))
                block, carry = data[:end], b""
                done = min(stream.tell() / size, 1.0)
            yield block, line, done
            line += count_newlines(block)


def record_straddles(exc: pa.ArrowInvalid) -> bool:
    """pyarrow's CSV parser met a record longer than two of its blocks (it says "straddling
    object straddles two block boundaries"): parse the text again as one block."""
    return "straddl" in str(exc)


_COUNT_SPAN = 1 << 18  # bytes compared at a time: the comparison stays in the cache


def count_newlines(data: bytes) -> int:
    """``data.count(b"\\n")``, vectorised (``bytes.count`` of one byte is ~10x slower)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    return sum(
        int(np.count_nonzero(buf[i : i + _COUNT_SPAN] == 10))
        for i in range(0, buf.size, _COUNT_SPAN)
    )


_NOT_SPACE = re.compile(rb"\S")


def has_text(data: bytes) -> bool:
    """Whether ``data`` holds anything but ASCII whitespace (no copy, unlike ``strip``)."""
    return _NOT_SPACE.search(data) is not None


def line_spans(data: bytes) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10).astype(np.int64)
    starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
    ends = np.concatenate((newlines, [buf.size])).astype(np.int64)
    return starts, ends


def blank_lines(data: bytes, lines: list[int], starts: npt.NDArray[np.int64]) -> bytes:
    """``data`` with the given lines (0-based) emptied, their newlines kept."""
    out = bytearray(data)
    for i in sorted(lines, reverse=True):
        start = int(starts[i])
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        del out[start:end]
    return bytes(out)


def utf8_problems(data: bytes) -> list[tuple[int, str]]:
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


def line_of(where: str) -> int:
    tail = where.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 1 << 62


def line_locator(name: str, lines: npt.NDArray[np.int64]) -> LineMap:
    def locate(rows: npt.NDArray[np.int64]) -> list[str]:
        return [f"{name}:{int(lines[r])}" if r < lines.size else f"{name}:?" for r in rows]

    return locate
