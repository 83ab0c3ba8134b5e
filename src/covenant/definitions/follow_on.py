"""A document kept out of the workspace by its own error is not missing for its references.

A misspelt ``metadata.name`` (``nmae: checkout``), a misspelt or missing ``kind``, an unknown
``apiVersion``: each is an error at the document, which then is in no index, so every
document referring to it also said "no SLI named 'checkout' in the workspace" (an error) or
"no Service named 'checkout'" (a warning) — one typo told once per reference, the copies
pointing away from it. :func:`without_broken_references` drops a reference's problem when a
document of that kind and name is written, read leniently (a misspelt key's value taken for
its name or kind, an unknown kind for any), and has an error of its own: fixing that error
resolves the reference. A document with no name at all (its ``name`` or ``metadata``
missing, or not a text) takes the one name that references of its kind use and no document
has: its error's fix says ``add name: <it>`` and where it is used, in place of those
references' problems. Names are DNS labels (RFC 1123), lowercase: a document written
``Slow-Burn`` is an ``invalid-name`` error, and a reference to ``slow-burn`` is not another
one: the name error's fix says to rename it so, and where it is used. A reference written in a
spelling no document can have (``indicatorRef: basketRatio``, ``service: Shop_Front``) says so,
and its fix gives the spelling to write there and name the document by (never "add a document
named 'basketRatio'", which would be an ``invalid-name`` error); when a document is written in
that same spelling, its ``invalid-name`` fix names the references to rename with it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from covenant.definitions.articles import with_article
from covenant.definitions.diagnostics import did_you_mean
from covenant.definitions.field_rules import is_name
from covenant.definitions.fields import dns_label
from covenant.definitions.kinds import KINDS
from covenant.definitions.misspelt import Documents
from covenant.definitions.yamlsource import SourceDocument
from covenant.errors import Problem

REFERENCE_CODES = frozenset({"missing-reference", "unresolved-reference"})
_REFERENCE = re.compile(r"no (\w+) named ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
_ENVELOPE = ("apiVersion", "kind", "metadata", "spec")
_METADATA = ("name", "displayName", "labels", "annotations", "namespace")
_KNOWN_KINDS = frozenset(kind for kinds in KINDS.values() for kind in kinds)


def without_broken_references(
    problems: Sequence[Problem], sources: Sequence[SourceDocument]
) -> list[Problem]:
    """``problems`` without those that a reference names a broken document (see above)."""
    documents = Documents(sources)
    errors: dict[int, list[Problem]] = {}
    for problem in problems:
        doc = documents.of(problem)
        if doc is not None and problem.severity == "error":
            errors.setdefault(id(doc), []).append(problem)
    if not errors:
        return [_no_such_name(p) for p in problems]
    named: set[tuple[str | None, str]] = set()
    lowered: dict[tuple[str | None, str], Problem] = {}  # (kind, name in lower case) → its error
    misnamed: dict[tuple[str | None, str], Problem] = {}  # (kind, name as written) → its error
    nameless: dict[str, list[Problem]] = {}  # kind → the name errors of its unnamed documents
    for doc in sources:
        if id(doc) not in errors or not isinstance(doc.data, Mapping):
            continue
        kind = _kind(doc.data)
        names = _names(doc.data)
        named.update((kind, name) for name in names)
        root = next((p for p in errors[id(doc)] if _about_the_name(p)), None)
        if not names and kind is not None and root is not None:
            nameless.setdefault(kind, []).append(root)
        if root is not None and root.code == "invalid-name":
            lowered.update(((kind, n.lower()), root) for n in names if n != n.lower())
            misnamed.update(((kind, n), root) for n in names)
    dropped: set[int] = set()
    unresolved: dict[str, dict[str, list[int]]] = {}  # kind → name → the problems' indexes
    renamed: dict[int, tuple[Problem, str, list[Problem]]] = {}  # id(root) → (root, name, uses)
    for i, problem in enumerate(problems):
        target = _target(problem)
        if target is None:
            continue
        kind, name = target
        low = name.lower()  # any spelling of the name in another case: Slow-Burn, SLOW-BURN…
        root = lowered.get((kind, low), lowered.get((None, low)))
        if (kind, name) in named or (None, name) in named:
            dropped.add(i)
        elif root is not None:  # ``slow-burn`` names the document written ``Slow-Burn``
            dropped.add(i)
            renamed.setdefault(id(root), (root, name, []))[2].append(problem)
        else:
            unresolved.setdefault(kind, {}).setdefault(name, []).append(i)
    folded: dict[int, Problem] = {
        key: _renamed(root, name, uses) for key, (root, name, uses) in renamed.items()
    }
    for (kind, name), root in misnamed.items():
        written = _uses(sources, kind, name)
        if written:  # renamed alone, it would leave these naming nothing
            folded[id(root)] = _respelt(folded.get(id(root), root), name, written)
    for kind, roots in nameless.items():
        wanted = unresolved.get(kind, {})
        if len(roots) != 1 or len(wanted) != 1:
            continue  # which name is whose is not known: the references say it
        ((name, uses),) = wanted.items()
        dropped.update(uses)
        folded[id(roots[0])] = _named_by_uses(roots[0], kind, name, [problems[j] for j in uses])
    return [_no_such_name(folded.get(id(p), p)) for i, p in enumerate(problems) if i not in dropped]


def _no_such_name(problem: Problem) -> Problem:
    """A reference's problem whose name no document can have (not a DNS label): saying to add
    a document of that name would lead to an ``invalid-name`` error; the fix gives the name to
    write in both places instead."""
    target = _target(problem)
    if target is None or is_name(target[1]):
        return problem
    kind, name = target
    spelling = dns_label(name, fallback="my-name")
    return replace(
        problem,
        message=f"{problem.message}, and no document can be: {name!r} is not a DNS label "
        "(RFC 1123; OpenSLO names are lowercase)",
        fix=f"write {spelling!r} here, and name the {kind} it means {spelling!r}",
    )


def _respelt(root: Problem, name: str, uses: Sequence[str]) -> Problem:
    """The ``invalid-name`` error of a document whose references write the same name: the fix
    names them, to be renamed with it."""
    where = uses[0] + (f" and {len(uses) - 1} more" if len(uses) > 1 else "")
    spelling = dns_label(name, fallback="my-name")
    return replace(root, fix=f"{root.fix}; write {spelling!r} where it is used too: {where}")


REFERENCE_KEYS = {
    "indicatorRef": "SLI",
    "sliRef": "SLI",
    "alertPolicyRef": "AlertPolicy",
    "conditionRef": "AlertCondition",
    "targetRef": "AlertNotificationTarget",
    "metricSourceRef": "DataSource",
    "dataSourceRef": "DataSource",
    "serviceRef": "Service",
}
"""The keys that name a document of a kind wherever they are written; an SLO's
``spec.service`` names a Service too."""


def _uses(sources: Sequence[SourceDocument], kind: str | None, name: str) -> list[str]:
    """Where (``file:line``) the documents refer to the ``kind`` named ``name``, as written."""
    found: list[str] = []
    if kind is None:  # an unknown kind: no key is known to name it
        return found
    for doc in sources:
        for path, key, value in _walk(doc.data, ()):
            if value != name:
                continue
            if REFERENCE_KEYS.get(key) == kind or (
                kind == "Service" and path == ("spec", "service")
            ):
                found.append(doc.where(path))
    return found


def _walk(
    data: Any, path: tuple[str | int, ...]
) -> Iterable[tuple[tuple[str | int, ...], str, Any]]:
    """Every (path, key, value) of ``data``'s mappings, depth first."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            if isinstance(key, str):
                yield (*path, key), key, value
                yield from _walk(value, (*path, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _walk(item, (*path, i))


def _target(problem: Problem) -> tuple[str, str] | None:
    """The (kind, name) a reference problem says no document has."""
    if problem.code not in REFERENCE_CODES:
        return None
    found = _REFERENCE.match(problem.message)
    if found is None:
        return None
    name = ast.literal_eval(found.group(2))
    return (found.group(1), name) if isinstance(name, str) else None


def _about_the_name(problem: Problem) -> bool:
    return problem.field in ("metadata", "metadata.name")


def _renamed(root: Problem, name: str, uses: Sequence[Problem]) -> Problem:
    """The ``invalid-name`` error of a document written ``Slow-Burn`` (or ``SLOW-BURN``…)
    that references call by a spelling of its name in another case: one error, saying the
    lowercase name to give it and where it is used — and, when a reference is not in
    lowercase either (``Slow-Burn`` for ``SLOW-BURN``), to write it so there too."""
    where = uses[0].where + (f" and {len(uses) - 1} more" if len(uses) > 1 else "")
    valid = name.lower()
    if all(_target(use) == _target(uses[0]) for use in uses) and name == valid:
        fix = f"rename it {valid!r}, the name {where} refer{'s' if len(uses) == 1 else ''} to it by"
    else:
        written = sorted({t[1] for u in uses if (t := _target(u)) and t[1] != valid})
        spellings = " and ".join(repr(w) for w in written)
        verb = "refers" if len(uses) == 1 else "refer"
        fix = f"rename it {valid!r}, and write {valid!r} for {spellings} where {where} {verb} to it"
    return replace(root, message=f"{root.message}: OpenSLO names are lowercase", fix=fix)


def _named_by_uses(root: Problem, kind: str, name: str, uses: Sequence[Problem]) -> Problem:
    where = uses[0].where + (f" and {len(uses) - 1} more" if len(uses) > 1 else "")
    said = f"{where} refer to {with_article(kind)} named {name!r}, which no document has"
    if root.code == "missing-field" and root.field == "metadata.name":
        return replace(root, fix=f"add name: {name} ({said})")
    return replace(root, fix=f"{root.fix}; {said}: if it is this one, name it so")


def _kind(data: Mapping[Any, Any]) -> str | None:
    """The document's kind, read leniently; None when it is not a kind (any kind, then)."""
    for value in _values(data, "kind", _ENVELOPE):
        if isinstance(value, str) and value in _KNOWN_KINDS:
            return value
    return None


def _names(data: Mapping[Any, Any]) -> set[str]:
    """The names the document gives itself, read leniently (``nmae: x`` gives x)."""
    names: set[str] = set()
    for metadata in _values(data, "metadata", _ENVELOPE):
        if isinstance(metadata, Mapping):
            names.update(v for v in _values(metadata, "name", _METADATA) if isinstance(v, str))
    return names


def _values(data: Mapping[Any, Any], key: str, keys: Iterable[str]) -> list[Any]:
    """The value of ``key`` in ``data``, or of the keys that are likely it, misspelt."""
    if key in data:
        return [data[key]]
    known = tuple(keys)
    return [
        value
        for written, value in data.items()
        if isinstance(written, str)
        and written not in known
        and (written.lower() == key.lower() or did_you_mean(written, known) == key)
    ]
