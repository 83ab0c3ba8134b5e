"""JSONL lines that name a key twice: a bad row, never "the last one wins".

pyarrow's JSON reader (like ``json.loads``) keeps the last value of a repeated key, so
``{"latency_ms": 5, "latency_ms": 900}`` was counted as a 900 ms request without a word. Finding
repeats exactly needs every line parsed again in Python, which the hot path cannot afford; so a
vectorised count picks the few lines that may repeat a key and only those are parsed again:

* ``k`` — per line, the colons after a closing quote and nothing but JSON whitespace (``":``,
  ``" :``, ``"  :``, a tab…): at least one per key written (more when a nested object or a
  string holds such a colon);
* ``v + n`` — per row, the columns pyarrow filled, plus the times ``null`` is written on the
  line: at least the distinct keys, when every key is written ``"key":``.

A line with ``k > v + n`` is parsed with ``json.loads`` and its top-level keys compared; the
others cannot repeat a key. ``":`` and ``" :`` are counted over the whole block at once; a colon
after any other whitespace (rare) is traced back to the byte before that whitespace.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa

from covenant.sources.eventblocks import line_spans

I64 = npt.NDArray[np.int64]
_SPACE = np.zeros(256, dtype=np.bool_)  # JSON whitespace inside a line: space, tab, CR
_SPACE[[9, 13, 32]] = True


def _far_key_colons(buf: npt.NDArray[np.uint8]) -> I64:
    """The colons after a quote and whitespace other than a single space (``"key"  :``,
    ``"key"\t:``): the ones ``":`` and ``" :`` do not find."""
    if buf.size < 3:
        return np.zeros(0, dtype=np.int64)
    colon = np.flatnonzero(buf[1:] == 58) + 1
    colon = colon[_SPACE[buf[colon - 1]]]
    single = (colon >= 2) & (buf[colon - 1] == 32) & (buf[np.maximum(colon - 2, 0)] == 34)
    colon = colon[~single]
    if not colon.size:
        return np.zeros(0, dtype=np.int64)
    solid = np.flatnonzero(~_SPACE[buf])  # only for a block that has such a colon
    before = np.searchsorted(solid, colon) - 1
    found = (before >= 0) & (buf[solid[np.maximum(before, 0)]] == 34)
    keys: I64 = colon[found].astype(np.int64)
    return keys


class BlockKeys:
    """Per line of one block of text (0-based): the colons right after a quote.

    ``total`` (all such colons of the block) lets a table whose filled columns add up to it
    skip the per-line count: every line then has as many keys written as columns filled
    (``k ≥ v`` on each line), so none can repeat a key."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        buf = np.frombuffer(data, dtype=np.uint8)
        quote, space = buf[:-2] == 34, buf[1:-1] == 32
        tight = np.count_nonzero(quote & (buf[1:-1] == 58))  # ":
        spaced = np.count_nonzero(quote & space & (buf[2:] == 58))  # " :
        self._far = _far_key_colons(buf)
        self.total = int(tight + spaced + (buf.size >= 2 and data[-2:] == b'":') + self._far.size)
        self._keys: I64 | None = None
        self.starts, self.ends = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)

    @property
    def keys(self) -> I64:
        if self._keys is None:
            self.starts, self.ends = line_spans(self.data)
            buf = np.frombuffer(self.data, dtype=np.uint8)
            colon = np.flatnonzero(buf == 58)
            colon = colon[colon >= 2]
            quoted = (buf[colon - 1] == 34) | ((buf[colon - 1] == 32) & (buf[colon - 2] == 34))
            keys = np.concatenate([colon[quoted], self._far])
            line = np.searchsorted(self.starts, keys, side="right") - 1
            self._keys = np.bincount(line, minlength=self.starts.size).astype(np.int64)
        return self._keys

    def line(self, index: int) -> bytes:
        """Line ``index`` (0-based) of the block: ask for ``keys`` first."""
        return self.data[int(self.starts[index]) : int(self.ends[index])]


def repeated_keys(block: BlockKeys, table: pa.Table, rows_at: I64) -> list[tuple[int, str]]:
    """``(row, key)`` for each row of ``table`` whose line (0-based in ``block``: ``rows_at``)
    names a top-level key twice; the first repeated key of each."""
    if not table.num_rows:
        return []
    filled = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.itercolumns():
        if column.null_count == 0:
            filled += 1
        else:
            filled += np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=np.int64)
    if int(filled.sum()) == block.total:
        return []
    extra = block.keys[rows_at] - filled
    found = []
    for row in np.flatnonzero(extra > 0).tolist():
        line = block.line(int(rows_at[row]))
        if extra[row] <= line.count(b"null"):
            continue  # keys written null are not columns: they may explain the difference
        key = _first_repeat(line)
        if key is not None:
            found.append((row, key))
    return found


