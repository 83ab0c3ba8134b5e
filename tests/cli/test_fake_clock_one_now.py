"""Under ``COVENANT_NOW`` a command has one now, the fake one.

Before, ``covenant ingest prometheus --from -1h`` counted back from ``COVENANT_NOW`` but checked
against the system clock, so with ``COVENANT_NOW`` a year ahead it refused with "--from (2027…)
is not before now (2026…)"; and an event file was recorded as ingested at the system clock's
instant (a second ingest of it said "previously ingested at" today, not at ``COVENANT_NOW``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.sources.promfake import fake_prometheus
from tests.sources.test_prometheus_errors import counts_answer

ROOT = Path(__file__).resolve().parents[2]
NOW = "2027-12-05T10:30:00Z"  # a year after any clock this test runs under


def _workspace(folder: Path, url: str) -> Path:
    folder.mkdir()
    (folder / "slos.yaml").write_text(
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\n"
        f'spec: {{type: Prometheus, connectionDetails: {{url: "{url}"}}}}\n'
        "---\n"
        """apiVersion: openslo/v1
kind: SLO
metadata: {name: api}
spec:
  service: api
  indicator:
    metadata: {name: api}
    spec:
      ratioMetric:
        good:
          metricSource:
            metricSourceRef: prom
            spec: {query: 'sum(sum_over_time(good_count[{{.window}}]))'}
        total:
          metricSource:
            metricSourceRef: prom
            spec: {query: 'sum(sum_over_time(total_count[{{.window}}]))'}
  timeWindow: [{duration: 30d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
"""
    )
    return folder


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")}
    return env | {"COVENANT_NOW": NOW, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}


def _covenant(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "covenant", *args],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=cwd,
        timeout=300,
        check=False,
    )


def test_from_an_hour_ago_reads_the_hour_before_the_fake_clock(tmp_path: Path) -> None:
    with fake_prometheus(counts_answer(good=3, total=4)) as fake:
        ws = _workspace(tmp_path / "ws", fake.url)
        done = _covenant("ingest", "prometheus", "--from", "-1h", "-w", str(ws), "-f", "json")
    assert done.returncode == 0, done.stderr
    (series,) = json.loads(done.stdout)["series"]
    # 09:30 to 10:30: sixty minutes of 3 good out of 4
    assert (series["buckets"], series["good"], series["total"]) == (60, 180, 240)
    assert series["read_until"] == NOW


def test_an_event_file_is_recorded_as_ingested_at_the_fake_clock(tmp_path: Path) -> None:
    assert _covenant("init", "ws", cwd=tmp_path).returncode == 0
    ws = tmp_path / "ws"
    events = tmp_path / "events.csv"
    events.write_text(
        "timestamp,sli,status,latency_ms\n2027-12-05T10:00:00Z,checkout-availability,200,100\n"
    )
    first = _covenant("ingest", "events", str(events), "-w", str(ws), "-f", "json")
    assert first.returncode == 0, first.stderr
    again = _covenant("ingest", "events", str(events), "-w", str(ws), "-f", "json")
    assert again.returncode == 0, again.stderr
    assert NOW in again.stdout, again.stdout  # previously ingested at COVENANT_NOW
