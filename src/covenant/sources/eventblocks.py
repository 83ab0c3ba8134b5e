"""What every event-file reader shares: the batch type, bad rows, and whole-record text blocks.

A text file is read in blocks of about ``block_bytes`` holding whole records. Line numbers
are worked out only when a row is bad, from the block's bytes and vectorised with numpy.
Bytes pyarrow must not see are taken out first (text that is not UTF-8), each reported as a
bad row with its line. A line longer than ``MAX_LINE_BYTES`` (the record readers' limit too)
ends the read with an error naming it (:func:`overlong_line`).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from covenant.errors import IngestError
from covenant.filekinds import EVENT_TEXT, not_text, stem, wide_text

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
MAX_LINE_BYTES = 32 << 20
"""The longest line a text reader takes (events, tickets and incidents; CSV and JSON Lines,
plain or gzipped): twice DuckDB's largest JSON object (16 MiB), the 32 MiB a record of
yb-voyager's CSV reader may take, and far past any event or ticket export (a JSON event of
several MiB is read). A longer line is refused once that much of it is read: a file that
lost its line breaks, or a hole of NUL bytes (``truncate -s 2G``), ends the read at once
instead of being held in memory. A ``.json`` array (one document) has no line limit; each of
its elements has this limit (``recordarray``)."""


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


def check_text_head(
    name: str, head: bytes, *, gz: bool, text: str = EVENT_TEXT, parquet_ok: bool = True
) -> bytes:
    """Refuse a binary file (gzip without .gz, a workbook, bytes with a NUL among them),
    UTF-16/32 text and a hole of NUL bytes up front; drop a UTF-8 byte-order mark. ``text``
    names what the reader takes ("CSV or JSON Lines")."""
    kind = not_text(head, name=name, text=text, tabular=True, gzip_ok=True, parquet_ok=parquet_ok)
    if kind is not None:
        raise IngestError(kind.sentence(name, instead="text"), hint=kind.fix)
    nul = -1 if head.startswith((b"\xff\xfe", b"\xfe\xff")) else head.find(b"\x00", 0, 4096)
    if nul >= 0 and head.startswith(_HOLE, nul):  # no text in any encoding: a file padded
        line = head.count(b"\n", 0, nul) + 1
        raise IngestError(
            f"{name}:{line}: {nul_bytes(nul, gz=gz)}: no text, but {PADDED}",
            hint=_remade(name, line, gz=gz),
        )
    if nul >= 0 or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = wide_text(head[:4096])
        if codec is None:
            line = head.count(b"\n", 0, nul) + 1
            raise IngestError(
                f"{name}:{line}: byte offset {nul} is a NUL byte (0x00), which no UTF-8 text "
                "holds: the file is binary data, not text",
                hint=f"give the rows as {text} in UTF-8 (export them again from their source)",
            )
        raise IngestError(
            f"{name}: the file is {codec} text, not UTF-8",
            hint=f"save it as UTF-8 (e.g. {_convert(name, codec, gz=gz)})",
        )
    return head[3:] if head.startswith(b"\xef\xbb\xbf") else head


def _convert(name: str, codec: str, *, gz: bool) -> str:
    """The command that writes the file ``name`` (in ``codec``) out as UTF-8 beside it."""
    plain = name[:-3] if gz and name.lower().endswith(".gz") else name
    suffix = plain.rsplit(".", 1)[1] if "." in plain.lstrip(".") else "csv"
    target = shlex.quote(f"{stem(name)}-utf8.{suffix}")
    if gz:
        return f"gzip -dc {shlex.quote(name)} | iconv -f {codec} -t UTF-8 > {target}"
    return f"iconv -f {codec} -t UTF-8 {shlex.quote(name)} > {target}"


def _event_head(name: str, head: bytes, gz: bool) -> bytes:
    return check_text_head(name, head, gz=gz)


_HOLE = bytes(16)  # NUL bytes in a row, which no text holds (UTF-16 and UTF-32 hold 3 at most)


HeadCheck = Callable[[str, bytes, bool], bytes]
"""``(file name, first bytes read, gzipped)`` → those bytes without a byte-order mark, or an
``IngestError`` for a file that is no text the reader takes."""


def text_blocks(
    path: Path,
    gz: bool,
    block_bytes: int,
    cut: Callable[[bytes], int],
    head: HeadCheck | None = None,
) -> Iterator[tuple[bytes, int, float]]:
    """``(block, line number of its first line, fraction done)``; blocks hold whole records.

    ``head`` checks the first bytes read (default: the event files' check, which refuses
    binary files, UTF-16/32 text and a hole of NUL bytes).

    A record longer than 8 blocks (a quote never closed) is cut at its last newline instead;
    a line longer than ``MAX_LINE_BYTES`` is refused (:func:`overlong_line`) once that much of
    it is read, so memory stays bounded whatever the file holds (a 2 GB hole of NUL bytes).
    The bytes read after a block's last record wait as pieces, joined only when a line break
    arrives (a record can end only there): each byte is copied once, not again with every
    block read. A plain file is read from where the last block ended (the part record after
    a block's last record is read again, not copied in front of the next read); a gzipped
    one, whose stream cannot seek, carries that part over.
    """
    size = max(path.stat().st_size, 1)
    stream = pa.input_stream(str(path), compression="gzip") if gz else pa.OSFile(str(path))
    with stream:
        pending: list[bytes] = []  # read after the last block; no record ends in them yet
        start = 0  # byte offset (of the text, decompressed) of pending's first byte
        run = 0  # bytes after pending's last line break: the line being read
        line = 1
        first = True
        while True:
            chunk = stream.read(block_bytes)
            if first:
                text = (head or _event_head)(path.name, chunk, gz)
                start, chunk, first = len(chunk) - len(text), text, False
            if not chunk:
                if pending:
                    yield b"".join(pending), line, 1.0
                return
            pending.append(chunk)
            newline = chunk.rfind(b"\n")
            if newline < 0:
                run += len(chunk)
            elif run + chunk.find(b"\n") > MAX_LINE_BYTES or (
                len(chunk) > MAX_LINE_BYTES and first_overlong(chunk) >= 0
            ):
                run = MAX_LINE_BYTES + 1  # a line that ends in this chunk is too long
            else:
                run = len(chunk) - newline - 1
            if run > MAX_LINE_BYTES:
                raise overlong_line(path.name, b"".join(pending), line=line, start=start, gz=gz)
            if newline < 0:
                continue  # no record ends in this chunk
            data = chunk if len(pending) == 1 else b"".join(pending)
            end = cut(data)
            if end == 0 and len(data) > 8 * block_bytes:
                end = newline + len(data) - len(chunk) + 1
            if end == 0:
                pending = [data]
                continue
            done = min(stream.tell() / size, 1.0) if not gz else 0.0
            if end == len(data):
                block, pending = data, []
            elif gz:
                block, pending = data[:end], [data[end:]]
            else:
                stream.seek(stream.tell() - (len(data) - end))
                block, pending, run = data[:end], [], 0
                done = min(stream.tell() / size, 1.0)
            start += end
            yield block, line, done
            line += count_newlines(block)


def first_overlong(data: bytes) -> int:
    """Where the first line of ``data`` longer than ``MAX_LINE_BYTES`` starts (the last line
    need not end in a line break), or -1."""
    starts, ends = line_spans(data)
    over = np.flatnonzero(ends - starts > MAX_LINE_BYTES)
    return int(starts[over[0]]) if over.size else -1


def size_text(size: int) -> str:
    """``32 MiB``; ``100 bytes`` for a size that is no whole number of MiB."""
    return f"{size >> 20} MiB" if size and not size % (1 << 20) else f"{size} bytes"


PADDED = "a file padded or cut short (a sparse or preallocated file, a copy that did not finish)"


def overlong_line(name: str, data: bytes, *, line: int, start: int, gz: bool) -> IngestError:
    """The error for the first line of ``data`` longer than ``MAX_LINE_BYTES``: ``data`` is
    text from byte offset ``start`` on (of the decompressed text when ``gz``), its first byte
    on line ``line``. Names the line, where it starts, what it holds, and how to keep the
    lines before it."""
    at = first_overlong(data)
    at = at if at >= 0 else data.rfind(b"\n") + 1
    line += count_newlines(data[:at])
    of = " of the decompressed text" if gz else ""
    limit = size_text(MAX_LINE_BYTES)
    nul = data.find(b"\x00", at, at + MAX_LINE_BYTES + 1)
    if nul >= 0:
        return IngestError(
            f"{name}:{line}: {nul_bytes(start + nul, gz=gz)}, and line {line} has no line "
            f"break in its first {limit}: no text, but {PADDED}",
            hint=_remade(name, line, gz=gz),
        )
    shown = data[at : at + 24].decode("utf-8", errors="replace")
    fix = (
        f"a record ends with a line break and none is near {limit} long: check how the file "
        "was made (line breaks lost, or no text at all)"
    )
    # a CSV's first line is its header: the lines before line 2 hold no record to keep
    header = name.lower().removesuffix(".gz").endswith(".csv")
    if line > (2 if header else 1):
        kept = "the line" if line == 2 else f"the {line - 1} lines"
        fix += f"; to ingest {kept} before it: {keep_lines(name, line - 1, gz=gz)}"
    return IngestError(
        f"{name}:{line}: line {line} is longer than {limit} (no line break in the {limit} from "
        f"byte offset {start + at}{of} on; it starts {shown!r}…)",
        hint=fix,
    )


def nul_bytes(offset: int, *, gz: bool) -> str:
    of = " of the decompressed text" if gz else ""
    return f"the file holds NUL bytes (0x00) from byte offset {offset}{of} on"


def _remade(name: str, line: int, *, gz: bool) -> str:
    """The fix for a file padded or cut short whose line ``line`` holds NUL bytes."""
    fix = "make the file again from its source"
    if line > 1:
        fix += f"; to ingest the {line - 1} lines before them: {keep_lines(name, line - 1, gz=gz)}"
    return fix


def keep_lines(name: str, lines: int, *, gz: bool) -> str:
    """The shell command that writes the first ``lines`` lines of ``name`` to a new file."""
    base = name[:-3] if gz and name.lower().endswith(".gz") else name
    stem, dot, suffix = base.rpartition(".")
    target = f"{stem}-head.{suffix}" if dot and stem else f"{base}-head"
    if gz:
        zipped = shlex.quote(target + name[len(base) :])
        return f"gzip -dc {shlex.quote(name)} | head -n {lines} | gzip > {zipped}"
    return f"head -n {lines} {shlex.quote(name)} > {shlex.quote(target)}"


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


def gzip_unreadable(path: Path, exc: BaseException) -> IngestError:
    """The error for a file named .gz that cannot be decompressed: one cut short (its copy,
    download or compression killed before the end: Python's ``EOFError``, Arrow's "Truncated
    compressed stream") is told to be made again, not re-compressed."""
    said = str(exc)
    if isinstance(exc, EOFError) or "truncated" in said.lower() or "ended before" in said:
        return IngestError(
            f"{path.name}: the file is cut short: its gzip data ends before the end of the "
            "compressed stream (a copy, download or compression that did not finish); nothing "
            "of it was stored",
            hint=f"make or copy the file again whole (`gzip -t {path.name}` says when it is)",
        )
    return IngestError(
        f"{path.name}: cannot decompress it as gzip ({exc})",
        hint="re-compress it with gzip, or drop .gz from the name if it is plain",
    )
