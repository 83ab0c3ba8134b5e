"""``covenant import``: other tools' SLO files → OpenSLO documents written into a workspace.

:func:`plan_import` reads every source file, converts it (``covenant.definitions.importers``),
leaves out Services and DataSources the workspace (or an earlier file) already has, and checks
the workspace *with* the new files exactly as ``covenant validate`` would. :func:`write_import`
writes the files all or nothing (``covenant.files_replaced``): each to a temporary file beside
its target, then renamed into place; a failure part-way removes what was written. An existing
file is never replaced unless ``force`` is given.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from covenant.definitions.fields import dns_label
from covenant.definitions.importers.base import (
    UNRECOGNISED,
    ImportedFile,
    Options,
    disambiguate,
)
from covenant.definitions.importers.sloth import refuse_duplicate_ids
from covenant.definitions.yamlsource import SourceDocument, discover_files
from covenant.errors import InputError, Problem
from covenant.files_replaced import write_all_replacing
from covenant.services.import_bounds import at_sources
from covenant.services.import_check import check_with_workspace
from covenant.services.import_check import existing as workspace_documents
from covenant.services.import_clash import Defined, defined_sources, source_clash
from covenant.services.import_sources import (
    Pasted,
    Source,
    commented_out,
    read_mapping,
    read_source,
    slo_generator_config,
    source_name,
    source_text,
)

TOOLS = ("sloth", "pyrra", "slo-generator")


class ImportOptionError(InputError):
    """An option of ``covenant import`` has a value it cannot use (a usage error, exit 2)."""

    code = "invalid-import-option"


class ImportTargetExistsError(InputError):
    """A file the import would write exists already, written by an earlier import of the same
    source (``--force``, the API's and the page's ``force``, replaces it); raised with
    :meth:`naming`, so each entry point names its own option."""

    code = "import-file-exists"


class ImportWriteError(InputError):
    """The import's files could not be written (none was). The folder is kept apart from the
    file (``name``, relative to it; "" when the folder itself failed), so the server's page can
    name the file without the server's own path (``in_workspace``)."""

    def __init__(self, folder: Path, name: str, reason: str) -> None:
        what = f"{name} " if name else ""
        super().__init__(
            f"cannot write {what}into {folder}: {reason}; nothing was written",
            hint="choose a folder you can write to",
        )
        self.in_workspace = f"cannot write {what}into the workspace: {reason}; nothing was written"


@dataclass(slots=True, kw_only=True)
class Planned:
    """One source file: what it became and where it goes (``target`` None: nothing to write)."""

    imported: ImportedFile
    target: Path | None = None
    origin: str = ""  # the source as the target's header names it (:func:`origin`)
    text: str = ""
    reused: list[str] = field(default_factory=list)  # "DataSource prometheus" already present
    replaces: bool = False  # the target exists: an earlier import of this source wrote it


@dataclass(slots=True, kw_only=True)
class ImportPlan:
    tool: str
    into: Path
    files: list[Planned]
    warnings: list[Problem] = field(default_factory=list)  # validation warnings on new files

    @property
    def problems(self) -> list[Problem]:
        return [p for planned in self.files for p in planned.imported.problems]

    @property
    def writes(self) -> list[tuple[Path, str]]:
        return [(p.target, p.text) for p in self.files if p.target is not None]


def _converter(tool: str) -> Callable[..., ImportedFile]:
    if tool == "sloth":
        from covenant.definitions.importers.sloth import import_sloth  # noqa: PLC0415

        return import_sloth
    if tool == "pyrra":
        from covenant.definitions.importers.pyrra import import_pyrra  # noqa: PLC0415

        return import_pyrra
    if tool == "slo-generator":
        from covenant.definitions.importers.slogen import import_slo_generator  # noqa: PLC0415

        return import_slo_generator
    raise InputError(f"unknown tool {tool!r}", hint=f"use one of {', '.join(TOOLS)}")


def fixed_duration(text: str, *, option: str) -> str:
    """``text`` when it is an OpenSLO duration of fixed length (``30d``, ``4w``, ``6h``)."""
    from covenant.definitions.durations import parse_duration  # noqa: PLC0415

    try:
        fixed = parse_duration(text).is_fixed
    except InputError:
        fixed = False
    if not fixed:
        raise ImportOptionError(
            f"{option} {text!r} is not a duration of fixed length",
            hint="write minutes, hours, days or weeks, e.g. 30d or 28d",
        )
    return text


