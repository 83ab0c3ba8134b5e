"""A Prometheus SLI no read has reached is "no data: not read from Prometheus yet" whatever
its SLO's ``noDataPolicy``: the policy says how a minute the source answered without events
counts, and a minute never read is not one. Before, a time-slice SLO with ``noDataPolicy:
good`` read 100 % ok over a window no read had reached (``covenant demo``'s
payments-availability evaluated months after its data), and ``bad`` 0 % breached."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.services.evaluate import NEVER_READ

SLO = """apiVersion: openslo/v1
kind: DataSource
metadata: {name: prometheus}
spec:
  type: Prometheus
  connectionDetails: {url: "URL"}
---
apiVersion: covenant/v1
kind: SLO
metadata: {name: api-minutes}
spec:
  service: api
  indicator:
    metadata: {name: api}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            metricSourceRef: prometheus
            spec: {query: 'sum(http_requests_total{job="api",code="200"})'}
        total:
          metricSource:
            metricSourceRef: prometheus
            spec: {query: 'sum(http_requests_total{job="api"})'}
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Timeslices
  noDataPolicy: POLICY
  objectives: [{target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 1m}]
"""


def _closed_url() -> str:
    with socket.socket() as s:  # a port nothing listens on once it is closed
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("policy", ["good", "bad"])
def test_a_never_read_time_slice_slo_is_no_data_not_its_policys_figure(
    tmp_path: Path, policy: str
) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "slos.yaml").write_text(SLO.replace("URL", _closed_url()).replace("POLICY", policy))
    done = CliRunner().invoke(
        app,
        ["evaluate", "-w", str(ws), "-f", "json", "--no-read", "--at", "2026-12-01T00:00:00Z"],
        env={"COVENANT_NOW": "2026-12-05T09:00:00Z"},
    )
    assert done.exit_code == 0, done.output
    (result,) = json.loads(done.stdout)["results"]
    assert result["status"] == "no_data"
    assert result["no_data"] == NEVER_READ
    assert result["sli_value"]["value"] is None
    assert (result["good"], result["total"], result["budget"]) == (0, 0, None)
    assert result["no_data_policy_note"] is None
    assert result["burn_rate"]["rate"]["value"] is None
    assert not [t for t in result["alerts"] if t["firing"]]
