"""The compact `covenant evaluate` table stays a table at 80 columns when only its alert
summary is too long for the line: the summary wraps at its spaces (`page 6h/30m` over `+2`).
The alerts column could not wrap, so one SLO of 30 characters breached with three tiers
firing (81 columns) turned the whole table into blocks of lines per SLO — which the README
keeps for a name too long to leave the other columns room — and the demo's own table at 80
columns did so on the days its search SLO fired two ticket tiers (`ticket 1d/2h +1`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app

NAME = "gateway-availability-edge-eu-1"  # 30 characters
END = datetime(2027, 6, 15, tzinfo=UTC)

SLO = f"""\
apiVersion: openslo/v1
kind: SLO
metadata: {{name: {NAME}}}
spec:
  service: edge
  indicator:
    metadata: {{name: edge-requests}}
    spec:
      ratioMetric:
        counter: true
        good: {{metricSource: {{type: Prometheus, spec: {{query: 'sum(a)'}}}}}}
        total: {{metricSource: {{type: Prometheus, spec: {{query: 'sum(b)'}}}}}}
  timeWindow: [{{duration: 30d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.999}}]
"""


def test_a_long_alert_summary_wraps_in_the_table(tmp_path: Path) -> None:
    (tmp_path / "slos.yaml").write_text(SLO, encoding="utf-8")
    # the last 3 days: 1 % of the requests fail, a burn rate of 10 against 99.9 %: the
    # page 6h/30m (6×), ticket 1d/2h (3×) and ticket 3d/6h (1×) tiers fire, and the
    # 3 days' 43,200 bad requests exhaust the 30 days' budget of 4,320 (-900 % left)
    minutes = 3 * 24 * 60
    rows = [
        f"{(END - timedelta(minutes=minutes - i)).strftime('%Y-%m-%dT%H:%M:%SZ')},"
        "edge-requests,990,1000"
        for i in range(minutes)
    ]
    events = tmp_path / "counts.csv"
    events.write_text("timestamp,sli,good,total\n" + "\n".join(rows) + "\n", encoding="utf-8")
    runner = CliRunner()
    env = {"COLUMNS": "80", "COVENANT_NOW": "2027-06-15T00:00:00Z"}
    ingested = runner.invoke(app, ["ingest", "events", str(events), "-w", str(tmp_path)], env=env)
    assert ingested.exit_code == 0, ingested.output
    result = runner.invoke(app, ["evaluate", "-w", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, result.stdout
    assert "status:" not in result.stdout  # not a block of lines
    (row,) = [line for line in lines if line.startswith(NAME)]
    assert row.split()[1:6] == ["breached", "99.000", "%", "99.9", "%"]
    assert row.rstrip().endswith("page 6h/30m"), result.stdout
    after = lines[lines.index(row) + 1]
    assert after.strip() == "+2", result.stdout
