"""A document's own checks run on the parts that are valid, beside its schema problems.

Pydantic refuses a whole document for one bad field, and the checks that relate several fields
(``checks``: "the objective has no target", "Timeslices needs timeSliceWindow", a duplicate
objective name…) need the validated model. So one misspelt or out-of-range field hid every
other problem of its document until it was fixed: ``validate`` said one thing, then the next.

:func:`partial_checks` validates a copy of the document in which each field pydantic refused
(its *broken* fields) holds a stand-in value of the right type, so the rest validates, and runs
the kind's checks on that. A broken field still counts as written (the check that the field is
there is not repeated), the checks that read a broken field's value skip it
(``SourceDocument.broken_at``), and any problem they still find at or under a broken field is
dropped: its own problem was already said. The stand-in model is used only for checks — these,
and (kept on ``Parsed.stand_in``) those that need other documents, such as an objective's
op/value against the SLI it names — never built: a document with an error is not used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from covenant.definitions.diagnostics import _clean
from covenant.definitions.openslo import Document
from covenant.definitions.parsed import StandIn
from covenant.definitions.yamlsource import PathKey, SourceDocument, field_path
from covenant.errors import Problem

Check = Callable[[SourceDocument, Any], list[Problem]]
"""One check of a document's fields, given its source and validated model."""
DROP = object()
"""A stand-in that deletes the key (an unknown field: nothing reads it)."""
STAND_INS: tuple[Any, ...] = (
    "x",
    Decimal("0.5"),
    True,
    "1h",
    "UTC",
    "2020-01-01 00:00:00",
    {},
    [],
    [{}],
    Decimal("50"),
)
"""Values tried in turn for a broken field: the first its type takes is kept (a name or text,
a ratio or number, a flag, a duration, a time zone, a start time, a mapping, a list, a
percentage — a level of 199.9 takes no ratio: without it the document's checks waited). A
``Literal`` field takes the first value pydantic lists as expected."""
MAX_TRIALS = 64
"""Validations tried at most per document (each broken field takes a few)."""
_QUOTED = re.compile(r"'([^']*)'")


def stand_in(
    doc: SourceDocument,
    data: Mapping[str, Any],
    model: type[Document],
    error: ValidationError,
    context: dict[str, Any] | None,
    *,
    unknown: bool,
) -> StandIn | None:
    """``data`` validated with its broken fields stood in for, with the document marked
    (None when no stand-in validates: the document's checks then wait for the fix, as before).

    ``unknown``: an unknown field is dropped (an OpenSLO document); in a ``covenant/v1``
    document a misspelt term leaves a default that would say more, so its checks wait."""
    details = error.errors(include_url=False)
    if not unknown and any(d["type"] == "extra_forbidden" for d in details):
        return None
    first = [(_loc(doc, d), d) for d in details]
    if not first or any(not loc for loc, _ in first):
        return None  # the document itself is refused (not a mapping): nothing to check
    patched: Any = data
    broken: list[PathKey] = []
    todo = [(loc, detail, False) for loc, detail in first]
    trials = 0
    while todo:
        loc, detail, inner = todo.pop(0)
        if not inner and any(loc[: len(b)] == b for b in broken):
            continue  # inside a field already stood in for
        candidates: Iterable[Any] = (
            (DROP,) if detail["type"] == "extra_forbidden" else _candidates(detail)
        )
        for candidate in candidates:
            trials += 1
            if trials > MAX_TRIALS:
                return None
            try:
                trial = _put(patched, loc, candidate)
            except (KeyError, IndexError, TypeError):
                return None  # a shape not foreseen: leave the checks for after the fix
            left = _errors(model, trial, context, doc)
            if left is None or not any(at == loc for at, _ in left):
                patched = trial
                broken.append(loc)
                # what the stand-in still lacks inside it (a mapping's required fields)
                # (``[{}]`` for a list of texts: its item stood in for next)
                todo += [(at, d, True) for at, d in left or () if at[: len(loc)] == loc != at]
                break
        else:
            return None
    try:
        valid = model.model_validate(patched, context=context)
    except ValidationError:
        return None
    marked = replace(doc, broken=frozenset(broken))
    return StandIn(source=marked, model=valid, fields=tuple(field_path(b) for b in broken))


def partial_checks(
    stand: StandIn | None, checks: Callable[[Document], Sequence[Check]]
) -> list[Problem]:
    """The problems the kind's ``checks`` (given the validated stand-in, the checks of its
    kind) find in the document with its broken fields stood in for (none without a stand-in).

    Each check runs on its own: one misled by a stand-in value into raising says nothing,
    and the others still say theirs (a raise hides no other check's problem)."""
    if stand is None:
        return []
    found: list[Problem] = []
    for check in checks(stand.model):
        try:
            found += check(stand.source, stand.model)
        except Exception:  # misled by a stand-in: its problems wait for the fix
            continue
    return not_at_broken(stand, found)


def not_at_broken(stand: StandIn, problems: Iterable[Problem]) -> list[Problem]:
    """``problems`` but those at or under a broken field: its own problem was already said."""
    return [p for p in problems if not any(_within(p.field, f) for f in stand.fields)]


def _loc(doc: SourceDocument, detail: ErrorDetails) -> PathKey:
    return _clean(detail["loc"], doc, ())


def _candidates(detail: ErrorDetails) -> list[Any]:
    expected = str((detail.get("ctx") or {}).get("expected", ""))
    literals: list[Any] = _QUOTED.findall(expected) if detail["type"] == "literal_error" else []
    return [*literals[:1], *STAND_INS]


def _errors(
    model: type[Document], data: Any, context: dict[str, Any] | None, doc: SourceDocument
) -> list[tuple[PathKey, ErrorDetails]] | None:
    try:
        model.model_validate(data, context=context)
    except ValidationError as exc:
        return [(_loc(doc, d), d) for d in exc.errors(include_url=False)]
    return None


def _put(value: Any, loc: PathKey, new: Any) -> Any:
    """``value`` with ``new`` at ``loc`` (``DROP``: the key deleted), copied along the way."""
    key, rest = loc[0], loc[1:]
    if isinstance(value, list) and isinstance(key, int):
        items = list(value)
        items[key] = _put(items[key], rest, new) if rest else new
        return items
    if not isinstance(value, dict) or not isinstance(key, str):
        raise TypeError(loc)
    copy = dict(value)
    if rest:
        copy[key] = _put(value[key], rest, new)
    elif new is DROP:
        copy.pop(key, None)
    else:
        copy[key] = new
    return copy


def _within(field: str | None, outer: str) -> bool:
    return field is not None and (field == outer or field.startswith((f"{outer}.", f"{outer}[")))
