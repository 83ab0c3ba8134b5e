"""Counting an event batch's rows before it is parsed (``PUT /event-batches/{key}``).

orjson builds every row of a body before its length can be checked: a 16 MiB body of ``{}``
rows (5.6 million of them, under the server's body limit) took about 490 MiB to build only to
be refused for holding more than 10,000. :func:`first_over` finds the row past the limit by a
scan of the body's tokens that builds nothing: strings (keys and values, with their escapes),
brackets and commas; it stops at that row, so a body far over the limit costs no more than one
at it. What it does not read as ``{"events": [...]}`` is left to the parse, which says why.
"""

from __future__ import annotations

import re

# a JSON string (escapes kept inside it), an opening bracket, a closing one, a comma
_TOKEN = re.compile(rb'("[^"\\]*(?:\\.[^"\\]*)*")|([\[{])|([\]}])|(,)')
_STRING, _OPEN, _CLOSE, _COMMA = 1, 2, 3, 4
_EVENTS = b'"events"'


def first_over(raw: bytes, most: int) -> int | None:
    """The byte offset of row ``most`` (0-based: the first one past ``most`` rows) of the
    body's top-level ``events`` list; None when it holds at most ``most`` rows, or is not such
    a list (a list of n rows has n - 1 commas of its own, and the body at least those)."""
    if raw.count(b",") < most:
        return None
    depth = 0  # brackets open
    in_object = False  # the body is an object (its first bracket a brace)
    key_next = False  # the next string at depth 1 is a key
    key = b""  # the last key read at depth 1
    counting = False  # inside the events list (depth 2)
    commas = 0
    for token in _TOKEN.finditer(raw):
        kind = token.lastindex
        if kind == _STRING:
            if depth == 1 and in_object and key_next:
                key = token.group(_STRING)
                key_next = False
        elif kind == _OPEN:
            depth += 1
            if depth == 1:
                in_object = token.group(_OPEN) == b"{"
                key_next = in_object
            elif depth == 2 and in_object and key == _EVENTS and token.group(_OPEN) == b"[":
                counting, commas = True, 0
        elif kind == _CLOSE:
            depth -= 1
            counting = counting and depth >= 2
        elif depth == 1:
            key_next = in_object
        elif depth == 2 and counting:
            commas += 1
            if commas == most:
                at = token.end()
                while at < len(raw) and raw[at] in b" \t\r\n":  # JSON's white space
                    at += 1
                return at
    return None
