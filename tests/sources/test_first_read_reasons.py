"""Why an SLI is read from every sample rather than by whole days, in words
(``sources.prometheus.groups.not_member``): the reason names what the SLI's own definition
has, not a matcher Covenant added.

A stranger's histogram SLI, ``http_request_duration_seconds_bucket{job="api"}`` with an
objective ``op: lte, value: 0.25``, was said to be read from its samples for "a selector with a
regular expression (=~, !~)…": the only regular expression was the ``le`` matcher Covenant
writes to match every spelling of 0.25. What stops a read by days is that good and total are
two metrics (the bucket and the count).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.definitions.workspace import load_workspace
from covenant.sources.prometheus.groups import not_member

HEAD = """apiVersion: openslo/v1
kind: DataSource
metadata: {name: prometheus}
spec:
  type: Prometheus
  connectionDetails: {url: "http://127.0.0.1:9"}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api}
spec:
  service: api
  timeWindow: [{duration: 7d, isRolling: true}]
  budgetingMethod: Occurrences
"""
THRESHOLD = """  indicator:
    metadata: {name: api}
    spec:
      thresholdMetric:
        metricSource:
          metricSourceRef: prometheus
          spec: {query: 'http_request_duration_seconds_bucket{job="api"}'}
  objectives: [{op: lte, value: 0.25, target: 0.99}]
"""
RATIO = """  indicator:
    metadata: {name: api}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            metricSourceRef: prometheus
            spec: {query: 'sum(GOOD)'}
        total:
          metricSource:
            metricSourceRef: prometheus
            spec: {query: 'sum(http_requests_total{job="api"})'}
  objectives: [{target: 0.99}]
"""


def _reason(tmp_path: Path, body: str) -> str:
    (tmp_path / "slos.yaml").write_text(HEAD + body, encoding="utf-8")
    workspace = load_workspace(tmp_path)
    assert workspace.prometheus is not None
    (read,) = workspace.prometheus.reads
    return not_member(read)


def test_a_histogram_sli_is_said_to_count_two_metrics_not_to_have_a_regular_expression(
    tmp_path: Path,
) -> None:
    reason = _reason(tmp_path, THRESHOLD)
    assert "regular expression" not in reason
    assert reason.startswith(
        "its queries count two metrics (http_request_duration_seconds_bucket, "
        "http_request_duration_seconds_count)"
    )


@pytest.mark.parametrize(
    ("good", "said"),
    [
        ('http_requests_total{job="api",code!~"5.."}', "a selector with a regular expression"),
        ('http_errors_total{job="api"}', "its queries count two metrics (http_errors_total, "),
    ],
)
def test_a_ratio_sli_is_given_the_reason_its_own_queries_have(
    tmp_path: Path, good: str, said: str
) -> None:
    assert _reason(tmp_path, RATIO.replace("GOOD", good)).startswith(said)