def sloth_period(text: str, *, option: str) -> str:
    """Sloth's SLO period (``--sloth-period``, an AlertWindows ``spec.sloPeriod``) as Sloth
    reads it, in a fixed unit: Prometheus' ``model.ParseDuration`` reads ``y`` as 365 days
    (as OpenSLO reads a rolling year: ``1y`` → ``365d``) and has no month or quarter, so
    ``1M`` is refused, the fix the days an OpenSLO rolling ``1M`` is read as (30d)."""
    from covenant.definitions.durations import UNIT_WORDS, parse_duration  # noqa: PLC0415

    try:
        duration = parse_duration(text)
    except InputError:
        return fixed_duration(text, option=option)  # refused, as any other text
    if duration.is_fixed:
        return text
    if duration.unit == "y":  # Prometheus' year: 365 days
        return duration.rolling_text
    raise ImportOptionError(
        f"{option} {text!r} is in {UNIT_WORDS[duration.unit]}s, which Sloth does not read: its "
        "period is a Prometheus duration (units y = 365 days, w, d, h, m), with no month or "
        "quarter",
        hint=f"write {duration.rolling_text}, the days a rolling {text} is read as in an OpenSLO "
        "file (warning rolling-calendar-unit); Sloth's alert windows are for 30d and 28d",
    )


def alert_windows(source: Source) -> Mapping[str, Any]:
    """A Sloth ``AlertWindows`` catalog (``--alert-windows``, or a pasted one: ``POST
    /imports``), every window checked."""
    path = source_name(source)
    data = read_mapping(source, what="Sloth alert windows")
    if data.get("kind") != "AlertWindows" or not isinstance(data.get("spec"), Mapping):
        raise ImportOptionError(
            f"{path} is not a Sloth AlertWindows catalog (kind: AlertWindows)",
            hint="give a file like Sloth's windows/30d.yaml (sloPeriod, page, ticket)",
        )
    spec = dict(data["spec"])
    spec["sloPeriod"] = sloth_period(str(spec.get("sloPeriod")), option=f"{path} spec.sloPeriod")
    data = {**data, "spec": spec}
    for severity in ("page", "ticket"):
        for speed in ("quick", "slow"):
            window = (
                spec.get(severity, {}).get(speed)
                if isinstance(spec.get(severity), Mapping)
                else None
            )
            where = f"{path} spec.{severity}.{speed}"
            share = window.get("errorBudgetPercent") if isinstance(window, Mapping) else None
            if (
                not isinstance(window, Mapping)
                or isinstance(share, bool)
                or not isinstance(share, (int, Decimal))
                or not 0 < share <= 100
            ):
                raise ImportOptionError(
                    f"{where} needs errorBudgetPercent (in (0, 100]), shortWindow and longWindow",
                    hint="complete it as in Sloth's windows/30d.yaml",
                )
            for key in ("shortWindow", "longWindow"):
                fixed_duration(str(window.get(key)), option=f"{where}.{key}")
    return data


HEADER = "# Imported by `covenant import {tool}` from {source}"
"""The first line of a file an import writes (its source: :func:`origin`)."""
_HEADER = re.compile(
    re.escape(HEADER).replace(r"\{tool\}", "[a-z-]+").replace(r"\{source\}", "(?P<source>.*)")
)


def origin(source: Source, into: Path) -> str:
    """Where ``source`` is, as the header of the file imported from it says: relative to the
    workspace folder ``into`` (the same from any working directory), else absolute; a link
    that is the file itself is kept as named (a ConfigMap's file links through ``..data``,
    which moves; its name does not). A pasted source is its name."""
    if isinstance(source, Pasted):
        return source.name
    try:
        return os.path.relpath(_named(source), into.resolve())
    except ValueError:  # another drive
        return str(_named(source))


def _named(path: Path) -> Path:
    """``path`` absolute, its folders' links followed, the file's own name kept."""
    return path.absolute().parent.resolve() / path.name


def _same_source(recorded: str, source: Path, into: Path) -> bool:
    """Whether a header's ``recorded`` source is ``source``: relative to the workspace (this
    version's headers), or, when no file is there, relative to the working directory (an
    earlier version's, as given), with or without following links."""
    wanted = {_named(source), source.resolve()}
    here = into.resolve() / recorded  # an absolute recorded path stays itself
    bases = [here] if here.exists() else [here, Path.cwd() / recorded]
    return any({_named(path), path.resolve()} & wanted for path in bases)


def _imported_from(target: Path) -> str | None:
    """The source a file an import wrote names in its header (None: no such header)."""
    try:
        with target.open(encoding="utf-8") as file:
            match = _HEADER.fullmatch(file.readline().rstrip("\n"))
    except (OSError, UnicodeDecodeError):
        return None
    return None if match is None else match.group("source")


