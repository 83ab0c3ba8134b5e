"""Which delivery targets each alert notice goes to (docs/delivery.md, "Which notices go where").

- A burn-rate notice of an SLO that has OpenSLO ``alertPolicies`` goes to the
  ``notificationTargets`` of those policies: a tier made from a policy's condition to that
  policy's targets, any other tier of the SLO (the defaults, an ``alerting.tiers`` addition) to
  the targets of all its policies. Nothing else gets it.
- A notice about an agreement (ticket at risk or breached, forecast credit tier, claim deadline)
  goes to its customer's ``notificationTargets`` (the ``covenant/v1`` ``Customer`` document),
  plus every customer-facing target (``audience: customer``) of that customer.
- A notice nothing above routes (an SLO without alert policies, a customer without
  ``notificationTargets``) goes to the workspace's default targets: the ``Settings`` document's
  ``notificationTargets`` when it has them, else every internal target that no AlertPolicy and
  no Customer names (so a workspace that routes nothing sends everything everywhere, as before).

A policy with ``alertWhenResolved: false`` keeps the resolutions of its alerts from its targets
(unless another policy of the tier sends them too); an Alertmanager target still gets them
(``services.delivery``: Alertmanager must hear an alert end).

A policy with ``alertWhenBreaching: false`` sends its targets no burn-rate alert (they get the
tier's alerts only through another policy); one with ``alertWhenNoData: true`` sends its
targets the ``no-data`` alert of its tier (``core.alert_rules.no_data_conditions``). Absent,
``alertWhenBreaching`` is true and ``alertWhenNoData`` false.

Only targets Covenant delivers to are kept (an ``email`` target is warned about where it is
defined); a name that is no AlertNotificationTarget at all is a warning where it is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from covenant.definitions.articles import with_article
from covenant.definitions.diagnostics import WARNING, at
from covenant.definitions.openslo import AlertPolicyDocument, AlertPolicySpec, SLODocument
from covenant.errors import Problem

if TYPE_CHECKING:
    from covenant.definitions.delivery import DeliveryTarget
    from covenant.definitions.parsed import Parsed


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeRouting:
    """Target names per SLO tier, per SLO, per customer, and the default ones."""

    by_tier: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    by_slo: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # SLOs with policies
    by_customer: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    customer_facing: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    default: tuple[str, ...] = ()
    # targets whose every policy for the tier (or SLO) says alertWhenResolved: false
    unresolved_tier: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    unresolved_slo: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # targets of the policies with alertWhenNoData: true, per SLO tier and per SLO
    no_data_tier: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    no_data_slo: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def without_resolution(self, slo: str, tier: str) -> frozenset[str]:
        """Targets that do not get the resolution of ``slo``'s ``tier`` (OpenSLO
        ``alertWhenResolved: false`` in every policy that sends them the alert)."""
        if (slo, tier) in self.by_tier:
            return self.unresolved_tier.get((slo, tier), frozenset())
        return self.unresolved_slo.get(slo, frozenset())

    def for_tier(self, slo: str, tier: str) -> tuple[str, ...]:
        """Where the burn-rate notice of ``slo``'s ``tier`` goes."""
        if slo not in self.by_slo:
            return self.default
        return self.by_tier.get((slo, tier), self.by_slo[slo])

    def for_no_data(self, slo: str, tier: str) -> tuple[str, ...]:
        """Where the no-data notice of ``slo``'s ``tier`` goes: the targets of the policies
        (of that tier, else of the SLO) with ``alertWhenNoData: true``; none without one."""
        if (slo, tier) in self.by_tier:
            return self.no_data_tier.get((slo, tier), ())
        return self.no_data_slo.get(slo, ())

    def for_customer(self, customer: str | None) -> tuple[str, ...]:
        """Where a notice about an agreement of ``customer`` (its Customer's name) goes."""
        if customer is None:
            return self.default
        own = self.by_customer.get(customer, self.default)
        return _unique((*own, *self.customer_facing.get(customer, ())))


