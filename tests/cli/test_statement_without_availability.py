"""A statement whose agreements commit to support only says it has no availability commitment,
instead of an "Availability" heading over a table of column headings and no row (as if
something had failed to print) — as an empty support table already says why it is empty."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app

WORKSPACE = """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-sla}
spec:
  customer: acme
  versions:
    - version: 1
      status: active
      effectiveFrom: 2027-04-01
      signatories: [{name: Jo, role: CTO, signedAt: 2027-03-20}]
      fees: {api: "1000.00"}
      support:
        - name: tickets
          targets:
            P1: {firstResponse: 30m}
          attainment: 90
          penalty: {percent: 5}
"""


def test_a_support_only_statement_has_no_empty_availability_table(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text(WORKSPACE, encoding="utf-8")
    runner = CliRunner()
    env = {"COLUMNS": "80", "COVENANT_NOW": "2027-06-15T00:00:00Z"}
    synced = runner.invoke(app, ["agreements", "sync", "-w", str(tmp_path)], env=env)
    assert synced.exit_code == 0, synced.output
    result = runner.invoke(
        app, ["report", "sla", "-w", str(tmp_path), "-c", "acme", "-p", "2027-06"], env=env
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Availability: no availability commitment in this statement" in lines, result.stdout
    assert "commitment  committed  measured  downtime  credit" not in result.stdout
    assert "Support — acme-sla v1 tickets" in lines
