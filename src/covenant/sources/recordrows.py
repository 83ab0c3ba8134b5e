"""What the ticket and incident readers share: a batch of rows with their lines, JSON values.

A record file is read batch by batch (``recordfiles.record_batches``); each batch is a
``RecordSource``: its rows as dicts (keys lower-cased), the line each starts on, and the rows
that are not records at all.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from covenant.errors import IngestError
from covenant.filekinds import not_text
from covenant.sources.eventblocks import InvalidRow
from covenant.sources.eventrows import MAX_PROBLEMS
from covenant.sources.repeated_keys import same_name

__all__ = [
    "BLOCK_ROWS",
    "MAX_DEPTH",
    "TOO_DEEP",
    "JsonRows",
    "RecordSource",
    "decode_object",
    "depth_ok",
    "loads",
    "lower_keys",
    "not_utf8",
]

MAX_DEPTH = 64
"""How deeply a record's JSON may nest (a ticket's history is 3 levels deep); deeper is refused
before anything recurses over it."""
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"
BLOCK_ROWS = 10_000
"""Rows of a batch at most, whatever their size, in every format: 1 MiB of ``{}`` (or of tiny
CSV rows) is 350,000 rows, each built with its problem (650 MiB)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordSource:
    """Rows of a record file (one dict per record, keys lower-cased) with their line numbers:
    one batch of the file, or the whole of it (``read_record_source``)."""

    path: Path
    columns: tuple[str, ...]  # every column (CSV header) or key (JSON) seen in these rows
    rows: tuple[dict[str, Any], ...]
    lines: tuple[int, ...]  # the line each row starts on (CSV header = line 1)
    invalid: tuple[InvalidRow, ...] = ()  # rows that are not records at all (first 100)
    invalid_count: int = 0
    header: bool = False  # columns are the file's header: every batch has them all (CSV)
    done: float = 1.0  # the fraction of the file read with this batch (0.0: not known)
    # per row of a JSON array: its element number when it shares a line with another (a
    # one-line export), else 0; empty for the other formats
    elements: tuple[int, ...] = ()
    # CSV column names written more than once, with their places (``record_paths``)
    repeated: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def where(self, row: int) -> str:
        return element_where(
            self.path.name, self.lines[row], self.elements[row] if self.elements else 0
        )


def element_where(name: str, line: int, element: int) -> str:
    """``name:line``, with ``(element N)`` when the line holds several array elements."""
    return f"{name}:{line}" + (f" (element {element})" if element else "")


def depth_ok(value: object) -> bool:
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


_REPEATS = threading.local()  # the first key a decode found written twice in an object


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) < len(pairs) and not getattr(_REPEATS, "key", ""):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                _REPEATS.key = key
                break
            seen.add(key)
    return value


_PAIRS = json.JSONDecoder(object_pairs_hook=_object)


def decode_object(text: str, position: int) -> tuple[object, int, str]:
    """``(value, end, repeat)`` of the JSON value at ``position`` of ``text``: ``repeat`` says
    which key an object of it writes twice ("" when none does). A JSON reader keeps only the
    last value of such a key, so a record that does is refused, never read as one of them. At
    the top level, keys are compared as the readers read them: trimmed, without case."""
    _REPEATS.key = ""
    try:
        value, end = _PAIRS.raw_decode(text, position)
        repeat: str = _REPEATS.key
    finally:
        _REPEATS.key = ""
    if repeat:
        return value, end, f"key {repeat!r} twice"
    same = same_name(value)
    if same is not None:
        return value, end, f"keys {same.first!r} and {same.second!r}, which name the same column"
    return value, end, ""


def repeated(what: str) -> str:
    """What a record that writes a key twice (``decode_object``) is, and the fix."""
    return (
        f"an object that writes {what} (a JSON reader would keep only the last) — write "
        "each key once"
    )