def _mine(target: Path, source: Source, into: Path) -> bool:
    """Whether ``target`` was written by an import of ``source``: its header names it (a
    pasted or uploaded source by its name, which its header records as given)."""
    recorded = _imported_from(target)
    if recorded is None:
        return False
    if isinstance(source, Pasted):
        return recorded == source.name
    return _same_source(recorded, source, into)


def _target(into: Path, tool: str, source: Source, taken: set[Path]) -> Path:
    """The file ``source`` is imported into: named after it, unless that name is taken by
    another file of this import or, in the workspace, by a file that was not imported from
    ``source`` (another source whose name shares the first 63 characters, or a file of the
    user's own), which ``--force`` must never replace: then ``-2``, ``-3``, …"""
    stem = dns_label(Path(source.name).stem)
    base = stem if stem.startswith(f"{tool}-") else f"{tool}-{stem}"
    target = into / f"{base}.yaml"
    counter = 2
    while target in taken or (target.exists() and not _mine(target, source, into)):
        target = into / f"{base}-{counter}.yaml"
        counter += 1
    taken.add(target)
    return target


def _split(
    planned: Sequence[Planned],
    existing: Sequence[SourceDocument],
    *,
    into: Path,
    options: Options,
    at: datetime,
) -> None:
    """``--split-groups``: through the workspace's DataSource, else the bare --prometheus-url."""
    from covenant.services.import_split import split_groups, split_source  # noqa: PLC0415

    server = split_source(existing, options=options)
    if server is None and options.split_asks_workspace_only:  # a request: no server path
        refused = ImportOptionError(
            f"split_groups asks the workspace's Prometheus DataSource {options.datasource!r} "
            "which group values exist, and the workspace has no Prometheus DataSource of that "
            "name",
            hint=f"define DataSource {options.datasource} (its url and authentication) in the "
            "workspace first, or give datasource the name of the workspace's Prometheus "
            "DataSource",
        )
        refused.field = "datasource"
        raise refused
    if server is None:
        raise ImportOptionError(
            f"--split-groups needs --prometheus-url, or a Prometheus DataSource "
            f"{options.datasource!r} in the workspace {into}: the server asked which group "
            "values exist",
            hint="give --prometheus-url URL of the Prometheus that has the SLIs' series, or "
            f"define DataSource {options.datasource} (its url and authentication) in {into} "
            "first, or import --into the workspace that has it",
        )
    ready = [p.imported for p in planned if not p.imported.problems]
    split_groups(ready, options=options, at=at, server=server)


