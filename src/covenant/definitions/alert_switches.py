"""The OpenSLO AlertPolicy switches per SLO tier, as the generated Prometheus rules need them.

The worker applies ``alertWhenBreaching``, ``alertWhenNoData`` and ``alertWhenResolved`` per
delivery target (``definitions.routing``). Prometheus has no targets — Alertmanager routes its
alerts — so the rules need the switches per tier, whatever the targets:

- a tier made from a policy's condition is covered by the policies that list that condition;
  any other tier of the SLO (the defaults, an ``alerting.tiers`` addition) by all its policies,
  as ``definitions.routing`` routes them;
- ``breaching``: some covering policy does not say ``alertWhenBreaching: false`` (an SLO
  without policies: true);
- ``no_data``: some covering policy says ``alertWhenNoData: true``;
- ``resolved``: some covering policy does not say ``alertWhenResolved: false``.

Read from the documents as written (the workspace has validated them already).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from covenant.core.alert_rules import TierSwitches
from covenant.definitions.parsed import Definition

DEFAULT = TierSwitches()


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertSwitches:
    """The switches of every SLO's tiers (:meth:`of`)."""

    by_slo: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    by_tier: Mapping[tuple[str, str], tuple[Mapping[str, Any], ...]] = field(default_factory=dict)

    def of(self, slo: str, tier: str) -> TierSwitches:
        """The switches of ``slo``'s ``tier`` (an SLO without alert policies: the defaults)."""
        policies = self.by_tier.get((slo, tier))
        if policies is None:
            policies = self.by_slo.get(slo)
        if policies is None:
            return DEFAULT
        return TierSwitches(
            breaching=any(p.get("alertWhenBreaching") is not False for p in policies),
            no_data=any(p.get("alertWhenNoData") is True for p in policies),
            resolved=any(p.get("alertWhenResolved") is not False for p in policies),
        )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _name(item: Mapping[str, Any], ref: str) -> str | None:
    name = item.get(ref) or _mapping(item.get("metadata")).get("name")
    return name if isinstance(name, str) else None


def alert_switches(documents: Iterable[Definition]) -> AlertSwitches:
    """The switches of every SLO in ``documents`` that has ``alertPolicies``."""
    docs = list(documents)
    named = {d.name: _mapping(d.raw.get("spec")) for d in docs if d.kind == "AlertPolicy"}
    by_slo: dict[str, list[Mapping[str, Any]]] = {}
    by_tier: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for d in docs:
        if d.kind != "SLO":
            continue
        entries = _mapping(d.raw.get("spec")).get("alertPolicies") or []
        for written in entries if isinstance(entries, list) else []:
            entry = _mapping(written)
            ref = entry.get("alertPolicyRef")
            policy = named.get(ref) if isinstance(ref, str) else _mapping(entry.get("spec"))
            if policy is None:  # an unknown reference: reported where it is written
                continue
            by_slo.setdefault(d.name, []).append(policy)
            conditions = policy.get("conditions") or []
            for condition in conditions if isinstance(conditions, list) else []:
                name = _name(_mapping(condition), "conditionRef")
                if name:
                    by_tier.setdefault((d.name, name), []).append(policy)
    return AlertSwitches(
        by_slo={k: tuple(v) for k, v in by_slo.items()},
        by_tier={k: tuple(v) for k, v in by_tier.items()},
    )
