"""A workspace: every definition under some paths, checked together and resolved to the model.

``analyse`` never stops at the first problem: it reads every file, validates every document,
checks every reference and returns all problems at once. ``load_workspace`` raises
:class:`~covenant.errors.DefinitionError` carrying them when any is an error, so a workspace
is used entirely or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from covenant.definitions.documents import parse_document
from covenant.definitions.follow_on import without_broken_references
from covenant.definitions.misspelt import one_per_misspelling
from covenant.definitions.parsed import Definition, Parsed
from covenant.definitions.resolve import resolve
from covenant.definitions.settings import WorkspaceSettings
from covenant.definitions.yamlsource import (
    FileRead,
    SourceDocument,
    discover_files,
    read_file,
    read_text,
)
from covenant.errors import DefinitionError, Problem

if TYPE_CHECKING:  # the contract, calendar and correction code loads only when a workspace has them
    from covenant.core.agreements import AgreementVersion, MaintenanceWindow
    from covenant.core.composite import CompositeObjective
    from covenant.core.model import EventRule, Objective
    from covenant.definitions.calendar_spec import CalendarSpec
    from covenant.definitions.contract_model import AgreementLabel, Customer
    from covenant.definitions.corrections import CorrectionRule
    from covenant.definitions.delivery import DeliveryTarget
    from covenant.definitions.prometheus import PrometheusReads
    from covenant.definitions.routing import NoticeRouting


@dataclass(frozen=True, slots=True, kw_only=True)
class Workspace:
    """Definitions as written (``documents``) and as the engine uses them."""

    documents: tuple[Definition, ...]
    objectives: tuple[Objective, ...]
    event_rules: tuple[EventRule, ...]
    warnings: list[Problem] = field(default_factory=list)
    customers: tuple[Customer, ...] = ()
    calendars: tuple[CalendarSpec, ...] = ()
    agreements: tuple[AgreementVersion, ...] = ()  # every version of every agreement
    maintenance: tuple[MaintenanceWindow, ...] = ()
    labels: tuple[AgreementLabel, ...] = ()  # agreements' display names and statement locales
    origins: Mapping[str, str] = field(default_factory=dict)  # "agreement@vN" → "file:line"
    composites: tuple[CompositeObjective, ...] = ()  # composite SLOs (components in objectives)
    corrections: tuple[CorrectionRule, ...] = ()  # SLO corrections, applied retroactively
    settings: WorkspaceSettings = field(default_factory=WorkspaceSettings)
    prometheus: PrometheusReads | None = None  # SLIs read through Prometheus (None: no source)
    delivery: tuple[DeliveryTarget, ...] = ()  # where alert notices are sent (docs/delivery.md)
    routing: NoticeRouting | None = None  # which targets each notice goes to (None: no targets)

    def objective(self, key: str) -> Objective:
        """The objective whose ``key`` is ``slo`` or ``slo/name``."""
        for objective in self.objectives:
            if objective.key == key:
                return objective
        raise KeyError(key)


def analyse(
    paths: Iterable[Path], *, reads: Mapping[Path, FileRead] | None = None
) -> tuple[Workspace | None, list[Problem]]:
    """Read and check every definition under ``paths``; the workspace when nothing is wrong.
    A file in ``reads`` (read already, by ``definitions.plain``) is taken from there, once."""
    files, problems = discover_files(paths)
    sources: list[SourceDocument] = []
    for file in files:
        read = reads.get(file) if reads is not None else None
        found, syntax = read if read is not None else read_file(file)
        sources += _definitions(found, syntax, file=str(file))
        problems += syntax
    workspace, more = analyse_sources(sources, problems=problems)
    return workspace, more


def analyse_text(text: str, *, file: str = "<text>") -> tuple[Workspace | None, list[Problem]]:
    """The same as :func:`analyse` for one YAML text (tests, the API)."""
    sources, problems = read_text(text, file=file)
    return analyse_sources(_definitions(sources, problems, file=file), problems=problems)


def _definitions(
    found: list[SourceDocument], problems: list[Problem], *, file: str
) -> list[SourceDocument]:
    """The documents of one file that hold something: an empty YAML document (a bare ``---``)
    is nothing. A readable file with none at all gets a ``no-documents`` warning (appended to
    ``problems``): it is not an error, but it defines nothing and says nothing."""
    kept = [doc for doc in found if doc.data is not None]
    if not kept and not problems:
        problems.append(
            Problem(
                code="no-documents",
                message="the file holds no definition (it is empty, or holds only comments or "
                "`---` separators)",
                where=file,
                fix="write the definitions into it, or remove the file",
                severity="warning",
            )
        )
    return kept


def analyse_sources(
    sources: Sequence[SourceDocument], *, problems: Sequence[Problem] = ()
) -> tuple[Workspace | None, list[Problem]]:
    found = list(problems)
    parsed: list[Parsed] = []
    clean: set[int] = set()  # id() of the parsed documents with no error of their own
    for source in sources:
        item, more = parse_document(source)
        found += more
        if item is not None:
            parsed.append(item)
            if not any(p.severity == "error" for p in more):
                clean.add(id(item))
    has_errors = any(p.severity == "error" for p in found)
    resolved = resolve(parsed, build=not has_errors, clean=clean)
    found = one_per_misspelling([*found, *resolved.problems], sources)
    found = without_broken_references(found, sources)
    found.sort(key=_order)
    if any(p.severity == "error" for p in found):
        return None, found
    workspace = Workspace(
        documents=tuple(item.definition for item in parsed),
        objectives=resolved.objectives,
        event_rules=resolved.event_rules,
        warnings=found,
        customers=resolved.contracts.customers,
        calendars=resolved.contracts.calendars,
        agreements=resolved.contracts.agreements,
        maintenance=resolved.contracts.maintenance,
        labels=resolved.contracts.labels,
        origins=resolved.contracts.origins,
        composites=resolved.composites,
        corrections=resolved.corrections,
        settings=resolved.settings,
        prometheus=resolved.prometheus,
        delivery=resolved.delivery,
        routing=resolved.routing,
    )
    return workspace, found


def load_workspace(
    *paths: Path, reads: Mapping[Path, FileRead] | None = None, applying: bool = False
) -> Workspace:
    """The resolved workspace; raises DefinitionError listing every problem if any is an error.
    ``reads``: files read already (see :func:`analyse`); ``applying``: the caller loads it to
    apply a change (the error then says nothing was applied)."""
    workspace, problems = analyse(paths, reads=reads)
    if workspace is None:
        raise DefinitionError(problems=problems, applying=applying)
    return workspace


def _order(problem: Problem) -> tuple[str, int, str]:
    file, _, line = problem.where.rpartition(":")
    if not file or not line.isdigit():
        return (problem.where, 0, problem.field)
    return (file, int(line), problem.field)
