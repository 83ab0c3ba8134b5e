"""openslo/v1's own fields in an openslo/v1alpha SLO are refused, as the reference refuses them.

An openslo/v1alpha SLO is read as openslo/v1 after its v1alpha fields are rewritten, and the
fields openslo/v1 added (``timeWindow``, ``alertPolicies``, ``indicatorRef``; an objective's
``targetPercent``, ``timeSliceWindow``, ``indicator``, ``indicatorRef``, ``compositeWeight``)
passed through unnoticed: the Go SDK (``oslo validate``) decodes v1alpha strictly and refuses
them as unknown fields, and a window written ``duration:`` inside ``timeWindows`` already was
refused here. Found while checking OpenSLO/slogen's v1alpha samples, whose missing window drew
the fix "add timeWindow: […]" — openslo/v1's key, which the v1alpha file cannot take; that fix
now writes v1alpha's ``timeWindows``. The expected problems are written by hand.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text

MIXED = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: mixed}
spec:
  service: web
  budgetingMethod: Timeslices
  timeWindow: [{duration: 28d, isRolling: true}]
  alertPolicies: [{alertPolicyRef: page}]
  objectives:
    - displayName: a
      value: 1
      targetPercent: 99
      timeSliceTarget: 0.9
      timeSliceWindow: 5m
      ratioMetrics:
        good: {source: prometheus, queryType: promql, query: good}
        total: {source: prometheus, queryType: promql, query: total}
        incremental: true
"""


def _errors(text: str) -> list[tuple[str, str | None, str, str]]:
    _, problems = analyse_text(text, file="ws.yaml")
    return [(p.where, p.field, p.code, p.fix) for p in problems if p.severity == "error"]


def test_openslo_v1_fields_in_a_v1alpha_slo_are_unknown_fields() -> None:
    assert _errors(MIXED) == [
        (
            "ws.yaml:7",
            "spec.timeWindow",
            "unknown-field",
            "openslo/v1alpha writes timeWindows: [{unit: Day, count: 28, isRolling: true}]; or "
            "write the file as apiVersion: openslo/v1",
        ),
        (
            "ws.yaml:8",
            "spec.alertPolicies",
            "unknown-field",
            "openslo/v1alpha has no alertPolicies: write the file as apiVersion: openslo/v1",
        ),
        (
            "ws.yaml:12",
            "spec.objectives[0].targetPercent",
            "unknown-field",
            "openslo/v1alpha writes target: a ratio (targetPercent: 99 is target: 0.99); or "
            "write the file as apiVersion: openslo/v1",
        ),
        (
            "ws.yaml:14",
            "spec.objectives[0].timeSliceWindow",
            "unknown-field",
            "openslo/v1alpha has no timeSliceWindow (its slices are read as 1m): remove it, or "
            "write the file as apiVersion: openslo/v1",
        ),
    ]


def test_a_v1alpha_slo_without_windows_is_told_v1alphas_key() -> None:
    text = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: hello-openslo}
spec:
  service: hello-openslo-api
  budgetingMethod: Occurrences
  objectives:
    - value: 1
      target: 0.999
      ratioMetrics:
        good: {source: prometheus, queryType: promql, query: good}
        total: {source: prometheus, queryType: promql, query: total}
"""
    _, problems = analyse_text(text, file="ws.yaml")
    assert [(p.where, p.field, p.fix) for p in problems if p.code == "missing-time-window"] == [
        (
            "ws.yaml:4",
            "spec.timeWindows",
            "add timeWindows: [{unit: Day, count: 28, isRolling: true}]",
        )
    ]
