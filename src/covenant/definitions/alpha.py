"""``openslo/v1alpha`` and ``openslo.com/v2alpha`` documents rewritten as ``openslo/v1``.

Each rewrite is noted (warning ``converted-api-version`` at the line of the field as written),
and every field of the result keeps the line it came from, so later problems still point into
the file. What has no ``openslo/v1`` form is refused (``not-convertible``), never guessed.
Field meanings are those of the OpenSLO specification and the Go SDK (docs/definitions.md):

v1alpha → v1
  ``timeWindows: [{unit, count, isRolling, calendar}]`` → ``timeWindow: [{duration, …}]``
  (Second → minutes when whole, Day d, Week w, Month M, Quarter Q, Year Y);
  ``indicator.thresholdMetric{source, queryType, query}`` → an inline SLI named after the SLO
  with ``thresholdMetric.metricSource{type: source, spec: {queryType, query}}``;
  ``objectives[].ratioMetrics{good, total, incremental}`` → the SLO's inline SLI
  ``ratioMetric{counter: incremental, good, total}`` (the same for every objective), the
  objective's ``value`` (required by v1alpha, meaningless for a ratio) dropped; Timeslices
  objectives get ``timeSliceWindow: 1m`` (v1alpha has no slice length).

v2alpha → v1
  SLO ``serviceRef`` → ``service``, ``sli`` → ``indicator``, ``sliRef`` → ``indicatorRef`` (also
  per objective); metric specs ``{dataSourceRef, dataSourceSpec, spec}`` →
  ``metricSource{metricSourceRef, type, spec}`` (an inline data source's connectionDetails have
  no v1 place and are dropped with a note). BudgetAdjustment has no v1 form: refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from covenant.definitions import alpha_rewrite as keys
from covenant.definitions.alpha_rewrite import Rewrite, replace_key
from covenant.definitions.kinds import OPENSLO_V1, V1ALPHA
from covenant.definitions.secrets import dropped_secrets
from covenant.definitions.v2alpha_labels import checked_labels
from covenant.definitions.v2alpha_slo import named_policies, objective_labels
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

V1ALPHA_KINDS = ("SLO", "Service")
V2ALPHA_KINDS = (
    "Service",
    "DataSource",
    "SLI",
    "SLO",
    "AlertPolicy",
    "AlertCondition",
    "AlertNotificationTarget",
)
V1ALPHA_UNITS = {"Day": "d", "Week": "w", "Month": "M", "Quarter": "Q", "Year": "Y"}
V1ALPHA_SLICE = "1m"
"""The slice length given to v1alpha Timeslices objectives (v1alpha has no field for it)."""


def convert_alpha(
    doc: SourceDocument, api: str, kind: str
) -> tuple[SourceDocument | None, list[Problem]]:
    """``doc`` as an ``openslo/v1`` document, or None (with errors) when it has no v1 form."""
    rewrite = Rewrite(doc=doc, version=api)
    data = dict(doc.data)
    data["apiVersion"] = OPENSLO_V1
    convert = _v1alpha if api == V1ALPHA else _v2alpha
    converted = convert(rewrite, data, kind)
    if converted is None or rewrite.blocked:
        return None, rewrite.problems
    if not [p for p in rewrite.problems if p.code == "converted-api-version"]:
        rewrite.note(("apiVersion",), f"{kind} read as openslo/v1 (the same fields)")
    result = SourceDocument(
        file=doc.file,
        index=doc.index,
        line=doc.line,
        data=converted,
        lines=rewrite.lines,
        converted_from=api,
        written_as=rewrite.renamed,
        quoted_words=frozenset(rewrite.quoted),
    )
    return result, rewrite.problems


def _name(data: Mapping[str, Any]) -> str:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) and name else "sli"


# --- v1alpha ---------------------------------------------------------------------------------


def _v1alpha(rw: Rewrite, data: dict[str, Any], kind: str) -> dict[str, Any] | None:
    if kind not in V1ALPHA_KINDS:
        rw.error(
            ("kind",),
            "not-convertible",
            f"openslo/v1alpha has no kind {kind!r} (it has SLO and Service)",
            f"write the {kind} as apiVersion: openslo/v1",
        )
        return None
    spec = data.get("spec")
    if kind == "Service" or not isinstance(spec, dict):
        return data
    spec = rw.lenient(dict(spec), ("spec",), keys.V1ALPHA_SPEC)
    rw.v1_only(spec, ("spec",), keys.V1_ONLY_SPEC)
    data["spec"] = spec
    _v1alpha_windows(rw, spec)
    _v1alpha_threshold(rw, spec, _name(data))
    _v1alpha_objectives(rw, spec, _name(data))
    return data


def _v1alpha_windows(rw: Rewrite, spec: dict[str, Any]) -> None:
    if "timeWindows" not in spec:
        return
    windows = spec["timeWindows"]
    rw.move(("spec", "timeWindows"), ("spec", "timeWindow"))
    if isinstance(windows, list):
        windows = [_v1alpha_window(rw, i, w) for i, w in enumerate(windows)]
    replace_key(spec, "timeWindows", "timeWindow", windows)


def _v1alpha_window(rw: Rewrite, i: int, window: Any) -> Any:
    here: PathKey = ("spec", "timeWindows", i)
    if not isinstance(window, dict):
        return window
    if "duration" in window:  # openslo/v1's field in an openslo/v1alpha window
        rw.error(
            (*here, "duration"),
            "unknown-field",
            "duration is openslo/v1's field: an openslo/v1alpha window is unit and count",
            "write unit: Day and count: 30 (Second, Minute, Hour, Day, Week, Month, Quarter, "
            "Year), or write the file as openslo/v1 (timeWindow: [{duration: 30d}])",
        )
        return window
    window = dict(window)
    unit, count = window.pop("unit", None), window.pop("count", None)
    if not isinstance(count, int) or isinstance(count, bool) or count <= 0:
        rw.error(
            (*here, "count"),
            "invalid-value",
            f"timeWindows count must be a positive whole number, not {count!r}",
            "write e.g. count: 28",
        )
        return window
    if unit == "Second":
        if count % 60:
            rw.error(
                (*here, "count"),
                "not-convertible",
                f"a window of {count} seconds has no openslo/v1 form (no seconds unit)",
                "use a whole number of minutes (a multiple of 60 seconds), or Day/Week/Month",
            )
            return window
        duration = f"{count // 60}m"
    elif isinstance(unit, str) and unit in V1ALPHA_UNITS:
        duration = f"{count}{V1ALPHA_UNITS[unit]}"
    else:
        rw.error(
            (*here, "unit"),
            "invalid-value",
            f"timeWindows unit {unit!r} is not one of Second, Day, Week, Month, Quarter, Year",
            "write e.g. unit: Day",
        )
        return window
    rw.place(("spec", "timeWindow", i, "duration"), (*here, "unit"))
    if window.get("isRolling") is not None or window.get("calendar") is not None:
        # else the window's missing isRolling is an error: no "nothing to do" beside it
        rw.note(
            (*here, "unit"),
            f"timeWindows {{unit: {unit}, count: {count}}} read as timeWindow duration {duration}",
        )
    return {"duration": duration, **window}


def _v1alpha_metric(rw: Rewrite, metric: Any, old: PathKey, new: PathKey) -> Any:
    """``{source, queryType, query}`` → ``{metricSource: {type: source, spec: {…}}}``."""
    if not isinstance(metric, dict):
        return metric
    metric = rw.lenient(metric, old, keys.V1ALPHA_METRIC)
    for key in ("source", "queryType", "query"):
        if not isinstance(metric.get(key), str) or not metric.get(key):
            rw.error(
                (*old, key),
                "missing-field",
                f"openslo/v1alpha metric needs {key}",
                f"add {key}: <text>",
            )
    rest = {k: v for k, v in metric.items() if k != "source"}
    rw.move(old, (*new, "metricSource"))
    rw.place((*new, "metricSource", "type"), (*old, "source"))
    rw.place((*new, "metricSource", "spec"), old)
    for key in rest:
        rw.move((*old, key), (*new, "metricSource", "spec", key))
    return {"metricSource": {"type": metric.get("source"), "spec": rest}}


def _v1alpha_threshold(rw: Rewrite, spec: dict[str, Any], name: str) -> None:
    old: PathKey = ("spec", "indicator")
    indicator = spec.get("indicator")
    if isinstance(indicator, dict):
        indicator = rw.lenient(indicator, old, keys.V1ALPHA_INDICATOR)
    if not isinstance(indicator, dict) or "thresholdMetric" not in indicator:
        return
    rest = {k: v for k, v in indicator.items() if k != "thresholdMetric"}
    metric = _v1alpha_metric(
        rw,
        indicator["thresholdMetric"],
        (*old, "thresholdMetric"),
        (*old, "spec", "thresholdMetric"),
    )
    for path in ((*old, "metadata"), (*old, "metadata", "name"), (*old, "spec")):
        rw.place(path, old)
    rw.place((*old, "spec", "thresholdMetric"), (*old, "thresholdMetric"))
    spec["indicator"] = {
        "metadata": {"name": name},
        "spec": {"thresholdMetric": metric},
        **rest,
    }
    rw.note(
        (*old, "thresholdMetric"),
        f"indicator.thresholdMetric read as the inline SLI {name!r} "
        "(spec.thresholdMetric.metricSource: type = source, spec = queryType and query)",
    )


def _v1alpha_objectives(rw: Rewrite, spec: dict[str, Any], name: str) -> None:
    objectives = spec.get("objectives")
    if not isinstance(objectives, list):
        return
    ratios: list[tuple[int, Any]] = []
    converted: list[Any] = []
    timeslices = spec.get("budgetingMethod") == "Timeslices"
    for i, written in enumerate(objectives):
        here: PathKey = ("spec", "objectives", i)
        if not isinstance(written, dict):
            converted.append(written)
            continue
        objective = rw.lenient(dict(written), here, keys.V1ALPHA_OBJECTIVE)
        rw.v1_only(objective, here, keys.V1_ONLY_OBJECTIVE)
        if "value" not in objective:
            sloth = "{{.window}}" in repr(objective.get("ratioMetrics"))
            rw.error(
                (*here, "value"),
                "missing-field",
                "openslo/v1alpha requires value on every objective",
                "add value (for ratioMetrics objectives it is not used), or write the SLO "
                "as openslo/v1"
                + (
                    "; its queries are Sloth's ({{.window}}): `covenant import sloth FILE` "
                    "reads the file as Sloth does"
                    if sloth
                    else ""
                ),
                blocking=False,
            )
        if "ratioMetrics" in objective:
            ratios.append((i, objective.pop("ratioMetrics")))
            if "value" in objective:
                value = objective.pop("value")
                rw.note((*here, "value"), f"value {value} of a ratioMetrics objective is dropped")
        if timeslices and "timeSliceWindow" not in objective:
            objective["timeSliceWindow"] = V1ALPHA_SLICE
            rw.place((*here, "timeSliceWindow"), here)
            rw.note(here, f"Timeslices objective given timeSliceWindow: {V1ALPHA_SLICE}")
        converted.append(objective)
    spec["objectives"] = converted
    if ratios:
        _v1alpha_ratio(rw, spec, name, ratios)


def _v1alpha_ratio(
    rw: Rewrite, spec: dict[str, Any], name: str, ratios: list[tuple[int, Any]]
) -> None:
    first_index, first = ratios[0]
    old: PathKey = ("spec", "objectives", first_index, "ratioMetrics")
    for i, other in ratios[1:]:
        if other != first:
            rw.error(
                ("spec", "objectives", i, "ratioMetrics"),
                "not-convertible",
                "objectives with different ratioMetrics have no openslo/v1 form (one SLI per SLO)",
                "write one SLO per ratioMetrics",
            )
            return
    if spec.get("indicator") is None:  # written empty (`indicator:`): none, as Go reads it
        spec.pop("indicator", None)
    else:
        rw.error(
            old,
            "conflicting-fields",
            "give indicator or objectives[*].ratioMetrics, not both",
            "remove one of them",
        )
        return
    if not isinstance(first, dict):
        rw.error(old, "invalid-type", "ratioMetrics must be a mapping", "write good and total")
        return
    new: PathKey = ("spec", "indicator", "spec", "ratioMetric")
    ratio: dict[str, Any] = {}
    for key, value in rw.lenient(first, old, keys.V1ALPHA_RATIO).items():
        if key == "incremental":
            ratio["counter"] = value
            rw.move((*old, key), (*new, "counter"))
        elif key in ("good", "total"):
            ratio[key] = _v1alpha_metric(rw, value, (*old, key), (*new, key))
        else:
            ratio[key] = value
            rw.move((*old, key), (*new, key))
    for path in (
        ("spec", "indicator"),
        ("spec", "indicator", "metadata"),
        ("spec", "indicator", "metadata", "name"),
        ("spec", "indicator", "spec"),
    ):
        rw.place(path, old)
    rw.move(old, new)
    spec["indicator"] = {"metadata": {"name": name}, "spec": {"ratioMetric": ratio}}
    rw.note(
        old,
        f"objectives[].ratioMetrics read as the inline SLI {name!r} "
        "(spec.ratioMetric; incremental → counter; source → metricSource.type)",
    )


# --- v2alpha ---------------------------------------------------------------------------------


def _v2alpha(rw: Rewrite, data: dict[str, Any], kind: str) -> dict[str, Any] | None:
    if kind not in V2ALPHA_KINDS:
        fix = (
            "a budget adjustment is a covenant/v1 Correction in Covenant (docs/corrections.md)"
            if kind == "BudgetAdjustment"
            else f"use one of: {', '.join(V2ALPHA_KINDS)}"
        )
        rw.error(
            ("kind",),
            "not-convertible",
            f"openslo.com/v2alpha {kind} has no openslo/v1 form; the document is not read",
            fix,
        )
        return None
    if "metadata" in data:
        data["metadata"] = checked_labels(rw, data["metadata"], ("metadata",))
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return data
    spec = dict(spec)
    if kind == "SLO":
        spec = rw.lenient(spec, ("spec",), keys.V2ALPHA_SPEC)
    data["spec"] = spec
    if kind == "SLI":
        _v2alpha_sli_spec(rw, spec, ("spec",))
    elif kind == "SLO":
        _v2alpha_slo(rw, spec)
    return data


def _rename(rw: Rewrite, holder: dict[str, Any], path: PathKey, old: str, new: str) -> bool:
    if old not in holder:
        return False
    if new in holder:
        rw.error(
            (*path, old),
            "conflicting-fields",
            f"give {old} ({rw.version}) or {new} (openslo/v1), not both",
            f"remove {new}",
        )
        return False
    replace_key(holder, old, new, holder[old])
    rw.move((*path, old), (*path, new))
    rw.note((*path, old), f"{old} read as {new}")
    return True


def _v2alpha_slo(rw: Rewrite, spec: dict[str, Any]) -> None:
    _rename(rw, spec, ("spec",), "serviceRef", "service")
    named_policies(rw, spec)
    _v2alpha_sli_holder(rw, spec, ("spec",))
    objectives = spec.get("objectives")
    if isinstance(objectives, list):
        converted = []
        for i, written in enumerate(objectives):
            objective = written
            if isinstance(objective, dict):
                here: PathKey = ("spec", "objectives", i)
                objective = rw.lenient(dict(objective), here, keys.V2ALPHA_OBJECTIVE)
                objective_labels(rw, objective, here)
                _v2alpha_sli_holder(rw, objective, ("spec", "objectives", i))
            converted.append(objective)
        spec["objectives"] = converted


def _v2alpha_sli_holder(rw: Rewrite, holder: dict[str, Any], path: PathKey) -> None:
    """``sli`` / ``sliRef`` of an SLO or an objective → ``indicator`` / ``indicatorRef``."""
    _rename(rw, holder, path, "sliRef", "indicatorRef")
    sli = holder.get("sli")
    if isinstance(sli, dict) and "metadata" in sli:
        labelled = checked_labels(rw, sli["metadata"], (*path, "sli", "metadata"))
        holder["sli"] = {**sli, "metadata": labelled}
    if _rename(rw, holder, path, "sli", "indicator"):
        inline = holder["indicator"]
        if isinstance(inline, dict) and isinstance(inline.get("spec"), dict):
            inline = dict(inline)
            inline["spec"] = dict(inline["spec"])
            _v2alpha_sli_spec(
                rw, inline["spec"], (*path, "indicator", "spec"), old=(*path, "sli", "spec")
            )
            holder["indicator"] = inline


def _v2alpha_sli_spec(
    rw: Rewrite, spec: dict[str, Any], path: PathKey, *, old: PathKey | None = None
) -> None:
    source = old or path
    if "thresholdMetric" in spec:
        spec["thresholdMetric"] = _v2alpha_metric(
            rw, spec["thresholdMetric"], (*source, "thresholdMetric"), (*path, "thresholdMetric")
        )
    ratio = spec.get("ratioMetric")
    if isinstance(ratio, dict):
        ratio = dict(ratio)
        for key in ("good", "bad", "total", "raw"):
            if key in ratio:
                ratio[key] = _v2alpha_metric(
                    rw,
                    ratio[key],
                    (*source, "ratioMetric", key),
                    (*path, "ratioMetric", key),
                )
        spec["ratioMetric"] = ratio


def _v2alpha_metric(rw: Rewrite, metric: Any, old: PathKey, new: PathKey) -> Any:
    """``{dataSourceRef, dataSourceSpec, spec}`` → ``{metricSource: {…}}``."""
    if isinstance(metric, dict):
        metric = rw.lenient(metric, old, keys.V2ALPHA_METRIC)
    if isinstance(metric, dict) and "metricSource" in metric:
        _v1_metric_source(rw, metric["metricSource"], (*old, "metricSource"))
    if not isinstance(metric, dict) or "metricSource" in metric:
        return metric
    source: dict[str, Any] = {}
    rw.move(old, (*new, "metricSource"))
    rest = dict(metric)
    if "dataSourceRef" in rest:
        source["metricSourceRef"] = rest.pop("dataSourceRef")
        rw.move((*old, "dataSourceRef"), (*new, "metricSource", "metricSourceRef"))
    inline = rest.pop("dataSourceSpec", None)
    if isinstance(inline, dict):
        if "type" in inline:
            source["type"] = inline["type"]
            rw.move((*old, "dataSourceSpec", "type"), (*new, "metricSource", "type"))
        if "connectionDetails" in inline:
            details: PathKey = (*old, "dataSourceSpec", "connectionDetails")
            rw.note(
                details,
                "dataSourceSpec.connectionDetails dropped: an openslo/v1 metricSource has no "
                "place for them (define a DataSource and refer to it with dataSourceRef)",
            )
            rw.problems += dropped_secrets(rw.source, inline["connectionDetails"], details)
    source["spec"] = rest.pop("spec", {})
    rw.move((*old, "spec"), (*new, "metricSource", "spec"))
    rw.note(old, "dataSourceRef / dataSourceSpec / spec read as metricSource")
    return {"metricSource": source, **rest}


def _v1_metric_source(rw: Rewrite, source: Any, path: PathKey) -> None:
    """openslo/v1's ``metricSource`` in a v2alpha metric: refused (v2alpha's SLIMetricSpec has
    no such field), with v2alpha's form of what it holds. Not blocking: the metric is still
    read as written, so that references to the SLI do not also fail."""
    ref = source.get("metricSourceRef") if isinstance(source, dict) else None
    kind = source.get("type") if isinstance(source, dict) else None
    if isinstance(ref, str) and ref:
        written = f"dataSourceRef: {ref}"
    elif isinstance(kind, str) and kind:
        written = f"dataSourceSpec: {{type: {kind}}}"
    else:
        written = "dataSourceRef: <a DataSource's name>"
    rw.error(
        path,
        "unknown-field",
        "metricSource is openslo/v1's form of a metric; an openslo.com/v2alpha metric is "
        "dataSourceRef (or dataSourceSpec) and spec",
        f"replace metricSource with {written} and metricSource's spec beside it, or write the "
        "document as apiVersion: openslo/v1",
        blocking=False,
    )
