"""An SLO's inline alert policy with a schema error still gets its policy checks.

Real shape: an Italian SRE guide's `openslo/api-availability.yaml` (found with the code
search; minimal copy below) inlines one AlertPolicy with two AlertConditions (`kind:
Burnrate`) and no `notificationTargets`. Before, only the schema errors were reported (the
two kinds, the missing targets); "an AlertPolicy holds exactly one condition, found 2"
appeared only once those were fixed — fixing the file revealed a further error. A standalone
AlertPolicy document already had all three said at once. Lines counted by hand.
"""

from __future__ import annotations

from tests.definitions.helpers import errors, load_text

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-gateway-availability
spec:
  service: api-gateway
  indicator:
    metadata:
      name: api-gateway-availability-sli
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource: {type: Prometheus, spec: {query: good}}
        total:
          metricSource: {type: Prometheus, spec: {query: total}}
  objectives:
    - target: 0.999
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  alertPolicies:
    - kind: AlertPolicy
      metadata:
        name: api-availability-burn-rate
      spec:
        conditions:
          - kind: AlertCondition
            metadata:
              name: fast-burn
            spec:
              severity: critical
              condition: {kind: Burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h}
          - kind: AlertCondition
            metadata:
              name: slow-burn
            spec:
              severity: warning
              condition: {kind: Burnrate, op: gt, threshold: 6, lookbackWindow: 6h}
"""


def test_every_policy_problem_is_said_at_once() -> None:
    _, problems = load_text(SLO)
    policy = "spec.alertPolicies[0].spec"
    assert sorted((p.where, p.field, p.code) for p in errors(problems)) == [
        ("ws.yaml:27", f"{policy}.notificationTargets", "missing-field"),
        ("ws.yaml:28", f"{policy}.conditions", "invalid-value"),  # exactly one condition
        ("ws.yaml:34", f"{policy}.conditions[0].spec.condition.kind", "invalid-value"),
        ("ws.yaml:40", f"{policy}.conditions[1].spec.condition.kind", "invalid-value"),
    ]


def test_a_valid_policy_adds_nothing() -> None:
    text = SLO.replace("Burnrate", "burnrate").replace(
        "      spec:\n        conditions:",
        "      spec:\n        notificationTargets: [{targetRef: on-call}]\n        conditions:",
    )
    _, problems = load_text(text)
    (problem,) = errors(problems)
    assert problem.message == "an AlertPolicy holds exactly one condition, found 2"
