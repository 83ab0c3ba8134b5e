"""Rules inside one definition that relate several fields (run after the model validated)."""

from __future__ import annotations

from collections.abc import Sequence

from covenant.core.promql import is_compatible
from covenant.definitions.alerting import check_alerting
from covenant.definitions.covenant_v1 import CovenantSLISpec
from covenant.definitions.diagnostics import WARNING, at, conflict
from covenant.definitions.durations import parse_duration
from covenant.definitions.extensions import sli_extensions, slo_extensions
from covenant.definitions.fields import ZERO_PAUSE
from covenant.definitions.openslo import (
    AlertConditionSpec,
    AlertPolicyItem,
    AlertPolicySpec,
    ConditionItem,
    InlineSLI,
    Metadata,
    MetricSpec,
    NotificationTargetItem,
    ObjectiveSpec,
    SLISpec,
    SLOSpec,
)
from covenant.definitions.secrets import metric_source_secrets
from covenant.definitions.timewindows import check_time_windows
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem


def check_slo(doc: SourceDocument, spec: SLOSpec, path: PathKey = ("spec",)) -> list[Problem]:
    problems: list[Problem] = []
    composite = any(o.indicator or o.indicator_ref for o in spec.objectives) or (
        bool(doc.broken)  # one refused: composite or not is unknown
        and any(
            doc.refused((*path, "objectives", i, key))
            for i in range(len(spec.objectives))
            for key in ("indicator", "indicatorRef")
        )
    )
    if spec.indicator is not None and spec.indicator_ref is not None:
        problems.append(conflict(doc, (*path, "indicatorRef"), "indicator", "indicatorRef"))
    elif spec.indicator is None and spec.indicator_ref is None and not composite:
        problems.append(
            at(
                doc,
                path,
                code="missing-field",
                message="the SLO has no indicator",
                fix="add indicatorRef: <SLI name> or an inline indicator",
            )
        )
    if spec.indicator is not None:
        problems += check_inline_sli(doc, spec.indicator, (*path, "indicator"))
    problems += check_time_windows(doc, spec.time_window, (*path, "timeWindow"))
    names: dict[str, int] = {}
    for index, objective in enumerate(spec.objectives):
        here = (*path, "objectives", index)
        problems += _check_objective(doc, spec, objective, here)
        if objective.display_name is not None and not doc.broken_at((*here, "displayName")):
            if objective.display_name in names:
                problems.append(
                    at(
                        doc,
                        (*here, "displayName"),
                        code="duplicate-name",
                        message=f"objective {objective.display_name!r} is also objectives"
                        f"[{names[objective.display_name]}]",
                        fix="give each objective of an SLO its own displayName",
                    )
                )
            names.setdefault(objective.display_name, index)
    for index, item in enumerate(spec.alert_policies or ()):
        problems += check_policy_item(doc, item, (*path, "alertPolicies", index))
    return problems


