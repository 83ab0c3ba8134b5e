"""``covenant evaluate`` closes its store's connections before it ends.

On PostgreSQL the command left its pooled connection to the garbage collector at exit, which
psycopg reports as a ResourceWarning ("deleted while still open"; hidden by Python's default
filters, printed with a traceback under a filter that shows it). The command runs as a
process, as a person runs it, with ResourceWarnings shown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import Engine

WORKSPACE = """apiVersion: openslo/v1
kind: DataSource
metadata: {name: prom}
spec: {type: Prometheus, connectionDetails: {url: "http://127.0.0.1:9"}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: web}
spec:
  service: web
  indicator:
    metadata: {name: web}
    spec:
      ratioMetric:
        good: {metricSource: {metricSourceRef: prom, spec: {query: 'sum(good)'}}}
        total: {metricSource: {metricSourceRef: prom, spec: {query: 'sum(all)'}}}
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
"""
COMMAND = """
import sys
sys.argv = ["covenant", *sys.argv[1:]]
from covenant.cli.main import main
main()
"""


def test_evaluate_leaves_no_connection_open(tmp_path: Path, engine: Engine, store_url: str) -> None:
    """``engine``: the store exists and is migrated (on SQLite and on PostgreSQL)."""
    (tmp_path / "slos.yaml").write_text(WORKSPACE, encoding="utf-8")
    env = {
        **os.environ,
        "COVENANT_DATABASE_URL": store_url,
        "PYTHONWARNINGS": "always::ResourceWarning",
    }
    args = ["evaluate", "-w", str(tmp_path), "--at", "2026-09-22T00:00:00Z", "--no-read"]
    done = subprocess.run(
        [sys.executable, "-c", COMMAND, *args, "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert '"slo": "web"' in done.stdout
    assert "ResourceWarning" not in done.stderr, done.stderr
