"""A `{{.window}}` query that returns no point while its metric exists is not called a
misspelt metric.

On Prometheus 3 a range selector is left-open, so `increase(x[1m])` of a counter scraped once
a minute holds one sample per window and returns nothing: the read counted no event and
`covenant ingest prometheus` (and `covenant evaluate`) said "`…` matched no series … — check
the metric name and labels", though the name and labels were right. The reason now says
that such a query returned no point and names the other cause and its fix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.core.timeutil import from_epoch, utc_text
from tests.promserver import Server, openmetrics_text, request_counters

START = 1_790_000_000 - 1_790_000_000 % 86400  # a midnight
MINUTES = 120
QUERY = 'sum(increase(http_requests_total{job="api"}[{{.window}}])) * 1'
SLO = f"""apiVersion: openslo/v1
kind: DataSource
metadata: {{name: prom}}
spec:
  type: Prometheus
  connectionDetails: {{url: "URL"}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {{name: api}}
spec:
  service: api
  indicator:
    metadata: {{name: api}}
    spec:
      ratioMetric:
        counter: false
        good:
          metricSource:
            metricSourceRef: prom
            spec: {{query: '{QUERY}'}}
        total:
          metricSource:
            metricSourceRef: prom
            spec: {{query: '{QUERY}'}}
  timeWindow: [{{duration: 1h, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.99}}]
"""


@pytest.mark.prometheus_releases("sid")
def test_a_window_query_without_points_is_not_called_a_misspelt_metric(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    samples = request_counters("api", START, MINUTES, lambda m, c: 3, ("200",))
    server = prometheus(openmetrics=openmetrics_text(samples, counters=["http_requests"]))
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "slos.yaml").write_text(SLO.replace("URL", server.url))
    start, end = utc_text(from_epoch(START)), utc_text(from_epoch(START + 3600))
    read = ["ingest", "prometheus", "-w", str(ws), "--from", start, "--to", end]
    done = CliRunner().invoke(app, read, env={"COVENANT_DATABASE_URL": "", "COLUMNS": "400"})
    assert done.exit_code == 0, done.output
    (warning,) = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert warning == (
        f"warning: api: `{QUERY}` returned no point in Prometheus `prom` from {start} to {end} "
        "— check the metric name and labels (try it in the Prometheus UI, [1m] for "
        "[{{.window}}]); or, if they are right: on Prometheus 3 a range of one scrape "
        "interval holds one sample, and increase, delta or changes of one sample is nothing "
        "— write a counter as its selector (or sum(increase(<selector>[{{.window}}])) alone), "
        "which is counted from its samples"
    )