def _check_objective(
    doc: SourceDocument, spec: SLOSpec, objective: ObjectiveSpec, here: PathKey
) -> list[Problem]:
    problems: list[Problem] = []
    if objective.target is not None and objective.target_percent is not None:
        problems.append(conflict(doc, (*here, "targetPercent"), "target", "targetPercent"))
    elif objective.target is None and objective.target_percent is None:
        problems.append(
            at(
                doc,
                here,
                code="missing-field",
                message="the objective has no target",
                fix="add target: 0.999 (a ratio) or targetPercent: 99.9",
            )
        )
    # a refused budgetingMethod is unknown: the checks that depend on it wait for the fix
    refused = doc.broken_at((*here[:-2], "budgetingMethod"))
    method: str | None = None if refused else spec.budgeting_method
    if method == "Timeslices" and objective.time_slice_target is None:
        problems.append(_timeslice_missing(doc, here, "timeSliceTarget", method, "0.95"))
    if method not in ("Occurrences", None) and objective.time_slice_window is None:
        problems.append(_timeslice_missing(doc, here, "timeSliceWindow", method, "1m"))
    if method == "Occurrences":
        for key, value in (
            ("timeSliceTarget", objective.time_slice_target),
            ("timeSliceWindow", objective.time_slice_window),
        ):
            if value is not None:
                problems.append(
                    at(
                        doc,
                        (*here, key),
                        code="ignored-field",
                        message=f"{key} has no effect with budgetingMethod Occurrences",
                        fix=f"remove {key}, or use budgetingMethod: Timeslices",
                        severity=WARNING,
                    )
                )
    if method == "RatioTimeslices" and objective.time_slice_target is not None:
        problems.append(  # the mean of the slices' ratios is compared: no slice is judged
            at(
                doc,
                (*here, "timeSliceTarget"),
                code="ignored-field",
                message="timeSliceTarget has no effect with budgetingMethod RatioTimeslices (the "
                "mean of the slices' ratios is compared with target)",
                fix="remove timeSliceTarget, or use budgetingMethod: Timeslices (a slice is good "
                "at timeSliceTarget)",
                severity=WARNING,
            )
        )
    if objective.indicator is not None and objective.indicator_ref is not None:
        problems.append(conflict(doc, (*here, "indicatorRef"), "indicator", "indicatorRef"))
    if objective.indicator is not None:
        problems += check_inline_sli(doc, objective.indicator, (*here, "indicator"))
    # (with no indicator of its own nor of the SLO, that is the error: the weight says it is
    # meant as a component)
    if (
        objective.composite_weight is not None
        and not (objective.indicator or objective.indicator_ref)
        and (spec.indicator or spec.indicator_ref)
    ):
        problems.append(
            at(
                doc,
                (*here, "compositeWeight"),
                code="ignored-field",
                message="compositeWeight only applies to composite objectives",
                fix="remove it, or give the objective its own indicatorRef",
                severity=WARNING,
            )
        )
    return problems


def _timeslice_missing(
    doc: SourceDocument, here: PathKey, key: str, method: str, example: str
) -> Problem:
    return at(
        doc,
        (*here, key),
        code="missing-field",
        message=f"budgetingMethod {method} needs {key}",
        fix=f"add {key}: {example}",
    )


def check_inline_sli(doc: SourceDocument, sli: InlineSLI, path: PathKey) -> list[Problem]:
    problems = check_sli(doc, sli.spec, (*path, "spec"))
    _, found = sli_extensions(doc, sli.metadata, sli.spec, path)
    return problems + found


def check_sli(doc: SourceDocument, spec: SLISpec, path: PathKey = ("spec",)) -> list[Problem]:
    problems: list[Problem] = []
    ratio, threshold = spec.ratio_metric, spec.threshold_metric
    if ratio is not None and threshold is not None:
        problems.append(conflict(doc, (*path, "thresholdMetric"), "ratioMetric", "thresholdMetric"))
    elif ratio is None and threshold is None:
        problems.append(
            at(
                doc,
                path,
                code="missing-field",
                message="the SLI has neither ratioMetric nor thresholdMetric",
                fix="add a ratioMetric (good or bad, and total) or a thresholdMetric",
            )
        )
    if threshold is not None:
        problems += _check_metric(doc, threshold, (*path, "thresholdMetric"))
    if ratio is not None:
        here = (*path, "ratioMetric")
        if ratio.raw is not None:
            for key, value in (("good", ratio.good), ("bad", ratio.bad), ("total", ratio.total)):
                if value is not None:
                    problems.append(conflict(doc, (*here, key), "raw", key))
            if ratio.raw_type is None:
                problems.append(
                    at(
                        doc,
                        (*here, "rawType"),
                        code="missing-field",
                        message="raw needs rawType",
                        fix="add rawType: success (good/total) or failure (bad/total)",
                    )
                )
        elif ratio.raw_type is not None and not (ratio.good or ratio.bad or ratio.total):
            # rawType alone: a raw ratio whose raw is missing (or misspelt), one problem
            problems.append(
                at(
                    doc,
                    here,
                    code="missing-field",
                    message="ratioMetric gives rawType but no raw",
                    fix="add raw: {metricSource: ...} (or good: or bad:, and total:, without "
                    "rawType)",
                )
            )
        else:
            if ratio.good is not None and ratio.bad is not None:
                problems.append(conflict(doc, (*here, "bad"), "good", "bad"))
            elif ratio.good is None and ratio.bad is None:
                problems.append(
                    at(
                        doc,
                        here,
                        code="missing-field",
                        message="ratioMetric needs good or bad (with total), or raw",
                        fix="add good: (or bad:) and total:",
                    )
                )
            if ratio.total is None:
                problems.append(
                    at(
                        doc,
                        here,
                        code="missing-field",
                        message="ratioMetric needs total with good or bad",
                        fix="add total: {metricSource: ...}",
                    )
                )
            if ratio.raw_type is not None:
                problems.append(
                    at(
                        doc,
                        (*here, "rawType"),
                        code="conflicting-fields",
                        message="rawType only applies to raw",
                        fix="remove rawType",
                    )
                )
        for key in ("good", "bad", "total", "raw"):
            metric = getattr(ratio, key)
            if metric is not None:
                problems += _check_metric(doc, metric, (*here, key))
    events = spec.events if isinstance(spec, CovenantSLISpec) else None
    if events is not None and threshold is not None and events.latency_ms is not None:
        problems.append(
            at(
                doc,
                (*path, "events", "latencyMs"),
                code="conflicting-fields",
                message="a thresholdMetric SLI takes its latency bound from each "
                "objective's op and value",
                fix="remove events.latencyMs",
            )
        )
    return problems


