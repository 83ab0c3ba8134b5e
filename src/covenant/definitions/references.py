"""Names across documents: duplicates, references to other documents, alert tiers from policies.

Severities follow the OpenSLO reference (the Go SDK's validation and inliner, `oslo validate`),
see docs/definitions.md:

* A missing SLI (``indicatorRef``), AlertPolicy (``alertPolicyRef``) or AlertCondition that an
  SLO needs is an error: the SLO cannot be evaluated or alerted on.
* A ``conditionRef`` in an AlertPolicy that no SLO uses is a warning (nothing depends on it yet).
* A ``targetRef`` naming no AlertNotificationTarget is a warning: nothing is sent for it.
* ``spec.service`` naming no Service and ``metricSourceRef`` naming no DataSource are warnings:
  Covenant evaluates events, not metric sources.
* The same name twice in one kind is an error for SLO, SLI, AlertPolicy and AlertCondition
  (which one would an SLO use?), a warning for Service, DataSource and AlertNotificationTarget
  (nothing is evaluated from them), and an error for the covenant/v1 kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from covenant.config import STATE_DIR
from covenant.core.model import AlertTier
from covenant.core.promql import is_compatible
from covenant.definitions.alerting import tier_from_condition
from covenant.definitions.articles import with_article
from covenant.definitions.diagnostics import WARNING, at, did_you_mean
from covenant.definitions.openslo import (
    AlertConditionDocument,
    AlertPolicyDocument,
    AlertPolicySpec,
    MetricSpec,
    SLIDocument,
    SLISpec,
    SLODocument,
)
from covenant.definitions.parsed import Parsed, StandIn
from covenant.definitions.source_fit import misfit
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import InputError, Problem

DUPLICATE_IS_WARNING = frozenset({"Service", "DataSource", "AlertNotificationTarget"})
"""Kinds a second copy of is only a warning (the first is used) — unless, for those in
:data:`SPEC_MATTERS`, the copy says something else: which one a reference means is then
unknown (an SLI would read from either server, a page go to either place), an error."""
SPEC_MATTERS = frozenset({"DataSource", "AlertNotificationTarget"})


@dataclass(slots=True)
class Index:
    """First document of each kind and name, and the AlertPolicies some SLO refers to."""

    by_kind: dict[str, dict[str, Parsed]] = field(default_factory=dict)
    used_policies: dict[str, str] = field(default_factory=dict)  # policy → first SLO using it

    @classmethod
    def of(cls, parsed: Iterable[Parsed]) -> Index:
        index = cls()
        for item in parsed:
            names = index.by_kind.setdefault(item.definition.kind, {})
            names.setdefault(item.definition.name, item)
            if item.definition.kind == "SLO":
                for ref in _raw_policy_refs(item):
                    index.used_policies.setdefault(ref, item.definition.name)
        return index

    def get(self, kind: str, name: str) -> Parsed | None:
        return self.by_kind.get(kind, {}).get(name)

    def sli_spec(self, name: str) -> SLISpec | None:
        """The spec of the valid SLI document ``name`` (None: none, or not valid)."""
        found = self.get("SLI", name)
        return found.model.spec if found and isinstance(found.model, SLIDocument) else None


def _raw_policy_refs(item: Parsed) -> list[str]:
    spec = item.definition.raw.get("spec")
    policies = spec.get("alertPolicies") if isinstance(spec, dict) else None
    refs = []
    for policy in policies if isinstance(policies, list) else ():
        ref = policy.get("alertPolicyRef") if isinstance(policy, dict) else None
        if isinstance(ref, str):
            refs.append(ref)
    return refs


def duplicate_problems(parsed: Sequence[Parsed]) -> list[Problem]:
    first: dict[tuple[str, str], Parsed] = {}
    problems: list[Problem] = []
    for item in parsed:
        key = (item.definition.kind, item.definition.name)
        if not item.definition.name:
            continue
        if key in first:
            other = first[key].source
            warning = key[0] in DUPLICATE_IS_WARNING
            differs = key[0] in SPEC_MATTERS and _spec(item) != _spec(first[key])
            where = other.where(("metadata", "name"))
            message = f"{key[0]} {key[1]!r} is defined twice: here and at {where}"
            fix = "rename one of them, or delete the copy"
            if differs:
                message = (
                    f"{key[0]} {key[1]!r} is defined twice, differently: here and at {where} "
                    "(their spec differs, so which one a reference means is unknown)"
                )
                fix = "give them different names (and each reference its own), or keep one"
            elif warning:
                message += "; the first one is used"
            fix += _two_workspaces(item.source.file, other.file)
            problems.append(
                at(
                    item.source,
                    ("metadata", "name"),
                    code="duplicate-name",
                    message=message,
                    fix=fix,
                    severity=WARNING if warning and not differs else "error",
                )
            )
        first.setdefault(key, item)
    return problems


def _two_workspaces(file: str, other: str) -> str:
    """The fix's tail when the two files are of different workspaces (a folder given above
    them both, such as the demo's, whose ``shop/`` holds its own store): name the one to give
    ``-w``; empty when both are of one workspace."""
    mine, theirs = _own_workspace(file), _own_workspace(other)
    if mine == theirs:
        return ""
    folder = mine if mine is not None else theirs
    return (
        f"; or, if the two files are of different workspaces, give -w the one you mean "
        f"({folder} holds its own {STATE_DIR}/)"
    )


def _own_workspace(file: str) -> Path | None:
    """The nearest folder above ``file``, as it is written, that holds a workspace's state
    folder (``.covenant/``)."""
    for folder in Path(file).parents:
        if (folder / STATE_DIR).is_dir():
            return folder
    return None


def _spec(item: Parsed) -> object:
    return item.definition.raw.get("spec")


def missing_reference(doc: SourceDocument, path: PathKey, kind: str, name: str) -> Problem:
    return at(
        doc,
        path,
        code="missing-reference",
        message=f"no {kind} named {name!r} in the workspace",
        fix=f"add {with_article(kind)} document named {name!r}, or fix the name",
    )


def service_warning(doc: SourceDocument, service: str, index: Index) -> list[Problem]:
    """The warning for an SLO whose ``spec.service`` names no Service document."""
    if index.get("Service", service) is not None:
        return []
    return [
        at(
            doc,
            ("spec", "service"),
            code="unresolved-reference",
            message=f"no Service named {service!r} in the workspace",
            fix=f"add a Service document named {service!r}",
            severity=WARNING,
        )
    ]


def stood_in_service(stand: StandIn | None, index: Index) -> list[Problem]:
    """The same for an SLO with a schema error (its stand-in, ``partial``), unless the schema
    refused its ``spec.service``: said with the error, not on the next run."""
    if stand is None or not isinstance(stand.model, SLODocument):
        return []
    if stand.source.broken_at(("spec", "service")):
        return []
    return service_warning(stand.source, stand.model.spec.service, index)


def raw_slo_refs(item: Parsed, index: Index) -> list[Problem]:
    """References of an SLO that failed validation, read from its raw mapping."""
    spec = item.definition.raw.get("spec")
    if not isinstance(spec, dict):
        return []
    problems: list[Problem] = []
    ref = spec.get("indicatorRef")
    if isinstance(ref, str) and index.get("SLI", ref) is None:
        problems.append(missing_reference(item.source, ("spec", "indicatorRef"), "SLI", ref))
    policies = spec.get("alertPolicies")
    for i, policy in enumerate(policies if isinstance(policies, list) else ()):
        ref = policy.get("alertPolicyRef") if isinstance(policy, dict) else None
        if isinstance(ref, str) and index.get("AlertPolicy", ref) is None:
            path: PathKey = ("spec", "alertPolicies", i, "alertPolicyRef")
            problems.append(missing_reference(item.source, path, "AlertPolicy", ref))
    return problems


def policy_refs(
    doc: SourceDocument,
    spec: AlertPolicySpec,
    path: PathKey,
    index: Index,
    *,
    used_by: str | None,
) -> list[Problem]:
    """References of one policy; ``used_by`` names an SLO that needs it (None: no SLO does)."""
    problems: list[Problem] = []
    for i, condition in enumerate(spec.conditions):
        ref = condition.condition_ref
        if ref is None or index.get("AlertCondition", ref) is not None:
            continue
        here = (*path, "conditions", i, "conditionRef")
        if used_by is not None:
            problem = missing_reference(doc, here, "AlertCondition", ref)
            if used_by:
                problem = _with_message(problem, f"{problem.message} (SLO {used_by!r} uses it)")
            problems.append(problem)
        else:
            problems.append(
                at(
                    doc,
                    here,
                    code="unresolved-reference",
                    message=f"no AlertCondition named {ref!r} in the workspace; no SLO uses "
                    "this policy yet",
                    fix=f"add an AlertCondition named {ref!r} before an SLO refers to the policy",
                    severity=WARNING,
                )
            )
    for i, target in enumerate(spec.notification_targets):
        ref = target.target_ref
        if ref is not None and index.get("AlertNotificationTarget", ref) is None:
            problems.append(
                at(
                    doc,
                    (*path, "notificationTargets", i, "targetRef"),
                    code="unresolved-reference",
                    message=f"no AlertNotificationTarget named {ref!r} in the workspace",
                    fix="add the AlertNotificationTarget (Covenant delivers to alertmanager, "
                    "webhook and slack targets: docs/delivery.md), or remove the reference",
                    severity=WARNING,
                )
            )
    return problems


def _with_message(problem: Problem, message: str) -> Problem:
    return Problem(
        code=problem.code,
        message=message,
        where=problem.where,
        field=problem.field,
        fix=problem.fix,
        severity=problem.severity,
    )


def source_refs(doc: SourceDocument, spec: SLISpec, path: PathKey, index: Index) -> list[Problem]:
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
        parts = tuple(key.split("."))
        named = index.get("DataSource", ref)
        if named is not None:
            here = (*path, *parts, "metricSource")
            if (wrong := misfit(doc, here, metric.metric_source.type, ref, named)) is not None:
                problems.append(wrong)
            continue
        guess = did_you_mean(ref, list(index.by_kind.get("DataSource", {})))
        kind = metric.metric_source.type
        fix = (
            f"did you mean {guess!r}? As written, Covenant reads this SLI from ingested "
            "events, not from a DataSource"
            if guess
            else f"add a DataSource named {ref!r} (spec.type: {kind}, "
            "spec.connectionDetails.url: the server's URL) for Covenant to read these queries "
            "from it; as written it reads this SLI from ingested events"
            if is_compatible(kind)
            else "add the DataSource if other tools need it; Covenant reads this SLI "
            "from ingested events"
        )
        problems.append(
            at(
                doc,
                (*path, *parts, "metricSource", "metricSourceRef"),
                code="unresolved-reference",
                message=f"no DataSource named {ref!r} in the workspace",
                fix=fix,
                severity=WARNING,
            )
        )
    return problems


def policy_tiers(
    doc: SourceDocument, model: SLODocument, index: Index
) -> tuple[list[AlertTier], list[Problem]]:
    """Tiers from the burn-rate conditions of the SLO's alert policies (and their problems).

    A tier is named after its condition: two different conditions of one name (in two of the
    SLO's policies) are a ``duplicate-name`` error, as one would replace the other; the same
    condition twice (one AlertCondition in two policies, or identical copies) is one tier.
    """
    tiers: list[AlertTier] = []
    seen: dict[str, tuple[AlertTier, str]] = {}  # tier name → (tier, "in AlertPolicy … at …")
    problems: list[Problem] = []
    for i, item in enumerate(model.spec.alert_policies or ()):
        path: PathKey = ("spec", "alertPolicies", i)
        policy: AlertPolicySpec | None = item.spec
        source, base = doc, (*path, "spec")
        policy_name = item.metadata.name if item.metadata else ""
        if item.alert_policy_ref is not None:
            target = index.get("AlertPolicy", item.alert_policy_ref)
            if target is None:
                problems.append(
                    missing_reference(
                        doc, (*path, "alertPolicyRef"), "AlertPolicy", item.alert_policy_ref
                    )
                )
            policy = (
                target.model.spec
                if target and isinstance(target.model, AlertPolicyDocument)
                else None
            )
            source = target.source if target else doc
            base, policy_name = ("spec",), item.alert_policy_ref
        elif policy is not None:
            problems += policy_refs(doc, policy, (*path, "spec"), index, used_by="")
        for j, condition in enumerate(policy.conditions if policy else ()):
            name, spec = condition.metadata.name if condition.metadata else "", condition.spec
            where = source.where((*base, "conditions", j, "metadata", "name"))
            if condition.condition_ref is not None:
                found = index.get("AlertCondition", condition.condition_ref)
                name = condition.condition_ref
                spec = (
                    found.model.spec
                    if found and isinstance(found.model, AlertConditionDocument)
                    else None
                )
                where = found.source.where(("metadata", "name")) if found else where
            if spec is None:
                continue
            try:
                tier = tier_from_condition(name, spec)
            except InputError:
                continue  # a bad lookbackWindow is reported on the condition itself
            here = (*path,) if item.alert_policy_ref else (*path, "spec", "conditions", j)
            if tier is None:
                problems.append(
                    at(
                        doc,
                        here,
                        code="alert-condition-ignored",
                        message=f"condition {name!r} alerts on a low burn rate "
                        f"(op {spec.condition.op}); Covenant ignores it",
                        fix="use op: gte (alert when the burn rate reaches the threshold)",
                        severity=WARNING,
                    )
                )
                continue
            place = f"in AlertPolicy {policy_name!r} at {where}"
            if name not in seen:
                seen[name] = (tier, place)
                tiers.append(tier)
            elif seen[name][0] != tier:
                problems.append(
                    _two_conditions(
                        doc,
                        model,
                        here,
                        name,
                        (seen[name][1], place),
                        inline=not item.alert_policy_ref,
                    )
                )
    return tiers, problems


def _two_conditions(
    doc: SourceDocument,
    model: SLODocument,
    here: PathKey,
    name: str,
    places: tuple[str, str],
    *,
    inline: bool,
) -> Problem:
    return at(
        doc,
        (*here, "metadata", "name") if inline else (*here, "alertPolicyRef"),
        code="duplicate-name",
        message=f"SLO {model.metadata.name!r} has two different alert conditions named "
        f"{name!r} (each condition becomes the alert tier of its name): {places[0]} and "
        f"{places[1]}",
        fix="rename one of the two conditions (and any conditionRef to it)",
    )
