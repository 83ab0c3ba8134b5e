"""An SLI whose metricSources are typed Prometheus inline (OpenSLO's ``type: Prometheus`` with
``spec.query``, no ``metricSourceRef``), a shape common in real OpenSLO files: Covenant reads
it from ingested events (there is no server to read), but the rules it gets are the same as
with a DataSource — rules run inside Prometheus and need no URL. Before, it got none ("its
metricSources name no Prometheus DataSource")."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.definitions.workspace import load_workspace

SLO = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: api
spec: {{}}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-availability
spec:
  service: api
  indicator:
    metadata:
      name: api-errors
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:{good}
            type: Prometheus
            spec:
              query: sum(http_requests_total{{code!~"5.."}})
        total:
          metricSource:{total}
            type: Prometheus
            spec:
              query: sum(http_requests_total)
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
"""
REF = "\n            metricSourceRef: prometheus"
SOURCE = """\
---
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prometheus
spec:
  type: Prometheus
  connectionDetails:
    url: http://localhost:9090
"""


def _rules(folder: Path, text: str) -> str:
    folder.mkdir()
    (folder / "slos.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "prometheus", "-w", str(folder)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_inline_typed_sli_gets_the_rules_a_datasource_gives(promtool: str, tmp_path: Path) -> None:
    inline = _rules(tmp_path / "inline", SLO.format(good="", total=""))
    named = _rules(tmp_path / "named", SLO.format(good=REF, total=REF) + SOURCE)
    assert inline == named  # the rules do not depend on the server
    path = tmp_path / "rules.yml"
    path.write_text(inline, encoding="utf-8")
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # still read from ingested events: nothing for a Prometheus read to fetch
    workspace = load_workspace(tmp_path / "inline")
    assert workspace.prometheus is not None
    assert workspace.prometheus.reads == ()


def test_a_mixed_or_foreign_inline_type_gets_no_rules(tmp_path: Path) -> None:
    text = SLO.format(good="", total="").replace("type: Prometheus", "type: Datadog", 1)
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "slos.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "prometheus", "-w", str(folder)])
    assert result.exit_code == 1
    assert "skipped api-availability" in result.output


def test_validate_warns_of_an_inline_typed_query_rules_cannot_count(tmp_path: Path) -> None:
    """opensloctl's testdata (thisisibrahimd/opensloctl,
    internal/generator/prometheusgenerator/testdata/ratio-percent-slo.yaml) types its queries
    Prometheus inline and writes its own placeholder, ``{{.Window}}`` (read as ``{{.window}}``),
    inside rate(): `covenant rules prometheus` skips the SLO for the rate, so `covenant validate`
    says so at the query's line, as it does when the SLI names a Prometheus DataSource
    (before, it said "valid: 0 errors, 0 warnings")."""
    query = 'sum(rate(http_requests_total{code!~"5.."}[{{.Window}}]))'
    text = SLO.format(good="", total="").replace('sum(http_requests_total{code!~"5.."})', query)
    folder = tmp_path / "inline"
    folder.mkdir()
    (folder / "slos.yaml").write_text(text, encoding="utf-8")
    line = 1 + text.splitlines().index(f"              query: {query}")
    result = CliRunner().invoke(app, ["validate", "-w", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output  # a warning, as for a named DataSource
    found = [p for p in json.loads(result.stdout) if p["code"] == "prometheus-query-form"]
    assert [(p["where"], p["severity"]) for p in found] == [
        (f"{folder / 'slos.yaml'}:{line}", "warning")
    ]
    assert "rate() over [{{.window}}] gives events per second" in found[0]["message"]
    assert "write increase(…[{{.window}}])" in found[0]["fix"]
