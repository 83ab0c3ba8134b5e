"""An import's files checked with the workspace they go into, as `covenant validate` would check
the workspace once they are written: an error in a new file refuses the import, and so does an
error the import causes in a file of the workspace (a Correction or an Agreement naming an SLO
that a replaced file no longer has) — one the workspace did not have before."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from covenant.definitions.yamlsource import SourceDocument, discover_files, read_file, read_text
from covenant.errors import DefinitionError, Problem


def existing(into: Path, replaced: set[Path]) -> tuple[list[SourceDocument], set[tuple[str, str]]]:
    """The documents of the workspace folder ``into`` but those of the files ``replaced``
    (resolved paths), and their (kind, name)s."""
    if not into.is_dir():
        return [], set()
    files, _ = discover_files([into])
    sources: list[SourceDocument] = []
    names: set[tuple[str, str]] = set()
    for file in files:
        if file.resolve() in replaced:
            continue
        found, _ = read_file(file)
        sources += found
        for doc in found:
            for item in doc.data if isinstance(doc.data, list) else [doc.data]:
                if isinstance(item, Mapping) and isinstance(item.get("metadata"), Mapping):
                    names.add((str(item.get("kind")), str(item["metadata"].get("name"))))
    return sources, names


SPLIT = (
    "split its source file into smaller ones: the import writes one workspace file per source file"
)
"""The fix of a file the import would write that the workspace could not read (too large)."""


def check_with_workspace(
    writes: Sequence[tuple[Path, str]], workspace: Sequence[SourceDocument], *, into: Path
) -> list[Problem]:
    """The warnings of the files ``writes`` would write beside ``workspace`` (the folder
    ``into``'s documents, without the files they replace); raises :class:`DefinitionError`
    with the errors in them, else with the errors they would cause in the workspace's other
    files."""
    from covenant.definitions.workspace import analyse_sources  # noqa: PLC0415

    warnings: list[Problem] = []
    new_sources: list[SourceDocument] = []
    for target, text in writes:
        found, syntax = read_text(text, file=str(target))
        new_sources += found
        warnings += syntax
    unreadable = [
        replace(p, fix=SPLIT) if p.code == "yaml-too-large" else p
        for p in warnings
        if p.severity == "error"
    ]
    if unreadable:  # a file the workspace could not read (yaml-too-large): never written
        raise DefinitionError(problems=unreadable, applying=True)
    _, checked = analyse_sources([*workspace, *new_sources])
    new_files = {str(target) for target, _ in writes}
    mine = [p for p in checked if _file(p) in new_files]
    errors = [p for p in mine if p.severity == "error"]
    if errors:
        raise DefinitionError(problems=errors, applying=True)
    others = [p for p in checked if p.severity == "error" and _file(p) not in new_files]
    if others:  # the workspace's own errors are not the import's, but those it causes are
        before, _ = existing(into, set())
        _, had = analyse_sources(before)
        known = {_key(p) for p in had}
        caused = [
            replace(p, message=f"{p.message}, once the import is written")
            for p in others
            if _key(p) not in known
        ]
        if caused:
            raise DefinitionError(problems=caused, applying=True)
    return warnings + mine


def _file(problem: Problem) -> str:
    return problem.where.rpartition(":")[0]


def _key(problem: Problem) -> tuple[str, str, str, str]:
    return (problem.code, problem.where, problem.field, problem.message)


def in_workspace(problem: Problem, into: Path) -> Problem:
    """``problem`` with the files of the workspace folder ``into`` named relative to it, in
    its place, message and fix: a request's answer never names the server's folder."""
    inside = f"{into}{os.sep}"
    return replace(
        problem,
        where=problem.where.removeprefix(inside),
        message=problem.message.replace(inside, ""),
        fix=problem.fix.replace(inside, ""),
    )
