"""A broken alert policy of an SLO does not hide the SLO's other problems.

Real shape: a BOS-to-OpenSLO mapping guide (an ``openslo.com/v2alpha`` SLO written by hand)
gives both ``target: 0.985`` and ``targetPercent: 98.5`` on its objective, and an inline alert
policy in a flat, pre-v1 form (``conditions: [{kind: burnrate, threshold: 0.98}]``,
``notificationTarget: [...]``). Before, only the policy's problems were reported; the
objective's conflict (OpenSLO: target *or* targetPercent) surfaced only after the policy was
fixed. Expected problems are the OpenSLO spec's, read by hand from the file.
"""

from __future__ import annotations

from tests.definitions.helpers import errors, load_text

BOS = """\
apiVersion: openslo.com/v2alpha
kind: SLO
metadata:
  name: loan-origination-slo
spec:
  service: loan-origination
  sli:
    metadata:
      name: loan-processing-sli
    spec:
      ratioMetric:
        counter: false
        good:
          dataSourceSpec: {type: Splunk}
          spec: {query: 'search status="APPROVED" | stats count'}
        total:
          dataSourceSpec: {type: Splunk}
          spec: {query: 'search eventtype="loan-application" | stats count'}
  objectives:
    - displayName: Primary Processing Target
      target: 0.985
      targetPercent: 98.5
      timeSliceTarget: 0.95
      timeSliceWindow: 1h
  timeWindow:
    - duration: 7d
      isRolling: true
  budgetingMethod: Timeslices
  alertPolicies:
    - metadata:
        name: loan-processing-alert
      spec:
        conditions:
          - kind: burnrate
            threshold: 0.98
        notificationTarget:
          - service: pagerduty
"""


def _errors(text: str) -> list[tuple[str, str]]:
    _, problems = load_text(text)
    return sorted((p.code, p.field) for p in errors(problems))


def test_the_objectives_conflict_is_reported_with_the_policys_problems() -> None:
    assert _errors(BOS) == [
        ("conflicting-fields", "spec.objectives[0].targetPercent"),
        ("invalid-value", "spec.alertPolicies[0].spec.conditions[0].kind"),
        ("unknown-field", "spec.alertPolicies[0].spec.conditions[0].threshold"),
        # one problem: notificationTarget is the missing notificationTargets, misspelt
        ("unknown-field", "spec.alertPolicies[0].spec.notificationTarget"),
    ]


V1 = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout}
spec:
  service: shop
  indicatorRef: nowhere
  timeWindow: [{duration: 24h, isRolling: false}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
  alertPolicies:
    - kind: AlertPolicy
      metadata: {name: fast}
      spec:
        conditions: [{kind: burnrate, threshold: 2, lookbackWindow: 1h}]
        notificationTargets: [{targetRef: pager}]
"""


def test_a_window_and_a_reference_are_reported_beside_a_broken_policy() -> None:
    """A calendar window cannot be 24h long; the SLI the SLO names does not exist; the inline
    policy writes its condition flat (v1 wants {kind: AlertCondition, metadata, spec})."""
    found = _errors(V1)
    assert ("invalid-window", "spec.timeWindow[0].duration") in found
    assert ("missing-reference", "spec.indicatorRef") in found
    assert any(field.startswith("spec.alertPolicies[0]") for _, field in found)


def test_a_policy_document_with_a_broken_condition_is_unchanged() -> None:
    """Only an SLO's policies are checked apart: an AlertPolicy document's own problems are
    its own (nothing else of it to check)."""
    text = """\
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: fast}
spec:
  conditions: [{kind: burnrate, threshold: 2}]
  notificationTargets: [{targetRef: pager}]
"""
    found = _errors(text)
    assert found
    assert all(field.startswith("spec.conditions[0]") for _, field in found)
