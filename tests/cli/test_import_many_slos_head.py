"""The report line of a source file with many SLOs names the first ten and counts the rest:
a 1,000-SLO Sloth file made one 20,000-character line of names (``--format json`` lists
every one)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app

SLO = """  - name: "req-{i}"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(r_total{{job="s{i}",code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(r_total{{job="s{i}"}}[{{{{.window}}}}]))
    alerting:
      page_alert: {{disable: true}}
      ticket_alert: {{disable: true}}
"""


def _source(folder: Path, count: int) -> Path:
    source = folder / "many.yml"
    body = "".join(SLO.format(i=i) for i in range(count))
    source.write_text(f'version: "prometheus/v1"\nservice: "svc"\nslos:\n{body}')
    return source


def test_the_head_line_names_ten_slos_and_counts_the_rest(tmp_path: Path) -> None:
    source = _source(tmp_path, 12)
    into = tmp_path / "ws"
    done = CliRunner().invoke(
        app, ["import", "sloth", str(source), "--into", str(into), "--dry-run"]
    )
    assert done.exit_code == 0, done.output
    (head,) = [line for line in done.stdout.splitlines() if line.startswith(str(source))]
    ten = ", ".join(f"req-{i}" for i in range(10))
    assert head == (
        f"{source}: imported — 12 SLO(s): {ten} and 2 more (--format json lists every one)"
    )
    listed = CliRunner().invoke(
        app, ["import", "sloth", str(source), "--into", str(into), "--dry-run", "-f", "json"]
    )
    (file,) = json.loads(listed.stdout)["files"]
    assert file["slos"] == [f"req-{i}" for i in range(12)]


def test_ten_or_fewer_are_all_named(tmp_path: Path) -> None:
    source = _source(tmp_path, 10)
    done = CliRunner().invoke(
        app, ["import", "sloth", str(source), "--into", str(tmp_path / "ws"), "--dry-run"]
    )
    assert done.exit_code == 0, done.output
    ten = ", ".join(f"req-{i}" for i in range(10))
    assert f"{source}: imported — 10 SLO(s): {ten}\n" in done.stdout
