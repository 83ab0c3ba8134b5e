"""A thresholdMetric written as ``histogram_quantile`` is told which bucket selector to write.

thisisibrahimd/opensloctl's test data (``multi-dim-slo.yaml``, ``multiline-slo.yaml``) and
many SLOs written for other tools give a latency SLI as
``histogram_quantile(0.99, sum(rate(<name>_bucket{…}[w])) by (le))``. Covenant reads a latency
SLI from a histogram's buckets (docs/prometheus.md, rule 3), so the query was refused — right —
with the fix ``e.g. http_request_duration_seconds_bucket{job="api"}``: a fixed example, whatever
the file said. The fix now names the file's own bucket selector and what reading it means. The
expected texts are written by hand.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: test-multiline-slo}
spec:
  service: test-svc
  indicator:
    metadata: {name: test-sli}
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: |
              histogram_quantile(0.99,
                sum(rate(http_request_duration_seconds_bucket{service="test-svc"}[{{.window}}]))
                by (le)
              )
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  objectives:
    - {displayName: P99 latency, target: 0.999, op: lte, value: 0.5}
"""


def _query_fixes(text: str) -> list[str]:
    _, problems = analyse_text(text, file="ws.yaml")
    return [p.fix for p in problems if p.code == "prometheus-query-form"]


def test_the_quantiles_own_bucket_selector_is_the_fix() -> None:
    assert _query_fixes(SLO) == [
        'write the histogram\'s buckets: http_request_duration_seconds_bucket{service="test-svc"} '
        "(Covenant counts the requests in the bucket le=value as good, and compares their "
        "share with target; a quantile is not a count of events)"
    ]


def test_a_query_naming_no_bucket_keeps_the_example() -> None:
    start = SLO.index("histogram_quantile")
    end = SLO.index("  budgetingMethod")
    text = SLO[:start] + "avg(latency_seconds)\n" + SLO[end:]
    assert _query_fixes(text) == [
        'name the histogram\'s buckets, e.g. http_request_duration_seconds_bucket{job="api"}'
    ]
