"""Validated documents → the core model: references followed, objectives and event rules built.

Reference rules (docs/definitions.md): an SLO's ``indicatorRef``, ``alertPolicyRef`` and a
policy's ``conditionRef`` / ``targetRef`` must name a document of the workspace (error, as the
OpenSLO SDK's inliner does). ``spec.service`` naming no Service and ``metricSourceRef`` naming
no DataSource are warnings: Covenant evaluates events, not metric sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from covenant.core.composite import Component, CompositeObjective
from covenant.core.model import (
    AlertTier,
    BudgetingMethod,
    Comparison,
    EventRule,
    NoDataPolicy,
    Objective,
    Operator,
)
from covenant.definitions.alerting import resolve_tiers, tier_from_condition
from covenant.definitions.contracts import Contracts, resolve_contracts
from covenant.definitions.corrections import CorrectionRule, resolve_corrections
from covenant.definitions.covenant_v1 import NO_DATA_KEY, ComparisonSpec
from covenant.definitions.diagnostics import WARNING, at
from covenant.definitions.documents import Parsed
from covenant.definitions.durations import parse_duration
from covenant.definitions.extensions import SLIExtensions, sli_extensions, slo_extensions
from covenant.definitions.openslo import (
    AlertConditionDocument,
    AlertPolicyDocument,
    AlertPolicySpec,
    Metadata,
    MetricSpec,
    ObjectiveSpec,
    SLIDocument,
    SLISpec,
    SLODocument,
)
from covenant.definitions.settings import WorkspaceSettings, resolve_settings
from covenant.definitions.timewindows import window_of
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import InputError, Problem


@dataclass(slots=True)
class Index:
    """First document of each kind and name."""

    by_kind: dict[str, dict[str, Parsed]] = field(default_factory=dict)

    @classmethod
    def of(cls, parsed: Iterable[Parsed]) -> Index:
        index = cls()
        for item in parsed:
            names = index.by_kind.setdefault(item.definition.kind, {})
            names.setdefault(item.definition.name, item)
        return index

    def get(self, kind: str, name: str) -> Parsed | None:
        return self.by_kind.get(kind, {}).get(name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolved:
    objectives: tuple[Objective, ...]
    event_rules: tuple[EventRule, ...]
    problems: list[Problem]
    contracts: Contracts = field(default_factory=Contracts)
    composites: tuple[CompositeObjective, ...] = ()
    corrections: tuple[CorrectionRule, ...] = ()
    settings: WorkspaceSettings = field(default_factory=WorkspaceSettings)


def duplicate_problems(parsed: Sequence[Parsed]) -> list[Problem]:
    first: dict[tuple[str, str], Parsed] = {}
    problems: list[Problem] = []
    for item in parsed:
        key = (item.definition.kind, item.definition.name)
        if not item.definition.name:
            continue
        if key in first:
            other = first[key].source
            problems.append(
                at(
                    item.source,
                    ("metadata", "name"),
                    code="duplicate-name",
                    message=f"{key[0]} {key[1]!r} is defined twice: here and at "
                    f"{other.where(('metadata', 'name'))}",
                    fix="rename one of them, or delete the copy",
                )
            )
        first.setdefault(key, item)
    return problems


def resolve(parsed: Sequence[Parsed], *, build: bool) -> Resolved:
    """Check references; with ``build`` (no errors so far) also build objectives and rules."""
    index = Index.of(parsed)
    problems = duplicate_problems(parsed)
    objectives: list[Objective] = []
    composites: list[CompositeObjective] = []
    rules: dict[str, tuple[EventRule, SourceDocument]] = {}
    for item in parsed:
        model = item.model
        if model is None and item.definition.kind == "SLO":
            problems += _raw_slo_refs(item, index)
        elif isinstance(model, AlertPolicyDocument):
            problems += _policy_refs(item.source, model.spec, ("spec",), index)
        elif isinstance(model, SLIDocument):
            problems += _source_refs(item.source, model.spec, ("spec",), index)
        elif isinstance(model, SLODocument):
            found, slo_rules, slo_problems, composite = _resolve_slo(
                item, model, index, build=build
            )
            objectives += found
            composites += [composite] if composite is not None else []
            problems += slo_problems
            for rule in slo_rules:
                known = rules.get(rule.series)
                if known is not None and known[0] != rule:
                    problems.append(
                        at(
                            item.source,
                            ("spec",),
                            code="conflicting-sli",
                            message=f"series {rule.series!r} is also built differently by "
                            f"{known[1].where()}",
                            fix="give differently defined SLIs different names",
                        )
                    )
                rules.setdefault(rule.series, (rule, item.source))
    contracts = resolve_contracts(parsed, objectives=objectives, build=build)
    corrections, correction_problems = resolve_corrections(
        parsed, slos=set(index.by_kind.get("SLO", {})), build=build
    )
    settings, settings_problems = resolve_settings(parsed)
    correction_problems += settings_problems
    return Resolved(
        objectives=tuple(objectives),
        event_rules=tuple(rule for rule, _ in rules.values()),
        problems=problems + contracts.problems + correction_problems,
        contracts=contracts,
        composites=tuple(composites),
        corrections=corrections,
        settings=settings,
    )


def _raw_slo_refs(item: Parsed, index: Index) -> list[Problem]:
    """References of an SLO that failed validation, read from its raw mapping."""
    spec = item.definition.raw.get("spec")
    if not isinstance(spec, dict):
        return []
    problems: list[Problem] = []
    ref = spec.get("indicatorRef")
    if isinstance(ref, str) and index.get("SLI", ref) is None:
        problems.append(_missing(item.source, ("spec", "indicatorRef"), "SLI", ref))
    policies = spec.get("alertPolicies")
    for i, policy in enumerate(policies if isinstance(policies, list) else ()):
        ref = policy.get("alertPolicyRef") if isinstance(policy, dict) else None
        if isinstance(ref, str) and index.get("AlertPolicy", ref) is None:
            path: PathKey = ("spec", "alertPolicies", i, "alertPolicyRef")
            problems.append(_missing(item.source, path, "AlertPolicy", ref))
    return problems


def _missing(doc: SourceDocument, path: PathKey, kind: str, name: str) -> Problem:
    return at(
        doc,
        path,
        code="missing-reference",
        message=f"no {kind} named {name!r} in the workspace",
        fix=f"add {'an' if kind[0] in 'AEIOU' else 'a'} {kind} document named {name!r}, "
        "or fix the name",
    )


def _policy_refs(
    doc: SourceDocument, spec: AlertPolicySpec, path: PathKey, index: Index
) -> list[Problem]:
    problems: list[Problem] = []
    for i, condition in enumerate(spec.conditions):
        ref = condition.condition_ref
        if ref is not None and index.get("AlertCondition", ref) is None:
            problems.append(
                _missing(doc, (*path, "conditions", i, "conditionRef"), "AlertCondition", ref)
            )
    for i, target in enumerate(spec.notification_targets):
        ref = target.target_ref
        if ref is not None and index.get("AlertNotificationTarget", ref) is None:
            problems.append(
                _missing(
                    doc,
                    (*path, "notificationTargets", i, "targetRef"),
                    "AlertNotificationTarget",
                    ref,
                )
            )
    return problems


def _source_refs(doc: SourceDocument, spec: SLISpec, path: PathKey, index: Index) -> list[Problem]:
    metrics: list[tuple[str, MetricSpec | None]] = [("thresholdMetric", spec.threshold_metric)]
    if spec.ratio_metric is not None:
        ratio = spec.ratio_metric
        metrics += [
            (f"ratioMetric.{k}", getattr(ratio, k)) for k in ("good", "bad", "total", "raw")
        ]
    problems: list[Problem] = []
    for key, metric in metrics:
        if metric is None or metric.metric_source.metric_source_ref is None:
            continue
        ref = metric.metric_source.metric_source_ref
        if index.get("DataSource", ref) is None:
            parts = tuple(key.split("."))
            problems.append(
                at(
                    doc,
                    (*path, *parts, "metricSource", "metricSourceRef"),
                    code="unresolved-reference",
                    message=f"no DataSource named {ref!r} in the workspace",
                    fix="add the DataSource if other tools need it; Covenant reads events",
                    severity=WARNING,
                )
            )
    return problems


SLIRef = tuple[str, SLISpec, SLIExtensions, Metadata]


def _resolve_slo(
    item: Parsed, model: SLODocument, index: Index, *, build: bool
) -> tuple[list[Objective], list[EventRule], list[Problem], CompositeObjective | None]:
    """The SLO's objectives; for a composite SLO also its components and the composite.

    An objective with its own ``indicator``/``indicatorRef`` is a *component* of the SLO's
    composite: it is evaluated on its own (key ``slo/<displayName or obj-i>``) and together
    with the other components as the composite (key ``slo``), see docs/semantics.md.
    """
    doc, spec, slo = item.source, model.spec, model.metadata.name
    problems: list[Problem] = []
    if index.get("Service", spec.service) is None:
        problems.append(
            at(
                doc,
                ("spec", "service"),
                code="unresolved-reference",
                message=f"no Service named {spec.service!r} in the workspace",
                fix=f"add a Service document named {spec.service!r}",
                severity=WARNING,
            )
        )
    sli: SLIRef | None = None
    if spec.indicator_ref is not None:
        target = index.get("SLI", spec.indicator_ref)
        if target is None:
            problems.append(_missing(doc, ("spec", "indicatorRef"), "SLI", spec.indicator_ref))
        elif isinstance(target.model, SLIDocument):
            ext, _ = sli_extensions(target.source, target.model.metadata, target.model.spec)
            sli = (spec.indicator_ref, target.model.spec, ext, target.model.metadata)
    elif spec.indicator is not None:
        inline = spec.indicator
        ext, _ = sli_extensions(doc, inline.metadata, inline.spec, ("spec", "indicator"))
        sli = (inline.metadata.name, inline.spec, ext, inline.metadata)
        problems += _source_refs(doc, inline.spec, ("spec", "indicator", "spec"), index)
    conditions, found = _conditions(doc, model, index)
    problems += found
    components: dict[int, SLIRef] = {}
    for i, objective in enumerate(spec.objectives):
        here: PathKey = ("spec", "objectives", i)
        ref = objective.indicator_ref
        if ref is not None:
            target = index.get("SLI", ref)
            if target is None:
                problems.append(_missing(doc, (*here, "indicatorRef"), "SLI", ref))
            elif isinstance(target.model, SLIDocument):
                ext, _ = sli_extensions(target.source, target.model.metadata, target.model.spec)
                components[i] = (ref, target.model.spec, ext, target.model.metadata)
        elif objective.indicator is not None:
            inline = objective.indicator
            ext, _ = sli_extensions(doc, inline.metadata, inline.spec, (*here, "indicator"))
            components[i] = (inline.metadata.name, inline.spec, ext, inline.metadata)
            problems += _source_refs(doc, inline.spec, (*here, "indicator", "spec"), index)
    composite_objectives = [
        i for i, o in enumerate(spec.objectives) if o.indicator or o.indicator_ref
    ]
    method = BudgetingMethod(spec.budgeting_method)
    if composite_objectives and method is BudgetingMethod.RATIO_TIMESLICES:
        problems.append(
            at(
                doc,
                ("spec", "budgetingMethod"),
                code="composite-unsupported",
                message="RatioTimeslices composites are not evaluated; each objective with its "
                "own indicator is evaluated on its own",
                fix="use budgetingMethod Occurrences (weighted) or Timeslices (any-bad) for a "
                "composite",
                severity=WARNING,
            )
        )
    if composite_objectives and sli is None:
        for i in range(len(spec.objectives)):
            if i not in composite_objectives:
                problems.append(
                    at(
                        doc,
                        ("spec", "objectives", i),
                        code="missing-field",
                        message="this objective has no indicator, and neither has the SLO",
                        fix="give the objective an indicatorRef (a composite component), or "
                        "the SLO an indicator",
                    )
                )
    problems += _component_no_data_problems(doc, spec.objectives, components)
    ops = _op_problems(doc, model, sli, components)
    problems += ops
    if (
        not build
        or ops
        or (sli is None and not components)
        or any(p.severity == "error" for p in problems)
    ):
        return [], [], problems, None
    extensions, _ = slo_extensions(doc, model.metadata, spec)
    tiers, found = resolve_tiers(
        doc,
        alerting=extensions.alerting,
        alerting_path=extensions.alerting_path,
        from_conditions=conditions,
    )
    problems += found
    objectives: list[Objective] = []
    rules: list[EventRule] = []
    window = window_of(spec.time_window)
    single = len(spec.objectives) == 1 and not components
    weighted: list[Component] = []
    for i, objective in enumerate(spec.objectives):
        own = components.get(i)
        chosen = own if own is not None else sli
        if chosen is None or ((objective.indicator or objective.indicator_ref) and own is None):
            continue
        sli_name, sli_spec, sli_ext, sli_meta = chosen
        events = sli_ext.events
        if sli_spec.threshold_metric is not None:
            assert objective.op is not None
            assert objective.value is not None
            series = f"{sli_name}:{objective.op}{plain(objective.value)}"
            latency: Comparison | None = Comparison(
                op=Operator(objective.op), threshold=Fraction(objective.value)
            )
        else:
            series = sli_name
            latency = _comparison(events.latency_ms if events else None)
        rules.append(
            EventRule(
                series=series,
                sli=sli_name,
                service=events.service if events else None,
                status=_comparison(events.status if events else None),
                latency_ms=latency,
            )
        )
        if objective.target is not None:
            ratio = Fraction(objective.target)
        else:
            assert objective.target_percent is not None
            ratio = Fraction(objective.target_percent) / 100
        slice_window = objective.time_slice_window
        no_data = extensions.no_data
        if own is not None:
            no_data = _component_no_data(sli_meta) or no_data
        try:
            built = Objective(
                slo=slo,
                name="" if single else (objective.display_name or f"obj-{i}"),
                display_name=objective.display_name or "",
                series=series,
                target=ratio,
                window=window,
                method=method,
                time_slice_target=_fraction(objective.time_slice_target),
                time_slice_window_s=parse_duration(slice_window).seconds if slice_window else None,
                no_data=no_data,
                minimum_events=extensions.minimum_events,
                alert_tiers=tiers,
                service=spec.service,
                sli=sli_name,
            )
        except InputError as exc:
            problems.append(
                at(
                    doc,
                    ("spec", "objectives", i),
                    code="invalid-objective",
                    message=exc.message,
                    fix=exc.hint,
                )
            )
            continue
        objectives.append(built)
        if own is not None:
            weight = objective.composite_weight
            weighted.append(
                Component(objective=built, weight=Fraction(weight) if weight else Fraction(1))
            )
    composite = None
    if weighted and method is not BudgetingMethod.RATIO_TIMESLICES:
        composite, found = _composite(doc, slo, weighted, extensions.minimum_events, tiers)
        problems += found
    return objectives, rules, problems, composite


def _composite(
    doc: SourceDocument,
    slo: str,
    components: list[Component],
    minimum_events: int,
    tiers: tuple[AlertTier, ...],
) -> tuple[CompositeObjective | None, list[Problem]]:
    """The composite over ``components``: the strictest component target, the SLO's window."""
    first = components[0].objective
    try:
        return CompositeObjective(
            objective=Objective(
                slo=slo,
                name="",
                display_name="",
                series=f"{slo}:composite",
                target=max(c.objective.target for c in components),
                window=first.window,
                method=first.method,
                time_slice_target=Fraction(1)
                if first.method is BudgetingMethod.TIMESLICES
                else None,
                time_slice_window_s=first.time_slice_window_s,
                no_data=NoDataPolicy.SKIP,
                minimum_events=minimum_events,
                alert_tiers=tiers,
                service=first.service,
                sli="",
            ),
            components=tuple(components),
        ), []
    except InputError as exc:
        return None, [
            at(
                doc,
                ("spec", "objectives"),
                code="invalid-composite",
                message=exc.message,
                fix=exc.hint,
            )
        ]


