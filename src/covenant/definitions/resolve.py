"""Validated documents → the core model: references followed, objectives and event rules built.

Which references are errors and which are warnings is decided in ``references``; the rules
on objectives that need the resolved SLIs are in ``objective_checks``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from covenant.core.alert_rules import sloth_ids
from covenant.core.composite import Component, CompositeObjective
from covenant.core.model import (
    AlertRouting,
    AlertTier,
    BudgetingMethod,
    Comparison,
    EventRule,
    NoDataPolicy,
    Objective,
    Operator,
)
from covenant.core.promql import is_compatible
from covenant.definitions.alert_routing import alert_routing
from covenant.definitions.alerting import resolve_tiers
from covenant.definitions.contract_model import Contracts
from covenant.definitions.diagnostics import WARNING, at
from covenant.definitions.durations import parse_duration
from covenant.definitions.extensions import sli_extensions, slo_extensions
from covenant.definitions.kinds import CONTRACT_KINDS, CORRECTION_KINDS
from covenant.definitions.objective_checks import (
    SLIRef,
    comparison,
    component_no_data,
    component_no_data_problems,
    fraction,
    op_problems,
    plain,
    stand_in_op_problems,
)
from covenant.definitions.openslo import (
    AlertPolicyDocument,
    SLIDocument,
    SLODocument,
)
from covenant.definitions.parsed import Parsed
from covenant.definitions.references import (
    Index,
    duplicate_problems,
    missing_reference,
    policy_refs,
    policy_tiers,
    raw_slo_refs,
    service_warning,
    source_refs,
    stood_in_service,
)
from covenant.definitions.settings import WorkspaceSettings, resolve_settings
from covenant.definitions.timewindows import window_of
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import InputError, Problem

if TYPE_CHECKING:
    from covenant.definitions.corrections import CorrectionRule
    from covenant.definitions.delivery import DeliveryTarget
    from covenant.definitions.prometheus import PrometheusReads
    from covenant.definitions.routing import NoticeRouting


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolved:
    objectives: tuple[Objective, ...]
    event_rules: tuple[EventRule, ...]
    problems: list[Problem]
    contracts: Contracts = field(default_factory=Contracts)
    composites: tuple[CompositeObjective, ...] = ()
    corrections: tuple[CorrectionRule, ...] = ()
    settings: WorkspaceSettings = field(default_factory=WorkspaceSettings)
    prometheus: PrometheusReads | None = None  # None: the workspace has no DataSource
    delivery: tuple[DeliveryTarget, ...] = ()  # the AlertNotificationTargets Covenant sends to
    routing: NoticeRouting | None = None  # which of them each notice goes to (None: no targets)


def resolve(
    parsed: Sequence[Parsed], *, build: bool, clean: AbstractSet[int] = frozenset()
) -> Resolved:
    """Check references; with ``build`` (no errors so far) also build objectives and rules.
    An SLO in ``clean`` (the ``id`` of a document with no error of its own) is built even when
    another document has an error, so that what only its build finds (a query Prometheus
    cannot count, …) is told with that error, not after it is fixed; the workspace is not used
    either way."""
    index = Index.of(parsed)
    problems = duplicate_problems(parsed)
    objectives: list[Objective] = []
    composites: list[CompositeObjective] = []
    rules: dict[str, tuple[EventRule, SourceDocument]] = {}
    for item in parsed:
        model = item.model
        if model is None and item.definition.kind == "SLO":
            problems += raw_slo_refs(item, index)
            problems += stand_in_op_problems(item.stand_in, index.sli_spec)
            problems += stood_in_service(item.stand_in, index)
        elif isinstance(model, AlertPolicyDocument):
            problems += policy_refs(
                item.source,
                model.spec,
                ("spec",),
                index,
                used_by=index.used_policies.get(item.definition.name),
            )
        elif isinstance(model, SLIDocument):
            problems += source_refs(item.source, model.spec, ("spec",), index)
        elif isinstance(model, SLODocument):
            found, slo_rules, slo_problems, composite = _resolve_slo(
                item, model, index, build=build or id(item) in clean
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
    slos = {item.definition.name: item.source for item in parsed if item.definition.kind == "SLO"}
    problems += sloth_id_problems([*objectives, *(c.objective for c in composites)], slos)
    # the contract and correction code loads only for a workspace that has such documents
    kinds = {item.definition.kind for item in parsed}
    contracts = Contracts()
    if kinds & CONTRACT_KINDS:
        from covenant.definitions.contracts import resolve_contracts  # noqa: PLC0415

        contracts = resolve_contracts(parsed, objectives=objectives, build=build)
    corrections: tuple[CorrectionRule, ...] = ()
    correction_problems: list[Problem] = []
    if kinds & CORRECTION_KINDS:
        from covenant.definitions.corrections import resolve_corrections  # noqa: PLC0415

        corrections, correction_problems = resolve_corrections(
            parsed, slos=set(index.by_kind.get("SLO", {})), build=build
        )
    settings, settings_problems = resolve_settings(parsed)
    correction_problems += settings_problems
    prometheus: PrometheusReads | None = None
    # the Prometheus code loads only for a workspace naming a source or typing one inline
    if "DataSource" in kinds or any(map(_typed_inline, parsed)):
        from covenant.definitions.prometheus import prometheus_reads  # noqa: PLC0415

        prometheus, read_problems = prometheus_reads(
            parsed, objectives=objectives, rules=[rule for rule, _ in rules.values()]
        )
        correction_problems += read_problems
    delivery: tuple[DeliveryTarget, ...] = ()
    routing: NoticeRouting | None = None
    if kinds & {"AlertNotificationTarget", "AlertPolicy"} or any(map(_inline_policy, parsed)):
        from covenant.definitions.delivery import delivery_targets  # noqa: PLC0415
        from covenant.definitions.routing import notice_routing  # noqa: PLC0415

        delivery, delivery_problems = delivery_targets(parsed)
        routing, routing_problems = notice_routing(parsed, delivery)
        routing = routing if delivery else None  # no target of its own: notices not routed
        correction_problems += delivery_problems + routing_problems
    return Resolved(
        objectives=tuple(objectives),
        event_rules=tuple(rule for rule, _ in rules.values()),
        problems=problems + contracts.problems + correction_problems,
        contracts=contracts,
        composites=tuple(composites),
        corrections=corrections,
        settings=settings,
        prometheus=prometheus,
        delivery=delivery,
        routing=routing,
    )


def sloth_id_problems(
    objectives: Sequence[Objective], slos: Mapping[str, SourceDocument]
) -> list[Problem]:
    """An error for each objective whose ``sloth_id`` an earlier one has (``<service>-<slo>``:
    SLO ``c`` of service ``a-b`` and SLO ``b-c`` of service ``a`` too): their rule groups are
    named by it (Prometheus refuses a file that repeats one), and with the same
    ``sloth_service`` and ``sloth_slo`` their recordings, alerts and ``/metrics`` series would
    be one."""
    seen: dict[str, Objective] = {}
    problems: list[Problem] = []
    for o in objectives:
        ids = sloth_ids(o)
        first = seen.setdefault(ids["sloth_id"], o)
        if first is o or o.slo not in slos or first.key == o.key:
            continue  # (the same key twice: two SLOs of one name, an error of its own)
        problems.append(
            at(
                slos[o.slo],
                ("metadata", "name"),
                code="duplicate-name",
                message=f"{_named(o)} has the sloth_id of {_named(first)}, "
                f"{ids['sloth_id']!r} (sloth_service {ids['sloth_service']!r}, sloth_slo "
                f"{ids['sloth_slo']!r}): their rule groups, recordings, alerts and /metrics "
                "series would be the same",
                fix="rename one of them: the SLO (or its covenant.dev/sloth-slo annotation), "
                "its service, or the objective's displayName",
            )
        )
    return problems


def _named(o: Objective) -> str:
    return f"SLO {o.slo!r}" + (f" objective {o.name!r}" if o.name else "")


def _typed_inline(item: Parsed) -> bool:
    """Whether an SLO or SLI types a metricSource Prometheus without naming a DataSource: it
    is read from ingested events, but its queries make Prometheus rules."""
    return item.definition.kind in ("SLO", "SLI") and _typed(item.definition.raw.get("spec"))


def _typed(value: Any) -> bool:
    if isinstance(value, list):
        return any(map(_typed, value))
    if not isinstance(value, dict):
        return False
    source = value.get("metricSource")
    if isinstance(source, dict) and source.get("metricSourceRef") is None:
        kind = source.get("type")
        if isinstance(kind, str) and is_compatible(kind):
            return True
    return any(map(_typed, value.values()))


def _inline_policy(item: Parsed) -> bool:
    """Whether an SLO writes an alert policy inline (which may hold an inline target)."""
    if item.definition.kind != "SLO":
        return False
    spec = item.definition.raw.get("spec")
    policies = spec.get("alertPolicies") if isinstance(spec, dict) else None
    return isinstance(policies, list) and any(isinstance(p, dict) and "spec" in p for p in policies)


def _resolve_slo(
    item: Parsed, model: SLODocument, index: Index, *, build: bool
) -> tuple[list[Objective], list[EventRule], list[Problem], CompositeObjective | None]:
    """The SLO's objectives; for a composite SLO also its components and the composite.

    An objective with its own ``indicator``/``indicatorRef`` is a *component* of the SLO's
    composite: it is evaluated on its own (key ``slo/<displayName or obj-i>``) and together
    with the other components as the composite (key ``slo``), see docs/semantics.md.
    """
    doc, spec, slo = item.source, model.spec, model.metadata.name
    problems = service_warning(doc, spec.service, index)
    sli: SLIRef | None = None
    if spec.indicator_ref is not None:
        target = index.get("SLI", spec.indicator_ref)
        if target is None:
            problems.append(
                missing_reference(doc, ("spec", "indicatorRef"), "SLI", spec.indicator_ref)
            )
        elif isinstance(target.model, SLIDocument):
            ext, _ = sli_extensions(target.source, target.model.metadata, target.model.spec)
            sli = (spec.indicator_ref, target.model.spec, ext, target.model.metadata)
    elif spec.indicator is not None:
        inline = spec.indicator
        ext, _ = sli_extensions(doc, inline.metadata, inline.spec, ("spec", "indicator"))
        sli = (inline.metadata.name, inline.spec, ext, inline.metadata)
        problems += source_refs(doc, inline.spec, ("spec", "indicator", "spec"), index)
    conditions, found = policy_tiers(doc, model, index)
    problems += found
    components: dict[int, SLIRef] = {}
    for i, objective in enumerate(spec.objectives):
        here: PathKey = ("spec", "objectives", i)
        ref = objective.indicator_ref
        if ref is not None:
            target = index.get("SLI", ref)
            if target is None:
                problems.append(missing_reference(doc, (*here, "indicatorRef"), "SLI", ref))
            elif isinstance(target.model, SLIDocument):
                ext, _ = sli_extensions(target.source, target.model.metadata, target.model.spec)
                components[i] = (ref, target.model.spec, ext, target.model.metadata)
        elif objective.indicator is not None:
            inline = objective.indicator
            ext, _ = sli_extensions(doc, inline.metadata, inline.spec, (*here, "indicator"))
            components[i] = (inline.metadata.name, inline.spec, ext, inline.metadata)
            problems += source_refs(doc, inline.spec, (*here, "indicator", "spec"), index)
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
    problems += component_no_data_problems(doc, spec.objectives, components)
    named = {i: c[:2] for i, c in components.items()}
    ops = op_problems(doc, model, None if sli is None else sli[:2], named)
    problems += ops
    if (
        not build
        or ops
        or (sli is None and not components)
        or any(p.severity == "error" for p in problems)
    ):
        return [], [], problems, None
    extensions, _ = slo_extensions(doc, model.metadata, spec)
    routing, found = alert_routing(doc, model.metadata.labels, model.metadata.annotations)
    problems += found
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
            latency = comparison(events.latency_ms if events else None)
        rules.append(
            EventRule(
                series=series,
                sli=sli_name,
                service=events.service if events else None,
                status=comparison(events.status if events else None),
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
            no_data = component_no_data(sli_meta) or no_data
        try:
            built = Objective(
                slo=slo,
                name="" if single else (objective.display_name or f"obj-{i}"),
                display_name=objective.display_name or "",
                series=series,
                target=ratio,
                window=window,
                method=method,
                time_slice_target=fraction(objective.time_slice_target),
                time_slice_window_s=parse_duration(slice_window).seconds if slice_window else None,
                no_data=no_data,
                minimum_events=extensions.minimum_events,
                alert_tiers=tiers,
                service=spec.service,
                sli=sli_name,
                sloth_slo=extensions.sloth_slo,
                sloth_service=extensions.sloth_service,
                routing=routing,
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
        composite, found = _composite(
            doc, slo, weighted, extensions.minimum_events, tiers, extensions.sloth_slo, routing
        )
        problems += found
    return objectives, rules, problems, composite


def _composite(
    doc: SourceDocument,
    slo: str,
    components: list[Component],
    minimum_events: int,
    tiers: tuple[AlertTier, ...],
    sloth_slo: str = "",
    routing: AlertRouting | None = None,
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
                sloth_slo=sloth_slo,
                routing=routing,
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
