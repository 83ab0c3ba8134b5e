"""An import asked for with pasted texts (``POST /imports/{tool}`` and the UI's import page):
the options read as `covenant import TOOL` reads its flags, the files converted against the
workspace — one function for both entry points — and, from the page, the files written with
an audit entry (docs/import.md)."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from covenant.definitions.articles import with_article
from covenant.definitions.fields import dns_label
from covenant.definitions.importers.base import Options
from covenant.errors import CovenantError, DefinitionError, InputError
from covenant.services.import_check import in_workspace
from covenant.services.import_report import import_json, preview_changes
from covenant.services.import_sources import Pasted, read_slo_generator_config
from covenant.services.importing import (
    TOOLS,
    ImportOptionError,
    ImportPlan,
    ImportTargetExistsError,
    alert_windows,
    plan_import,
    sloth_period,
    write_import,
)
from covenant.store import audit
from covenant.store.db import write_transaction

log = logging.getLogger("covenant.import")
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}\.ya?ml")
MOST_SOURCE = 5_000_000  # characters of the tool's file
MOST_OPTION = 1_000_000  # characters of an option's file
WINDOWS_NAME = "alert_windows"  # how a pasted catalog is named in messages (the field)
CONFIG_NAME = "config"  # how a pasted shared config is named in messages and notes


MOST_FILES = 50  # files of one request (the page's upload takes several)


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceText:
    """One of the tool's files, as its text."""

    text: str
    name: str | None = None  # the file's name (default: TOOL.yaml)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRequest:
    """The tool's files and the options the command reads beside them, as texts."""

    tool: str
    sources: tuple[SourceText, ...]
    force: bool = False  # replace the files an earlier import of the same source names wrote
    alert_windows: str | None = None  # sloth: --alert-windows
    config: str | None = None  # slo-generator: --config
    datasource: str = "prometheus"
    prometheus_url: str | None = None
    sloth_period: str = "30d"
    split_groups: bool = False


@contextmanager
def about(field: str) -> Iterator[None]:
    """An error raised while the request's ``field`` is read names it (``error.field``, unless
    a deeper reader named one already): the import page shows it beside that field."""
    try:
        yield
    except CovenantError as error:
        error.field = error.field or field
        raise


def too_long(text: str | int, *, field: str, most: int) -> InputError | None:
    """The error for a text (or texts of that many characters in all) over ``most``
    characters (None: it fits)."""
    length = text if isinstance(text, int) else len(text)
    if length <= most:
        return None
    return InputError(
        f"{field} has {length:,} characters; at most {most:,} are taken",
        hint="split it and send each part",
    )


def plan_request(into: Path, asked: ImportRequest, *, at: datetime) -> ImportPlan:
    """``asked`` converted into the workspace folder ``into``, as `covenant import TOOL
    --dry-run` converts it (an option the tool's command does not take is refused); nothing is
    written. ``at`` is when ``split_groups`` asks Prometheus for the group values."""

    with about("tool"):
        if asked.tool not in TOOLS:
            raise ImportOptionError(
                f"{asked.tool!r} is not a tool Covenant imports from",
                hint=f"use one of {', '.join(TOOLS)}",
            )
    pasted = _sources(asked)
    for form_field, label, text, most in (
        ("alert_windows", WINDOWS_NAME, asked.alert_windows or "", MOST_OPTION),
        ("config", CONFIG_NAME, asked.config or "", MOST_OPTION),
    ):
        with about(form_field):
            if (error := too_long(text, field=label, most=most)) is not None:
                raise error
    with about("datasource"):
        if asked.datasource != dns_label(asked.datasource):
            raise ImportOptionError(
                f"datasource {asked.datasource!r} is not a DNS label",
                hint=f"use lowercase letters, digits and '-', e.g. {dns_label(asked.datasource)}",
            )
    _refuse_foreign_options(asked)
    more: dict[str, Any] = {}
    if asked.prometheus_url is not None:
        more |= {"prometheus_url": asked.prometheus_url, "prometheus_url_given": True}
    if asked.tool == "sloth":
        with about("sloth_period"):
            more["sloth_period"] = sloth_period(asked.sloth_period, option="sloth_period")
        if asked.alert_windows is not None:
            with about("alert_windows"):
                more["alert_windows"] = alert_windows(
                    Pasted(name=WINDOWS_NAME, text=asked.alert_windows)
                )
    if asked.config is not None:
        with about("config"):
            more["slo_generator_config"] = read_slo_generator_config(
                Pasted(name=CONFIG_NAME, text=asked.config)
            )
        more["slo_generator_config_file"] = CONFIG_NAME
    options = Options(
        datasource=asked.datasource,
        split_groups=asked.split_groups,
        split_asks_workspace_only=True,  # a request never chooses what this server fetches
        **more,
    )
    try:
        return plan_import(
            asked.tool,
            pasted,
            into=into,
            options=options,
            config_given=asked.config is not None,
            force=asked.force,
            at=at if asked.split_groups else None,
        )
    except ImportTargetExistsError as error:
        error.field = "force"  # the page shows it beside its "replace" box
        raise
    except CovenantError as error:
        named_in_workspace(error, into)
        raise


