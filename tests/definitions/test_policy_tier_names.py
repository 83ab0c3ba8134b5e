"""Two alert conditions of one name in the policies of one SLO.

Each burn-rate condition becomes a tier named after it; two different conditions of one name
would be one tier, the last one read (nobl9/nobl9-openslo's ``v1_alert_policy.yaml`` has two
policies with a condition ``memory-usage-breach``, thresholds 2.0 and 4.0).
"""

from __future__ import annotations

from fractions import Fraction

from tests.definitions.helpers import load_text
from tests.definitions.test_references import SLI

SERVICE = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
spec: {}
"""

FAST = """\
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: fast
spec:
  conditions:
    - kind: AlertCondition
      metadata: {name: burn}
      spec:
        severity: page
        condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h}
  notificationTargets: []
"""

SLOW = (
    FAST.replace("name: fast", "name: slow")
    .replace("severity: page", "severity: ticket")
    .replace("threshold: 14.4, lookbackWindow: 1h", "threshold: 1, lookbackWindow: 3d")
)

SLOW_BY_REF = """\
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: slow
spec:
  conditions:
    - conditionRef: burn
  notificationTargets: []
"""

BURN = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: burn
spec:
  severity: ticket
  condition: {kind: burnrate, op: gte, threshold: 1, lookbackWindow: 3d}
"""

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
spec:
  service: checkout
  indicatorRef: avail
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
  alertPolicies:
    - alertPolicyRef: fast
    - alertPolicyRef: slow
"""


def _workspace(*parts: str) -> str:
    return "---\n".join(parts)


def test_two_different_inline_conditions_of_one_name_are_an_error() -> None:
    # lines: Service 1-5, SLI 7-14, fast 16-27 (burn at 23), slow 29-40 (burn at 36),
    # SLO 42-54 (alertPolicyRef: slow at 54)
    workspace, problems = load_text(_workspace(SERVICE, SLI, FAST, SLOW, SLO))
    assert workspace is None
    (found,) = [p for p in problems if p.severity == "error"]
    assert (found.code, found.field, found.where) == (
        "duplicate-name",
        "spec.alertPolicies[1].alertPolicyRef",
        "ws.yaml:54",
    )
    assert found.message == (
        "SLO 'checkout' has two different alert conditions named 'burn' (each condition "
        "becomes the alert tier of its name): in AlertPolicy 'fast' at ws.yaml:23 and in "
        "AlertPolicy 'slow' at ws.yaml:36"
    )
    assert found.fix == "rename one of the two conditions (and any conditionRef to it)"


def test_an_inline_condition_and_an_alert_condition_document_of_one_name() -> None:
    # lines: Service 1-5, SLI 7-14, fast 16-27 (burn at 23), slow 29-36,
    # AlertCondition 38-44 (name at 41), SLO 46-58 (alertPolicyRef: slow at 58)
    workspace, problems = load_text(_workspace(SERVICE, SLI, FAST, SLOW_BY_REF, BURN, SLO))
    assert workspace is None
    (found,) = [p for p in problems if p.severity == "error"]
    assert (found.code, found.where) == ("duplicate-name", "ws.yaml:58")
    assert "in AlertPolicy 'fast' at ws.yaml:23 and in AlertPolicy 'slow' at ws.yaml:41" in (
        found.message
    )


def test_two_inline_policies_of_the_slo_with_conditions_of_one_name() -> None:
    policies = """\
  alertPolicies:
    - kind: AlertPolicy
      metadata: {name: fast}
      spec:
        conditions:
          - kind: AlertCondition
            metadata: {name: burn}
            spec:
              severity: page
              condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h}
        notificationTargets: []
    - kind: AlertPolicy
      metadata: {name: slow}
      spec:
        conditions:
          - kind: AlertCondition
            metadata: {name: burn}
            spec:
              severity: ticket
              condition: {kind: burnrate, op: gte, threshold: 1, lookbackWindow: 3d}
        notificationTargets: []
"""
    slo = SLO.split("  alertPolicies:\n", maxsplit=1)[0] + policies
    # lines: Service 1-5, SLI 7-14, SLO 16-: alertPolicies at 26, burn at 32 and 42
    workspace, problems = load_text(_workspace(SERVICE, SLI, slo))
    assert workspace is None
    (found,) = [p for p in problems if p.severity == "error"]
    assert (found.code, found.field, found.where) == (
        "duplicate-name",
        "spec.alertPolicies[1].spec.conditions[0].metadata.name",
        "ws.yaml:42",
    )
    assert "in AlertPolicy 'fast' at ws.yaml:32 and in AlertPolicy 'slow' at ws.yaml:42" in (
        found.message
    )


def test_one_alert_condition_referenced_from_two_policies_is_one_tier() -> None:
    fast_by_ref = SLOW_BY_REF.replace("name: slow", "name: fast")
    workspace, problems = load_text(_workspace(SERVICE, SLI, fast_by_ref, SLOW_BY_REF, BURN, SLO))
    assert [p for p in problems if p.severity == "error"] == []
    assert workspace is not None
    (objective,) = workspace.objectives
    ((name, severity, rate, long_s),) = [
        (t.name, t.severity, t.burn_rate, t.long_window_s) for t in objective.alert_tiers
    ]
    assert (name, severity, rate, long_s) == ("burn", "ticket", Fraction(1), 3 * 86400)


def test_identical_inline_conditions_of_one_name_are_one_tier() -> None:
    same = FAST.replace("name: fast", "name: slow")
    workspace, problems = load_text(_workspace(SERVICE, SLI, FAST, same, SLO))
    assert [p for p in problems if p.severity == "error"] == []
    assert workspace is not None
    (objective,) = workspace.objectives
    assert [(t.name, t.severity, t.burn_rate) for t in objective.alert_tiers] == [
        ("burn", "page", Fraction(72, 5))
    ]
