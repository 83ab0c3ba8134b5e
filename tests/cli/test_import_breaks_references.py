"""A forced re-import that would leave another file of the workspace naming what the replaced
file no longer defines (a Correction naming an SLO the source renamed) is refused, the broken
reference named at its file and line, and nothing is written; an error the workspace had before
the import is not the import's and does not refuse it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from tests.conftest import ROOT

runner = CliRunner()
SLOTH = ROOT / "examples" / "import" / "sloth-checkout.yml"

CORRECTION = """\
apiVersion: covenant/v1
kind: Correction
metadata:
  name: failover
spec:
  slos: [{slo}]
  start: 2026-01-04T02:00:00
  duration: 30m
  timeZone: Europe/Berlin
  author: sre@shop.example
  reason: planned failover
  createdAt: 2026-01-02T10:00:00Z
"""


def _imported(tmp_path: Path) -> tuple[Path, Path]:
    """A workspace holding the import of a copy of the Sloth example, and that copy."""
    source = tmp_path / "src" / "checkout.yml"
    source.parent.mkdir()
    source.write_text(SLOTH.read_text(encoding="utf-8"), encoding="utf-8")
    ws = tmp_path / "ws"
    result = runner.invoke(app, ["import", "sloth", str(source), "--into", str(ws)])
    assert result.exit_code == 0, result.output
    return ws, source


def test_a_reimport_that_drops_a_referenced_slo_is_refused(tmp_path: Path) -> None:
    ws, source = _imported(tmp_path)
    (ws / "corrections.yaml").write_text(CORRECTION.format(slo="requests-latency"))
    assert runner.invoke(app, ["validate", str(ws)]).exit_code == 0
    written = (ws / "sloth-checkout.yaml").read_text(encoding="utf-8")
    renamed = SLOTH.read_text(encoding="utf-8").replace(
        'name: "requests-latency"', 'name: "requests-slow"'
    )
    source.write_text(renamed, encoding="utf-8")
    result = runner.invoke(app, ["import", "sloth", str(source), "--into", str(ws), "--force"])
    assert result.exit_code != 0, result.output
    assert (
        f"{ws}/corrections.yaml:6 spec.slos[0]: no SLO named 'requests-latency' in the "
        "workspace, once the import is written"
    ) in " ".join(result.output.split())
    assert "nothing was applied" in result.output
    assert (ws / "sloth-checkout.yaml").read_text(encoding="utf-8") == written
    assert runner.invoke(app, ["validate", str(ws)]).exit_code == 0


def test_an_error_the_workspace_had_before_is_not_the_imports(tmp_path: Path) -> None:
    ws, _ = _imported(tmp_path)
    (ws / "corrections.yaml").write_text(CORRECTION.format(slo="never-defined"))
    assert runner.invoke(app, ["validate", str(ws)]).exit_code == 1
    pyrra = ROOT / "examples" / "import" / "pyrra-search.yaml"
    again = runner.invoke(app, ["import", "pyrra", str(pyrra), "--into", str(ws)])
    assert again.exit_code == 0, again.output
    assert (ws / "pyrra-search.yaml").is_file()
