"""The parts of a tool's export that are not one plain column: a column name written more
than once (Jira's "all fields" CSV writes ``Labels`` once per label) and a key inside a nested
object or list (PagerDuty's ``service.summary``, Statuspage's ``components.name``).

A name written more than once is kept as one column per place, ``labels (column 15)``,
``labels (column 16)``: a column no reading uses stays ignored, and ``--column`` can name one
of them by its place. Reading such a name as a field (``--column customer=Labels``, or a file's
own ``id`` written twice) is refused: nothing says which of the columns is meant.

``--column FIELD=a.b`` reads key ``b`` of the object under key ``a`` (keys after the first
are matched without regard to case, as the first is); through a list it reads the key of
each element (``components.name``: every component's name, a list). An object on the path
with two keys that are one name so matched (``Priority`` and ``priority``) makes the row a bad
row (``TwoSpellingsError``): which of them is meant cannot be told, and taking either would lose the
other without a word — as two such keys at a record's top level are refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from covenant.errors import IngestError

__all__ = [
    "MISSING",
    "Repeated",
    "TwoSpellingsError",
    "check_repeated",
    "distinct_columns",
    "found_paths",
    "path_value",
]

Repeated = tuple[tuple[str, tuple[int, ...]], ...]
"""Column names written more than once in a CSV header, each with its places (from 1)."""

MISSING: Any = object()
"""What ``path_value`` gives when the path leads to nothing in the row."""


def distinct_columns(names: Sequence[str]) -> tuple[list[str], Repeated]:
    """``names`` (lower-cased, trimmed) with each repeated one named by its place (from 1),
    and the repeated names with their places."""
    places: dict[str, list[int]] = {}
    for number, name in enumerate(names, start=1):
        places.setdefault(name, []).append(number)
    repeated = tuple((name, tuple(at)) for name, at in places.items() if len(at) > 1)
    twice = {name for name, _ in repeated}
    columns = [
        f"{name} (column {number})" if name in twice else name
        for number, name in enumerate(names, start=1)
    ]
    return columns, repeated


def check_repeated(
    path: Path,
    repeated: Repeated,
    fields: Sequence[str],
    mapped: Mapping[str, str],
) -> None:
    """Refuse a repeated column that would be read: one a ``--column`` names, or one named as
    a field that no ``--column`` maps elsewhere."""
    by_header = {header: name for name, header in mapped.items()}
    for name, places in repeated:
        field = by_header.get(name)
        if field is None and name in fields and name not in mapped:
            field = name
        if field is None:
            continue
        listed = ", ".join(str(n) for n in places)
        hint = (
            f"name the one to read by its place, e.g. --column {field}="
            f"'{name} (column {places[-1]})', or give the columns distinct names"
        )
        if field == name and name not in by_header:
            raise IngestError(
                f"{path.name}: column(s) {name} appear more than once (columns {listed}): "
                f"which one is the {field} cannot be told",
                hint=hint,
            )
        raise IngestError(
            f"{path.name}: column {name!r} appears {len(places)} times (columns {listed}): "
            f"which one is the {field} cannot be told",
            hint=hint,
        )


class TwoSpellingsError(Exception):
    """An object on a ``--column`` path holds two keys that are one name without case or
    surrounding blanks: ``first`` and ``second`` as written, ``path`` the keys up to them."""

    def __init__(self, first: str, second: str, path: str) -> None:
        super().__init__(first, second, path)
        self.first, self.second, self.path = first, second, path


def path_value(row: Mapping[str, Any], header: str) -> Any:
    """The value at ``header`` (``a.b.c``) in ``row``, or ``MISSING`` (``TwoSpellingsError``: an
    object on the way names the key twice, in two spellings)."""
    first, *rest = header.split(".")
    if first not in row or not rest:
        return MISSING
    return _walk(row[first], rest)


def _walk(value: Any, keys: Sequence[str]) -> Any:
    if not keys:
        return value
    if isinstance(value, list):
        found = [_walk(item, keys) for item in value]
        return (
            [item for item in found if item is not MISSING and item is not None]
            if any(item is not MISSING for item in found)
            else MISSING
        )
    if isinstance(value, dict):
        key = _key(value, keys[0])
        return MISSING if key is None else _walk(value[key], keys[1:])
    return None if value is None else MISSING


def _key(value: Mapping[str, Any], wanted: str) -> str | None:
    found = [k for k in value if isinstance(k, str) and k.strip().lower() == wanted]
    if len(found) > 1:
        raise TwoSpellingsError(found[0], found[1], wanted)
    return found[0] if found else None


def found_paths(rows: Sequence[Mapping[str, Any]], headers: Sequence[str]) -> set[str]:
    """The dotted ``headers`` that lead to something in at least one of ``rows``."""
    return {
        header for header in headers if "." in header and any(_found(row, header) for row in rows)
    }


def _found(row: Mapping[str, Any], header: str) -> bool:
    try:
        return path_value(row, header) is not MISSING
    except TwoSpellingsError:  # there, twice: the row is refused for it (``record_columns``)
        return True
