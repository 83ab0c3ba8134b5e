"""Two fields of an ``openslo.com/v2alpha`` SLO that have no place in openslo/v1, read as the
v2alpha Go SDK types them (OpenSLO/OpenSLO pkg/openslo/v2alpha/slo.go):

- ``spec.alertPolicies`` is ``[]string``, the names of AlertPolicy documents ("We will make it
  a ref for now", OpenSLO issue 133): each name is read as v1's ``alertPolicyRef``. Covenant
  refused it as "expected a mapping here".
- an objective's ``labels`` (``Objective.Labels``) exist in v2alpha only: they were refused
  as "labels belong in metadata (metadata.labels): move them there". They are checked as
  v2alpha labels and dropped, noted (they do not change what is measured).

Lines are counted by hand from the text below.
"""

from __future__ import annotations

from fractions import Fraction

from covenant.definitions.workspace import analyse_text
from covenant.errors import Problem

SLO = """\
apiVersion: openslo.com/v2alpha
kind: SLO
metadata:
  name: web-availability
spec:
  service: web
  sli:
    metadata:
      name: web-ratio
    spec:
      ratioMetric:
        counter: true
        good:
          dataSourceSpec: {type: Prometheus}
          spec: {query: good}
        total:
          dataSourceSpec: {type: Prometheus}
          spec: {query: total}
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      labels: {tier: gold}
      target: 0.995
  alertPolicies:
    - high-priority
---
apiVersion: openslo.com/v2alpha
kind: AlertPolicy
metadata:
  name: high-priority
spec:
  conditions:
    - kind: AlertCondition
      metadata: {name: fast-burn}
      spec:
        severity: page
        condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h}
  notificationTargets:
    - kind: AlertNotificationTarget
      metadata: {name: on-call}
      spec: {target: slack}
"""


def _problems(text: str) -> list[Problem]:
    _, problems = analyse_text(text, file="ws.yaml")
    return problems


def test_the_sdk_s_alert_policy_names_and_objective_labels_are_valid() -> None:
    assert [p for p in _problems(SLO) if p.severity == "error"] == []


def test_a_named_alert_policy_is_read_as_a_reference_and_used() -> None:
    workspace, _ = analyse_text(SLO, file="ws.yaml")
    assert workspace is not None
    (objective,) = workspace.objectives
    # the policy's one condition is the SLO's one tier: fast-burn, 1h, 14.4 (= 72/5)
    assert [(t.name, t.long_window_s, t.burn_rate) for t in objective.alert_tiers] == [
        ("fast-burn", 3600, Fraction(72, 5))
    ]


def test_each_reading_is_noted_at_its_line() -> None:
    notes = {
        (p.where, p.field)
        for p in _problems(SLO)
        if p.code == "converted-api-version" and p.field != "apiVersion"
    }
    assert ("ws.yaml:28", "spec.alertPolicies[0]") in notes
    assert ("ws.yaml:25", "spec.objectives[0].labels") in notes


def test_a_bad_objective_label_is_refused_as_v2alpha_labels_are() -> None:
    (problem,) = [
        p
        for p in _problems(SLO.replace("{tier: gold}", "{tier: Gold Tier}"))
        if p.severity == "error"
    ]
    assert (problem.where, problem.field) == ("ws.yaml:25", "spec.objectives[0].labels.tier")
    assert problem.fix.endswith("e.g. tier: gold-tier")
