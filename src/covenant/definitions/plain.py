"""The objectives of a plain workspace, read without pydantic: the cold ``evaluate`` path.

Validating a workspace with the pydantic models costs more than evaluating 100 SLOs (importing
pydantic and building the models' classes and validators: docs/benchmarks.md). Most workspaces
are plain OpenSLO: ``SLI`` documents with a ``ratioMetric`` (``good`` or ``bad``, and ``total``,
each a ``metricSource`` with a ``type``), ``SLO`` documents that name their SLI with
``indicatorRef``, a rolling or calendar ``timeWindow``, and objectives with a target, and
``Service`` documents. :func:`plain_objectives` reads exactly those, checks every field the
models check, and builds the same :class:`~covenant.core.model.Objective` values the full
load (``workspace.analyse`` then ``resolve``) builds.

It answers only when it is sure: anything outside that shape, and anything the full load would
report as an error (a bad name, an unknown key, a target out of range, a missing SLI, a name
used twice…), gives None, and the caller does the full load, which reports every problem with
its usual message. So the errors, and the objectives whenever there is no error, are the full
load's (tests/definitions/test_plain.py reads every workspace and document we have, valid and
invalid, both ways). Warnings are not reported here: ``evaluate`` prints none.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from covenant.core.model import BudgetingMethod, Objective, Window, default_alert_tiers
from covenant.core.promql_syntax import checked, syntax_error
from covenant.definitions.durations import parse_duration
from covenant.definitions.field_rules import (
    DEFAULT_WINDOW,
    OPENSLO_FLAGS,
    is_name,
    parse_start_time,
    start_in_range,
    window_from,
    yaml11_flag,
)
from covenant.definitions.yamlsource import FileRead, discover_files, read_file
from covenant.errors import InputError

OPENSLO_V1 = "openslo/v1"
EXTENSION_PREFIX = "covenant.dev/"
"""Annotations under this prefix are Covenant extensions: left to the full load."""
_DOCUMENT = frozenset({"apiVersion", "kind", "metadata", "spec"})
_METADATA = frozenset({"name", "displayName", "labels", "annotations"})
_SLI_SPEC = frozenset({"description", "ratioMetric"})
_RATIO = frozenset({"counter", "good", "bad", "total"})
_METRIC = frozenset({"metricSource"})
_SOURCE = frozenset({"type", "spec"})
_SLO_SPEC = frozenset(
    {"description", "service", "indicatorRef", "timeWindow", "budgetingMethod", "objectives"}
)
_WINDOW = frozenset({"duration", "isRolling", "calendar"})
_CALENDAR = frozenset({"startTime", "timeZone"})
_OBJECTIVE = frozenset(
    {"displayName", "target", "targetPercent", "timeSliceTarget", "timeSliceWindow",
     "compositeWeight"}
)  # fmt: skip
_METHODS = {method.value: method for method in BudgetingMethod}
_DESCRIPTION = 1050


class _NotPlain(Exception):  # noqa: N818 - not an error: "let the full load judge it"
    """The document is not plain, or the full load would find an error in it."""


def plain_objectives(
    root: Path, *, reads: dict[Path, FileRead] | None = None
) -> tuple[Objective, ...] | None:
    """The objectives of the workspace folder ``root`` when every definition in it is plain and
    valid (see the module docstring), else None (the full load then reads it). Each file read
    is put in ``reads``, so the full load after a None need not parse it again."""
    files, problems = discover_files([root])
    if problems:
        return None
    slis: dict[str, None] = {}
    slos: list[tuple[str, Mapping[str, Any]]] = []
    try:
        for file in files:
            read = read_file(file)
            if reads is not None:
                reads[file] = read
            found, syntax = read
            if syntax:
                return None
            for document in found:
                if document.quoted_words and any(
                    path[-1] in OPENSLO_FLAGS for path in document.quoted_words
                ):
                    return None  # a quoted "yes" flag is text: an error the full load says
                if document.data is not None:
                    _read(document.data, slis, slos)
        names: set[str] = set()
        objectives: list[Objective] = []
        for name, spec in slos:
            if name in names:
                return None  # duplicate-name: an error for SLOs
            names.add(name)
            objectives += _objectives(name, spec, slis)
    except _NotPlain:
        return None
    return tuple(objectives)


def _read(data: Any, slis: dict[str, None], slos: list[tuple[str, Mapping[str, Any]]]) -> None:
    if (
        type(data) is not dict
        or not data.keys() <= _DOCUMENT
        or data.get("apiVersion") != OPENSLO_V1
    ):
        raise _NotPlain
    name = _metadata(data.get("metadata"))
    kind, spec = data.get("kind"), data.get("spec")
    if kind == "Service":
        if "spec" in data:
            _description(_keys(spec, frozenset({"description"})))
    elif kind == "SLI":
        _sli(spec)
        if name in slis:
            raise _NotPlain  # duplicate-name: an error for SLIs
        slis[name] = None
    elif kind == "SLO":
        slos.append((name, _slo(spec)))
    else:
        raise _NotPlain


def _keys(value: Any, allowed: frozenset[str]) -> dict[str, Any]:
    """``value`` when it is a mapping of allowed keys only (the models forbid the others)."""
    if type(value) is not dict or not value.keys() <= allowed:
        raise _NotPlain
    return value


def _text(value: Any, *, optional: bool = True) -> None:
    if not (type(value) is str or (optional and value is None)):
        raise _NotPlain


def _description(spec: Mapping[str, Any]) -> None:
    text = spec.get("description")
    _text(text)
    if text is not None and len(text) > _DESCRIPTION:
        raise _NotPlain


def _metadata(value: Any) -> str:
    metadata = _keys(value, _METADATA)
    name = metadata.get("name")
    if type(name) is not str or not is_name(name):
        raise _NotPlain
    _text(metadata.get("displayName"))
    labels = metadata.get("labels")
    if labels is not None:
        if type(labels) is not dict:
            raise _NotPlain
        for item in labels.values():
            items = item if type(item) is list else [item]
            if not all(type(one) is str for one in items):
                raise _NotPlain
    annotations = metadata.get("annotations")
    if annotations is not None:
        if type(annotations) is not dict:
            raise _NotPlain
        for key, text in annotations.items():
            if key.startswith(EXTENSION_PREFIX) or type(text) is not str:
                raise _NotPlain
    return name


def _sli(value: Any) -> None:
    spec = _keys(value, _SLI_SPEC)
    _description(spec)
    ratio = _keys(spec.get("ratioMetric"), _RATIO)
    counter = yaml11_flag(ratio.get("counter"))  # yes/no as the reference reads them
    if not (counter is None or type(counter) is bool):
        raise _NotPlain
    good, bad, total = ratio.get("good"), ratio.get("bad"), ratio.get("total")
    if (good is None) == (bad is None) or total is None:
        raise _NotPlain
    for metric in (good, bad, total):
        if metric is not None:
            source = _keys(_keys(metric, _METRIC).get("metricSource"), _SOURCE)
            if type(source.get("type")) is not str or type(source.get("spec")) is not dict:
                raise _NotPlain
            if {"query", "promql"} <= source["spec"].keys():  # they may conflict: checks.py
                raise _NotPlain
            if checked(source["type"]) and _not_promql(source["spec"]):
                raise _NotPlain  # promql-syntax: the full load says where and why


def _not_promql(spec: dict[str, Any]) -> bool:
    query = spec.get("query")
    if query is None or (type(query) is str and not query.strip()):
        query = spec.get("promql")  # as prometheus_counts reads it
    return type(query) is str and syntax_error(query) is not None


def _slo(value: Any) -> dict[str, Any]:
    spec = _keys(value, _SLO_SPEC)
    _description(spec)
    _text(spec.get("service"), optional=False)
    _text(spec.get("indicatorRef"), optional=False)
    written = spec.get("budgetingMethod")
    method = _METHODS.get(written) if type(written) is str else None
    objectives = spec.get("objectives")
    if method is None or type(objectives) is not list or not objectives:
        raise _NotPlain
    windows = spec.get("timeWindow")
    if windows is not None:
        if type(windows) is not list or len(windows) != 1:
            raise _NotPlain
        _window(windows[0])
    names: set[str] = set()
    for item in objectives:
        objective = _keys(item, _OBJECTIVE)
        display = objective.get("displayName")
        _text(display)
        if display is not None:
            if display in names:
                raise _NotPlain  # duplicate-name (objectives of one SLO)
            names.add(display)
        target, percent = objective.get("target"), objective.get("targetPercent")
        if (target is None) == (percent is None):
            raise _NotPlain
        if target is not None and not 0 < _number(target) < 1:
            raise _NotPlain
        if percent is not None and not 0 < _number(percent) < 100:
            raise _NotPlain
        slice_target = objective.get("timeSliceTarget")
        if slice_target is not None and not 0 < _number(slice_target) <= 1:
            raise _NotPlain
        weight = objective.get("compositeWeight")
        if weight is not None and not _number(weight) > 0:
            raise _NotPlain
        slice_window = _slice_window(objective.get("timeSliceWindow"))
        if method is BudgetingMethod.TIMESLICES and slice_target is None:
            raise _NotPlain
        if method is not BudgetingMethod.OCCURRENCES and slice_window is None:
            raise _NotPlain
    return spec


def _number(value: Any) -> Decimal:
    """A number as the models take it: an int or a finite YAML float (never a bool or text)."""
    if type(value) is int:
        return Decimal(value)
    if type(value) is Decimal and value.is_finite():
        return value
    raise _NotPlain


def _slice_window(value: Any) -> str | None:
    if value is None:
        return None
    if type(value) is int:
        value = f"{value}m"
    if type(value) is not str or not _duration(value).is_fixed:
        raise _NotPlain
    return value


def _duration(text: str) -> Any:
    try:
        return parse_duration(text)
    except InputError:
        raise _NotPlain from None


def _window(value: Any) -> None:
    window = _keys(value, _WINDOW)
    text, rolling, calendar = (
        window.get("duration"),
        yaml11_flag(window.get("isRolling")),
        window.get("calendar"),
    )
    if type(text) is not str or not (rolling is None or type(rolling) is bool):
        raise _NotPlain
    duration = _duration(text)
    if calendar is not None:
        _calendar(calendar)
    if rolling:
        if calendar is not None or not duration.is_fixed:
            raise _NotPlain
    elif (rolling is None and calendar is None) or duration.calendar_unit is None:
        raise _NotPlain


def _calendar(value: Any) -> None:
    calendar = _keys(value, _CALENDAR)
    start, zone = calendar.get("startTime"), calendar.get("timeZone", "UTC")
    if type(start) is not str or type(zone) is not str:
        raise _NotPlain
    try:
        ZoneInfo(zone)
        in_range = start_in_range(parse_start_time(str(start)))
    except Exception:  # an unknown zone, a start time that does not parse
        raise _NotPlain from None
    if not in_range:
        raise _NotPlain


def _objectives(slo: str, spec: Mapping[str, Any], slis: Mapping[str, None]) -> list[Objective]:
    """The objectives ``resolve`` builds for a checked plain SLO."""
    sli = spec["indicatorRef"]
    if sli not in slis:
        raise _NotPlain  # unresolved-reference: an error for an SLI
    windows = spec.get("timeWindow")
    window: Window = DEFAULT_WINDOW
    if windows:
        entry = windows[0]
        calendar = entry.get("calendar")
        window = window_from(
            entry["duration"],
            rolling=yaml11_flag(entry.get("isRolling")),
            start_time=None if calendar is None else calendar["startTime"],
            zone="UTC" if calendar is None else calendar.get("timeZone", "UTC"),
        )
    items = spec["objectives"]
    single = len(items) == 1
    tiers = default_alert_tiers()
    built = []
    for i, objective in enumerate(items):
        target, percent = objective.get("target"), objective.get("targetPercent")
        ratio = (
            Fraction(_number(target)) if target is not None else Fraction(_number(percent)) / 100
        )
        slice_target = objective.get("timeSliceTarget")
        slice_window = _slice_window(objective.get("timeSliceWindow"))
        display = objective.get("displayName")
        try:
            built.append(
                Objective(
                    slo=slo,
                    name="" if single else (display or f"obj-{i}"),
                    display_name=display or "",
                    series=sli,
                    target=ratio,
                    window=window,
                    method=_METHODS[spec["budgetingMethod"]],
                    time_slice_target=None
                    if slice_target is None
                    else Fraction(_number(slice_target)),
                    time_slice_window_s=_duration(slice_window).seconds if slice_window else None,
                    alert_tiers=tiers,
                    service=spec["service"],
                    sli=sli,
                )
            )
        except InputError:
            raise _NotPlain from None  # invalid-objective
    return built
