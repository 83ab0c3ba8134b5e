"""`covenant evaluate` after a first `covenant ingest prometheus` that failed before it read a
minute (the server was down) reads the SLI once the server answers.

It did not: the default reads only SLIs "read before", and a series whose one read failed has
no data read, so every later `covenant evaluate` showed the SLO stale with the ingest's old
error ("ConnectError … (nothing read yet)"), as if the server were still down, and never asked
it again. The counts are counted here from the scrapes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.core.timeutil import from_epoch, utc_text
from tests.ports import free_port
from tests.promserver import Server, openmetrics_text, request_counters

DAY = 86400
START = 1_790_000_000 - 1_790_000_000 % DAY  # a midnight
MINUTES = 6 * 60
AT = START + MINUTES * 60  # the end of the scrapes
SLO = """apiVersion: openslo/v1
kind: DataSource
metadata: {name: prometheus}
spec:
  type: Prometheus
  connectionDetails: {url: "URL"}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api-availability}
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
  timeWindow: [{duration: 1h, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
"""


def _per_minute(minute: int, code: str) -> int:
    return 2 + minute % 5 if code == "200" else int(minute % 7 == 3)


def test_evaluate_reads_an_sli_whose_only_read_failed_once_the_server_answers(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    samples = request_counters("api", START, MINUTES, _per_minute, ("200", "500"))
    server = prometheus(openmetrics=openmetrics_text(samples, counters=["http_requests"]))
    ws = tmp_path / "ws"
    ws.mkdir()
    env = {"COVENANT_DATABASE_URL": "", "COLUMNS": "200"}
    # the server "down": nothing listens at the url the first read asks
    (ws / "slos.yaml").write_text(SLO.replace("URL", f"http://127.0.0.1:{free_port()}"))
    first = ["ingest", "prometheus", "-w", str(ws), "--from", utc_text(from_epoch(START))]
    failed = CliRunner().invoke(app, [*first, "--to", utc_text(from_epoch(AT))], env=env)
    assert failed.exit_code == 1, failed.output
    assert "source-unreachable" in failed.output
    # up again (at its own url: changing the url sets nothing aside)
    (ws / "slos.yaml").write_text(SLO.replace("URL", server.url))
    at = utc_text(from_epoch(AT))
    done = CliRunner().invoke(
        app, ["evaluate", "-w", str(ws), "--at", at, "--format", "json"], env=env
    )
    assert done.exit_code == 0, done.output
    (result,) = json.loads(done.stdout)["results"]
    last_hour = range(MINUTES - 59, MINUTES + 1)  # the minutes ending at scrapes 301 … 360
    good = sum(_per_minute(m, "200") for m in last_hour)
    total = good + sum(_per_minute(m, "500") for m in last_hour)
    assert (result["stale"], result["no_data"]) == (None, None)
    assert (result["good"], result["total"]) == (good, total)
