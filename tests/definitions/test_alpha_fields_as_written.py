"""A problem in a converted openslo.com/v2alpha or openslo/v1alpha document names its field
as the file writes it, not as the openslo/v1 form it is read as.

Real shape: the OpenSLO repository's v2alpha SLO example (``spec.sli`` inline, its ratio
metrics ``{dataSourceRef, spec}``) and its v1alpha objectives with ``ratioMetrics``. Each is
read as openslo/v1 (``spec.indicator``, ``metricSource.metricSourceRef``); a problem found after
the conversion said ``spec.indicator.spec.ratioMetric.good.metricSource.metricSourceRef`` at
the line of ``dataSourceRef``: a field the file does not have. Expected names are the keys of
the files below, read by hand.
"""

from __future__ import annotations

from tests.definitions.helpers import load_text

V2ALPHA = """\
apiVersion: openslo.com/v2alpha
kind: SLO
metadata: {name: web}
spec:
  service: web
  sli:
    metadata: {name: web-ok}
    spec:
      ratioMetric:
        counter: true
        good:
          dataSourceRef: nowhere
          spec: {query: 'sum(http_requests{code="2xx"})'}
        total:
          dataSourceRef: nowhere
          spec: {query: sum(http_requests)}
  timeWindow: [{duration: 1w, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.995}]
---
apiVersion: openslo.com/v2alpha
kind: SLI
metadata: {name: lone}
spec:
  ratioMetric:
    counter: true
    good:
      dataSourceRef: elsewhere
      spec: {query: sum(x)}
    total:
      dataSourceRef: elsewhere
      spec: {query: sum(y)}
"""

V1ALPHA = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: my-amazing-slo}
spec:
  budgetingMethod: Occurrences
  service: web
  indicator:
    thresholdMetric:
      source: prometheus
      queryType: promql
      query: latency_west_c7{code="ALL"}
  objectives: [{op: gt, target: 0.99, value: 2000}]
  timeWindows: [{count: 28, isRolling: true, unit: Day}]
"""


def _fields(text: str, code: str) -> list[tuple[int, str]]:
    _, problems = load_text(text)
    return sorted((int(p.where.rpartition(":")[2]), p.field) for p in problems if p.code == code)


def test_v2alpha_references_name_data_source_ref() -> None:
    assert _fields(V2ALPHA, "unresolved-reference") == [
        (5, "spec.service"),
        (12, "spec.sli.spec.ratioMetric.good.dataSourceRef"),
        (15, "spec.sli.spec.ratioMetric.total.dataSourceRef"),
        (28, "spec.ratioMetric.good.dataSourceRef"),
        (31, "spec.ratioMetric.total.dataSourceRef"),
    ]


def test_v1alpha_query_warning_names_the_threshold_metrics_query() -> None:
    """oslo's v1alpha threshold SLO (``indicator.thresholdMetric {source, queryType, query}``):
    its query is a plain gauge, which Prometheus rules cannot count; the warning is at the
    line of ``query`` and names it so."""
    assert _fields(V1ALPHA, "prometheus-query-form") == [
        (11, "spec.indicator.thresholdMetric.query")
    ]
