"""The record of one ``openslo/v1alpha`` / ``openslo.com/v2alpha`` → ``openslo/v1`` rewrite
(``definitions.alpha``), and the old versions' keys found when misspelt.

:class:`Rewrite` keeps the rewritten document's line table, so that problems found later
point at the lines as written, and the problems found while rewriting.

The conversion looks for the keys ``openslo/v1`` does not have by name. A misspelt one
(``thresholdMetrci``, ``ratioMetrisc``, ``sil``) was not found, so the document reached the
``openslo/v1`` model half-converted: the key unknown, offered ``openslo/v1``'s keys or none,
and what it stands for missing ("the SLO has no indicator", "required field 'metadata' is
missing") — one typo, several errors, some away from its line. :meth:`Rewrite.lenient` reads
such a key as the key it likely is (:func:`misspelt_keys`) and tells the typo once, at its
line, as ``definitions.misspelt`` words it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel

from covenant.definitions.diagnostics import WARNING, at, did_you_mean
from covenant.definitions.openslo import (
    InlineSLI,
    MetricSpec,
    ObjectiveSpec,
    RatioMetric,
    SLOSpec,
)
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem


def v1_keys(model: type[BaseModel]) -> tuple[str, ...]:
    """The keys ``model`` reads, as written in a document."""
    return tuple(info.alias or name for name, info in model.model_fields.items())


# (the keys of the old version at a place, the openslo/v1 keys also read there)
V1ALPHA_SPEC = (("timeWindows",), v1_keys(SLOSpec))
V1ALPHA_INDICATOR = (("thresholdMetric",), v1_keys(InlineSLI))
V1ALPHA_OBJECTIVE = (("ratioMetrics",), v1_keys(ObjectiveSpec))
V1ALPHA_RATIO = (("incremental", "good", "total"), v1_keys(RatioMetric))
V1ALPHA_METRIC = (("source", "queryType", "query"), v1_keys(MetricSpec))
V2ALPHA_SPEC = (("serviceRef", "sli", "sliRef"), v1_keys(SLOSpec))
V2ALPHA_OBJECTIVE = (("sli", "sliRef", "labels"), v1_keys(ObjectiveSpec))
V2ALPHA_METRIC = (("dataSourceRef", "dataSourceSpec", "spec"), v1_keys(MetricSpec))

AS_V1 = "write the file as apiVersion: openslo/v1"
V1_ONLY_SPEC = {  # openslo/v1's SLO fields that openslo/v1alpha has not (key → fix)
    "timeWindow": "openslo/v1alpha writes timeWindows: [{unit: Day, count: 28, isRolling: true}]; "
    f"or {AS_V1}",
    **{key: f"openslo/v1alpha has no {key}: {AS_V1}" for key in ("alertPolicies", "indicatorRef")},
}
V1_ONLY_OBJECTIVE = {
    "targetPercent": "openslo/v1alpha writes target: a ratio (targetPercent: 99 is target: "
    f"0.99); or {AS_V1}",
    "timeSliceWindow": "openslo/v1alpha has no timeSliceWindow (its slices are read as 1m): "
    f"remove it, or {AS_V1}",
    **{
        key: f"openslo/v1alpha has no {key}: {AS_V1}"
        for key in ("indicator", "indicatorRef", "compositeWeight")
    },
}
"""The reference (the Go SDK, ``oslo validate``) decodes v1alpha strictly: unknown fields."""

REQUIRED = frozenset({"thresholdMetric", "source", "queryType", "query", "serviceRef"})
"""Keys without which the old version's document is incomplete ("the required field")."""


def misspelt_keys(
    holder: Mapping[Any, Any], keys: tuple[Sequence[str], Sequence[str]]
) -> list[tuple[str, str]]:
    """(written, meant) for each key of ``holder`` that is none of ``keys`` and is likely
    one of the old version's (the closest of both lists), which ``holder`` does not have
    (nor an earlier misspelling of it: a second stays unknown)."""
    old, v1 = keys
    known = (*old, *v1)
    found: list[tuple[str, str]] = []
    for written in holder:
        if not isinstance(written, str) or written in known:
            continue
        meant = did_you_mean(written, known)
        taken = meant in holder or any(meant == m for _, m in found)
        if meant in old and meant not in v1 and not taken:
            found.append((written, meant))
    return found


