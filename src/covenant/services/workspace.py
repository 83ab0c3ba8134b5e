"""Use cases on workspace definitions: validate, load, export, scaffold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from covenant.config import STATE_DIR
from covenant.definitions.articles import with_article
from covenant.errors import NotFoundError, Problem

if TYPE_CHECKING:  # the full load (YAML, pydantic) is imported when the cache cannot answer
    from covenant.core.composite import CompositeObjective
    from covenant.core.model import Objective
    from covenant.core.promql import SeriesQueries
    from covenant.definitions.corrections import CorrectionRule
    from covenant.definitions.parsed import Definition
    from covenant.definitions.workspace import Workspace
    from covenant.definitions.yamlsource import FileRead


@dataclass(frozen=True, slots=True, kw_only=True)
class EvaluationDefinitions:
    """What ``evaluate`` needs of a workspace: its objectives, composites and corrections, and
    the Prometheus reads of its SLIs (what ``evaluate`` catches up before evaluating)."""

    objectives: tuple[Objective, ...]
    composites: tuple[CompositeObjective, ...] = ()
    corrections: tuple[CorrectionRule, ...] = ()
    reads: tuple[SeriesQueries, ...] = ()


def validate_paths(paths: Sequence[Path]) -> list[Problem]:
    """Every problem (errors and warnings) in the definitions under ``paths``, and a warning for
    a folder with no definition file at all (the wrong folder, most often: "valid" alone would
    say it is fine)."""
    from covenant.definitions import workspace as definitions  # noqa: PLC0415

    _, problems = definitions.analyse(paths)
    for path in paths:
        if path.is_dir() and not holds_definitions(path):
            problems.append(
                Problem(
                    code="no-definition-files",
                    message="the folder holds no definition file (*.yaml or *.yml, outside "
                    "hidden folders)",
                    where=str(path),
                    fix="give the folder with your definitions, or run `covenant init DIR` "
                    "for a starter workspace",
                    severity="warning",
                )
            )
    return problems


def problem_json(problem: Problem) -> dict[str, str]:
    """One problem as ``covenant validate --format json`` prints it (``GET /validation``'s
    items): its code, severity, message, file:line, field and fix."""
    return {
        "code": problem.code,
        "severity": problem.severity,
        "message": problem.message,
        "where": problem.where,
        "field": problem.field,
        "fix": problem.fix,
    }


def validation_json(problems: Sequence[Problem]) -> dict[str, object]:
    """``GET /validation``'s answer: the verdict, the errors and warnings counted, and every
    problem (``items``, what ``covenant validate --format json`` prints)."""
    errors = sum(1 for p in problems if p.severity == "error")
    return {
        "valid": errors == 0,
        "errors": errors,
        "warnings": len(problems) - errors,
        "items": [problem_json(p) for p in problems],
    }


def load_workspace(path: Path, *, applying: bool = False) -> Workspace:
    """The resolved workspace at ``path``; raises DefinitionError listing every problem.
    ``applying``: loaded to apply a change (sync, ingest…): the error says nothing was."""
    from covenant.definitions import workspace as definitions  # noqa: PLC0415

    return definitions.load_workspace(path, applying=applying)


def load_for_evaluation(path: Path, *, applying: bool = False) -> EvaluationDefinitions:
    """What ``evaluate`` needs of the workspace folder ``path``, from the evaluation cache in its
    state folder (``.covenant/``) when that holds the definitions as they are now, else from a
    full load (which raises DefinitionError as ``load_workspace`` does), cached for the next run.

    Without a state folder nothing is cached; see ``definitions.evaluation_cache`` for the key
    and when a cache is ignored.
    """
    from covenant.definitions import evaluation_cache as cache  # noqa: PLC0415

    state = path / STATE_DIR
    key = cache.definitions_key(path) if path.is_dir() and state.is_dir() else None
    if key is not None:
        cached = cache.read_cache(state, key=key)
        if cached is not None:
            return EvaluationDefinitions(
                objectives=cached.objectives, composites=cached.composites, reads=cached.reads
            )
    from covenant.definitions.plain import plain_objectives  # noqa: PLC0415

    reads: dict[Path, FileRead] = {}  # files the plain reader parsed: the full load reuses them
    plain = plain_objectives(path, reads=reads)  # a plain workspace, read without pydantic
    if plain is not None:
        found = EvaluationDefinitions(objectives=plain)
    else:
        from covenant.definitions import workspace as definitions  # noqa: PLC0415

        workspace = definitions.load_workspace(path, reads=reads, applying=applying)
        found = EvaluationDefinitions(
            objectives=workspace.objectives,
            composites=workspace.composites,
            corrections=workspace.corrections,
            reads=workspace.prometheus.reads if workspace.prometheus else (),
        )
    # written only when the files did not change while they were read (else: next run)
    if key is not None and not found.corrections and cache.definitions_key(path) == key:
        cache.write_cache(
            state,
            key=key,
            cached=cache.Cached(
                objectives=found.objectives, composites=found.composites, reads=found.reads
            ),
        )
    return found


def export_openslo(path: Path) -> str:
    """The workspace at ``path`` as OpenSLO v1 YAML (covenant extensions in annotations)."""
    return openslo_text(load_workspace(path))


def openslo_text(workspace: Workspace) -> str:
    """``workspace``'s documents as OpenSLO v1 YAML: what ``covenant export openslo`` writes
    and ``GET /api/v1/export/openslo`` answers."""
    from covenant.definitions import export  # noqa: PLC0415 - the YAML writer loads to export

    return export.export_openslo(workspace.documents)


def holds_definitions(path: Path) -> bool:
    """Whether the folder ``path`` holds a definition file (``*.yaml``/``*.yml`` outside
    hidden folders): a workspace, rather than a folder a command was run in by mistake."""
    from covenant.definitions.yamlsource import discover_files  # noqa: PLC0415

    return path.is_dir() and bool(discover_files([path])[0])


def init_workspace(directory: Path) -> list[Path]:
    """Scaffold a new workspace in ``directory``; returns the files written."""
    from covenant.definitions import scaffold  # noqa: PLC0415

    return scaffold.write_scaffold(directory)


def workspace_fingerprint(path: Path) -> tuple[tuple[str, int, int], ...]:
    """What changes when a definition file of the workspace at ``path`` changes: each file's
    name, size and modification time (to reload a long-running server's definitions)."""
    from covenant.definitions.yamlsource import discover_files  # noqa: PLC0415

    files, unreadable = discover_files([path])
    marks = [(problem.where, -1, -1) for problem in unreadable]  # a new broken link is a change
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            continue
        marks.append((str(file), stat.st_size, stat.st_mtime_ns))
    return tuple(marks)


def definitions_of(workspace: Workspace, kind: str) -> list[Definition]:
    """The workspace's definitions of ``kind`` as written, by name."""
    return sorted((d for d in workspace.documents if d.kind == kind), key=lambda d: d.name)


def definition_of(workspace: Workspace, kind: str, name: str) -> Definition:
    """The definition of ``kind`` named ``name``; NotFoundError naming the ones there are."""
    found = definitions_of(workspace, kind)
    for definition in found:
        if definition.name == name:
            return definition
    names = ", ".join(d.name for d in found[:20]) or "none"
    raise NotFoundError(
        f"no {kind} named {name!r} is defined (defined: {names})",
        hint=f"give the metadata.name of {with_article(kind)} of the workspace",
    )
