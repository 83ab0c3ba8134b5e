"""The fix of a missing required field whose name alone does not say what to write."""

from __future__ import annotations

from typing import Any

from covenant.definitions.yamlsource import PathKey, SourceDocument

# what to write for a required field whose name alone does not say it (real files left these
# out: an AlertCondition without lookbackWindow, an inline SLI with only its metadata)
MISSING_FIXES = {
    "lookbackWindow": "add lookbackWindow, the window the burn rate is measured over, e.g. "
    "lookbackWindow: 1h",
    "budgetingMethod": "add budgetingMethod: Occurrences (or Timeslices, RatioTimeslices)",
    "notificationTargets": "add notificationTargets: [{targetRef: <an AlertNotificationTarget's "
    "name>}]",
    "conditions": "add conditions: [{conditionRef: <an AlertCondition's name>}]",
    "metricSource": "add metricSource: {type: Prometheus, spec: {query: …}} (or "
    "metricSourceRef: <a DataSource's name>)",
    "severity": "add severity, e.g. severity: page",
    "duration": "add duration, e.g. duration: 28d (m, h, d, w; calendar windows also M, Q, Y)",
}
METRIC_SPEC_FIX = (
    "add spec: {query: …}, what the data source runs (the DataSource named by metricSourceRef "
    "says where)"
)
INDICATOR_SPEC_FIX = (
    "add the SLI's spec: ratioMetric {counter, good (or bad), total} or thresholdMetric "
    "{metricSource}, e.g. spec: {ratioMetric: {counter: true, good: {metricSource: …}, "
    "total: {metricSource: …}}}"
)


def missing_fix(loc: PathKey, doc: SourceDocument) -> str:
    name = str(loc[-1]) if loc else ""
    if name == "spec" and len(loc) >= 2 and loc[-2] == "indicator":
        return INDICATOR_SPEC_FIX
    if name == "spec" and len(loc) >= 2 and loc[-2] == "metricSource":
        return METRIC_SPEC_FIX
    if name == "budgetingMethod":
        return _budgeting_method_fix(value_at(doc.data, loc[:-1]))
    return MISSING_FIXES.get(name, f"add {name}")


def _budgeting_method_fix(spec: Any) -> str:
    """The method a missing ``budgetingMethod`` is likely, from the objectives' fields: OpenSLO
    reads ``timeSliceTarget`` only with Timeslices, and ``timeSliceWindow`` alone with
    RatioTimeslices (with Occurrences both would be ignored: another SLO than the file's)."""
    objectives = spec.get("objectives") if isinstance(spec, dict) else None
    written = {
        key
        for objective in (objectives if isinstance(objectives, list) else ())
        if isinstance(objective, dict)
        for key in objective
    }
    if "timeSliceTarget" in written:
        return (
            "add budgetingMethod: Timeslices (the objectives give timeSliceTarget, which only "
            "Timeslices reads)"
        )
    if "timeSliceWindow" in written:
        return (
            "add budgetingMethod: RatioTimeslices (the objectives give timeSliceWindow without "
            "timeSliceTarget), or Timeslices with a timeSliceTarget"
        )
    return MISSING_FIXES["budgetingMethod"]


def value_at(data: Any, path: PathKey) -> Any:
    """The value at ``path`` in ``data``, or None where the path is not written."""
    for part in path:
        if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
            continue
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data