def misspelt_message(written: str, meant: str) -> tuple[str, str]:
    """The unknown key's message and fix, as ``definitions.misspelt`` words them."""
    required = "required " if meant in REQUIRED else ""
    return (
        f"unknown field {written!r}: likely the {required}field {meant!r}, misspelt",
        f"rename {written} to {meant}",
    )


@dataclass(slots=True)
class Rewrite:
    """The rewritten document's line table and the problems found while rewriting."""

    doc: SourceDocument
    version: str
    lines: dict[PathKey, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    blocked: bool = False  # the document has no openslo/v1 form: it is not validated further
    # each path of the rewritten document that is not written so → the path it was read from,
    # so that a problem found later names the field as the file writes it
    renamed: dict[PathKey, PathKey] = field(default_factory=dict)
    quoted: set[PathKey] = field(default_factory=set)  # SourceDocument.quoted_words, moved too
    # the lines as written, a misspelt key's also under the key it is read as (``lenient``)
    written: dict[PathKey, int] = field(init=False)
    source: SourceDocument = field(init=False)

    def __post_init__(self) -> None:
        self.lines.update(self.doc.lines)
        self.quoted.update(self.doc.quoted_words)
        self.written = dict(self.doc.lines)
        self.source = replace(self.doc, lines=self.written)

    def line(self, path: PathKey) -> int:
        return self.source.line_of(path)

    def move(self, old: PathKey, new: PathKey) -> None:
        """Lines of ``old`` and everything under it now also belong to ``new``."""
        size = len(old)
        self.lines[new] = self.line(old)
        self.renamed[new] = old
        for path, line in self.written.items():
            if path[:size] == old:
                self.lines[(*new, *path[size:])] = line
        self.quoted.update((*new, *p[size:]) for p in self.doc.quoted_words if p[:size] == old)

    def lenient(
        self, holder: dict[str, Any], path: PathKey, keys: tuple[Sequence[str], Sequence[str]]
    ) -> dict[str, Any]:
        """``holder`` with each misspelt key of the old version  read as the
        key it likely is, the typo told once at its line."""
        misspelt = misspelt_keys(holder, keys)
        if not misspelt:
            return holder
        holder = dict(holder)
        for written, meant in misspelt:
            message, fix = misspelt_message(written, meant)
            self.error((*path, written), "unknown-field", message, fix, blocking=False)
            replace_key(holder, written, meant, holder[written])
            size = len(path) + 1
            for where, line in list(self.written.items()):
                if where[:size] == (*path, written):
                    self.written[(*path, meant, *where[size:])] = line
        return holder

    def place(self, new: PathKey, old: PathKey) -> None:
        """A field that did not exist takes the line (and the name) of ``old``."""
        self.lines[new] = self.line(old)
        self.renamed[new] = old

    def v1_only(self, holder: Mapping[str, Any], path: PathKey, fixes: Mapping[str, str]) -> None:
        """An error at each of ``holder``'s keys that only ``openslo/v1`` has: the document is
        not read (as a v1alpha ``duration`` in a window is not), every such key told at once."""
        for key, fix in fixes.items():
            if key in holder:
                message = f"{key} is openslo/v1's field, not openslo/v1alpha's"
                self.error((*path, key), "unknown-field", message, fix)

    def note(self, path: PathKey, message: str) -> None:
        self.problems.append(
            at(
                self.source,
                path,
                code="converted-api-version",
                message=f"{self.version}: {message}",
                fix="nothing to do; to keep the openslo/v1 form, write the file with "
                "`covenant export openslo`",
                severity=WARNING,
            )
        )

    def error(
        self, path: PathKey, code: str, message: str, fix: str, *, blocking: bool = True
    ) -> None:
        """An error; a blocking one means the rewritten document would be incomplete."""
        self.problems.append(at(self.source, path, code=code, message=message, fix=fix))
        self.blocked = self.blocked or blocking


def replace_key(holder: dict[str, Any], old: str, new: str, value: Any) -> None:
    """Rename ``old`` to ``new`` in place, keeping its position (the export keeps the order)."""
    items = list(holder.items())
    holder.clear()
    for key, item in items:
        if key == old:
            holder[new] = value
        else:
            holder[key] = item
