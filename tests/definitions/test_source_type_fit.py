"""An SLI whose metricSource says what its query is written in (``type: Prometheus``: PromQL)
but names a DataSource of another type (a CloudWatch ``prometheus``) can never be read: the
query goes to a source that does not speak its language. It is an error at the reference's
line, naming both types, the DataSource's own line and the fix; a DataSource of a type that
reads the same language (Thanos reads PromQL), or the same type in another case, is not."""

from __future__ import annotations

import pytest

from tests.definitions.helpers import errors, load_text

SOURCE = """\
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prometheus
spec:
  type: {source_type}
  connectionDetails: {details}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 28d
      isRolling: true
  objectives:
    - target: 0.99
  indicator:
    metadata:
      name: checkout-requests
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            metricSourceRef: prometheus
            type: {metric_type}
            spec:
              query: sum(increase(http_requests_total{{code!~"5.."}}[{{{{.window}}}}]))
        total:
          metricSource:
            metricSourceRef: prometheus
            type: {metric_type}
            spec:
              query: sum(increase(http_requests_total[{{{{.window}}}}]))
"""
CLOUDWATCH = {"source_type": "CloudWatch", "details": "{accessKeyID: AKIAEXAMPLE}"}
THANOS = {"source_type": "Thanos", "details": "{url: 'http://thanos:9090'}"}


def test_a_promql_sli_on_a_cloudwatch_datasource_is_an_error_at_its_reference() -> None:
    workspace, problems = load_text(SOURCE.format(metric_type="Prometheus", **CLOUDWATCH))
    assert workspace is None
    found = errors(problems)
    # one per metricSource: good at line 29, total at line 35 (counted in SOURCE by hand)
    assert [(p.code, p.where, p.field) for p in found] == [
        (
            "conflicting-fields",
            "ws.yaml:29",
            "spec.indicator.spec.ratioMetric.good.metricSource.metricSourceRef",
        ),
        (
            "conflicting-fields",
            "ws.yaml:35",
            "spec.indicator.spec.ratioMetric.total.metricSource.metricSourceRef",
        ),
    ]
    first = found[0]
    assert first.message == (
        "metricSource is of type Prometheus (its query is PromQL), but its metricSourceRef "
        "names DataSource 'prometheus' (ws.yaml:1), of type CloudWatch, which cannot run it: "
        "the SLI could never be read"
    )
    assert first.fix == (
        "name a DataSource of type Prometheus (or another that runs PromQL: VictoriaMetrics, "
        "Thanos, Mimir, Cortex) in metricSourceRef; or, if DataSource 'prometheus' is such a "
        "server, correct its spec.type (ws.yaml:6)"
    )


@pytest.mark.parametrize(
    ("metric_type", "source"),
    [
        ("Prometheus", THANOS),  # Thanos answers PromQL
        ("prometheus", {"source_type": "Prometheus", "details": "{url: 'http://p:9090'}"}),
        ("cloudwatch", CLOUDWATCH),  # the same type, written in another case
    ],
)
def test_a_datasource_that_reads_the_query_is_no_error(
    metric_type: str, source: dict[str, str]
) -> None:
    _, problems = load_text(SOURCE.format(metric_type=metric_type, **source))
    assert [p for p in errors(problems) if p.code == "conflicting-fields"] == []


def test_a_datadog_query_on_a_prometheus_datasource_is_an_error_too() -> None:
    _, problems = load_text(SOURCE.format(metric_type="Datadog", **THANOS))
    found = [p for p in errors(problems) if p.code == "conflicting-fields"]
    assert [p.where for p in found] == ["ws.yaml:29", "ws.yaml:35"]
    assert found[0].message == (
        "metricSource is of type Datadog, but its metricSourceRef names DataSource "
        "'prometheus' (ws.yaml:1), of type Thanos, which cannot run it: the SLI could never "
        "be read"
    )
    assert found[0].fix == (
        "name a DataSource of type Datadog in metricSourceRef; or, if DataSource 'prometheus' "
        "is such a source, correct its spec.type (ws.yaml:6)"
    )