def loads(raw: str) -> tuple[object, str]:
    """A JSONL line's value and what is wrong with it ("" when it is a usable object)."""
    try:
        text = raw.strip(" \t\r")
        value, end, repeat = decode_object(text, 0)
        if end != len(text):
            raise ValueError(text)
    except ValueError:
        return None, "not valid JSON"
    except RecursionError:
        return None, TOO_DEEP
    if not isinstance(value, dict):
        return None, "not a JSON object"
    if not depth_ok(value):
        return None, TOO_DEEP
    if repeat:
        return None, repeated(repeat)
    return value, ""


def lower_keys(value: dict[str, Any]) -> dict[str, Any]:
    return {str(key).strip().lower(): item for key, item in value.items()}


def json_columns(rows: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """Every key of ``rows``, in the order first seen."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return tuple(columns)


def not_utf8(
    name: str, head: bytes, offset: int, *, where: tuple[int, int, int] | None = None
) -> IngestError:
    """The error for text that is not UTF-8 at byte ``offset`` (of the text after a byte-order
    mark) of a file that starts with ``head``: named for what it is when its first bytes show
    it is no text at all (a gzip file without .gz, a workbook). ``where``: the line, the
    column on it and the byte, when known — a byte offset alone cannot be found in an editor."""
    kind = not_text(head[:4096], name=name, text="CSV or JSON", tabular=True, gzip_ok=True)
    if kind is not None:
        return IngestError(kind.sentence(name, instead="text"), hint=kind.fix)
    if where is not None:
        line, column, byte = where
        return IngestError(
            f"{name}:{line}: not UTF-8 text (byte 0x{byte:02x} at column {column}); nothing "
            "of the file was stored",
            hint="export the file as UTF-8",
        )
    return IngestError(f"{name}: not UTF-8 text (byte {offset})", hint="export the file as UTF-8")


def check_utf8(name: str, block: bytes, *, offset: int, head: bytes, first_line: int) -> None:
    """Raise ``not_utf8`` at the first byte of ``block`` (at ``offset`` in the text, its first
    line the file's line ``first_line``) that is not UTF-8, naming its line and column."""
    if block.isascii():
        return
    try:
        block.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = first_line + block.count(b"\n", 0, start)
        begins = block.rfind(b"\n", 0, start) + 1  # the line's text before it is UTF-8
        column = len(block[begins:start].decode("utf-8")) + 1  # in characters, as editors count
        where = (line, column, block[start])
        raise not_utf8(name, head, offset + start, where=where) from None


class JsonRows:
    """One batch of a JSON file being read: its objects with their lines, and the count and
    first ``MAX_PROBLEMS`` of its elements that are no record. Elements of a JSON array
    (``element`` from 1) that share a line with another are named by their number too
    (``shared``), so a row of a one-line export is told from the others."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[dict[str, Any]] = []
        self.lines: list[int] = []
        self.elements: list[int] = []
        self.invalid: list[tuple[int, int, str]] = []  # (line, element, message)
        self.invalid_count = 0
        self.shared: set[int] = set()

    def add(self, value: dict[str, Any], line: int, element: int = 0) -> None:
        self.rows.append(lower_keys(value))
        self.lines.append(line)
        self.elements.append(element)

    def bad(self, line: int, message: str, element: int = 0) -> None:
        self.invalid_count += 1
        if len(self.invalid) < MAX_PROBLEMS:
            self.invalid.append((line, element, message))

    @property
    def full(self) -> bool:
        """Whether the batch holds ``BLOCK_ROWS`` rows, records and bad ones: to be cut."""
        return len(self.rows) + self.invalid_count >= BLOCK_ROWS

    def _named(self, element: int) -> int:
        return element if element in self.shared else 0

    def source(self, done: float) -> RecordSource:
        name = self.path.name
        return RecordSource(
            path=self.path,
            columns=json_columns(self.rows),
            rows=tuple(self.rows),
            lines=tuple(self.lines),
            invalid=tuple(
                InvalidRow(where=element_where(name, line, self._named(e)), message=message)
                for line, e, message in self.invalid
            ),
            invalid_count=self.invalid_count,
            done=done,
            elements=tuple(self._named(e) for e in self.elements) if self.shared else (),
        )
