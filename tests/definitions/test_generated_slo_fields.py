"""Fields a generator put in the wrong place of an SLO are told where they go, not "remove".

startd8's observability generator (``generate_slo_definitions``) writes an openslo/v1 SLO
with ``spec.target: 99.9`` and a ``thresholdMetric`` holding ``threshold`` and ``operator``.
Each was "unknown field … remove it", which throws away the objective's numbers; they belong
to an objective (``target``, or ``targetPercent`` for a percentage; ``value`` and ``op``).
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-latency}
spec:
  service: checkout
  target: 99.9
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  indicator:
    metadata: {name: checkout-latency-sli}
    spec:
      thresholdMetric:
        metricSource: {type: prometheus, spec: {query: latency_p99}}
        threshold: 0.5
        operator: lte
  objectives:
    - displayName: p99
"""


def _unknown(text: str) -> dict[str | None, tuple[str, str]]:
    _, problems = analyse_text(text, file="ws.yaml")
    return {p.field: (p.where, p.fix) for p in problems if p.code == "unknown-field"}


def test_each_misplaced_number_is_told_where_it_goes() -> None:
    found = _unknown(SLO)
    assert found["spec.target"] == (
        "ws.yaml:6",
        "move it into an objective: objectives: [{target: 0.999}] (a fraction of 1; a "
        "percentage such as 99.9 is targetPercent: 99.9)",
    )
    base = "spec.indicator.spec.thresholdMetric"
    assert found[f"{base}.threshold"] == (
        "ws.yaml:14",
        "the threshold is the objective's value: move it there, with op "
        "(objectives: [{op: lte, value: 0.5, target: 0.99}])",
    )
    assert found[f"{base}.operator"] == (
        "ws.yaml:15",
        "the comparison is the objective's op: move it there as op "
        "(objectives: [{op: lte, value: 0.5, target: 0.99}])",
    )


def test_target_in_another_kind_s_spec_keeps_its_own_fix() -> None:
    condition = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: fast}
spec:
  severity: page
  target: x
  condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h}
"""
    (where, fix) = _unknown(condition)["spec.target"]
    assert where == "ws.yaml:6"
    assert not fix.startswith("move it into an objective")


def test_a_query_written_straight_in_an_sli_spec_is_told_its_metric_source() -> None:
    """A generator's ``to_dict`` writes ``objectives[].indicator.spec.query`` (seen in the
    wild): the query goes under a metric source, not away."""
    text = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: api}
spec:
  service: api
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
      indicator:
        metadata: {name: api-ok}
        spec:
          query: sum(rate(ok[5m])) / sum(rate(all[5m]))
"""
    (where, fix) = _unknown(text)["spec.objectives[0].indicator.spec.query"]
    assert where == "ws.yaml:12"
    assert fix == (
        "a query goes in a metric source: thresholdMetric: {metricSource: {type: Prometheus, "
        "spec: {query: …}}}, or a ratioMetric's good (or bad) and total, one query each"
    )


def test_a_description_inside_a_ratio_metric_is_told_the_sli_spec() -> None:
    """OpenSLO/OpenSLO's ``pkg/openslo/v2alpha/examples/slis.yml`` writes the SLI's
    description inside ``ratioMetric`` (the SDK's ``SLISpec.Description`` is the SLI's)."""
    text = """\
apiVersion: openslo/v1
kind: SLI
metadata: {name: wifi}
spec:
  ratioMetric:
    description: average wifi satisfaction
    rawType: success
    raw: {metricSource: {type: Prometheus, spec: {query: q}}}
"""
    (where, fix) = _unknown(text)["spec.ratioMetric.description"]
    assert (where, fix) == (
        "ws.yaml:6",
        "description belongs to the SLI's spec: move it up to spec.description",
    )
