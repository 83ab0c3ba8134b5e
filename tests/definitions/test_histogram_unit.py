"""A histogram threshold that looks written in the other unit is warned of.

Real shape: grokify/slogo ``examples/red-metrics/duration.yaml`` writes a 200 ms latency bound
as ``op: lt, value: 200`` over ``http_request_duration_seconds`` (its query a
histogram_quantile; with the query as the convention wants it, a ``_bucket`` selector, and
``op: lte``). ``le`` bounds are in the histogram's unit: ``value: 200`` asks for ``le="200"``, a
bucket a seconds histogram (Prometheus' defaults end at 10) does not have, so the generated rules
counted no good events with no word said. 200 ms in seconds is 0.2.
"""

from __future__ import annotations

import pytest

from tests.definitions.helpers import errors, load_text
from tests.definitions.test_prometheus_sources import source_text


def _latency(name: str, value: str) -> str:
    return (
        source_text("url: http://prom:9090")
        + f"""\
---
apiVersion: openslo/v1
kind: SLO
metadata: {{name: api-latency}}
spec:
  service: api-service
  indicator:
    metadata: {{name: request-duration}}
    spec:
      thresholdMetric:
        metricSource:
          metricSourceRef: metrics
          type: Prometheus
          spec: {{query: '{name}{{job="api"}}'}}
  timeWindow: [{{duration: 2w, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{displayName: Fast response time, op: lte, target: 0.95, value: {value}}}]
"""
    )


def _doubts(text: str) -> list[tuple[str, str]]:
    _, problems = load_text(text)
    assert errors(problems) == []
    return [(p.message, p.fix) for p in problems if p.code == "histogram-unit"]


def test_milliseconds_written_for_a_seconds_histogram_are_warned_of() -> None:
    ((message, fix),) = _doubts(_latency("http_request_duration_seconds_bucket", "200"))
    assert message == (
        "the objective's value 200 is 200 seconds: le bounds of http_request_duration_seconds "
        "are in seconds"
    )
    assert fix.startswith("if 200 ms is meant, write value: 0.2 ")


def test_seconds_written_for_a_milliseconds_histogram_are_warned_of() -> None:
    ((message, fix),) = _doubts(_latency("rpc_latency_milliseconds_bucket", "0.5"))
    assert "0.5 milliseconds" in message
    assert fix == "if 0.5 s is meant, write value: 500"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("http_request_duration_seconds_bucket", "0.2"),  # 200 ms in seconds
        ("http_request_duration_seconds_bucket", "10"),  # the largest default bucket
        ("rpc_latency_milliseconds_bucket", "250"),
        ("queue_wait_bucket", "200"),  # no unit in the name: nothing to doubt
    ],
)
def test_a_value_in_the_histograms_unit_is_quiet(name: str, value: str) -> None:
    assert _doubts(_latency(name, value)) == []
