"""Where ``covenant import`` reads from: the source files (or a pasted text), with a template
recognised as one, and the option files beside them — slo-generator's shared config (a v2
``config.yaml`` or a v1 error-budget policy) and other single-mapping files."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from covenant.definitions.importers.base import Options
from covenant.definitions.yamlsource import MAX_BYTES, SourceDocument, read_file, read_text
from covenant.errors import InputError, Problem


@dataclass(frozen=True, slots=True)
class Pasted:
    """A source file given as its text (``POST /imports``): shown, and its target named, by
    ``name`` alone; no shared slo-generator config is looked for beside it."""

    name: str
    text: str


Source = Path | Pasted


def source_name(source: Source) -> str:
    """How a source is named in messages: its path, or a pasted text's name."""
    return source.name if isinstance(source, Pasted) else str(source)


def _read(source: Source) -> tuple[list[SourceDocument], list[Problem]]:
    if isinstance(source, Pasted):
        return read_text(source.text, file=source.name)
    return read_file(source)


def read_mapping(path: Source, *, what: str) -> Mapping[str, Any]:
    """The first document of a YAML file (or a pasted text: ``POST /imports``) that must be a
    mapping (an option's file)."""
    return _first_mapping(path, *_read(path), what=what)


def _first_mapping(
    path: Source, docs: list[SourceDocument], problems: list[Problem], *, what: str
) -> Mapping[str, Any]:
    """The first of ``docs``, read from ``path``, when it is a mapping."""
    if problems and _templated(path):
        problems = [_render_first(p) if p.code == "yaml-syntax" else p for p in problems]
        first = problems[0]
        where = " ".join(part for part in (first.where, first.field) if part)
        raise InputError(f"cannot read {what} {where}: {first.message}", hint=first.fix)
    if problems or not docs or not isinstance(docs[0].data, Mapping):
        detail = "; ".join(str(p) for p in problems) or "it holds no mapping"
        raise InputError(
            f"cannot read {what} {source_name(path)}: {detail}", hint=f"give a readable {what}"
        )
    return docs[0].data


def read_slo_generator_config(path: Source) -> Mapping[str, Any]:
    """slo-generator's shared config (``--config``, a ``config.yaml``), or a v1 error-budget
    policy (the list of steps v1's ``-b`` took), read as the config ``slo-generator migrate``
    makes of it."""
    from covenant.definitions.importers.flags import pyyaml_values  # noqa: PLC0415
    from covenant.definitions.importers.slogen_v1 import (  # noqa: PLC0415
        is_v1_policy,
        v2_config_from_v1_policy,
    )

    docs, problems = _read(path)  # read once: a v1 list, else a mapping
    # as slo-generator's PyYAML reads it: a plain yes/no/on/off is a boolean, a quoted one text
    docs = [replace(doc, data=pyyaml_values(doc.data, doc.quoted_words)) for doc in docs]
    steps = [doc.data for doc in docs]
    if not problems and is_v1_policy(steps):
        return v2_config_from_v1_policy(steps, source_name(path))
    return _first_mapping(path, docs, problems, what="slo-generator config")


def slo_generator_config(source: Source, options: Options, explicit: bool) -> Options:
    """The shared config for one SLO file: ``--config``, else a config.yaml (or a v1
    error_budget_policy.yaml) next to the file or in its parent folder that has the file's
    error-budget policy (none for a pasted one)."""
    if isinstance(source, Pasted):
        return replace(options, slo_generator_config_sought=explicit)
    if explicit:
        return options
    for folder in (source.parent, source.parent.parent):
        # a v2 shared config, else a v1 policy (as v1's samples keep it beside or above)
        candidate = folder / "config.yaml"
        if not candidate.is_file():
            candidate = folder / "error_budget_policy.yaml"
        if candidate.is_file():
            try:
                config = read_slo_generator_config(candidate)
            except InputError:
                continue
            if isinstance(config.get("error_budget_policies"), Mapping):
                policies = config["error_budget_policies"]
                wanted = _policy_names(source)
                if all(name in policies for name in wanted):
                    return replace(
                        options,
                        slo_generator_config=config,
                        slo_generator_config_file=str(candidate),
                    )
    return replace(options, slo_generator_config=None, slo_generator_config_file="")


def _policy_names(source: Path) -> set[str]:
    docs, _ = read_file(source)
    names = set()
    for doc in docs:
        data = doc.data if isinstance(doc.data, Mapping) else {}
        spec = data.get("spec")
        if isinstance(spec, Mapping):
            names.add(str(spec.get("error_budget_policy") or "default"))
        elif "slo_target" in data:  # a v1 config: its policy is the default one
            names.add("default")
    return names


# a Helm / Go template action, or a generator's placeholder, other than Sloth's own
# {{.window}} (whose dot keeps it out)
_TEMPLATE_ACTION = re.compile(
    r"\{\{-?\s*(?:-|\$(?!labels\b|value\b|externalLabels\b)|\.Values|\.Release|\.Chart|include\b|define\b|if\b|range\b|end\b"
    r"|with\b|template\b|tpl\b|toYaml\b|printf\b|coalesce\b|\.[A-Za-z_]+\s*\|)"
    # a scaffolding / Jinja / mustache placeholder: {{SERVICE_NAME}}, {{ cookiecutter.name }}
    r"|\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\}"
    # Terraform's templatefile() directives
    r"|%\{~?\s*(?:if|for|else|endif|endfor)\b"
)