def _unique(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def notice_routing(
    parsed: Sequence[Parsed], targets: Sequence[DeliveryTarget]
) -> tuple[NoticeRouting, list[Problem]]:
    """The workspace's routing, and warnings for target names that name no target."""
    delivered = {t.name for t in targets}
    policies = {
        item.definition.name: item.model.spec
        for item in parsed
        if isinstance(item.model, AlertPolicyDocument)
    }
    by_tier: dict[tuple[str, str], list[str]] = {}
    by_slo: dict[str, list[str]] = {}
    no_data: dict[object, list[str]] = {}  # (slo, tier) or slo → alertWhenNoData targets
    reached: dict[str, list[str]] = {}  # every target an SLO's policies name
    resolved: dict[object, tuple[set[str], set[str]]] = {}  # (slo, tier) or slo → (yes, no)
    named: set[str] = set()
    problems: list[Problem] = []
    for item in parsed:
        if not isinstance(item.model, SLODocument) or not item.model.spec.alert_policies:
            continue
        slo = item.model.metadata.name
        for entry in item.model.spec.alert_policies:
            policy: AlertPolicySpec | None = entry.spec
            if entry.alert_policy_ref is not None:
                policy = policies.get(entry.alert_policy_ref)
            names = _policy_targets(policy)
            named.update(names)
            reached.setdefault(slo, []).extend(names)
            breaching = [] if policy is not None and policy.alert_when_breaching is False else names
            quiet = [] if policy is None or policy.alert_when_no_data is not True else names
            by_slo.setdefault(slo, []).extend(breaching)
            no_data.setdefault(slo, []).extend(quiet)
            told = 1 if policy is not None and policy.alert_when_resolved is False else 0
            resolved.setdefault(slo, (set(), set()))[told].update(names)
            for condition in policy.conditions if policy else ():
                cname = condition.condition_ref or (
                    condition.metadata.name if condition.metadata else ""
                )
                by_tier.setdefault((slo, cname), []).extend(breaching)
                no_data.setdefault((slo, cname), []).extend(quiet)
                resolved.setdefault((slo, cname), (set(), set()))[told].update(names)
        if delivered and not delivered.intersection(reached.get(slo, ())):
            problems.append(
                at(
                    item.source,
                    ("spec", "alertPolicies"),
                    code="alerts-not-routed",
                    message=f"the alert policies of SLO {slo!r} name no target Covenant "
                    "delivers to: its alerts are not sent",
                    fix="name a delivered AlertNotificationTarget (alertmanager, webhook or "
                    "slack with a covenant.dev/delivery annotation) in a policy's "
                    "notificationTargets",
                    severity=WARNING,
                )
            )
    named.update(n for spec in policies.values() for n in _policy_targets(spec))
    by_customer: dict[str, tuple[str, ...]] = {}
    default: tuple[str, ...] | None = None
    known = {item.definition.name for item in parsed if item.definition.kind == _TARGET}
    for item in parsed:
        kind, model = item.definition.kind, item.model
        spec = getattr(model, "spec", None)
        listed: list[str] | None = getattr(spec, "notification_targets", None)
        if kind not in {"Customer", "Settings"} or listed is None:
            continue
        names = listed
        problems += _unknown(item, names, known)
        if kind == "Customer":  # read by kind: the contract models load only when needed
            named.update(names)
            by_customer[item.definition.name] = _unique([n for n in names if n in delivered])
        elif default is None:
            default = _unique([n for n in names if n in delivered])
    if default is None:
        default = tuple(t.name for t in targets if t.audience == "internal" and t.name not in named)
    facing: dict[str, list[str]] = {}
    for t in targets:
        if t.audience == "customer" and t.customer:
            facing.setdefault(t.customer, []).append(t.name)
    return NoticeRouting(
        by_tier={k: _unique([n for n in v if n in delivered]) for k, v in by_tier.items()},
        by_slo={k: _unique([n for n in v if n in delivered]) for k, v in by_slo.items()},
        by_customer=by_customer,
        customer_facing={k: tuple(v) for k, v in facing.items()},
        default=default,
        unresolved_tier={
            k: frozenset(no - yes)
            for k, (yes, no) in resolved.items()
            if isinstance(k, tuple) and no - yes
        },
        no_data_tier={
            k: _unique([n for n in v if n in delivered])
            for k, v in no_data.items()
            if isinstance(k, tuple)
        },
        no_data_slo={
            k: _unique([n for n in v if n in delivered])
            for k, v in no_data.items()
            if isinstance(k, str)
        },
        unresolved_slo={
            k: frozenset(no - yes)
            for k, (yes, no) in resolved.items()
            if isinstance(k, str) and no - yes
        },
    ), problems


_TARGET = "AlertNotificationTarget"


def _policy_targets(policy: AlertPolicySpec | None) -> list[str]:
    if policy is None:
        return []
    names: list[str] = []
    for t in policy.notification_targets:
        name = t.target_ref or (t.metadata.name if t.metadata else None)
        if name:
            names.append(name)
    return names


def _unknown(item: Parsed, names: Sequence[str], known: set[str]) -> list[Problem]:
    return [
        at(
            item.source,
            ("spec", "notificationTargets", i),
            code="unresolved-reference",
            message=f"no {_TARGET} named {name!r} in the workspace: nothing is sent to it",
            fix=f"add {with_article(_TARGET)} document named {name!r}, or fix the name",
            severity=WARNING,
        )
        for i, name in enumerate(names)
        if name not in known
    ]