def _component_no_data(metadata: Metadata) -> NoDataPolicy | None:
    text = (metadata.annotations or {}).get(NO_DATA_KEY, "").strip()
    return NoDataPolicy(text) if text in {"good", "bad", "skip"} else None


def _component_no_data_problems(
    doc: SourceDocument, objectives: Sequence[ObjectiveSpec], components: dict[int, SLIRef]
) -> list[Problem]:
    """A component SLI's ``covenant.dev/no-data-policy`` annotation must be good/bad/skip."""
    problems: list[Problem] = []
    for i, (_, _, _, metadata) in sorted(components.items()):
        text = (metadata.annotations or {}).get(NO_DATA_KEY)
        if text is not None and text.strip() not in {"good", "bad", "skip"}:
            inline = objectives[i].indicator is not None
            path: PathKey = (
                ("spec", "objectives", i, "indicator", "metadata", "annotations", NO_DATA_KEY)
                if inline
                else ("spec", "objectives", i, "indicatorRef")
            )
            problems.append(
                at(
                    doc,
                    path,
                    code="invalid-annotation",
                    message=f"{NO_DATA_KEY} of a composite component must be good, bad or "
                    f"skip, not {text.strip()!r}",
                    fix="write good, bad or skip",
                )
            )
    return problems


def _op_problems(
    doc: SourceDocument,
    model: SLODocument,
    sli: SLIRef | None,
    components: dict[int, SLIRef] | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    for i, objective in enumerate(model.spec.objectives):
        own = (components or {}).get(i)
        if objective.indicator or objective.indicator_ref:
            if own is None:
                continue
            chosen = own
        elif sli is None:
            continue
        else:
            chosen = sli
        threshold = chosen[1].threshold_metric is not None
        here: PathKey = ("spec", "objectives", i)
        if threshold:
            missing = [
                k for k, v in (("op", objective.op), ("value", objective.value)) if v is None
            ]
            if missing:
                problems.append(
                    at(
                        doc,
                        (*here, missing[0]),
                        code="threshold-needs-op-value",
                        message=f"SLI {chosen[0]!r} is a thresholdMetric: the objective needs "
                        f"{' and '.join(missing)}",
                        fix="add op (lt, lte, gt, gte) and value, e.g. op: lte, value: 300",
                    )
                )
            continue
        for key, given in (("op", objective.op), ("value", objective.value)):
            if given is not None:
                problems.append(
                    at(
                        doc,
                        (*here, key),
                        code="op-on-ratio-objective",
                        message=f"SLI {chosen[0]!r} is a ratioMetric: {key} is forbidden on its "
                        "objectives",
                        fix="remove op/value; they apply to thresholdMetric SLIs",
                    )
                )
                break
    return problems


def _conditions(
    doc: SourceDocument, model: SLODocument, index: Index
) -> tuple[list[AlertTier], list[Problem]]:
    """Tiers from the burn-rate conditions of the SLO's alert policies."""
    tiers: list[AlertTier] = []
    problems: list[Problem] = []
    for i, item in enumerate(model.spec.alert_policies or ()):
        path: PathKey = ("spec", "alertPolicies", i)
        policy: AlertPolicySpec | None = item.spec
        if item.alert_policy_ref is not None:
            target = index.get("AlertPolicy", item.alert_policy_ref)
            if target is None:
                problems.append(
                    _missing(doc, (*path, "alertPolicyRef"), "AlertPolicy", item.alert_policy_ref)
                )
            policy = (
                target.model.spec
                if target and isinstance(target.model, AlertPolicyDocument)
                else None
            )
        elif policy is not None:
            problems += _policy_refs(doc, policy, (*path, "spec"), index)
        for j, condition in enumerate(policy.conditions if policy else ()):
            name, spec = condition.metadata.name if condition.metadata else "", condition.spec
            if condition.condition_ref is not None:
                found = index.get("AlertCondition", condition.condition_ref)
                name = condition.condition_ref
                spec = (
                    found.model.spec
                    if found and isinstance(found.model, AlertConditionDocument)
                    else None
                )
            if spec is None:
                continue
            try:
                tier = tier_from_condition(name, spec)
            except InputError:
                continue  # a bad lookbackWindow is reported on the condition itself
            if tier is None:
                problems.append(
                    at(
                        doc,
                        (*path,) if item.alert_policy_ref else (*path, "spec", "conditions", j),
                        code="alert-condition-ignored",
                        message=f"condition {name!r} alerts on a low burn rate "
                        f"(op {spec.condition.op}); Covenant ignores it",
                        fix="use op: gte (alert when the burn rate reaches the threshold)",
                        severity=WARNING,
                    )
                )
            else:
                tiers.append(tier)
    return tiers, problems


def _comparison(spec: ComparisonSpec | None) -> Comparison | None:
    if spec is None:
        return None
    return Comparison(op=Operator(spec.op), threshold=Fraction(spec.value))


def _fraction(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def plain(value: Decimal) -> str:
    """A number as written without exponent or trailing zeros: 300.0 → ``300``."""
    return format(value.normalize(), "f")