def plan_import(
    tool: str,
    paths: Sequence[Source],
    *,
    into: Path,
    options: Options | None = None,
    config_given: bool = False,
    force: bool = False,
    at: datetime | None = None,
) -> ImportPlan:
    """Convert ``paths`` and check the result; nothing is written (see :func:`write_import`).
    With ``options.split_groups`` the workspace's DataSource ``options.datasource`` (or the
    Prometheus at ``--prometheus-url``) is asked, at ``at`` (default: now), which group values
    each grouped SLI has (``import_split``)."""
    from covenant.definitions.export import dump_yaml  # noqa: PLC0415 - the YAML writer

    convert = _converter(tool)
    options = options or Options()
    given = [p for p in paths if isinstance(p, Path)]
    listed, _ = discover_files(given)  # a folder: its *.yaml / *.yml files, hidden ones skipped
    if given and not listed:  # it was a silent success that wrote nothing
        raise ImportOptionError(
            f"{', '.join(str(p) for p in given)} holds no *.yaml or *.yml file (hidden folders "
            "are skipped): nothing to import",
            hint=f"give the {tool} files, or the folder that holds them",
        )
    unique: dict[Path, Path] = {}
    for path in listed:
        unique.setdefault(path.resolve(), path)  # a file given twice is imported once
    sources: list[Source] = [*unique.values(), *(p for p in paths if isinstance(p, Pasted))]
    if options.datasource != dns_label(options.datasource):
        raise ImportOptionError(
            f"--datasource {options.datasource!r} is not a DNS label",
            hint=f"use lowercase letters, digits and '-', e.g. {dns_label(options.datasource)}",
        )
    planned: list[Planned] = []
    taken: set[Path] = set()
    texts: dict[str, tuple[str, str]] = {}  # a target → its source's name and text
    for source in sources:
        name, docs, problems = read_source(source)
        if not problems and not docs:
            problems = [_no_document(name, tool, source_text(source))]
        if problems:
            planned.append(
                Planned(imported=ImportedFile(source=name, tool=tool, problems=problems))
            )
            continue
        file_options = (
            slo_generator_config(source, options, config_given)
            if tool == "slo-generator"
            else options
        )
        imported = convert(docs, file=name, options=file_options)
        if imported.slos:
            target = _target(into, tool, source, taken)
            planned.append(Planned(imported=imported, target=target, origin=origin(source, into)))
            texts[str(target)] = (name, source_text(source))
        else:
            planned.append(Planned(imported=imported))
    if tool == "sloth":
        refuse_duplicate_ids([p.imported for p in planned])
    targets = {p.target for p in planned if p.target is not None}
    existing, names = workspace_documents(into, {t.resolve() for t in targets})
    if options.split_groups:
        _split(planned, existing, into=into, options=options, at=at or datetime.now(UTC))
    for item in planned:
        item.replaces = item.target is not None and item.target.exists()
    pasted_only = all(isinstance(source, Pasted) for source in sources)
    existing_targets = sorted(
        # a request names no path of the server: its targets are named in the workspace
        (t.name if pasted_only else str(t))
        for t in targets
        if t.exists()
    )
    if existing_targets and not force:
        raise ImportTargetExistsError.naming(
            "{files} {verb} already (an earlier import of the same {source} wrote "
            "{them}); nothing was written",
            hint="{import_replace} to replace {them}, or {import_elsewhere}",
            files=", ".join(existing_targets),
            verb="exists" if len(existing_targets) == 1 else "exist",
            source="source" if len(existing_targets) == 1 else "sources",
            them="it" if len(existing_targets) == 1 else "them",
        )
    disambiguate([p.imported for p in planned], {n for kind, n in names if kind == "SLO"})
    sources_defined = defined_sources(existing)
    for item in planned:
        kept = []
        if item.target is None:
            item.imported.documents.clear()  # no SLO: its Service and DataSource are not written
        if _clashes(item, sources_defined):
            continue
        for document in item.imported.documents:
            key = (document["kind"], document["metadata"]["name"])
            if document["kind"] == "DataSource":
                sources_defined.setdefault(key[1], Defined.of(document, str(item.target)))
            if document["kind"] in {"Service", "DataSource"} and key in names:
                item.reused.append(f"{key[0]} {key[1]}")
                continue
            names.add(key)
            kept.append(document)
        if item.target is not None:
            item.text = HEADER.format(tool=tool, source=item.origin) + "\n" + dump_yaml(kept)
    plan = ImportPlan(tool=tool, into=into, files=planned)
    if plan.problems:
        return plan
    plan.warnings += at_sources(check_with_workspace(plan.writes, existing, into=into), texts)
    return plan


def _clashes(item: Planned, defined: Mapping[str, Defined]) -> bool:
    """Whether a DataSource of ``item`` would reuse one of ``defined`` that cannot run its
    queries: then the file is refused (a problem each), and nothing of it is written."""
    clashes = [
        clash
        for document in item.imported.documents
        if document["kind"] == "DataSource"
        and (clash := source_clash(document, defined, item.imported.source)) is not None
    ]
    if clashes:
        item.imported.problems += clashes
        item.imported.documents.clear()
        item.target, item.text = None, ""
    return bool(clashes)


def write_import(plan: ImportPlan) -> list[Path]:
    """Write the plan's files all or nothing; returns the files written."""
    if plan.problems:
        raise InputError(
            "the import has problems; nothing was written", hint="fix the source files"
        )
    writes = plan.writes
    if not writes:  # nothing imported: not even the folder is created
        return []
    try:
        plan.into.mkdir(parents=True, exist_ok=True)
        write_all_replacing([(target, [text]) for target, text in writes])
    except OSError as exc:
        failed = {str(target): target for target, _ in writes}.get(exc.filename)
        name = "" if failed is None else _relative(failed, plan.into)
        raise ImportWriteError(plan.into, name, exc.strerror or type(exc).__name__) from exc
    return [target for target, _ in writes]


def _relative(path: Path, folder: Path) -> str:
    return str(path.relative_to(folder)) if path.is_relative_to(folder) else path.name


def _no_document(name: str, tool: str, text: str) -> Problem:
    """A source without a document: where its config is commented out, that line and how to
    bring it back; otherwise that it holds none."""
    found = commented_out(text)
    if found is None:
        return Problem(
            code=UNRECOGNISED,
            message=f"{name} holds no document",
            where=name,
            fix=f"give {tool} files",
        )
    return Problem(
        code=UNRECOGNISED,
        message=(
            f"{name} holds no document, only comments, and from line {found.line} "
            f"({found.text!r}) they hold a config commented out"
        ),
        where=f"{name}:{found.line}",
        fix=(
            f"uncomment the config (remove the {found.prefix!r} before each of its lines) to "
            "import it, or leave the file out"
        ),
    )
