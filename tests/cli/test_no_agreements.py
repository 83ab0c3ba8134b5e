"""A workspace without agreements (`covenant init`'s): `exposure` and `report sla` say so and
how to add one.

Before, `exposure` printed an empty table and `portfolio: expected nothing, worst case
nothing, locked in so far nothing` — a verdict of no money at risk where nothing was measured
— and `report sla --customer x` answered `customers in the workspace: none` without a fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.cli.starter import starter_workspace

runner = CliRunner()


def _with_a_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ws = starter_workspace(tmp_path, monkeypatch)
    sample = str(ws / "events" / "sample.csv")
    assert runner.invoke(app, ["ingest", "events", sample, "-w", str(ws)]).exit_code == 0
    return ws


def test_exposure_of_a_workspace_without_agreements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = _with_a_store(tmp_path, monkeypatch)
    result = runner.invoke(app, ["exposure", "-w", str(ws)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "expected nothing" not in said
    assert "no agreement is in force" in said
    assert "docs/agreements.md" in said


def test_a_statement_in_a_workspace_without_customers_names_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = _with_a_store(tmp_path, monkeypatch)
    result = runner.invoke(
        app,
        ["report", "sla", "-w", str(ws), "--customer", "acme", "--period", "this-month"],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "no customer named 'acme'" in said
    assert "defines no Customer" in said
    assert "docs/agreements.md" in said
