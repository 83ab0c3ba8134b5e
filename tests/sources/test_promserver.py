"""The real-server fixtures do what the Prometheus tests rely on: backfilled counters read back
exactly, and `increase` over one step between samples on step boundaries is the exact difference
(Prometheus 2.x range selectors are closed at both ends; VictoriaMetrics does not extrapolate).
Prometheus 3's are left-open, which is why Covenant reads counters from their samples
(docs/prometheus.md, "Exactness"): its one-step `increase` there has one sample and no answer."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable

import pytest

from tests.promserver import Sample, Server, openmetrics_text

START = 1_790_000_000 - 1_790_000_000 % 3600  # an hour boundary in 2026
STEP = 60
# A counter with uneven increments and one reset (to 2) after the 4th step.
VALUES = [0, 5, 12, 12, 40, 2, 9, 30]
EXPECTED = [5, 7, 0, 28, 2, 7, 21]  # per-step increases, the reset counted from zero


def _samples() -> list[Sample]:
    labels = {"job": "api", "code": "200"}
    return [
        Sample("requests_total", labels, value, START + i * STEP) for i, value in enumerate(VALUES)
    ]


def _values(result: list[dict[str, object]]) -> list[float]:
    assert len(result) == 1, result
    points = result[0]["values"]
    assert isinstance(points, list)
    return [float(value) for _, value in points]


@pytest.mark.prometheus_releases("stable")
def test_prometheus_backfill_reads_back_exact_increases(
    prometheus: Callable[..., Server],
) -> None:
    server = prometheus(openmetrics=openmetrics_text(_samples(), counters=["requests"]))
    end = START + (len(VALUES) - 1) * STEP
    raw = server.query_range("requests_total", START, end, STEP)
    assert _values(raw) == VALUES
    increases = server.query_range(f"increase(requests_total[{STEP}s])", START + STEP, end, STEP)
    assert _values(increases) == EXPECTED


@pytest.mark.prometheus_releases("sid")
def test_prometheus_3_range_selectors_are_left_open(prometheus: Callable[..., Server]) -> None:
    """What docs/prometheus.md says of Prometheus 3: ``x[1m]`` at ``t`` selects ``(t − 1m, t]``
    — one of two samples a minute apart — so ``increase`` over one step has no answer."""
    server = prometheus(openmetrics=openmetrics_text(_samples(), counters=["requests"]))
    end = START + (len(VALUES) - 1) * STEP
    assert _values(server.query_range("requests_total", START, end, STEP)) == VALUES
    (selected,) = server.query(f"requests_total[{STEP}s]", START + 2 * STEP)
    assert [float(v) for _, v in selected["values"]] == [VALUES[2]]
    assert server.query_range(f"increase(requests_total[{STEP}s])", START + STEP, end, STEP) == []


def test_victoria_metrics_imports_and_reads_back_increases(
    victoria_metrics: Callable[..., Server],
) -> None:
    server = victoria_metrics()
    lines = "".join(
        f'requests_total{{job="api",code="200"}} {v} {(START + i * STEP) * 1000}\n'
        for i, v in enumerate(VALUES)
    )
    request = urllib.request.Request(
        f"{server.url}/api/v1/import/prometheus", data=lines.encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=30):
        pass
    with urllib.request.urlopen(f"{server.url}/internal/force_flush", timeout=30):
        pass
    end = START + (len(VALUES) - 1) * STEP
    assert _values(server.query_range("requests_total", START, end, STEP)) == VALUES
    increases = server.query_range(f"increase(requests_total[{STEP}s])", START + STEP, end, STEP)
    assert _values(increases) == EXPECTED