def _check_metric(doc: SourceDocument, metric: MetricSpec, path: PathKey) -> list[Problem]:
    source = metric.metric_source
    problems: list[Problem] = []
    query, promql = source.spec.get("query"), source.spec.get("promql")
    differ = (  # a blank query is not given: promql is read
        isinstance(query, str)
        and isinstance(promql, str)
        and query.strip() not in ("", promql.strip())
    )
    if doc.broken_at((*path, "metricSource", "type"), (*path, "metricSource", "spec")):
        differ = False  # the source's type or spec was refused: nothing to compare
    if differ and (source.type is None or is_compatible(source.type)):
        problems.append(
            at(
                doc,
                (*path, "metricSource", "spec", "promql"),
                code="conflicting-fields",
                message="spec.query and spec.promql are two different queries"
                + ("" if source.type else " (if its DataSource is Prometheus, query is read)"),
                fix="keep one: spec.query (spec.promql, Nobl9's name for it, is read when "
                "spec.query is absent)",
                severity="error" if source.type else WARNING,
            )
        )
    if not doc.broken_at((*path, "metricSource", "spec")):
        here = (*path, "metricSource", "spec")
        problems += metric_source_secrets(doc, source.type, source.spec, here)
    if source.type is None and source.metric_source_ref is None:
        problems.append(
            at(
                doc,
                (*path, "metricSource"),
                code="missing-field",
                message="metricSource needs type or metricSourceRef",
                fix="add type: Prometheus (or the source type), or metricSourceRef: <DataSource>",
            )
        )
    return problems


def check_slo_extensions(doc: SourceDocument, metadata: Metadata, spec: SLOSpec) -> list[Problem]:
    extensions, problems = slo_extensions(doc, metadata, spec)
    if extensions.alerting is not None:
        problems += check_alerting(doc, extensions.alerting, extensions.alerting_path)
    return problems + _per_dimension(doc, metadata)


PER_DIMENSION_KEY = "multi-dimensional-sli.openslo.com/label"
"""opensloctl's annotation: one SLO recorded per value of the label it names."""


def _per_dimension(doc: SourceDocument, metadata: Metadata) -> list[Problem]:
    label = (metadata.annotations or {}).get(PER_DIMENSION_KEY)
    if label is None:
        return []
    return [
        at(
            doc,
            ("metadata", "annotations", PER_DIMENSION_KEY),
            code="ignored-field",
            message=f"{PER_DIMENSION_KEY} is opensloctl's: it makes one SLO per value of "
            f"{label}; Covenant evaluates this SLO once, over every {label} together (one "
            "budget for all)",
            fix=f'write one SLO per {label} value, its queries selecting {label}="<value>", '
            "to keep each value's budget apart; or remove the annotation",
            severity=WARNING,
        )
    ]


