"""On an 80-column terminal the statement table's "support penalty owed: … (a percentage of
… pro rata …)" line was printed as one piece and wrapped by the terminal's width at column 0,
its second line lost under the notes' indentation (stop 43: an amendment from the 16th, a
late P1 ticket in its half). Every line of it is indented as its first and none ends in a
blank."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app

runner = CliRunner()

AGREEMENT = """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: wombat, displayName: Wombat Pty Ltd}
spec: {currency: AUD}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: wombat-sla}
spec:
  customer: wombat
  versions:
"""
VERSION = """\
    - version: {n}
      status: signed
      effectiveFrom: {start}
      {reason}
      fees: {{checkout: "{fee}"}}
      period: {{unit: month, timeZone: Australia/Lord_Howe}}
      signatories: [{{name: Bruce, role: CTO, signedAt: 2026-09-20}}]
      support:
        - name: tickets
          targets: {{P1: {{firstResponse: 15m}}}}
          attainment: 90
          penalty: {{percent: 5}}
"""
TICKETS = """\
id,customer,priority,created,first_response
T-1,wombat,P1,2026-11-20T09:00:00+11:00,2026-11-20T10:00:00+11:00
"""


def test_a_penalty_line_wraps_under_its_indentation(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "agreement.yaml").write_text(
        AGREEMENT
        + VERSION.format(n=1, start="2026-10-01", reason="", fee="1000.00")
        + VERSION.format(n=2, start="2026-11-16", reason="reason: more", fee="1200.00")
    )
    (ws / "tickets.csv").write_text(TICKETS)
    env = {"COLUMNS": "80", "COVENANT_NOW": "2027-01-10T00:00:00Z"}
    assert runner.invoke(app, ["agreements", "sync", "-w", str(ws)], env=env).exit_code == 0
    ingest = runner.invoke(app, ["ingest", "tickets", str(ws / "tickets.csv"), "-w", str(ws)])
    assert ingest.exit_code == 0, ingest.output
    shown = runner.invoke(app, ["report", "sla", "-w", str(ws), "-c", "wombat", "-p", "2026-11"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    (first,) = [i for i, t in enumerate(lines) if "support penalty owed" in t]
    # 5 % of 1,200.00 AUD pro rata 15 of 30 days (16–30 November) = 30.00 AUD
    assert lines[first].startswith("  support penalty owed: 30.00 AUD (a percentage of")
    note = lines[first : lines.index("credits owed: none")]
    assert len(note) == 2
    assert " ".join(t.strip() for t in note).endswith("(1,200.00 AUD pro rata 15 d of 30 d))")
    assert all(t.startswith("  ") and not t.endswith(" ") and len(t) <= 80 for t in note)