def named_in_workspace(error: CovenantError, into: Path) -> None:
    """``error`` naming the files of the workspace folder ``into`` relative to it, and the
    folder itself as "the workspace": its user sees no path of the server (the new files a
    check refuses, a DataSource's caFile it cannot read…). The server's log keeps the paths."""
    inside = f"{into}{os.sep}"
    if isinstance(error, DefinitionError):
        if any(inside in f"{p.where} {p.message} {p.fix}" for p in error.problems):
            log.warning("import request refused: %s", error.listed())
        error.problems = [in_workspace(p, into) for p in error.problems]
        return
    if error.template is not None or str(into) not in f"{error.message} {error.hint}":
        return  # a templated error names what the request gave, never the server's folder
    log.warning("import request refused: %s (%s)", error.message, error.hint)
    error.message, error.hint = (
        text.replace(inside, "").replace(str(into), "the workspace")
        for text in (error.message, error.hint)
    )


def _sources(asked: ImportRequest) -> list[Pasted]:
    """The request's files, each named (default ``TOOL.yaml``), checked: one at least, at most
    ``MOST_FILES``, ``MOST_SOURCE`` characters in all, each name a file name and no name
    twice (a file's header records its name: it is how a later import of it is recognised)."""
    texts = asked.sources
    with about("file"):
        if not texts:
            raise InputError("no file was given", hint="give the tool's file")
        if len(texts) > MOST_FILES:
            raise InputError(
                f"{len(texts)} files were given; at most {MOST_FILES} are taken at once",
                hint="import them in several parts",
            )
        label = "the tool's file" if len(texts) == 1 else "the tool's files together"
        total = sum(len(t.text) for t in texts)
        if (error := too_long(total, field=label, most=MOST_SOURCE)) is not None:
            raise error
    pasted: list[Pasted] = []
    for given in texts:
        name = given.name or f"{asked.tool}.yaml"
        with about("filename"):
            if not FILE_NAME.fullmatch(name):
                raise ImportOptionError(
                    f"filename {name!r} is not a file name ending .yaml or .yml",
                    hint="letters, digits, '.', '_' and '-', e.g. sloth-checkout.yml",
                )
        with about("file"):
            if any(p.name == name for p in pasted):
                raise ImportOptionError(
                    f"two of the files are named {name}",
                    hint="give each file its own name (the file written is named after it, "
                    "and its header records it)",
                )
        pasted.append(Pasted(name=name, text=given.text))
    return pasted


def import_report(into: Path, asked: ImportRequest, *, at: datetime) -> dict[str, Any]:
    """What ``POST /imports/{tool}`` answers (and the import page shows): the plan as `covenant
    import TOOL --dry-run --format json` reports it, with each file's ``documents``, paths
    relative to ``into``, and what would change (``preview_changes``: each file's ``change``,
    a ``summary``, ``needsForce``). A preview is read-only: a file an earlier import of the
    same source wrote is reported replaced (or unchanged), never refused for want of
    ``force``; writing it (``import_into``) still needs it."""

    plan = plan_request(into, replace(asked, force=True), at=at)
    report = import_json(plan, [], dry_run=True, texts=True, relative=True)
    return preview_changes(plan, report, forced=asked.force)


def import_into(
    engine: Engine, into: Path, asked: ImportRequest, *, at: datetime, actor: str
) -> dict[str, Any]:
    """``asked`` converted and its files written into ``into``, as `covenant import TOOL`
    writes them (nothing when a file has problems; a file an earlier import of the same
    source name wrote is replaced only with ``asked.force``), recorded in the audit log under
    ``actor`` (action ``imported``, entity ``workspace-file``; before: the files replaced,
    if any; after: the tool, the sources' names, the files written, those of them replaced
    and the SLOs); answered with the report of `covenant import --format json`."""

    plan = plan_request(into, asked, at=at)
    if plan.problems or not plan.writes:
        return import_json(plan, [], dry_run=False, texts=True, relative=True)
    report_before = import_json(plan, [], dry_run=False, relative=True)
    targets = [r["target"] for r in report_before["files"] if r["target"]]
    replaced = [r["target"] for r in report_before["files"] if r["target"] and r["replaces"]]
    with write_transaction(engine) as conn:
        audit.append(
            conn,
            actor=actor,
            action="imported",
            entity_kind="workspace-file",
            entity_id=", ".join(targets)[:255],
            before={"files": replaced} if replaced else None,
            after={
                "tool": asked.tool,
                "sources": [p.name for p in _sources(asked)],
                "files": targets,
                "replaced": replaced,
                "slos": [s for r in report_before["files"] for s in r["slos"]],
            },
            at=at,
        )
        written = write_import(plan)  # a failed write rolls the audit entry back
    return import_json(plan, written, dry_run=False, texts=True, relative=True)


def _refuse_foreign_options(asked: ImportRequest) -> None:
    """An option the tool's command does not take is refused, not ignored."""
    foreign = [
        given
        for given, tools, present in (
            ("split_groups", ("sloth", "pyrra"), asked.split_groups),
            ("alert_windows", ("sloth",), asked.alert_windows is not None),
            ("config", ("slo-generator",), asked.config is not None),
        )
        if present and asked.tool not in tools
    ]
    if foreign:
        with about(foreign[0]):
            raise ImportOptionError(
                f"{foreign[0]} is not an option of {with_article(asked.tool)} import",
                hint="split_groups is for sloth and pyrra, alert_windows for sloth, config for "
                "slo-generator",
            )