def check_policy_item(doc: SourceDocument, item: AlertPolicyItem, path: PathKey) -> list[Problem]:
    problems = _ref_or_inline(doc, item.alert_policy_ref, item, path, "alertPolicyRef")
    if item.spec is not None:
        problems += check_policy(doc, item.spec, (*path, "spec"))
    return problems


def check_policy(
    doc: SourceDocument, spec: AlertPolicySpec, path: PathKey = ("spec",)
) -> list[Problem]:
    problems: list[Problem] = []
    if len(spec.conditions) != 1:
        problems.append(
            at(
                doc,
                (*path, "conditions"),
                code="invalid-value",
                message=f"an AlertPolicy holds exactly one condition, found {len(spec.conditions)}",
                fix="OpenSLO v1 allows one condition per policy; write one policy per condition",
            )
        )
    for index, condition in enumerate(spec.conditions):
        here = (*path, "conditions", index)
        problems += _ref_or_inline(doc, condition.condition_ref, condition, here, "conditionRef")
        if condition.spec is not None:
            problems += check_condition(doc, condition.spec, (*here, "spec"))
    targets: Sequence[NotificationTargetItem] = spec.notification_targets
    for index, target in enumerate(targets):
        here = (*path, "notificationTargets", index)
        problems += _ref_or_inline(doc, target.target_ref, target, here, "targetRef")
    return problems


def check_condition(
    doc: SourceDocument, spec: AlertConditionSpec, path: PathKey = ("spec",)
) -> list[Problem]:
    problems: list[Problem] = []
    condition = spec.condition
    for key, value in (
        ("lookbackWindow", condition.lookback_window),
        ("alertAfter", condition.alert_after),
    ):
        if (
            value is not None
            and not doc.broken_at((*path, "condition", key))
            and not ZERO_PAUSE.fullmatch(value)
            and not parse_duration(value).is_fixed
        ):
            problems.append(
                at(
                    doc,
                    (*path, "condition", key),
                    code="invalid-duration",
                    message=f"{key} {value} has no fixed length",
                    fix=f"write it in m, h, d or w, e.g. {key}: {'1h' if key[0] == 'l' else '5m'}",
                )
            )
    threshold, here = condition.threshold, (*path, "condition", "threshold")
    if doc.broken_at(here, (*path, "condition", "op"), (*path, "condition", "kind")):
        return problems  # a refused kind (error-rate): its threshold is no burn rate
    if threshold == 0 and condition.op in (None, "gte"):
        problems.append(
            at(
                doc,
                here,
                code="invalid-value",
                message="burn-rate threshold 0 with op gte fires in every window, even one "
                "without errors",
                fix="write op: gt (fire on any error), or a positive threshold, e.g. 14.4",
            )
        )
    elif threshold < 1 and condition.op in (None, "gte", "gt"):
        problems.append(
            at(
                doc,
                here,
                code="alert-threshold-raised",
                message=f"burn-rate threshold {threshold} is compared as 1: a burn below 1 "
                "cannot spend the error budget within the SLO window, so no tier fires there "
                "(docs/semantics.md); this condition fires at a burn rate "
                + ("above 1" if condition.op == "gt" else "of 1 or more"),
                fix="write threshold: 1 or more to say so (the alert means budget at risk)",
                severity=WARNING,
            )
        )
    return problems


def _ref_or_inline(
    doc: SourceDocument,
    ref: str | None,
    item: AlertPolicyItem | ConditionItem | NotificationTargetItem,
    path: PathKey,
    ref_key: str,
) -> list[Problem]:
    inline = item.metadata is not None or item.spec is not None or item.kind is not None
    if ref is not None and inline:
        return [conflict(doc, (*path, ref_key), "an inline object", ref_key)]
    if ref is None and not inline:
        return [
            at(
                doc,
                path,
                code="missing-field",
                message=f"give {ref_key} or an inline object",
                fix=f"add {ref_key}: <name>",
            )
        ]
    if ref is None and (item.metadata is None or item.spec is None):
        missing = "metadata" if item.metadata is None else "spec"
        return [
            at(
                doc,
                (*path, missing),
                code="missing-field",
                message=f"an inline object needs {missing}",
                fix=f"add {missing}, or refer to a document with {ref_key}",
            )
        ]
    return []
