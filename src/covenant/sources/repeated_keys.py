"""A JSON text that writes a key twice in one object: where, so that it is refused, never read
as its last value (``json.loads`` and orjson keep the last silently: ``"end"`` written twice,
the second ``null``, was an open incident).

Exact: every object of the text is looked at, at any depth. Cheap for the text that repeats
nothing (nearly all): it is parsed by orjson once, and parsed again with the pairs as written
only when it writes more key colons (``"…":``) than its objects hold keys — a text that writes
no key twice cannot (a colon inside a string only adds a parse). At the top level two
spellings of one name (``end`` and ``End ``) are a repeat too, as the records reader
(``sources.recordrows``) reads them as one column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson

from covenant.sources.jsonkeys import body_as_written, key_marks

__all__ = ["Repeat", "first_repeat", "same_name"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Repeat:
    """A key an object writes twice: ``first`` as first written, ``second`` as written again
    (the same text, or another spelling at the top level), ``path`` the second's JSON path
    (``history[1].status``)."""

    first: str
    second: str
    path: str


class _Twice(dict[str, Any]):
    """An object that writes ``key`` more than once (the dict holds the last values)."""

    key: str


def _pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(items)
    if len(value) == len(items):
        return value
    twice = _Twice(value)
    seen: set[str] = set()
    for key, _ in items:
        if key in seen:
            twice.key = key
            break
        seen.add(key)
    return twice


def _parsed(raw: bytes) -> Any:
    """``raw`` as JSON (orjson; else as ``json`` reads NaN or 1e400); ``_NONE`` when it is
    none: the route says so."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        found = body_as_written(raw)
        return _NONE if found is None else found


_NONE = object()


def _key_count(value: Any) -> int:
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            count += len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _first_twice(value: Any, rows: str | None) -> Repeat | None:
    """The first object (in the order written) of ``value`` that is a ``_Twice``; the items
    of the top level's ``rows`` list are left out."""
    stack: list[tuple[Any, str, bool]] = [(value, "", True)]
    while stack:
        item, path, top = stack.pop()
        if isinstance(item, _Twice):
            return Repeat(first=item.key, second=item.key, path=_join(path, item.key))
        children: list[tuple[Any, str, bool]] = []
        if isinstance(item, dict):
            children = [
                (child, _join(path, key), False)
                for key, child in item.items()
                if not (top and key == rows and isinstance(child, list))
            ]
        elif isinstance(item, list):
            children = [(child, f"{path}[{i}]", False) for i, child in enumerate(item)]
        stack.extend(reversed(children))
    return None


def same_name(value: Any) -> Repeat | None:
    """Two top-level keys that are one name trimmed and without case (``end``, ``End ``)."""
    if not isinstance(value, dict):
        return None
    named: dict[str, str] = {}
    for key in value:
        first = named.setdefault(key.strip().lower(), key)
        if first != key:
            return Repeat(first=first, second=key, path=key)
    return None


def first_repeat(raw: bytes, *, parsed: Any = _NONE, rows: str | None = None) -> Repeat | None:
    """The first key the JSON text ``raw`` writes twice in one object (None: none, or ``raw``
    is no JSON). ``parsed``: ``raw`` parsed already (orjson); ``rows``: a top-level key whose
    list's items are rows checked on their own, as a file's lines (an event batch's
    ``events``)."""
    if parsed is _NONE:
        parsed = _parsed(raw)
        if parsed is _NONE:
            return None
    if key_marks(raw) > _key_count(parsed):
        try:
            again = json.loads(raw.decode("utf-8"), object_pairs_hook=_pairs)
        except (ValueError, RecursionError):
            again = None
        found = _first_twice(again, rows)
        if found is not None:
            return found
    return same_name(parsed)
