"""A first read that cannot go by whole days says why (``evaluate --read`` on stderr).

A real Prometheus holds four days of one job's counters, scraped on every minute, and none of
the recordings of ``covenant rules prometheus``. A 3-day SLO evaluated at noon of the last day
has two whole UTC days in its window that no edge cuts: with the recordings they would be read
as two numbers each. Without them the command reads every sample, as it must, and says so once
with the fix (load the rules); its counts are the ones counted here from the scrapes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.core.timeutil import from_epoch
from covenant.sources.prometheus.recorded import NO_RECORDINGS
from tests.promserver import Server, openmetrics_text, request_counters

DAY = 86400
START = 1_790_000_000 - 1_790_000_000 % DAY  # a midnight
AT = START + 3 * DAY + 12 * 3600  # the window (AT − 3d, AT] holds the days START+1d, START+2d
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
  timeWindow: [{duration: 3d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
"""


def _per_minute(minute: int, code: str) -> int:
    """Events in the minute ending at scrape ``minute`` (uneven: 1 to 7 ok, an error in 1 of 9)."""
    return 1 + minute % 7 if code == "200" else int(minute % 9 == 4)


def _served(prometheus: Callable[..., Server]) -> Server:
    samples = request_counters("api", START, (AT - START) // 60 + 5, _per_minute, ("200", "500"))
    return prometheus(openmetrics=openmetrics_text(samples, counters=["http_requests"]))


def test_a_first_read_without_the_recordings_says_it_read_every_sample_and_how_to_avoid_it(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = _served(prometheus)
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "slos.yaml").write_text(SLO.replace("URL", server.url))
    stamp = from_epoch(AT).isoformat().replace("+00:00", "Z")
    done = CliRunner().invoke(
        app, ["evaluate", "-w", str(ws), "--at", stamp, "--format", "json", "--read"]
    )
    assert done.exit_code == 0, done.output
    # the minutes (AT − 3d, AT]: scrape minutes m with START + 60m in that range
    first = (AT - 3 * DAY - START) // 60 + 1
    last = (AT - START) // 60
    good = sum(_per_minute(m, "200") for m in range(first, last + 1))
    bad = sum(_per_minute(m, "500") for m in range(first, last + 1))
    (result,) = json.loads(done.stdout)["results"]
    assert (result["good"], result["total"]) == (good, good + bad)
    note = " ".join(done.stderr.split())
    assert note == (
        "note: 1 SLI read from every sample of the window, not by whole days (api): "
        + NO_RECORDINGS
    )
    assert "covenant rules prometheus" in NO_RECORDINGS


def test_a_good_query_that_matches_nothing_is_warned_of_not_taken_for_0_percent_in_silence(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    """The good query's metric misspelt (``http_request_total``): it matches no series, so the
    SLO reads 0 % good; the read says so, naming the SLI, the range and the total counted."""
    server = _served(prometheus)
    ws = tmp_path / "ws"
    ws.mkdir()
    typo = SLO.replace("URL", server.url).replace(
        'http_requests_total{job="api",code="200"}', 'http_request_total{job="api",code="200"}'
    )
    (ws / "slos.yaml").write_text(typo)
    stamp = from_epoch(AT).isoformat().replace("+00:00", "Z")
    done = CliRunner().invoke(
        app, ["evaluate", "-w", str(ws), "--at", stamp, "--format", "json", "--read"]
    )
    assert done.exit_code == 0, done.output
    first = (AT - 3 * DAY - START) // 60 + 1
    total = sum(
        _per_minute(m, c) for m in range(first, (AT - START) // 60 + 1) for c in ("200", "500")
    )
    (result,) = json.loads(done.stdout)["results"]
    assert (result["good"], result["total"]) == (0, total)
    said = " ".join(done.stderr.split())
    start = from_epoch(AT - 3 * DAY).isoformat().replace("+00:00", "Z")
    assert (
        f"warning: api: its good query counted no event from {start} to {stamp} while its "
        f"total counted {total:,}: check the good query's metric name"
    ) in said
