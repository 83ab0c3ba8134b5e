"""An objective's op/value is checked against its SLI when another field of the SLO is wrong.

Found in OpenSLO/slogen's ``samples/sumologic/v1/th-based/logs-window-threshold-based.yaml``:
a thresholdMetric SLO whose objective has no ``op``/``value`` and whose window says
``duration: Week``. ``validate`` named the window, the time-slice fields and the name, but not
the missing ``op``/``value``: that check ran only once the SLO validated, so it surfaced one
fix later, though docs/definitions.md says a wrong field hides none of the document's other
problems and only a *broken SLI* keeps the op/value check from being made.

The expected problems are written by hand from each workspace, line by line.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text

INLINE = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: drift}
spec:
  service: tsat
  budgetingMethod: Occurrences
  indicator:
    metadata: {name: lat}
    spec:
      thresholdMetric:
        metricSource: {type: sumologic-logs, spec: {query: q}}
  timeWindow:
    - duration: Week
      isRolling: true
  objectives:
    - displayName: fast
      target: 0.98
"""


def _found(text: str) -> list[tuple[str, str | None, str]]:
    _, problems = analyse_text(text, file="ws.yaml")
    return [(p.where, p.field, p.code) for p in problems if p.severity == "error"]


def test_an_inline_threshold_sli_needs_op_and_value_beside_a_wrong_window() -> None:
    assert _found(INLINE) == [
        ("ws.yaml:13", "spec.timeWindow[0].duration", "invalid-duration"),
        ("ws.yaml:16", "spec.objectives[0].op", "threshold-needs-op-value"),
    ]


def test_a_referenced_threshold_sli_and_a_composite_component_are_checked_too() -> None:
    """``indicatorRef`` (SLO level) and an objective's own ``indicatorRef`` name SLIs of other
    documents; with the window wrong, op/value is still checked against them."""
    text = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: a}
spec:
  service: tsat
  budgetingMethod: Occurrences
  indicatorRef: lat
  timeWindow: [{duration: Week, isRolling: true}]
  objectives:
    - target: 0.98
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: b}
spec:
  service: tsat
  budgetingMethod: Occurrences
  timeWindow: [{duration: Week, isRolling: true}]
  objectives:
    - {target: 0.98, indicatorRef: lat, op: lte, value: 300}
    - {target: 0.99, indicatorRef: ok, op: lte, value: 300}
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: lat}
spec:
  thresholdMetric: {metricSource: {type: x, spec: {query: q}}}
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: ok}
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {type: x, spec: {query: g}}}
    total: {metricSource: {type: x, spec: {query: t}}}
"""
    assert _found(text) == [
        ("ws.yaml:8", "spec.timeWindow[0].duration", "invalid-duration"),
        ("ws.yaml:10", "spec.objectives[0].op", "threshold-needs-op-value"),
        ("ws.yaml:18", "spec.timeWindow[0].duration", "invalid-duration"),
        ("ws.yaml:21", "spec.objectives[1].op", "op-on-ratio-objective"),
    ]


def test_nothing_is_said_about_a_wrong_op_value_or_a_broken_sli() -> None:
    """A refused ``op`` is its own problem (not also "op on a ratio objective"), and an SLI
    with a refused field is not checked against (docs/definitions.md: a check that needs a
    broken SLI is not made against it)."""
    text = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: a}
spec:
  service: tsat
  budgetingMethod: Occurrences
  indicator:
    metadata: {name: ok}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: x, spec: {query: g}}}
        total: {metricSource: {type: x, spec: {query: t}}}
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives:
    - {target: 0.98, op: below}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: b}
spec:
  service: tsat
  budgetingMethod: Occurrences
  indicator:
    metadata: {name: lat}
    spec:
      thresholdMetric: {metricSource: {type: x, spec: 5}}
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives:
    - target: 0.98
"""
    assert _found(text) == [
        ("ws.yaml:16", "spec.objectives[0].op", "invalid-value"),
        ("ws.yaml:27", "spec.indicator.spec.thresholdMetric.metricSource.spec", "invalid-type"),
    ]


ALPHA = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: web-latency}
spec:
  service: web
  indicator:
    thresholdMetric: {source: Prometheus, queryType: query, query: api_server_request_msec}
  timeWindows: [{unit: Week, count: 1, isRolling: true}]
  budgetingMethod: Occurrences
  objectives:
    - {displayName: Good, op: gt, target: 0.98}
"""


def test_a_v1alpha_objective_without_value_is_one_problem() -> None:
    """openslo/v1alpha requires ``value`` on every objective, and the conversion says so at
    the objective; the threshold SLI's "needs value" said it a second time about one field
    (valid document or not)."""
    expected = [("ws.yaml:11", "spec.objectives[0].value", "missing-field")]
    assert _found(ALPHA) == expected
    broken = ALPHA.replace("budgetingMethod: Occurrences", "budgetingMethod: Occurences")
    assert _found(broken) == [
        ("ws.yaml:9", "spec.budgetingMethod", "invalid-value"),
        *expected,
    ]
