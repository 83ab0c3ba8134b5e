"""``covenant import sloth`` of an ``openslo/v1alpha`` SLO whose ratio queries are not
Prometheus's. Sloth's OpenSLO loader (internal/openslo/spec.go, getSLI) refuses the spec
unless the good query's ``source`` is ``prometheus`` or ``sloth``, the total's ``prometheus``
(or the good one's ``sloth``), and both ``queryType`` are ``promql``. The import took any
query as PromQL: a Datadog objective with ``{{.window}}`` became a Prometheus SLO, and one
without was refused as having "no {{.window}} range". Fixtures are written here, after a guide
(OpenSLO's own v1alpha example, Datadog queries) found in the second hunt of stop 37."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.definitions.test_import_found_shapes import planned, slo_documents

ALPHA = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {{name: web}}
spec:
  service: web
  objectives:
    - ratioMetrics:
        good:
          source: {good_source}
          queryType: {good_type}
          query: {good_query}
        total:
          source: prometheus
          queryType: promql
          query: sum(rate(http_requests_total[{{{{.window}}}}]))
      target: 0.99
  timeWindows:
    - count: 30
      unit: Day
"""
PROMQL = 'sum(rate(http_requests_total{code!~"5.."}[{{.window}}]))'


@pytest.mark.parametrize(
    ("good_source", "good_type", "good_query", "field", "said"),
    [
        ("datadog", "promql", PROMQL, "source", "source 'datadog'"),
        (
            "datadog",
            "query",
            "'sum:requests{service:web,status:2xx}'",
            "source",
            "source 'datadog'",
        ),
        ("prometheus", "query", PROMQL, "queryType", "queryType 'query'"),
    ],
)
def test_a_query_that_is_not_promql_is_refused_at_its_source(
    tmp_path: Path, good_source: str, good_type: str, good_query: str, field: str, said: str
) -> None:
    text = ALPHA.format(good_source=good_source, good_type=good_type, good_query=good_query)
    plan = planned(tmp_path, "sloth", {"slo.yaml": text})
    assert slo_documents(plan) == []
    (problem,) = plan.problems
    assert problem.code == "import-invalid-value"
    assert problem.field == f"spec.objectives[0].ratioMetrics.good.{field}"
    assert problem.message.startswith(f"ratioMetrics.good.{said}")


def test_sloths_own_source_name_is_read(tmp_path: Path) -> None:
    """``source: sloth`` is the other name Sloth's loader takes for a Prometheus query."""
    text = ALPHA.format(good_source="sloth", good_type="promql", good_query=PROMQL)
    plan = planned(tmp_path, "sloth", {"slo.yaml": text})
    assert plan.problems == []
    assert len(slo_documents(plan)) == 1
