"""A document's schema problems no longer hide its own checks: every problem in one run.

Across documents ``validate`` said every problem at once, but within one document a single
field pydantic refused (a target of 1.5, a misspelt budgetingMethod, a quoted "yes") kept the
checks that relate its fields ("Timeslices needs timeSliceWindow", two objectives of one name,
target and targetPercent both given, a lookbackWindow without fixed length) from running: they
surfaced one fix later. Now they run on the valid parts (``definitions.partial``); a check
that reads a refused field is skipped, so nothing is said twice or made up from it.

The expected problems are written by hand from the workspace, line by line.
"""

from __future__ import annotations

from pathlib import Path

from covenant.definitions.workspace import analyse, analyse_text

WORKSPACE = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: web}
spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: web-slo}
spec:
  service: web
  descripton: checkout
  indicatorRef: missing-sli
  budgetingMethod: Timeslices
  timeWindow:
    - duration: 28d
      isRolling: "yes"
  objectives:
    - displayName: fast
      target: 1.5
      timeSliceTarget: 0.95
    - displayName: fast
      targetPercent: 99
      timeSliceTarget: 0.9
      timeSliceWindow: 1m
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: avail}
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {type: Prometheus, spec: {query: good}}}
    total: {metricSource: {type: Prometheus, spec: {query: total}}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api-slo}
spec:
  service: web
  indicatorRef: avail
  budgetingMethod: Timeslice
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives:
    - target: 0.99
      targetPercent: 99
      timeSliceWindow: 1m
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: burn}
spec:
  severity: [page]
  condition: {kind: burnrate, op: gte, threshold: 0, lookbackWindow: 1M}
"""

EXPECTED = [
    # web-slo: a misspelt optional field, a missing SLI, a quoted "yes", a target of 1.5 ...
    ("ws.yaml:11", "spec.descripton", "unknown-field"),
    ("ws.yaml:12", "spec.indicatorRef", "missing-reference"),
    ("ws.yaml:16", "spec.timeWindow[0].isRolling", "invalid-type"),
    # ... and what its own checks find beside them: Timeslices needs a slice window on
    # objectives[0] (said at the objective: the key is not written), one displayName twice
    ("ws.yaml:18", "spec.objectives[0].timeSliceWindow", "missing-field"),
    ("ws.yaml:19", "spec.objectives[0].target", "target-out-of-range"),
    ("ws.yaml:21", "spec.objectives[1].displayName", "duplicate-name"),
    # api-slo: budgetingMethod misspelt; target and targetPercent both given. Nothing that
    # depends on the method (timeSliceWindow ignored, timeSliceTarget missing) is guessed.
    ("ws.yaml:41", "spec.budgetingMethod", "invalid-value"),
    ("ws.yaml:45", "spec.objectives[0].targetPercent", "conflicting-fields"),
    # the AlertCondition: a list for severity; lookbackWindow 1M (a month) has no fixed
    # length; threshold 0 with op gte fires in every window
    ("ws.yaml:52", "spec.severity", "invalid-type"),
    ("ws.yaml:53", "spec.condition.lookbackWindow", "invalid-duration"),
    ("ws.yaml:53", "spec.condition.threshold", "invalid-value"),
]


def test_every_problem_of_every_document_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "ws.yaml").write_text(WORKSPACE, encoding="utf-8")
    workspace, problems = analyse([tmp_path])
    assert workspace is None
    found = [(p.where.removeprefix(f"{tmp_path}/"), p.field, p.code) for p in problems]
    assert found == EXPECTED
    assert all(p.severity == "error" and p.fix for p in problems)


def test_a_required_field_refused_or_missing_leaves_the_rest_checked() -> None:
    """``service`` missing (required) and ``condition`` not a mapping (a required model):
    stood in for, they do not keep the objective's conflict or the policy's count from
    being said, and nothing is said about the stand-ins."""
    text = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: a}
spec:
  indicatorRef: avail
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives:
    - {target: 0.99, targetPercent: 99}
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: burn}
spec:
  severity: page
  condition: 5
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: page}
spec:
  alertWhenNoData: maybe
  conditions: [{conditionRef: burn}, {conditionRef: burn}]
  notificationTargets: []
"""
    _, problems = analyse_text(text, file="ws.yaml")
    found = [(p.where, p.field, p.code) for p in problems if p.code != "missing-reference"]
    assert found == [
        ("ws.yaml:4", "spec.service", "missing-field"),
        ("ws.yaml:9", "spec.objectives[0].targetPercent", "conflicting-fields"),
        ("ws.yaml:16", "spec.condition", "invalid-type"),
        ("ws.yaml:22", "spec.alertWhenNoData", "invalid-type"),
        ("ws.yaml:23", "spec.conditions", "invalid-value"),
    ]