def _templated(source: Source) -> bool:
    if isinstance(source, Pasted):
        return _TEMPLATE_ACTION.search(source.text) is not None
    try:  # a file the reader refused as too large is not read whole here either
        with source.open("rb") as opened:
            head = opened.read(MAX_BYTES + 1)
        if len(head) > MAX_BYTES:
            return False
        text = head.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return _TEMPLATE_ACTION.search(text) is not None


def source_text(source: Source) -> str:
    """The text of ``source`` ("" when the file cannot be read again: its warnings keep the
    written file's place)."""
    if isinstance(source, Pasted):
        return source.text
    try:
        return source.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def read_source(source: Source) -> tuple[str, list[SourceDocument], list[Problem]]:
    """How ``source`` is named in the report, and its documents (empty ones skipped)."""
    if isinstance(source, Pasted):
        name = source.name
        docs, problems = read_text(source.text, file=name)
    else:
        name = str(source)
        docs, problems = read_file(source)
    if problems and _templated(source):
        problems = [_render_first(p) if p.code == "yaml-syntax" else p for p in problems]
    # an empty document (a trailing or doubled ---, a comment alone) holds nothing, as for
    # kubectl: skipped rather than refused (merge keys are applied by read_file)
    return name, [item for doc in docs if doc.data is not None for item in _items(doc)], problems


def _items(doc: SourceDocument) -> list[SourceDocument]:
    """A Kubernetes ``List`` (``kind: List``, or ``<Kind>List`` as ``kubectl get -o yaml``
    writes an export) as its ``items``, each a document at its own lines, as ``kubectl apply``
    takes it; any other document as itself."""
    data = doc.data
    if not (
        isinstance(data, Mapping)
        and isinstance(data.get("kind"), str)
        and data["kind"].endswith("List")
        and isinstance(data.get("items"), list)
        and data["items"]
        and all(isinstance(item, Mapping) and "kind" in item for item in data["items"])
    ):
        return [doc]
    return [
        SourceDocument(
            file=doc.file,
            index=doc.index,
            line=doc.lines.get(("items", i), doc.line),
            data=item,
            lines={
                path[2:]: line
                for path, line in doc.lines.items()
                if path[:2] == ("items", i) and len(path) > 2
            },
        )
        for i, item in enumerate(data["items"])
    ]


def _render_first(problem: Problem) -> Problem:
    """A YAML error in a Helm/Go template: the template is not the definition yet."""
    return replace(
        problem,
        message=f"{problem.message} (the file is a template: it holds Helm/Go {{{{ … }}}} "
        "actions, {{NAME}} placeholders or Terraform %{ … } directives, so it is not YAML "
        "until rendered)",
        fix="render it first (helm template CHART, terraform's templatefile(), or your "
        "templating tool) and import the rendered output",
    )


_COMMENTED_KEY = re.compile(r"^\s*#\s?\s*(?:-\s+)?([A-Za-z_][\w.-]*)\s*:(?:\s|$)")
# the top-level keys of the definitions covenant import reads (OpenSLO, Pyrra, Sloth,
# slo-generator v1 and v2, its shared config): a commented-out config holds one of them
DEFINITION_KEYS = frozenset(
    {
        "apiVersion", "kind", "metadata", "spec", "version", "service", "labels", "slos",
        "service_name", "feature_name", "slo_name", "slo_description", "slo_target",
        "backend", "backends", "exporters", "error_budget_policies", "method",
        "service_level_indicator", "goal",
    }
)  # fmt: skip
# a licence header's ``# SPDX-License-Identifier: …``, ``# Copyright: …``, a ``# TODO: …``: prose
_PROSE_KEY = re.compile(r"^(?:SPDX-|copyright|licen[cs]e|author|maintainer|todo$|fixme$)", re.I)


@dataclass(frozen=True)
class CommentedConfig:
    line: int  # 1-based, where the commented-out config starts
    text: str  # that line, stripped
    prefix: str  # what comments it out: "# ", "#"


def commented_out(text: str) -> CommentedConfig | None:
    """Where a file with no document holds a config commented out: the start of the first run
    of two or more lines in a row that read as ``# key: value`` and hold a definition's key
    (``# apiVersion:``, ``# service_name:``), licence lines (``# SPDX-…:``, ``# Copyright:``)
    at its head left out as prose; None when no such run is there."""
    lines = text.splitlines()
    run: list[int] = []  # the 0-based numbers of the current run's lines, prose skipped
    known = False
    for number, line in enumerate([*lines, ""]):
        key = _COMMENTED_KEY.match(line)
        if key and not (not run and _PROSE_KEY.match(key.group(1))):
            run.append(number)
            known = known or key.group(1) in DEFINITION_KEYS
            continue
        if known and len(run) >= 2:
            first = lines[run[0]]
            prefix = re.match(r"\s*(#+ ?)", first)
            return CommentedConfig(run[0] + 1, first.strip(), prefix.group(1) if prefix else "#")
        run, known = [], False  # a line of prose or code ends a run
    return None
