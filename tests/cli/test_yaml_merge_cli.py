"""A workspace written with YAML merge keys lints and evaluates end to end through the CLI."""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app

runner = CliRunner()

OBJECTIVES = """\
  objectives:
    - target: 0.999
"""
MERGED = """\
  objectives:
    - &obj {displayName: ok, target: 0.99}
    - <<: *obj
      displayName: strict
      target: 0.999
"""


@pytest.fixture(autouse=True)
def _no_shared_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)


def merged_workspace(tmp_path: Path, objectives: str = MERGED) -> Path:
    """The scaffold, its availability SLO given two objectives, the second merged from the first."""
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    slos = ws / "slos.yaml"
    text = slos.read_text(encoding="utf-8")
    assert text.count(OBJECTIVES) == 1
    slos.write_text(text.replace(OBJECTIVES, objectives), encoding="utf-8")
    return ws


def test_lint_accepts_merge_keys(tmp_path: Path) -> None:
    ws = merged_workspace(tmp_path)
    result = runner.invoke(app, ["lint", "-w", str(ws), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "<<" not in result.output


def test_evaluate_reads_both_objectives_with_their_own_targets(tmp_path: Path) -> None:
    ws = merged_workspace(tmp_path)
    events = ws / "events" / "sample.csv"
    with events.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["sli"] == "checkout-availability"]
    total = len(rows)
    good = sum(1 for r in rows if int(r["status"]) < 500)  # the SLI's status < 500
    assert total > 0
    assert runner.invoke(app, ["ingest", "events", str(events), "-w", str(ws)]).exit_code == 0
    result = runner.invoke(
        app, ["evaluate", "-w", str(ws), "--format", "json", "--at", "2026-10-01T01:00:00Z"]
    )
    assert result.exit_code == 0, result.output
    results = [
        r for r in json.loads(result.output)["results"] if r["slo"] == "checkout-availability"
    ]
    assert [r["display_name"] for r in results] == ["ok", "strict"]
    for got, target in zip(results, (Fraction(99, 100), Fraction(999, 1000)), strict=True):
        assert Fraction(got["target"]["exact"]) == target
        assert (got["total"], got["good"]) == (total, good)
        assert Fraction(got["budget"]["allowed"]["exact"]) == (1 - target) * total


def test_a_merge_key_naming_no_mapping_fails_lint_at_its_line(tmp_path: Path) -> None:
    broken = MERGED.replace("<<: *obj", "<<: 0.99")
    ws = merged_workspace(tmp_path, broken)
    result = runner.invoke(app, ["lint", "-w", str(ws)])
    assert result.exit_code == 1, result.output
    slos = ws / "slos.yaml"
    line = next(n for n, text in enumerate(slos.read_text().splitlines(), 1) if "<<: 0.99" in text)
    assert f"slos.yaml:{line} spec.objectives[1].<<: merge key '<<' must be" in result.output
    assert "[yaml-merge]" in result.output
