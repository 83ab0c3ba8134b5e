"""A real Prometheus scraping a running `covenant serve` sees a DataSource's very first failed
read: `covenant_source_read_errors_total` is on the page at 0 before any read failed, so
`increase()` over the failure is above 0. (A counter series that first appears at 1 is taken
by Prometheus as starting there: `increase()` would say 0 and an alert on it never fire.)

The DataSource points where nothing listens (`127.0.0.1:9`); the server runs without a worker,
so nothing reads until the test asks `POST /api/v1/ingest/prometheus` for one SLO's range —
one series, one failed read: the counter goes from 0 to 1."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.served import Served, editor_token, store_url
from tests.promserver import Server

WORKSPACE = """\
apiVersion: openslo/v1
kind: DataSource
metadata: {name: dead}
spec: {type: Prometheus, connectionDetails: {url: "http://127.0.0.1:9"}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: d0}
spec:
  service: shop
  indicator:
    metadata: {name: d0}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {metricSourceRef: dead, spec: {query: good_d0}}}
        total: {metricSource: {metricSourceRef: dead, spec: {query: total_d0}}}
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
"""
COUNTER = 'covenant_source_read_errors_total{code="source-unreachable",source="dead"}'


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Served, str]]:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "dead.yaml").write_text(WORKSPACE)
    url = store_url(workspace, None)
    token = editor_token(url)
    server = Served(
        workspace=workspace, database_url=url, log=tmp_path / "serve.log", extra=("--no-worker",)
    )
    server.start()
    try:
        server.wait_ready()
        yield server, token
    finally:
        server.close()


def wait_for(prom: Server, expr: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 120  # only ends a broken test; nothing asserts how long
    while not (found := prom.query(expr, int(time.time()))):
        assert time.monotonic() < deadline, f"never scraped: {expr}"
        time.sleep(0.5)
    return found


def test_increase_sees_a_sources_first_failed_read(
    served: tuple[Served, str], prometheus: Callable[..., Server]
) -> None:
    server, token = served
    job = {"scrape_interval": "1s", "scrape_timeout": "1s", "metrics_path": "/metrics"}
    prom = prometheus(
        scrape_configs=[
            {
                **job,
                "job_name": "covenant",
                "static_configs": [{"targets": [server.base.removeprefix("http://")]}],
                "authorization": {"credentials": token},
            }
        ]
    )
    (zero,) = wait_for(prom, f"{COUNTER} == 0")  # on the page before any read failed
    assert zero["value"][1] == "0"
    now = datetime.now(UTC)
    answer = httpx.post(
        f"{server.base}/api/v1/ingest/prometheus",
        json={
            "from": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "slo": ["d0"],
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    assert answer.status_code == 502, answer.text
    assert answer.json()["code"] == "source-unreachable"
    (one,) = wait_for(prom, f"{COUNTER} == 1")  # one series, one failed read
    (grown,) = prom.query(f"increase({COUNTER}[10m]) > 0", int(time.time()))
    assert float(grown["value"][1]) > 0  # what an alert on the first failure fires on
    (first,) = prom.query(f"min_over_time({COUNTER}[10m])", int(time.time()))
    assert first["value"][1] == "0"
    assert one["metric"]["job"] == "covenant"
