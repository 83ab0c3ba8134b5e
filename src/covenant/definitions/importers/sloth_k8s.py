"""Field spellings in a Sloth ``PrometheusServiceLevel`` resource.

Sloth's ``prometheus/v1`` spec writes its fields in snake_case (``error_query``); its
Kubernetes resource, ``sloth.slok.dev/v1 PrometheusServiceLevel``, in camelCase
(``errorQuery``: the CRD's Go types and schema). Kubernetes drops a field the CRD's schema does
not hold, so a resource written with ``error_query`` reaches Sloth without its error query.
Covenant reads either spelling; in a resource the snake_case one is said, with its name.
A ``sloth.slok.dev`` kind or apiVersion Sloth does not serve is answered with the one meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from covenant.definitions.diagnostics import did_you_mean, number_text
from covenant.definitions.importers.base import (
    INVALID,
    MISSING,
    UNRECOGNISED,
    ImportedFile,
    Recorder,
    decimal,
    mapping,
    shown,
)
from covenant.definitions.yamlsource import PathKey


def snake_case_fields(record: Recorder, spec: Any, spellings: Mapping[str, str]) -> None:
    """Note each prometheus/v1 spelling under a resource's ``spec`` (``record`` is at spec),
    and refuse a field written both ways."""
    other_spelling_fields(record, spec, spellings, resource=True)


def in_resource_spelling(
    result: ImportedFile, spellings: Mapping[str, str], read: Callable[[], None]
) -> None:
    """Run ``read`` (the reading of a resource's spec) and word its notes and problems in the
    resource's camelCase (``errorQuery must count a share of totalQuery's events``, ``pageAlert:
    {disable: true}``): the checks are shared with prometheus/v1 specs, which write
    ``error_query``. Only whole keys are rewritten (``x_error_query_total`` is kept)."""
    notes, problems = len(result.notes), len(result.problems)
    read()
    words = re.compile(r"\b(" + "|".join(map(re.escape, spellings)) + r")\b")

    def worded(text: str) -> str:
        return words.sub(lambda m: spellings[m.group()], text)

    result.notes[notes:] = [replace(n, reason=worded(n.reason)) for n in result.notes[notes:]]
    result.problems[problems:] = [
        replace(p, message=worded(p.message), fix=worded(p.fix)) for p in result.problems[problems:]
    ]


def camel_case_fields(record: Recorder, spec: Any, spellings: Mapping[str, str]) -> None:
    """Note each resource (camelCase) spelling in a ``prometheus/v1`` spec (``spellings``:
    snake_case → camelCase, as for :func:`snake_case_fields`), and refuse a field written both
    ways. Sloth's prometheus/v1 types name only the snake_case fields (``pkg/prometheus/api/v1``),
    so Sloth reads an SLI written ``errorQuery`` as one without an error query."""
    inverted = {camel: snake for snake, camel in spellings.items()}
    other_spelling_fields(record, spec, inverted, resource=False)


def other_spelling_fields(
    record: Recorder, spec: Any, spellings: Mapping[str, str], *, resource: bool
) -> None:
    """Note each field of ``spec`` written in the other format's spelling (``spellings``: the
    spelling written → the one this format reads), and refuse one written both ways."""
    todo: list[tuple[PathKey, Any]] = [((), spec)]
    while todo:
        path, item = todo.pop(0)
        if isinstance(item, list):
            todo.extend(((*path, i), value) for i, value in enumerate(item))
            continue
        if not isinstance(item, Mapping):
            continue
        for key, value in item.items():
            camel = spellings.get(key) if isinstance(key, str) else None
            if camel is None:
                if key not in ("labels", "annotations"):  # their keys are anyone's names
                    todo.append(((*path, str(key)), value))
                continue
            own = (
                "the PrometheusServiceLevel resource's" if resource else "the prometheus/v1 spec's"
            )
            if camel in item:
                pair = f"{key} and {camel}" if resource else f"{camel} and {key}"
                record.problem(
                    (*path, key),
                    INVALID,
                    f"{pair} are both written: one field in two spellings",
                    f"keep {camel} ({own} name) and remove {key}",
                )
            elif resource:
                record.note(
                    (*path, key),
                    f"{key} is Sloth's prometheus/v1 spelling; its PrometheusServiceLevel "
                    f"resource names it {camel}, and Kubernetes drops a field the resource's "
                    f"schema does not hold (Sloth would not see it): read here as {camel} — "
                    f"write {camel}",
                )
            else:
                record.note(
                    (*path, key),
                    f"{key} is the spelling of Sloth's PrometheusServiceLevel resource; a "
                    f"prometheus/v1 spec names it {camel}, and Sloth reads no other spelling "
                    f"there (it would not see {key}): read here as {camel} — write {camel}",
                )
            todo.append(((*path, key), value))


OWN_KINDS = ("PrometheusServiceLevel", "AlertWindows")
OTHER_KINDS = {"ManagedPrometheusServiceLevel"}  # kinds of their own in slok/sloth's history


def other_kind(record: Recorder, kind: str) -> None:
    """A ``sloth.slok.dev/v1`` kind Covenant does not read: a misspelling of one it reads
    (``PrometheusServiceLevels``, the CRD's plural) is answered with the kind meant."""
    message = (
        f"kind {kind!r} of sloth.slok.dev/v1 is not one Covenant imports (it reads "
        "PrometheusServiceLevel resources, prometheus/v1 specs and AlertWindows catalogs)"
    )
    guess = "" if kind in OTHER_KINDS else did_you_mean(kind, OWN_KINDS)
    if guess:
        record.problem(
            ("kind",),
            UNRECOGNISED,
            f"{message}: did you mean {guess!r}?",
            f"write kind: {guess} (Sloth's CRD has no kind {kind})",
        )
        return
    record.problem(
        ("kind",),
        UNRECOGNISED,
        message,
        "if its spec is a PrometheusServiceLevel's (service, slos), write kind: "
        "PrometheusServiceLevel to import it",
    )


def other_version(record: Recorder, api: str, data: Mapping[str, Any]) -> None:
    """A ``sloth.slok.dev`` apiVersion Sloth does not serve (``v1alpha1``, in guides, often
    with Pyrra's kind ``ServiceLevelObjective``): Sloth's CRDs are ``sloth.slok.dev/v1``."""
    spec = mapping(data.get("spec"))
    record.problem(
        ("apiVersion",),
        UNRECOGNISED,
        f"{api} is not an apiVersion of Sloth's: its resources are sloth.slok.dev/v1 "
        "(PrometheusServiceLevel, AlertWindows)",
        "write apiVersion: sloth.slok.dev/v1 and kind: PrometheusServiceLevel (its spec, "
        "service and slos, is a PrometheusServiceLevel's)"
        if {"service", "slos"} <= spec.keys()
        else "write apiVersion: sloth.slok.dev/v1",
    )


# keys other tools write an SLO's level under (a latency bound, target_ms, is not one)
LEVEL_KEYS = re.compile(r"((slo|compliance)_)?target(_pct|_percent(age)?)?|goal")


def missing_objective(record: Recorder, slo: Mapping[str, Any]) -> bool:
    """Refuse an SLO without ``objective`` (True when it has none), telling it as missing —
    not as ``objective None`` — and naming a level written under another key (``target:
    99.95``, ``slo_target``, ``goal``) as Sloth's objective, in percent."""
    if slo.get("objective") is not None:
        return False
    other = next(
        (
            (key, value)
            for key, value in slo.items()
            if isinstance(key, str)
            and LEVEL_KEYS.fullmatch(key.lower())
            and (level := decimal(value)) is not None
            and 0 < level <= 100
        ),
        None,
    )
    if other is None:
        fix = "add the level in percent, e.g. objective: 99.9"
    else:
        key, value = other
        level = decimal(value)
        assert level is not None
        percent = level.scaleb(2).normalize() if level < 1 else level
        fix = (
            f"Sloth reads the level from objective, in percent: this SLO writes {key}: "
            f"{shown(value)}; write objective: {number_text(percent)}"
        )
    record.problem(("objective",), MISSING, "the SLO has no objective", fix)
    return True
