"""Decoding a matrix answer fast: the points of a month are 43,200 pairs per series.

Building a Python list, a float and a string for every point (what a JSON parser does) cost
more than the server took to answer. Instead the ``"values"`` arrays are cut out of the answer's
bytes and parsed by numpy in C; the rest (status, warnings, labels: small) is parsed as JSON.
A point that is not ``[time, "value"]`` with two numbers is refused, as before.

Safe on any JSON: the text ``"values":[`` can only be a key followed by an array (inside a
JSON string the quotes would be escaped), and a values array holds only numbers and number
strings, so it ends at the first ``]]`` (whitespace allowed between; at once when empty).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

_KEY = re.compile(rb'"values"\s*:\s*\[')
_EMPTY = re.compile(rb"\s*\]")
_END = re.compile(rb"\]\s*\]")
_PUNCT = bytes.maketrans(b'[]",', b"    ")

Float64Array = npt.NDArray[np.float64]


class UndecodableError(ValueError):
    """The answer is not JSON, or a values array is not a list of ``[time, "value"]``."""


class CutShortError(UndecodableError):
    """The answer is the start of a JSON object that ends early (a proxy's size limit, a
    server stopped mid-answer): not garbage, a cut answer."""


def loads(body: bytes) -> tuple[Any, list[bytes]]:
    """The answer parsed with every series' ``values`` emptied, and those arrays' texts in
    the order the series come (raises :class:`UndecodableError`)."""
    pieces, arrays, at = [], [], 0
    while True:
        found = _KEY.search(body, at)
        if found is None:
            break
        start = found.end()
        empty = _EMPTY.match(body, start)
        if empty is not None:
            end = empty.end() - 1
        else:
            close = _END.search(body, start)
            if close is None:
                raise CutShortError("a values array does not end")
            end = close.end() - 1
        pieces.append(body[at:start])
        arrays.append(body[start:end])
        at = end
    pieces.append(body[at:])
    try:
        return orjson.loads(b"".join(pieces)), arrays
    except orjson.JSONDecodeError as exc:
        if str(exc).startswith("unexpected end of data") and body.lstrip().startswith(b"{"):
            raise CutShortError(str(exc)) from exc
        raise UndecodableError(str(exc)) from exc


def points(text: bytes) -> tuple[Float64Array, Float64Array]:
    """The times and values of one values array (its text between the outer brackets)."""
    count = text.count(b"[")
    if count == 0:
        if text.strip():
            raise UndecodableError('a point is not [time, "value"]')
        return np.empty(0), np.empty(0)
    # No warnings.catch_warnings() here: it swaps the process's filters, and this runs on
    # the read's worker threads at once, so one thread's exit could leave "error" installed
    # for every warning of every thread (an unclosed connection's ResourceWarning at exit
    # printed a traceback). numpy 2 raises ValueError on text that is not numbers; an older
    # one warns (ignored by default, an exception under -W error) and stops early, which the
    # count below catches.
    try:
        flat = np.fromstring(text.translate(_PUNCT), dtype=np.float64, sep=" ")
    except (ValueError, DeprecationWarning) as exc:
        raise UndecodableError('a point is not [time, "value"] of numbers') from exc
    if flat.size != 2 * count or text.count(b"]") != count:
        raise UndecodableError('a point is not [time, "value"]')
    pairs = flat.reshape(-1, 2)
    return pairs[:, 0].copy(), pairs[:, 1].copy()
