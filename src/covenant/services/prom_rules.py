"""``covenant rules prometheus``: the workspace's objectives as Prometheus rules.

Every objective either gets rules or is reported with the reason it has none (its data is not
in Prometheus, its query has no count form, its budgeting method or window has no PromQL form).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from covenant.definitions.alert_switches import alert_switches
from covenant.definitions.workspace import Workspace, load_workspace
from covenant.errors import NotFoundError
from covenant.render.prom_rules import RuleTarget, rule_groups, rules_yaml
from covenant.render.prom_windows import unsupported


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsupported:
    """Why an objective gets no Prometheus rules."""

    objective: str  # the objective's key
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RulePlan:
    """The objectives that get rules and those that do not (with why)."""

    targets: tuple[RuleTarget, ...]
    skipped: tuple[Unsupported, ...]


def plan_rules(workspace: Workspace, *, slos: Sequence[str] = ()) -> RulePlan:
    """Which objectives of ``workspace`` (or of the SLOs named) get rules, and why not."""
    wanted = set(slos)
    known = {o.slo for o in workspace.objectives} | {c.objective.slo for c in workspace.composites}
    missing = sorted(wanted - known)
    if missing:
        raise NotFoundError(
            f"no SLO named {', '.join(map(repr, missing))} in the workspace",
            hint="run covenant evaluate to list the SLOs",
        )
    reads = workspace.prometheus
    by_series = {q.series: q for q in reads.reads} if reads is not None else {}
    unreadable = reads.unreadable if reads is not None else {}
    targets: list[RuleTarget] = []
    skipped: list[Unsupported] = []
    switches = alert_switches(workspace.documents)
    for o in workspace.objectives:
        if wanted and o.slo not in wanted:
            continue
        found = by_series.get(o.series)
        if found is None:
            why = unreadable.get(o.slo) or (
                f"SLI {o.sli!r}: its metricSources name no Prometheus DataSource (metricSourceRef)"
            )
            skipped.append(Unsupported(objective=o.key, reason=why))
            continue
        reason = unsupported(o)
        if reason is not None:
            skipped.append(Unsupported(objective=o.key, reason=reason))
            continue
        tiers = {t.name: switches.of(o.slo, t.name) for t in o.alert_tiers}
        targets.append(RuleTarget(objective=o, counts=found, switches=tiers))
    skipped.extend(
        Unsupported(
            objective=c.objective.key,
            reason="a composite SLO: its objectives get rules one by one; the weighted "
            "composite is computed by Covenant only",
        )
        for c in workspace.composites
        if not wanted or c.objective.slo in wanted
    )
    return RulePlan(targets=tuple(targets), skipped=tuple(skipped))


def prometheus_rules(
    workspace_path: Path,
    *,
    slos: Sequence[str] = (),
    operator: bool = False,
    metadata: Mapping[str, Any] | None = None,
) -> tuple[str, RulePlan]:
    """The rule file text (or a ``PrometheusRule``, ``metadata`` its ``rules_yaml`` name,
    namespace and labels) and the plan it was written from."""
    plan = plan_rules(load_workspace(workspace_path), slos=slos)
    return rules_yaml(rule_groups(plan.targets), operator=operator, **(metadata or {})), plan