def _first_repeat(line: bytes) -> str | None:
    """The first key the line's top-level object names twice (None: none, or not JSON)."""
    repeats: list[list[str]] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        twice: list[str] = []
        for key, _ in items:
            if key in seen:
                twice.append(key)
            seen.add(key)
        repeats.append(twice)
        return dict(items)

    try:
        json.loads(line, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return None
    top = repeats[-1] if repeats else []  # the outermost object is finished last
    return top[0] if top else None


# --- rows sent over the API -------------------------------------------------------------------

_KEY_MARK = re.compile(rb'"[ \t\r\n]*:')
"""A colon after a closing quote: at least one per key a JSON text writes."""


def key_marks(raw: bytes) -> int:
    """The colons after a closing quote in ``raw`` (``":``, ``" :``; other whitespace between,
    rare, by the regular expression): more than the keys its objects hold, and some object
    may write a key twice (a colon inside a string only costs a second look). Counted with
    ``bytes.count`` when there is none of the rare kind, which builds no list of matches."""
    if any(mark in raw for mark in (b'"\t', b'"\n', b'"\r', b'"  ')):
        return len(_KEY_MARK.findall(raw))
    return raw.count(b'":') + raw.count(b'" :')


"""A colon after a closing quote: at least one per key a JSON text writes."""


class RepeatedKeyRow(dict[str, Any]):
    """An event row whose JSON object writes a key more than once: ``pairs`` as written (the
    dict holds the last values). :func:`row_line` writes it back as written, so the JSON Lines
    reader refuses it as a bad row naming the key, as it refuses such a line in a file."""

    pairs: list[tuple[str, Any]]


class WrittenNumber(str):
    """A number of a batch body that is no plain integer (``2e2``, ``200.0``, ``1e400``) or a
    ``NaN``/``Infinity``, kept as the text the body writes: :func:`row_line` writes it back as
    it is, so the JSON Lines reader reads it as it reads that line in a file (a status ``2e2``
    refused, ``200.0`` accepted) — parsed to a float and written again, ``2e2`` was ``200.0``."""

    __slots__ = ()


_AS_WRITTEN: dict[str, Any] = {"parse_float": WrittenNumber, "parse_constant": WrittenNumber}


def body_as_written(raw: bytes) -> Any:
    """The body parsed with its numbers as written (:class:`WrittenNumber`; ``json.loads``
    reads ``NaN``, ``Infinity`` and ``1e400``, which orjson refuses); None when it is no JSON.
    Only UTF-8 without a byte order mark is JSON here (RFC 8259, 8.1), as for orjson:
    ``json.loads`` would read bytes in UTF-16 or UTF-32 too."""
    try:
        text = raw.decode("utf-8")  # a str: json reads no BOM in it, and guesses no encoding
    except UnicodeDecodeError:
        return None
    try:
        return json.loads(text, **_AS_WRITTEN)
    except (ValueError, RecursionError):
        return None


def holds(value: Any, kind: type) -> bool:
    """Whether ``value`` (a parsed body) is or holds, at any depth, an instance of ``kind``."""
    if isinstance(value, kind):
        return True
    if isinstance(value, dict):
        return any(holds(v, kind) for v in value.values())
    if isinstance(value, list):
        return any(holds(v, kind) for v in value)
    return False


def holds_float(value: Any) -> bool:
    """Whether ``value`` (a parsed body) holds a float anywhere: its numbers' text matters."""
    return holds(value, float)


def batch_events(raw: bytes, body: dict[str, Any]) -> Any:
    """``body["events"]`` (``body``: ``raw`` parsed by orjson, which keeps a repeated key's last
    value), every row that writes a key twice as a :class:`RepeatedKeyRow`. Only a body with
    more key colons than parsed keys is parsed again (by ``json.loads``, to see the pairs)."""
    events = body.get("events")
    if not isinstance(events, list):
        return events
    parsed = len(body) + sum(len(row) for row in events if isinstance(row, dict))
    if key_marks(raw) <= parsed:
        return events

    def hook(items: list[tuple[str, Any]]) -> dict[str, Any]:
        row = dict(items)
        if len(row) == len(items):
            return row
        repeated = RepeatedKeyRow(row)
        repeated.pairs = items
        return repeated

    try:
        again = json.loads(raw, object_pairs_hook=hook, **_AS_WRITTEN)
        rows = again["events"]
    except (ValueError, RecursionError, TypeError, KeyError):
        return events
    if not isinstance(rows, list) or len(rows) != len(events):
        return events
    return [
        new if isinstance(new, RepeatedKeyRow) else old
        for old, new in zip(events, rows, strict=True)
    ]


def row_line(row: Any) -> bytes:
    """An event row as one JSON Lines line; a :class:`RepeatedKeyRow` with its keys as written.
    What orjson cannot write (an integer past 64 bits, a lone surrogate) is written by the
    standard library instead, as JSON the reader then refuses as that row's bad value: one bad
    row never fails the batch."""
    if isinstance(row, RepeatedKeyRow):
        return b"{" + b",".join(_value(k) + b":" + _value(v) for k, v in row.pairs) + b"}"
    return _value(row)


def _value(value: Any) -> bytes:
    if _written(value):
        if isinstance(value, WrittenNumber):
            return value.encode("utf-8")
        if isinstance(value, dict):
            return b"{" + b",".join(_value(k) + b":" + _value(v) for k, v in value.items()) + b"}"
        return b"[" + b",".join(_value(v) for v in value) + b"]"
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, default=str).encode("ascii")


def _written(value: Any) -> bool:
    """Whether ``value`` is or holds a :class:`WrittenNumber` (to be written as it is)."""
    return holds(value, WrittenNumber)
